"""Parse every file of a corpus folder and print what came out.

    python bench/parse_all.py [CORPUS] [--slugs] [--limit N]
    python bench/parse_all.py CORPUS [CORPUS …] --compare REF [--rounds N]

Counts parsed and failed files (failures grouped by reason), notices (legacy
encodings), documents without a title or date, stories without related links, and the
time taken: the walk, read+parse through ``read_document``, and parsing alone (decode +
parse of bytes already in memory, i.e. excluding IO). ``--slugs`` also checks that
``story_path(date, headline)`` reproduces each story's own file path.

``--compare REF`` checks a change of the corpus layer against the git revision REF
(e.g. ``HEAD``, ``main``): the ``searchkit/corpus`` package of REF is extracted into a
temporary folder and imported beside the working tree's; every file of every CORPUS is
parsed by both (``document_from_bytes`` on the same bytes) and every ``Document`` field
and report compared; then both are timed in alternation, N rounds in the same process
(A/B: a noisy machine slows both alike), printing docs per CPU-second as median and
range. Exit status 1 if any document differs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

from searchkit.corpus import decode_bytes, iter_files, parse_document, read_document, story_path


def _reason_key(reason: str) -> str:
    return reason.split(":", 1)[0] if reason.startswith(("unreadable", "parser error")) else reason


REPO = Path(__file__).resolve().parents[1]


def load_corpus_package(ref: str, into: Path):
    """The ``searchkit.corpus`` package as it is at git revision ``ref``, imported under
    another name (its absolute imports of ``searchkit.model`` use the working tree's
    model, so its ``Document`` objects compare field by field with ours)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "searchkit/corpus"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    name = "searchkit_corpus_at_ref"
    (into / "searchkit" / "corpus").rename(into / name)
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(into))


def _parse_all(parse, data: list[tuple[str, bytes]]) -> list:
    return [parse(raw, rel_id) for rel_id, raw in data]


def compare(roots: list[Path], ref: str, rounds: int) -> int:
    """Same documents as at ``ref``? And how fast is each, A/B in this process."""
    from searchkit import corpus as ours

    with tempfile.TemporaryDirectory() as tmp:
        theirs = load_corpus_package(ref, Path(tmp))
        return _compare(roots, ref, rounds, ours, theirs)


