"""Benchmark searchkit on a large corpus, with SQLite FTS5 as the baseline.

    python bench/bench.py [--corpus DIR | --scale K] [--engine NAME]… [--workdir DIR]
                          [--repeat N] [--skip-build] [--skip-fts] [--skip-tui]
                          [--only search|update] [--json FILE]

Without ``--corpus``/``--scale`` it unpacks the 113k-story corpus outside the repo
(``--tarball``, into /tmp/searchkit-bench/corpus, reused when already there).
``--scale K`` makes (or reuses) K time-shifted copies of the 113k corpus with
bench/scale.py in /tmp/searchkit-scale-K and benchmarks that; ``--corpus DIR`` takes any
corpus folder. Indexes go to ``WORKDIR/index-<engine>``.

For each engine (``--engine``, repeatable, default whoosh; passed to everything it runs
as SEARCHKIT_ENGINE) it reports:

- build from scratch (a child process): wall and CPU time (user+system, its workers
  included), peak RSS of the largest process, index size;
- engine open in a fresh process (import, open, warm, first search), median of N;
- search (``Engine.search``, warm, one engine as the app holds it): p50/p95/max over the
  40 queries below, each with facet counts and the top 10 hits highlighted, as the median
  and range over N passes; the slowest queries named; phrase queries separately; browse
  (the empty query). A pass cycles through more distinct requests than the engine's
  32-entry result cache holds, so no repeat is answered from that cache;
- one-shot ``searchkit search`` (a new process per query): wall, CPU and peak RSS for a
  rare, a common, a phrase and the empty query (median of N), and the median over five
  queries (the figure README has always given);
- ``searchkit index`` with nothing changed (wall, peak RSS, median of N), then 100 stories
  added and 100 modified + 100 deleted (in-process ``update_index``, as before); the
  corpus is put back as it was afterwards (this part writes into the corpus folder:
  it refuses to touch the read-only reference corpora under /tmp/corpora);
- the app: start -> first results and keystroke -> results (bench/tui_bench.py on the
  same index, a scripted session of 333 keystrokes);
- SQLite FTS5 (stdlib) on the same parsed documents: build, size, search p50/p95/max over
  the same queries, with facet counts (once, not per engine).

The host is shared and noisy: compare medians and ranges, and CPU time beside wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
DEFAULT_TARBALL = REPO.parent / "shared" / "corpora" / "news-events.tar.gz"
DEFAULT_WORKDIR = Path("/tmp/searchkit-bench")
#: Reference corpora that must never be written to (the update part writes).
READ_ONLY = (Path("/tmp/corpora"),)

QUERIES = [
    "syria",
    "earthquake",
    "airstrike",
    "election results",
    '"prime minister"',
    "ukraine russia",
    "hurricane florida",
    "covid vaccine",
    "ebola outbreak",
    "brexit referendum",
    'tag:"syrian civil war"',
    "source:reuters iran",
    "climate change summit",
    "north korea missile",
    "gaza ceasefire",
    "oil prices",
    "protest police",
    "supreme court ruling",
    "terror attack paris",
    "floods",
    "nobel prize",
    "world cup",
    "olympics doping",
    "bank collapse",
    "tsunami japan",
    "syri*",
    "assad OR putin",
    "israel NOT gaza",
    "date:2016 aleppo",
    "refugees europe date:2015..2016",
    "kind:story cyclone",
    "bombing baghdad",
    "ceasefire",
    "coup",
    "pandemic",
    "wildfire california",
    "volcano eruption",
    "trade war china tariffs",
    "ukriane invasoin",
    "shooting",
]
#: More phrases, measured with the one in QUERIES but kept out of its figures.
PHRASES = [
    '"united nations"',
    '"security council"',
    '"human rights"',
    '"climate change"',
    '"north korea"',
    '"air strike"',
]
#: One-shot CLI queries (`searchkit search`): label -> query.
ONE_SHOT = {
    "rare": "meteorite",
    "common": "ukraine",
    "phrase": '"prime minister"',
    "empty": "",
}
#: The five one-shot queries of earlier figures (median over them).
ONE_SHOT_FIVE = ["syria", "earthquake italy", '"prime minister"', "ukraine", "hurricane"]

# (what, 113k target from README, 1.02M target from issue 12 for whoosh / tantivy)
TARGETS = {
    "build_s": ("<= 60 s", "<= 8 min / tantivy <= 3 min"),
    "build_rss": ("", "<= 1 GB"),
    "search_p95": ("<= 50 ms", "<= 150 ms / tantivy <= 40 ms"),
    "phrase_max": ("", "<= 300 ms"),
    "one_shot": ("<= 0.5 s", "<= 1.0 s, RSS <= 300 MB / tantivy <= 0.6 s"),
    "no_change": ("<= 2 s", "<= 6 s, RSS <= 300 MB"),
    "add_100": ("<= 3 s", "<= 5 s / tantivy <= 3 s"),
    "modify_delete": ("<= 5 s", ""),
    "app_start": ("<= 2 s", "<= 3 s / tantivy <= 2 s"),
    "keystroke_p95": ("<= 100 ms", "<= 150 ms / tantivy <= 60 ms"),
}


# --- measuring ------------------------------------------------------------------------


@dataclass
class Run:
    """One child process: wall time, CPU (user+system, its reaped children included),
    peak RSS of the largest process among it and its children, and what it printed."""

    wall_s: float
    cpu_s: float
    rss_mb: float
    returncode: int
    stdout: str
    stderr: str


# Measuring a child with wait4 from this process would be wrong: a child starts as a
# copy of its parent (vfork/fork), and the kernel counts the parent's resident memory
# at exec into the child's peak RSS — a bench process holding a big engine would add
# hundreds of MB to every figure. So a small launcher process starts the command and
# measures it.
_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as fh:
    json.dump({"wall_s": time.perf_counter() - started,
               "cpu_s": usage.ru_utime + usage.ru_stime,
               "rss_mb": usage.ru_maxrss / 1024,
               "returncode": os.waitstatus_to_exitcode(status)}, fh)
"""


