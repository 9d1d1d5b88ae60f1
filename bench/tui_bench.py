"""Keystroke-to-results latency of the TUI, driven with Pilot over a real index.

    python bench/tui_bench.py [INDEX_DIR | --index DIR] [--corpus DIR] [--engine NAME]
                              [--pause MS] [--jitter] [--profile N] [--json FILE]

Types a scripted session of queries one character at a time. For each keystroke it
measures the time from sending the key until the results *for that text* are on
screen (the main screen stamps ``shown_at`` after the refresh that shows them), and
prints p50/p95/max, plus the time from app start to the first results.

``--pause`` waits that long between keystrokes after the results showed (human typing
is ~150-250 ms a key); 0 presses the next key as soon as the results are on screen.
``--jitter`` varies each pause at random between half and one and a half times that
(a fixed seed: every run types the same way), so timers in the app meet keystrokes at
every phase rather than at one.
"TUI overhead" is the latency minus the engine's own time for that search.
``--profile N`` runs cProfile on the UI thread (the engine runs in worker threads, so
what it shows is the TUI's own cost) and prints the N most expensive functions.

It never builds or rebuilds an index: an index that is missing or was built by another
version of searchkit is an error (the app itself would rebuild it in place).
``--engine`` sets SEARCHKIT_ENGINE (default: whoosh, or the variable's value); ``--json``
writes the figures to a file (bench/bench.py reads them from there).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

SESSION = [
    "syria",
    "ukraine invasion",
    "earthquake",
    "united nations",
    "president election",
    "climate change",
    "covid vaccine",
    "bomb",
    "tsunami japan",
    "brexit",
    "olympic games",
    "hurricane",
    "nuclear iran",
    "protests hong kong",
    "oil prices",
    "ebola",
    "world cup",
    "isil raqqa",
    "trump",
    "obama",
    "taliban kabul",
    "floods pakistan",
    '"air strike"',
    "tag:ISIL",
    "title:ceasefire",
    "date:2016 aleppo",
    "syri*",
    "ukriane",
    "gaza ceasefire",
    "north korea missile",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def run(
    index: Path,
    corpus: Path,
    pause: float,
    size: tuple[int, int],
    profile: int = 0,
    jitter: bool = False,
    json_out: Path | None = None,
) -> int:
    from searchkit.engine import Engine
    from searchkit.errors import SearchkitError
    from searchkit.tui.app import SearchkitApp

    try:
        Engine(index).close()  # fail here rather than let the app rebuild the index
    except SearchkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    app = SearchkitApp(corpus, index, poll_seconds=None)
    started = time.perf_counter()
    latencies: list[float] = []
    overheads: list[float] = []
    slowest: list[tuple[float, str, float]] = []
    profiler = cProfile.Profile() if profile else None
    rng = random.Random(7)  # the same "human" pauses every run
    async with app.run_test(size=size) as pilot:
        while app.main is None or not app.main.shown_at:
            await asyncio.sleep(0.002)
        screen = app.main
        first = screen.shown_at - started
        print(f"start -> first results: {first * 1000:.0f} ms")
        box = screen.query_one("#query")
        if profiler is not None:
            profiler.enable()
        for query in SESSION:
            box.value = ""
            await pilot.pause(0.05)
            while screen.shown_query != "":
                await asyncio.sleep(0.002)
            text = ""
            for ch in query:
                text += ch
                sent = time.perf_counter()
                await pilot.press(ch)
                deadline = sent + 10
                while screen.shown_query != text and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                if screen.shown_query != text:
                    print(f"  timed out waiting for {text!r}", file=sys.stderr)
                    continue
                latency = screen.shown_at - sent
                latencies.append(latency)
                overheads.append(latency - screen.results.elapsed_ms / 1000)
                slowest.append((latency, text, screen.results.elapsed_ms))
                if pause:
                    await asyncio.sleep(pause * rng.uniform(0.5, 1.5) if jitter else pause)
        if profiler is not None:
            profiler.disable()
    print(f"keystrokes: {len(latencies)}")
    print(f"keystroke -> results p50: {statistics.median(latencies) * 1000:.0f} ms")
    print(f"keystroke -> results p95: {percentile(latencies, 0.95) * 1000:.0f} ms")
    print(f"keystroke -> results max: {max(latencies) * 1000:.0f} ms")
    print(
        f"TUI overhead (latency - engine) p50: {statistics.median(overheads) * 1000:.0f} ms,"
        f" p95: {percentile(overheads, 0.95) * 1000:.0f} ms"
    )
    print(
        "slowest:",
        ", ".join(
            f"{t!r} {lat * 1000:.0f} ms (engine {e:.0f})"
            for lat, t, e in sorted(slowest, reverse=True)[:5]
        ),
    )
    if json_out is not None:
        figures = {
            "first_results_ms": first * 1000,
            "keystrokes": len(latencies),
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": percentile(latencies, 0.95) * 1000,
            "max_ms": max(latencies) * 1000,
            "overhead_p50_ms": statistics.median(overheads) * 1000,
            "overhead_p95_ms": percentile(overheads, 0.95) * 1000,
            "slowest": [(t, lat * 1000, e) for lat, t, e in sorted(slowest, reverse=True)[:5]],
            "pause_ms": pause * 1000,
            "jitter": jitter,
        }
        json_out.write_text(json.dumps(figures, indent=1) + "\n")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(profile)
        stats.sort_stats("cumulative").print_stats(profile)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", nargs="?", type=Path, default=None)
    parser.add_argument(
        "--index", dest="index_opt", type=Path, help="the index (default: bench.py's whoosh one)"
    )
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/searchkit-bench/corpus"))
    parser.add_argument("--engine", help="sets SEARCHKIT_ENGINE for the app")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--pause", type=float, default=0.0, help="ms between keystrokes")
    parser.add_argument(
        "--jitter", action="store_true", help="pauses vary from 0.5 to 1.5 times --pause"
    )
    parser.add_argument("--size", default="120x36", help="terminal size, e.g. 120x36")
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile the UI thread"
    )
    args = parser.parse_args()
    if args.engine:
        os.environ["SEARCHKIT_ENGINE"] = args.engine
    index = args.index_opt or args.index or Path("/tmp/searchkit-bench/index-whoosh")
    width, height = (int(x) for x in args.size.split("x"))
    return asyncio.run(
        run(
            index,
            args.corpus,
            args.pause / 1000,
            (width, height),
            args.profile,
            args.jitter,
            args.json,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