def _compare(roots: list[Path], ref: str, rounds: int, ours, theirs) -> int:
    status = 0
    for root in roots:
        files = sorted(rel for rel, _size, _mtime in ours.iter_files(root))
        data = []
        for rel in files:
            raw, _problem = ours.read_bytes(root, rel)
            if raw is not None:
                data.append((rel, raw))
        print(f"{root}: {len(data):,} files")
        new = _parse_all(ours.document_from_bytes, data)
        old = _parse_all(theirs.document_from_bytes, data)
        differ = [rel for (rel, _), a, b in zip(data, new, old, strict=True) if a != b]
        print(f"  documents and reports differing from {ref}: {len(differ):,}")
        for rel in differ[:10]:
            print(f"    {rel}")
        status |= bool(differ)
        rates: dict[str, list[float]] = {ref: [], "working tree": []}
        impls = [(ref, theirs.document_from_bytes), ("working tree", ours.document_from_bytes)]
        for n in range(rounds):
            for label, parse in impls if n % 2 == 0 else impls[::-1]:
                c0 = time.process_time()
                _parse_all(parse, data)
                rates[label].append(len(data) / (time.process_time() - c0))
        for label, values in rates.items():
            print(
                f"  {label:>12}: {statistics.median(values):>9,.0f} docs per CPU-second "
                f"(median of {rounds}; range {min(values):,.0f}-{max(values):,.0f})"
            )
        speedup = [a / b for a, b in zip(rates["working tree"], rates[ref], strict=True)]
        print(
            f"  speed-up, round by round: median {statistics.median(speedup):.2f}x "
            f"(range {min(speedup):.2f}-{max(speedup):.2f})"
        )
    return status


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("corpus", nargs="*", default=[Path("/tmp/newscorpus")], type=Path)
    ap.add_argument("--slugs", action="store_true", help="check story ids against slugify")
    ap.add_argument("--limit", type=int, default=0, help="parse only the first N files")
    ap.add_argument("--compare", metavar="REF", help="compare documents and speed with REF")
    ap.add_argument("--rounds", type=int, default=5, help="A/B rounds for --compare")
    args = ap.parse_args(argv)
    missing = [root for root in args.corpus if not root.is_dir()]
    if missing:
        print(f"no corpus folder {missing[0]}", file=sys.stderr)
        return 2
    if args.compare:
        return compare(args.corpus, args.compare, args.rounds)
    if len(args.corpus) > 1:
        print("give one corpus folder (several only with --compare)", file=sys.stderr)
        return 2
    root: Path = args.corpus[0]

    t0, c0 = time.perf_counter(), time.process_time()
    files = sorted(iter_files(root))
    walk_s, walk_cpu = time.perf_counter() - t0, time.process_time() - c0
    if args.limit:
        files = files[: args.limit]
    print(f"walk: {len(files):,} files in {walk_s:.3f} s (cpu {walk_cpu:.3f} s)")

    kinds: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    notices: Counter[str] = Counter()
    no_title = no_date_story = no_date_article = no_related = no_outlet = 0
    related_links = slug_ok = slug_bad = 0
    bad_slugs: list[str] = []
    t0, c0 = time.perf_counter(), time.process_time()
    for rel_id, _size, _mtime in files:
        doc, reports = read_document(root, rel_id)
        for report in reports:
            (notices if not report.skipped else failed)[_reason_key(report.reason)] += 1
        if doc is None:
            continue
        kinds[doc.kind] += 1
        no_title += not doc.title
        no_outlet += not doc.outlets
        if doc.kind == "story":
            no_date_story += doc.date is None
            no_related += not doc.related
            related_links += len(doc.related)
            if args.slugs and doc.date is not None:
                if story_path(doc.date, doc.title) == rel_id:
                    slug_ok += 1
                else:
                    slug_bad += 1
                    bad_slugs.append(rel_id)
        else:
            no_date_article += doc.date is None
    read_s, read_cpu = time.perf_counter() - t0, time.process_time() - c0

    data = []
    for rel_id, _size, _mtime in files:
        with contextlib.suppress(OSError):
            data.append((rel_id, (root / rel_id).read_bytes()))
    t0, c0 = time.perf_counter(), time.process_time()
    for rel_id, raw in data:
        with contextlib.suppress(ValueError):
            parse_document(decode_bytes(raw)[0], rel_id)
    parse_s, parse_cpu = time.perf_counter() - t0, time.process_time() - c0

    parsed = sum(kinds.values())
    print(f"parsed: {parsed:,} ({kinds['story']:,} stories, {kinds['article']:,} articles)")
    print(f"failed: {sum(failed.values()):,}")
    for reason, n in failed.most_common():
        print(f"  {n:>8,}  {reason}")
    if notices:
        print(f"notices: {sum(notices.values()):,}")
        for reason, n in notices.most_common():
            print(f"  {n:>8,}  {reason}")
    print(f"missing title: {no_title:,}")
    print(f"missing date: {no_date_story:,} stories, {no_date_article:,} articles")
    print(f"without outlet: {no_outlet:,}")
    print(f"stories without related links: {no_related:,} ({related_links:,} links in all)")
    if args.slugs:
        total = slug_ok + slug_bad
        rate = 100 * slug_ok / total if total else 0.0
        print(f"slug match: {slug_ok:,}/{total:,} ({rate:.3f} %)")
        for rel_id in bad_slugs[:10]:
            print(f"  mismatch: {rel_id}")
    n = max(len(files), 1)
    print(
        f"read_document: {read_s:.2f} s, {len(files) / read_s if read_s else 0:,.0f} docs/s, "
        f"{1e6 * read_s / n:.1f} us/doc (cpu {read_cpu:.2f} s)"
    )
    m = max(len(data), 1)
    print(
        f"decode+parse only (no IO): {parse_s:.2f} s, {1e6 * parse_s / m:.1f} us/doc "
        f"(cpu {parse_cpu:.2f} s, {1e6 * parse_cpu / m:.1f} us/doc)"
    )
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