def run_measured(cmd: list[str], timeout: float = 3600) -> Run:
    """Run ``cmd`` (the environment is inherited) and measure it with wait4."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        figures = Path(tmp) / "run.json"
        launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(figures), *cmd],
            stdout=out,
            stderr=err,
            start_new_session=True,  # a timeout kills the command with its launcher
        )
        try:
            launcher.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if not figures.exists():
            return Run(float(timeout), 0.0, 0.0, -9, stdout, stderr)
        m = json.loads(figures.read_text())
        return Run(m["wall_s"], m["cpu_s"], m["rss_mb"], m["returncode"], stdout, stderr)


@contextlib.contextmanager
def timed() -> Iterator[dict]:
    """Wall and CPU time (this process's threads and any children it reaps) of a block."""
    out: dict = {}
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, cpu = time.perf_counter(), time.process_time()
    yield out
    kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["wall_s"] = time.perf_counter() - wall
    out["cpu_s"] = (
        time.process_time()
        - cpu
        + kids_after.ru_utime
        - kids.ru_utime
        + kids_after.ru_stime
        - kids.ru_stime
    )


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def show(s: dict, unit: str = "ms", digits: int = 0) -> str:
    """``12 ms [10–15]``: the median and the range of several runs."""
    m = f"{s['median']:.{digits}f}"
    if s["min"] == s["max"]:
        return f"{m} {unit}"
    return f"{m} {unit} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def count_stories(corpus: Path) -> int:
    from searchkit.corpus import iter_files

    return sum(1 for _ in iter_files(corpus))


# --- the corpus ----------------------------------------------------------------------


def unpack(tarball: Path, workdir: Path) -> Path:
    corpus = workdir / "corpus"
    if (corpus / "news").is_dir():
        print(f"reusing {corpus}")
        return corpus
    print(f"unpacking {tarball} into {corpus} …")
    corpus.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(corpus, filter="data")
    return corpus


def writable(corpus: Path) -> bool:
    resolved = corpus.resolve()
    return not any(resolved == r or r in resolved.parents for r in READ_ONLY)


# --- searchkit ----------------------------------------------------------------------


def engine_name(index: Path) -> str:
    """The engine the index reports, when the API offers one."""
    from searchkit.engine import Engine

    with Engine(index) as engine:
        for attr in ("engine_name", "backend", "kind"):
            value = getattr(engine, attr, None)
            if isinstance(value, str):
                return value
    return "whoosh (the API does not report an engine)"


_BUILD = """
import json, sys
from pathlib import Path
from searchkit.engine import update_index
r = update_index(Path(sys.argv[1]), Path(sys.argv[2]), rebuild=True)
print(json.dumps({"docs": r.documents, "skipped": len(r.skipped), "seconds": r.seconds}))
"""


def build(corpus: Path, index: Path) -> dict:
    """A full build in a child process, so its peak RSS (and its workers') is its own."""
    run = run_measured([sys.executable, "-c", _BUILD, str(corpus), str(index)])
    if run.returncode:
        sys.exit(f"build failed:\n{run.stderr}")
    res = json.loads(run.stdout.strip().splitlines()[-1])
    res |= {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "rss_mb": run.rss_mb}
    res["size_mb"] = dir_size(index) / 2**20
    return res


_OPEN = """
import json, sys, time
t0 = time.perf_counter()
from searchkit.engine import Engine
from searchkit.model import SearchRequest
t1 = time.perf_counter()
engine = Engine(sys.argv[1])
t2 = time.perf_counter()
engine.warm()
t3 = time.perf_counter()
engine.search(SearchRequest("ukraine", limit=10))
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "warm_s": t3 - t2,
                  "first_search_s": t4 - t3, "total_s": t4 - t0}))
"""


def engine_open(index: Path, repeat: int) -> dict:
    """The app's start, engine side: import, open, warm, first search (fresh processes)."""
    runs = [run_measured([sys.executable, "-c", _OPEN, str(index)]) for _ in range(repeat)]
    parts = [json.loads(r.stdout.strip().splitlines()[-1]) for r in runs]
    out = {k: spread([p[k] for p in parts]) for k in parts[0]}
    out["rss_mb"] = spread([r.rss_mb for r in runs])
    return out


def search_latency(index: Path, repeat: int) -> dict:
    """Latency of Engine.search as the app sees it: one engine, caches built at start."""
    from searchkit.engine import Engine
    from searchkit.model import SearchRequest

    requests = QUERIES + PHRASES + [""]
    assert len(set(requests)) == len(requests)
    engine = Engine(index)
    engine.warm()
    # As the app does (searchkit/tui/idle_gc.py): what the engine loaded at start is
    # frozen, so the collections during searches do not walk it again each time (at a
    # million stories Whoosh's facet rows made that ~0.1 s a search).
    gc.collect()
    gc.freeze()
    passes: list[dict[str, float]] = []
    cpu: list[float] = []
    walls: list[float] = []
    for _ in range(repeat + 1):  # the first pass also loads per-field lengths, stems, …
        times: dict[str, float] = {}
        with timed() as t_pass:
            for q in requests:
                t = time.perf_counter()
                r = engine.search(SearchRequest(q, limit=10))
                times[q] = (time.perf_counter() - t) * 1000
                assert len(r.hits) <= 10
        passes.append(times)
        cpu.append(t_pass["cpu_s"])
        walls.append(t_pass["wall_s"])
    engine.close()
    gc.unfreeze()
    first, warm = passes[0], passes[1:]

    def per_pass(fn, qs: list[str]) -> dict:
        return spread([fn([p[q] for q in qs]) for p in warm])

    median_ms = {q: statistics.median(p[q] for p in warm) for q in requests}
    phrases = [q for q in QUERIES + PHRASES if q.startswith('"')]
    return {
        "queries": len(QUERIES),
        "passes": repeat,
        "p50": per_pass(lambda v: pct(v, 50), QUERIES),
        "p95": per_pass(lambda v: pct(v, 95), QUERIES),
        "max": per_pass(max, QUERIES),
        "first_pass_p50": pct([first[q] for q in QUERIES], 50),
        "first_pass_p95": pct([first[q] for q in QUERIES], 95),
        "slowest": sorted(((median_ms[q], q) for q in QUERIES), reverse=True)[:5],
        "phrases": {q: median_ms[q] for q in phrases},
        "phrase_max": per_pass(max, phrases),
        "browse": spread([p[""] for p in warm]),
        "pass_wall_s": spread(walls[1:]),
        "pass_cpu_s": spread(cpu[1:]),
    }


def cli(corpus: Path, index: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "searchkit",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
        *args,
    ]


def one_shot(corpus: Path, index: Path, repeat: int) -> dict:
    """`searchkit search` as a user runs it: a new process, Python start-up included."""
    out: dict = {}
    for label, q in ONE_SHOT.items():
        runs = [run_measured(cli(corpus, index, "search", q)) for _ in range(repeat)]
        out[label] = {
            "query": q,
            "wall_s": spread([r.wall_s for r in runs]),
            "cpu_s": spread([r.cpu_s for r in runs]),
            "rss_mb": spread([r.rss_mb for r in runs]),
            "exit": runs[0].returncode,
        }
    walls = [run_measured(cli(corpus, index, "search", q)).wall_s for q in ONE_SHOT_FIVE]
    out["five"] = {"median_s": statistics.median(walls), "max_s": max(walls)}
    return out


def no_change(corpus: Path, index: Path, repeat: int) -> dict:
    from searchkit.engine import update_index

    update_index(corpus, index)  # settle anything a previous run left touched
    runs = [run_measured(cli(corpus, index, "index")) for _ in range(repeat)]
    return {
        "wall_s": spread([r.wall_s for r in runs]),
        "cpu_s": spread([r.cpu_s for r in runs]),
        "rss_mb": spread([r.rss_mb for r in runs]),
    }


def incremental(corpus: Path, index: Path) -> dict:
    """100 stories added, then 100 modified + 100 deleted; the corpus put back after."""
    from searchkit.corpus import iter_files
    from searchkit.engine import update_index

    out: dict = {}
    rng = random.Random(7)
    files = sorted(rel for rel, _, _ in iter_files(corpus))
    sample = rng.sample(files, 300)
    new_dir = corpus / "news" / "2099" / "01" / "1"
    new_dir.mkdir(parents=True, exist_ok=True)
    saved = {rel: (corpus / rel).read_bytes() for rel in sample[100:]}
    try:
        for i, rel in enumerate(sample[:100]):
            text = (corpus / rel).read_text(encoding="utf-8")
            text = text.replace("\n# ", f"\n# Bench copy {i}: ", 1)
            (new_dir / f"bench-copy-{i}.md").write_text(text, encoding="utf-8")
        with timed() as t:
            r = update_index(corpus, index)
        out["add_100"] = t
        assert len(r.added) == 100, (len(r.added), r.reports[:3])

        for rel in sample[100:200]:
            with open(corpus / rel, "a", encoding="utf-8") as f:
                f.write("\nBench edit.\n")
        for rel in sample[200:]:
            (corpus / rel).unlink()
        with timed() as t:
            r = update_index(corpus, index)
        out["modify_100_delete_100"] = t
        assert len(r.changed) == 100 and len(r.removed) == 100, (len(r.changed), len(r.removed))
    finally:  # put the corpus back as it was
        shutil.rmtree(corpus / "news" / "2099")
        for rel, data in saved.items():
            (corpus / rel).write_bytes(data)
            os.utime(corpus / rel)
        update_index(corpus, index)
    out["add_command_100"] = add_command(corpus, index, sample[:100])
    return out


def add_command(corpus: Path, index: Path, sample: list[str]) -> dict:
    """`searchkit add DIR` with 100 new stories, in a new process: what a user runs to
    add documents (it copies them in and indexes those files alone, no walk)."""
    from searchkit.engine import update_index

    placed: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="bench-add-") as tmp:
        for i, rel in enumerate(sample):
            text = (corpus / rel).read_text(encoding="utf-8")
            text = text.replace("\n# ", f"\n# Bench add {i}: ", 1)
            (Path(tmp) / f"bench-add-{i}.md").write_text(text, encoding="utf-8")
        try:
            run = run_measured(cli(corpus, index, "add", tmp))
            folders = {(corpus / rel).parent for rel in sample}
            placed = [f for d in folders for f in d.glob("bench-add-*.md")]
            assert run.returncode == 0 and len(placed) == len(sample), (run.stderr, len(placed))
        finally:
            for f in placed:
                f.unlink()
            update_index(corpus, index)
    return {"wall_s": run.wall_s, "cpu_s": run.cpu_s, "rss_mb": run.rss_mb}


