"""The fault suite: long runs that try to break searchkit as a hostile user, a crashing
machine and a flaky disk would (issue 13), and say exactly what broke.

    python bench/faults.py                   # everything, full size (about an hour)
    python bench/faults.py --quick           # every experiment, small (a few minutes)
    python bench/faults.py --only kill,damage --out faults.json --keep

Experiments (``--only`` takes their keys, comma-separated):

    kill      kill -9 at random moments of index, index --rebuild, add and watch;
              the index still answers (as before or after) and the next index
              converges to a fresh rebuild, with no duplicates
    readers   searches in several processes during updates and rebuild switches:
              0 failures allowed
    writers   two writers at once: one is told about the lock, the index stays right
    watch     watch under bursts, folder moves, editor saves, SIGTERM/SIGHUP/SIGINT,
              an index folder inside the corpus
    hostile   a hostile corpus (encodings, a 1 GB file, FIFOs, symlinks out, hostile
              names ...); every output checked on a pty for raw control characters
    queries   thousands of fuzzed queries: no traceback, valid JSON, exit 0/1/2, <= 1 s
    damage    every index file type truncated, zeroed and bit-flipped; a CURRENT with
              garbage or a path out of the index folder

Every experiment drives the ``searchkit`` command in subprocesses (``--engine NAME``
sets SEARCHKIT_ENGINE for them), with timeouts, and kills what it started. The end
is one summary table (experiment -> tried / passed, then each check) and, with
``--out``, the same as JSON with failing examples (command lines to reproduce).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faults_common import Experiment, Runner, has_command  # noqa: E402


@dataclass
class Context:
    """What every experiment gets: how to run searchkit, where to write, how big."""

    runner: Runner
    root: Path  # this run's scratch folder (removed at the end unless --keep)
    quick: bool
    seed: int
    has_check: bool  # does `searchkit check` exist yet?
    big_index: Path | None = None  # a prebuilt index of the whole news corpus to reuse
    cache: dict = field(default_factory=dict)  # what experiments share (base corpus ...)

    def size(self, quick: int, full: int) -> int:
        return quick if self.quick else full

    def rng(self, salt: str) -> random.Random:
        return random.Random(f"{self.seed}:{salt}")

    def folder(self, name: str) -> Path:
        path = self.root / name
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        return path


def _experiments() -> dict[str, tuple[str, Callable[[Context, Experiment], None]]]:
    import faults_damage
    import faults_hostile
    import faults_kill
    import faults_queries
    import faults_watch

    return {
        "kill": ("kill -9 during index/rebuild/add/watch", faults_kill.run_kill),
        "readers": ("searches during updates and rebuilds", faults_kill.run_readers),
        "writers": ("two writers at once", faults_kill.run_writers),
        "watch": ("watch: bursts, moves, saves, signals", faults_watch.run_watch),
        "hostile": ("hostile corpus, output on a pty", faults_hostile.run_hostile),
        "queries": ("fuzzed queries", faults_queries.run_queries),
        "damage": ("damaged index files", faults_damage.run_damage),
    }


# --- the report -------------------------------------------------------------------------


def summary_table(experiments: list[Experiment]) -> str:
    """Experiment -> tried / passed (its headline check), then every check below it."""
    rows: list[tuple[str, str, str, str]] = []
    for ex in experiments:
        if ex.status != "ran":
            rows.append((ex.key, ex.title, "-", ex.status))
            continue
        head = ex.checks.get(ex.headline)
        tried, passed = (head.tried, head.passed) if head else (ex.tried, ex.passed)
        mark = "ok" if tried and tried == passed else ("FAIL" if tried else "-")
        rows.append((ex.key, f"{ex.title} [{ex.headline}]", f"{tried}", f"{passed}  {mark}"))
        for c in ex.checks.values():
            if c.name == ex.headline:
                continue
            if c.note and not c.tried:
                rows.append(("", f"  {c.name}", "-", c.note))
                continue
            flag = "" if c.passed == c.tried else "  <-"
            rows.append(("", f"  {c.name}", f"{c.tried}", f"{c.passed}{flag}"))
    header = ("exp", "check", "tried", "passed")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(4)]
    widths[1] = min(widths[1], 78)

    def line(r: tuple[str, str, str, str]) -> str:
        return f"{r[0]:<{widths[0]}}  {r[1][: widths[1]]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}"

    out = [line(header), "-" * (sum(widths) + 8)]
    out += [line(r) for r in rows]
    return "\n".join(out)


def failures_text(experiments: list[Experiment], per_check: int = 2) -> str:
    lines = []
    for ex in experiments:
        for c in ex.checks.values():
            if not c.failed:
                continue
            lines.append(f"[{ex.key}] {c.name}: {c.failed} of {c.tried} failed")
            for example in c.examples[:per_check]:
                text = json.dumps(example, ensure_ascii=True)
                lines.append(f"    e.g. {text[:400]}{'…' if len(text) > 400 else ''}")
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated experiment keys (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    parser.add_argument("--engine", help="sets SEARCHKIT_ENGINE for every searchkit command")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
    parser.add_argument("--tmp", type=Path, help="scratch parent folder (default /tmp)")
    parser.add_argument(
        "--big-index", type=Path, help="reuse this index of the whole news corpus (queries)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every command")
    args = parser.parse_args(argv)
    # Commands get default signal handling even if this suite was started with some
    # ignored (nohup, `&` in a script): ignored signals would be inherited, and a
    # watch would not stop on SIGINT or SIGHUP because of how it was started.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)

    table = _experiments()
    keys = list(table) if not args.only else [k.strip() for k in args.only.split(",") if k]
    unknown = [k for k in keys if k not in table]
    if unknown:
        parser.error(f"unknown experiment {unknown[0]!r}; choose from {', '.join(table)}")

    runner = Runner(args.engine, verbose=args.verbose)
    root = Path(tempfile.mkdtemp(prefix="faults-", dir=args.tmp or "/tmp"))
    ctx = Context(
        runner=runner,
        root=root,
        quick=args.quick,
        seed=args.seed,
        has_check=has_command(runner, "check"),
        big_index=args.big_index,
    )
    print(
        f"fault suite: {', '.join(keys)} ({'quick' if args.quick else 'full'}; "
        f"engine {args.engine or 'default'}; scratch {root}; "
        f"searchkit check {'present' if ctx.has_check else 'missing'})",
        flush=True,
    )
    done: list[Experiment] = []
    started = time.perf_counter()
    try:
        for key in keys:
            title, run = table[key]
            ex = Experiment(key, title)
            done.append(ex)
            print(f"\n== {key}: {title}", flush=True)
            t0 = time.perf_counter()
            try:
                run(ctx, ex)
            except KeyboardInterrupt:
                ex.status = "interrupted"
                raise
            except Exception as exc:  # the suite's own failure: say so, go on
                ex.status = f"suite error: {type(exc).__name__}: {exc}"[:200]
                traceback.print_exc()
            finally:
                runner.kill_all()
                ex.seconds = time.perf_counter() - t0
                print(f"   {key}: {ex.seconds:.0f} s", flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted: reporting what ran", flush=True)
    finally:
        runner.kill_all()
        if args.keep:
            print(f"\nkept scratch folders in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    total = time.perf_counter() - started
    print(f"\n== summary ({'quick' if args.quick else 'full'}, {total / 60:.1f} min)\n")
    print(summary_table(done))
    text = failures_text(done)
    if text:
        print("\n== failures (first examples; all in --out)\n")
        print(text)
    for ex in done:
        for note in ex.notes:
            print(f"note [{ex.key}] {note}")
    if args.out:
        report = {
            "quick": args.quick,
            "engine": args.engine,
            "seed": args.seed,
            "minutes": round(total / 60, 1),
            "commit": _git_head(),
            "experiments": [ex.to_json() for ex in done],
        }
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        print(f"\nresults: {args.out}")
    ok = all(ex.status == "ran" and ex.passed == ex.tried for ex in done)
    return 0 if ok else 1


def _git_head() -> str:
    import subprocess

    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
