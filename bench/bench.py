"""Benchmark searchkit on the large corpus, with SQLite FTS5 as the baseline.

    python bench/bench.py [--tarball PATH] [--workdir DIR] [--skip-build] [--skip-fts]

Unpacks the 113k-story corpus outside the repo (reused when already there), builds the
index from scratch, and reports:

- build: documents/s, wall time, index size, peak RSS (largest process);
- search: p50/p95 latency of ~40 realistic queries, each with facet counts and the
  top 10 hits highlighted (``Engine.search``, warm);
- one-shot ``searchkit search`` wall time (a new process per query);
- incremental updates: no change, 100 stories added, 100 modified + 100 deleted;
- the same build and search figures for SQLite FTS5 (stdlib) on the same documents,
  with the ratio searchkit / FTS5.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TARBALL = REPO.parent / "shared" / "corpora" / "news-events.tar.gz"
DEFAULT_WORKDIR = Path("/tmp/searchkit-bench")

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


def rss_mb() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


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


def build(corpus: Path, index: Path) -> dict:
    # In a child process, so its peak RSS (and its workers') is measured alone.
    code = (
        "import json, resource, sys; from pathlib import Path;"
        "from searchkit.engine import update_index;"
        "r = update_index(Path(sys.argv[1]), Path(sys.argv[2]), rebuild=True);"
        "m = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024;"
        "print(json.dumps({'docs': r.documents, 'skipped': len(r.skipped),"
        " 'seconds': r.seconds, 'rss_mb': m}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(corpus), str(index)],
        check=True,
        capture_output=True,
        text=True,
    )
    import json

    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["size_mb"] = dir_size(index) / 2**20
    return res


def search_latency(index: Path) -> dict:
    """Latency of Engine.search as the app sees it: one engine, caches built at start."""
    from searchkit.engine import Engine
    from searchkit.model import SearchRequest

    t = time.perf_counter()
    engine = Engine(index)
    engine.warm()
    open_s = time.perf_counter() - t
    passes = []
    for _ in range(2):  # the first pass also loads per-field lengths, stems, …
        times = []
        for q in QUERIES:
            t = time.perf_counter()
            r = engine.search(SearchRequest(q, limit=10))
            times.append((time.perf_counter() - t) * 1000)
            assert len(r.hits) <= 10
        passes.append(times)
    first, times = passes
    slow = sorted(zip(times, QUERIES, strict=True), reverse=True)[:3]
    t = time.perf_counter()
    engine.search(SearchRequest(""))
    browse = (time.perf_counter() - t) * 1000
    engine.close()
    return {
        "open_s": open_s,
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "first_p50": pct(first, 50),
        "first_p95": pct(first, 95),
        "browse_ms": browse,
        "slowest": slow,
    }


def run_cli(corpus: Path, index: Path, *args: str) -> float:
    """Wall time of one `searchkit` command, Python start-up included."""
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "searchkit", "--corpus", str(corpus), "--index", str(index), *args],
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - t


def one_shot(corpus: Path, index: Path) -> dict:
    queries = ["syria", "earthquake italy", '"prime minister"', "ukraine", "hurricane"]
    walls = [run_cli(corpus, index, "search", q) for q in queries]
    return {"median_s": statistics.median(walls), "max_s": max(walls)}


def incremental(corpus: Path, index: Path) -> dict:
    from searchkit.corpus import iter_files
    from searchkit.engine import update_index

    out = {}
    update_index(corpus, index)  # settle anything a previous run left touched
    # As a user runs it: the command, Python start-up included.
    walls = [run_cli(corpus, index, "index") for _ in range(3)]
    out["no_change_s"] = statistics.median(walls)

    rng = random.Random(7)
    files = sorted(rel for rel, _, _ in iter_files(corpus))
    sample = rng.sample(files, 300)
    new_dir = corpus / "news" / "2099" / "01" / "1"
    new_dir.mkdir(parents=True, exist_ok=True)
    for i, rel in enumerate(sample[:100]):
        text = (corpus / rel).read_text(encoding="utf-8")
        text = text.replace("\n# ", f"\n# Bench copy {i}: ", 1)
        (new_dir / f"bench-copy-{i}.md").write_text(text, encoding="utf-8")
    t = time.perf_counter()
    r = update_index(corpus, index)
    out["add_100_s"] = time.perf_counter() - t
    assert len(r.added) == 100, (len(r.added), r.reports[:3])

    saved = {rel: (corpus / rel).read_bytes() for rel in sample[100:]}
    for rel in sample[100:200]:
        with open(corpus / rel, "a", encoding="utf-8") as f:
            f.write("\nBench edit.\n")
    for rel in sample[200:]:
        (corpus / rel).unlink()
    t = time.perf_counter()
    r = update_index(corpus, index)
    out["modify_100_delete_100_s"] = time.perf_counter() - t
    assert len(r.changed) == 100 and len(r.removed) == 100, (len(r.changed), len(r.removed))

    # Put the corpus back as it was.
    shutil.rmtree(corpus / "news" / "2099")
    for rel, data in saved.items():
        (corpus / rel).write_bytes(data)
        os.utime(corpus / rel)
    update_index(corpus, index)
    return out


def print_update(inc: dict) -> None:
    print(
        f"update:   no change (CLI, median of 3) {inc['no_change_s']:.2f} s; "
        f"add 100 {inc['add_100_s']:.2f} s; "
        f"modify 100 + delete 100 {inc['modify_100_delete_100_s']:.2f} s"
    )


def fts5(corpus: Path, workdir: Path) -> dict:
    """The same documents in SQLite FTS5: parse, insert, index; then the same queries."""
    from searchkit.corpus import iter_files, read_document

    db_path = workdir / "fts5.sqlite"
    db_path.unlink(missing_ok=True)
    t = time.perf_counter()
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
    build_s = time.perf_counter() - t

    def fts_query(q: str) -> str:
        words = [
            w
            for w in q.replace('"', " ").replace("*", " ").split()
            if w.isalnum() and w not in ("OR", "NOT", "AND")
        ]
        return " ".join(f'"{w}"' for w in words) or '""'

    times = []
    for _ in range(2):
        times = []
        for q in QUERIES:
            t = time.perf_counter()
            match = fts_query(q)
            db.execute(
                "SELECT id, snippet(docs, 2, '[', ']', '…', 30), bm25(docs, 2.0, 1.0, 1.5) AS s "
                "FROM docs WHERE docs MATCH ? ORDER BY s LIMIT 10",
                (match,),
            ).fetchall()
            db.execute(
                "SELECT facet, value, count(*) FROM facets WHERE doc IN "
                "(SELECT rowid FROM docs WHERE docs MATCH ?) GROUP BY facet, value",
                (match,),
            ).fetchall()
            times.append((time.perf_counter() - t) * 1000)
    db.close()
    return {
        "docs": n,
        "seconds": build_s,
        "size_mb": db_path.stat().st_size / 2**20,
        "p50": pct(times, 50),
        "p95": pct(times, 95),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL)
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--skip-build", action="store_true", help="reuse the index in WORKDIR")
    ap.add_argument("--skip-fts", action="store_true", help="no SQLite FTS5 baseline")
    ap.add_argument("--only", choices=["search", "update"], help="run just one part")
    args = ap.parse_args()

    if REPO in args.workdir.resolve().parents:
        sys.exit("the work folder must be outside the repository")
    corpus = unpack(args.tarball, args.workdir)
    index = args.workdir / "index"
    print(f"corpus: {sum(1 for _ in corpus.rglob('*.md'))} stories")

    if args.only == "update":
        inc = incremental(corpus, index)
        print_update(inc)
        return
    if not args.skip_build and args.only != "search":
        b = build(corpus, index)
        print(
            f"build:    {b['docs']} docs in {b['seconds']:.1f} s = "
            f"{b['docs'] / b['seconds']:.0f} docs/s; skipped {b['skipped']}; "
            f"index {b['size_mb']:.0f} MB; peak RSS {b['rss_mb']:.0f} MB"
        )
    s = search_latency(index)
    print(
        f"search:   p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms over {len(QUERIES)} queries "
        f"(facets + top 10 highlighted); open+first {s['open_s']:.2f} s; "
        f"browse {s['browse_ms']:.1f} ms"
    )
    print("          slowest: " + ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in s["slowest"]))
    if args.only == "search":
        return
    o = one_shot(corpus, index)
    print(f"one-shot: `searchkit search` median {o['median_s']:.2f} s, max {o['max_s']:.2f} s wall")
    inc = incremental(corpus, index)
    print_update(inc)
    if not args.skip_fts:
        f = fts5(corpus, args.workdir)
        print(
            f"FTS5:     {f['docs']} docs in {f['seconds']:.1f} s = "
            f"{f['docs'] / f['seconds']:.0f} docs/s; {f['size_mb']:.0f} MB; "
            f"search p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms"
        )
        if not args.skip_build:
            print(
                f"ratio:    build time searchkit/FTS5 {b['seconds'] / f['seconds']:.2f}; "
                f"search p95 searchkit/FTS5 {s['p95'] / f['p95']:.2f}"
            )
    me, kids = rss_mb()
    print(f"bench process peak RSS {me:.0f} MB (children {kids:.0f} MB)")


if __name__ == "__main__":
    main()