def tui(corpus: Path, index: Path) -> dict:
    """bench/tui_bench.py on the same index, in its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tui.json"
        cmd = [sys.executable, str(BENCH / "tui_bench.py"), "--index", str(index)]
        run = run_measured([*cmd, "--corpus", str(corpus), "--json", str(out)])
        if run.returncode or not out.exists():
            return {"error": run.stderr.strip().splitlines()[-1:] or ["failed"]}
        res = json.loads(out.read_text())
    res["rss_mb"] = run.rss_mb
    res["wall_s"] = run.wall_s
    return res


# --- SQLite FTS5 ---------------------------------------------------------------------


def fts_query(q: str) -> str:
    words = [
        w
        for w in q.replace('"', " ").replace("*", " ").split()
        if w.isalnum() and w not in ("OR", "NOT", "AND")
    ]
    return " ".join(f'"{w}"' for w in words) or '""'


def fts5(corpus: Path, workdir: Path, repeat: int) -> dict:
    """The same documents in SQLite FTS5: parse, insert, index; then the same queries."""
    from searchkit.corpus import iter_files, read_document

    db_path = workdir / "fts5.sqlite"
    db_path.unlink(missing_ok=True)
    with timed() as t_build:
        db = sqlite3.connect(db_path)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tags, "
            "tokenize='porter unicode61')"
        )
        db.execute("CREATE TABLE facets (doc INTEGER, facet TEXT, value TEXT)")
        n = 0
        rows, facet_rows = [], []
        for rel, _, _ in iter_files(corpus):
            doc, _ = read_document(corpus, rel)
            if doc is None:
                continue
            n += 1
            rows.append((n, doc.id, doc.title, doc.body, " ; ".join(doc.tags)))
            facet_rows += [(n, "tag", v) for v in doc.tags]
            facet_rows += [(n, "source", o.name) for o in doc.outlets]
            facet_rows.append((n, "year", str(doc.date.year) if doc.date else ""))
            facet_rows.append((n, "kind", doc.kind))
            if len(rows) >= 5000:
                db.executemany(
                    "INSERT INTO docs(rowid, id, title, body, tags) VALUES (?,?,?,?,?)", rows
                )
                db.executemany("INSERT INTO facets VALUES (?,?,?)", facet_rows)
                rows, facet_rows = [], []
        db.executemany("INSERT INTO docs(rowid, id, title, body, tags) VALUES (?,?,?,?,?)", rows)
        db.executemany("INSERT INTO facets VALUES (?,?,?)", facet_rows)
        db.execute("CREATE INDEX facets_doc ON facets(doc)")
        db.commit()

    passes = []
    for _ in range(repeat + 1):
        times = []
        for q in QUERIES:
            t = time.perf_counter()
            match = fts_query(q)
            # Weights per column: id (unindexed), title x2, body x1, tags x1.5.
            db.execute(
                "SELECT id, snippet(docs, 2, '[', ']', '…', 30), "
                "bm25(docs, 0.0, 2.0, 1.0, 1.5) AS s "
                "FROM docs WHERE docs MATCH ? ORDER BY s LIMIT 10",
                (match,),
            ).fetchall()
            db.execute(
                "SELECT facet, value, count(*) FROM facets WHERE doc IN "
                "(SELECT rowid FROM docs WHERE docs MATCH ?) GROUP BY facet, value",
                (match,),
            ).fetchall()
            times.append((time.perf_counter() - t) * 1000)
        passes.append(times)
    db.close()
    warm = passes[1:]
    return {
        "docs": n,
        "wall_s": t_build["wall_s"],
        "cpu_s": t_build["cpu_s"],
        "size_mb": db_path.stat().st_size / 2**20,
        "p50": spread([pct(p, 50) for p in warm]),
        "p95": spread([pct(p, 95) for p in warm]),
        "max": spread([max(p) for p in warm]),
    }


# --- one engine, start to end --------------------------------------------------------


def bench_engine(args: argparse.Namespace, corpus: Path, engine: str, fts: bool) -> dict:
    os.environ["SEARCHKIT_ENGINE"] = engine
    index = args.workdir / f"index-{engine}"
    res: dict = {"engine": engine, "corpus": str(corpus), "index": str(index)}
    n = args.repeat
    if args.only == "update":
        res["no_change"] = no_change(corpus, index, n)
        res["incremental"] = incremental(corpus, index) if writable(corpus) else None
        print_update(res)
        return res
    if not args.skip_build and args.only != "search":
        print(f"[{engine}] building {index} …", flush=True)
        res["build"] = build(corpus, index)
        print_build(res["build"])
    res["engine_reported"] = engine_name(index)
    print(f"[{engine}] index reports engine: {res['engine_reported']}", flush=True)
    res["open"] = engine_open(index, n)
    print_open(res["open"])
    res["search"] = search_latency(index, n)
    print_search(res["search"])
    if args.only == "search":
        return res
    res["one_shot"] = one_shot(corpus, index, n)
    print_one_shot(res["one_shot"])
    res["no_change"] = no_change(corpus, index, n)
    if writable(corpus):
        res["incremental"] = incremental(corpus, index)
    else:
        print(f"update:   skipped adding/modifying stories: {corpus} is a read-only reference")
    print_update(res)
    if not args.skip_tui:
        res["tui"] = tui(corpus, index)
        print_tui(res["tui"])
    if fts and not args.skip_fts:
        print("[fts5] building …", flush=True)
        res["fts5"] = fts5(corpus, args.workdir, n)
        print_fts(res["fts5"])
    return res


def per_engine_process(args: argparse.Namespace, engine: str, fts: bool) -> dict:
    """Run this script for one engine in a child process and read back its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        cmd = [sys.executable, __file__, "--engine", engine, "--json", str(out)]
        if args.scale:
            cmd += ["--scale", str(args.scale)]
        elif args.corpus:
            cmd += ["--corpus", str(args.corpus)]
        else:
            cmd += ["--tarball", str(args.tarball)]
        if args.scale_source:
            cmd += ["--scale-source", str(args.scale_source)]
        cmd += ["--workdir", str(args.workdir), "--repeat", str(args.repeat)]
        if args.only:
            cmd += ["--only", args.only]
        flags = {"--skip-build": args.skip_build, "--skip-tui": args.skip_tui}
        flags["--skip-fts"] = args.skip_fts or not fts
        cmd += [flag for flag, on in flags.items() if on]
        print(f"\n=== engine {engine} ===", flush=True)
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text())["results"][0]


# --- printing ------------------------------------------------------------------------


def print_build(b: dict) -> None:
    print(
        f"build:    {b['docs']:,} docs in {b['wall_s']:.1f} s wall, {b['cpu_s']:.0f} CPU-s "
        f"= {b['docs'] / b['wall_s']:.0f} docs/s; skipped {b['skipped']}; "
        f"index {b['size_mb']:.0f} MB; peak RSS {b['rss_mb']:.0f} MB (largest process)",
        flush=True,
    )


def print_open(o: dict) -> None:
    print(
        f"open:     fresh process: import {show(o['import_s'], 's', 2)}, "
        f"open {show(o['open_s'], 's', 2)}, warm {show(o['warm_s'], 's', 2)}, first search "
        f"{show(o['first_search_s'], 's', 2)}; total {show(o['total_s'], 's', 2)}; "
        f"RSS {show(o['rss_mb'], 'MB')}",
        flush=True,
    )


def print_search(s: dict) -> None:
    print(
        f"search:   {s['queries']} queries (facets + top 10 highlighted), {s['passes']} warm "
        f"passes: p50 {show(s['p50'], 'ms', 1)}, p95 {show(s['p95'], 'ms', 1)}, "
        f"max {show(s['max'])}; first pass p50 {s['first_pass_p50']:.1f} ms, "
        f"p95 {s['first_pass_p95']:.1f} ms; CPU per pass {show(s['pass_cpu_s'], 's', 2)} "
        f"(wall {show(s['pass_wall_s'], 's', 2)})"
    )
    print("          slowest: " + ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in s["slowest"]))
    print(
        "          phrases: "
        + ", ".join(f"{q} {ms:.0f} ms" for q, ms in s["phrases"].items())
        + f"; browse (empty query) {show(s['browse'], 'ms', 1)}",
        flush=True,
    )


def print_one_shot(o: dict) -> None:
    parts = [
        f"{label} {o[label]['query']!r} {show(o[label]['wall_s'], 's', 2)} "
        f"(CPU {o[label]['cpu_s']['median']:.2f} s, RSS {o[label]['rss_mb']['median']:.0f} MB)"
        for label in ONE_SHOT
    ]
    print("one-shot: `searchkit search` " + "; ".join(parts))
    print(
        f"          median of five queries {o['five']['median_s']:.2f} s, "
        f"max {o['five']['max_s']:.2f} s",
        flush=True,
    )


def print_update(res: dict) -> None:
    nc = res["no_change"]
    line = (
        f"update:   `searchkit index`, nothing changed: {show(nc['wall_s'], 's', 2)} "
        f"(CPU {nc['cpu_s']['median']:.2f} s, RSS {nc['rss_mb']['median']:.0f} MB)"
    )
    inc = res.get("incremental")
    if inc:
        a, m = inc["add_100"], inc["modify_100_delete_100"]
        line += (
            f"; add 100 {a['wall_s']:.2f} s (CPU {a['cpu_s']:.2f} s); "
            f"modify 100 + delete 100 {m['wall_s']:.2f} s (CPU {m['cpu_s']:.2f} s)"
        )
        if "add_command_100" in inc:
            c = inc["add_command_100"]
            line += (
                f"; `searchkit add` of 100 stories {c['wall_s']:.2f} s "
                f"(CPU {c['cpu_s']:.2f} s, RSS {c['rss_mb']:.0f} MB)"
            )
    print(line, flush=True)


def print_tui(t: dict) -> None:
    if "error" in t:
        print(f"app:      tui_bench failed: {t['error']}")
        return
    print(
        f"app:      start -> first results {t['first_results_ms']:.0f} ms; "
        f"{t['keystrokes']} keystrokes -> results p50 {t['p50_ms']:.0f} ms, "
        f"p95 {t['p95_ms']:.0f} ms, max {t['max_ms']:.0f} ms; peak RSS {t['rss_mb']:.0f} MB",
        flush=True,
    )


def print_fts(f: dict) -> None:
    print(
        f"FTS5:     {f['docs']:,} docs in {f['wall_s']:.1f} s wall, {f['cpu_s']:.0f} CPU-s; "
        f"{f['size_mb']:.0f} MB; search p50 {show(f['p50'], 'ms', 1)}, "
        f"p95 {show(f['p95'], 'ms', 1)}, max {show(f['max'])}",
        flush=True,
    )


def summary(results: list[dict], stories: int) -> None:
    """One table: a column per engine, FTS5, and the target at this size."""
    big = stories > 500_000
    which = "issue 12, 1.02M" if big else "README, 113k"

    def target(key: str) -> str:
        return TARGETS[key][1 if big else 0]

    fts = next((r["fts5"] for r in results if "fts5" in r), None)
    rows: list[tuple[str, list[str], str, str]] = []

    def row(label: str, key: str, fn, fts_value: str = "") -> None:
        values = []
        for r in results:
            try:
                values.append(fn(r))
            except (KeyError, TypeError):
                values.append("–")
        rows.append((label, values, fts_value, target(key) if key else ""))

    row(
        "engine the index reports",
        "",
        lambda r: "not reported" if "(" in r["engine_reported"] else r["engine_reported"],
    )
    row(
        "full build: wall / CPU",
        "build_s",
        lambda r: f"{r['build']['wall_s']:.0f} s / {r['build']['cpu_s']:.0f} CPU-s",
        f"{fts['wall_s']:.0f} s / {fts['cpu_s']:.0f} CPU-s" if fts else "",
    )
    row(
        "build: peak RSS, index size",
        "build_rss",
        lambda r: f"{r['build']['rss_mb']:.0f} MB, {r['build']['size_mb']:.0f} MB",
        f"–, {fts['size_mb']:.0f} MB" if fts else "",
    )
    row(
        "search p50 / p95 (40 queries)",
        "search_p95",
        lambda r: f"{r['search']['p50']['median']:.1f} / {r['search']['p95']['median']:.1f} ms",
        f"{fts['p50']['median']:.1f} / {fts['p95']['median']:.1f} ms" if fts else "",
    )
    row("search max", "", lambda r: f"{r['search']['max']['median']:.0f} ms")
    row("slowest phrase", "phrase_max", lambda r: f"{r['search']['phrase_max']['median']:.0f} ms")
    row("browse (empty query)", "", lambda r: f"{r['search']['browse']['median']:.1f} ms")
    row("engine open + warm (new process)", "", lambda r: f"{r['open']['total_s']['median']:.2f} s")
    for label in ONE_SHOT:
        row(
            f"one-shot search, {label}",
            "one_shot",
            lambda r, label=label: (
                f"{r['one_shot'][label]['wall_s']['median']:.2f} s, "
                f"{r['one_shot'][label]['rss_mb']['median']:.0f} MB"
            ),
        )
    row(
        "`searchkit index`, no change",
        "no_change",
        lambda r: (
            f"{r['no_change']['wall_s']['median']:.2f} s, "
            f"{r['no_change']['rss_mb']['median']:.0f} MB"
        ),
    )
    row(
        "add 100 stories: `searchkit index`",
        "add_100",
        lambda r: f"{r['incremental']['add_100']['wall_s']:.2f} s",
    )
    row(
        "add 100 stories: `searchkit add DIR`",
        "add_100",
        lambda r: f"{r['incremental']['add_command_100']['wall_s']:.2f} s",
    )
    row(
        "modify 100 + delete 100",
        "modify_delete",
        lambda r: f"{r['incremental']['modify_100_delete_100']['wall_s']:.2f} s",
    )
    row("app start -> results", "app_start", lambda r: f"{r['tui']['first_results_ms']:.0f} ms")
    row("keystroke -> results p95", "keystroke_p95", lambda r: f"{r['tui']['p95_ms']:.0f} ms")

    heads = [r["engine"] for r in results]
    width = max(len(x[0]) for x in rows)
    cols = [max([len(h)] + [len(x[1][i]) for x in rows]) for i, h in enumerate(heads)]
    fw = max([len("SQLite FTS5")] + [len(x[2]) for x in rows])
    print(f"\nsummary: {stories:,} documents; targets: {which}")
    head = "  ".join(f"{h:<{c}}" for h, c in zip(heads, cols, strict=True))
    print(f"{'':<{width}}  {head}  {'SQLite FTS5':<{fw}}  target")
    for label, values, fts_value, tgt in rows:
        vals = "  ".join(f"{v:<{c}}" for v, c in zip(values, cols, strict=True))
        print(f"{label:<{width}}  {vals}  {fts_value:<{fw}}  {tgt}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--corpus", type=Path, help="benchmark this corpus folder")
    where.add_argument("--scale", type=int, metavar="K", help="K time-shifted 113k copies")
    where.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL)
    ap.add_argument("--workdir", type=Path, help="indexes etc. (default by corpus)")
    ap.add_argument(
        "--engine", action="append", help="engine(s) to run (SEARCHKIT_ENGINE), default whoosh"
    )
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (default 3)")
    ap.add_argument("--skip-build", action="store_true", help="reuse the index in WORKDIR")
    ap.add_argument("--skip-fts", action="store_true", help="no SQLite FTS5 baseline")
    ap.add_argument("--skip-tui", action="store_true", help="no app latency (tui_bench)")
    ap.add_argument("--only", choices=["search", "update"], help="run just one part")
    ap.add_argument("--json", type=Path, help="write all figures here as JSON")
    ap.add_argument("--scale-source", type=Path, help="the 113k corpus for --scale")
    args = ap.parse_args()
    engines = [e for spec in args.engine or ["whoosh"] for e in spec.split(",") if e]

    if args.scale:
        from scale import default_dest, default_source, make_scale_corpus

        source = args.scale_source or default_source()
        if source is None:
            source = unpack(DEFAULT_TARBALL, DEFAULT_WORKDIR)
        dest = default_dest(args.scale)
        corpus = make_scale_corpus(args.scale, source, dest)
        args.workdir = args.workdir or dest
    elif args.corpus:
        corpus = args.corpus
        args.workdir = args.workdir or DEFAULT_WORKDIR / f"corpus-{corpus.resolve().name}"
    else:
        args.workdir = args.workdir or DEFAULT_WORKDIR
        corpus = unpack(args.tarball, args.workdir)
    for path in (args.workdir, args.json):
        if path is not None and (path.resolve() == REPO or REPO in path.resolve().parents):
            sys.exit(f"{path}: benchmark files stay outside the repository")
    args.workdir.mkdir(parents=True, exist_ok=True)
    stories = count_stories(corpus)
    print(f"corpus: {corpus}, {stories:,} documents; engines {', '.join(engines)}")

    if len(engines) == 1:
        results = [bench_engine(args, corpus, engines[0], fts=True)]
    else:  # one process per engine: an engine may be chosen once per process
        results = [per_engine_process(args, e, fts=(i == 0)) for i, e in enumerate(engines)]
    if args.only is None:
        summary(results, stories)
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {me:.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps({"stories": stories, "results": results}, indent=1, default=str) + "\n"
        )
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
