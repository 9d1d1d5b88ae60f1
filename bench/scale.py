"""Make the scale corpus of issue 12: K time-shifted copies of the 113k-story corpus.

    python bench/scale.py K [--source DIR] [--dest DIR] [--procs N] [--verify N]

Copy k (0 <= k < K) is the source with every date moved k x 400 years later: copy 0 is
the source as it is, K=2 gives ~227k stories, K=9 the 1,021,230 of issue 12. A shift by
a multiple of 400 years keeps the Gregorian calendar identical (leap days and weekdays
stay valid). In each copy the story's folder (``news/YYYY/MM/D/``), its date line
(``### [YYYY-MM-DD](/news/YYYY/MM/D/index.md)``) and every Related link target
(``(/news/YYYY/…)``) shift together, so ids, dates and year facets are distinct across
copies and related links resolve inside their own copy. Nothing else changes (a year
in a headline or a context tag stays as written).

The corpus goes to ``DEST/corpus`` (default DEST: /tmp/searchkit-scale-K), never into the
repository. Files are read once and written K times, by ``--procs`` processes. Each
finished copy leaves a marker ``DEST/.copy-k.done``; a run skips finished copies, and the
whole run when ``DEST/scale.json`` says the corpus is complete — so it is idempotent
and an interrupted run resumes. ``--verify N`` parses N shifted stories and checks
their dates and related links (also done after every generation).

Source: /tmp/corpora/news113k when it exists, else the tarball unpacked by bench.py
into /tmp/searchkit-bench/corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from multiprocessing import Pool
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIFT_YEARS = 400
DEFAULT_SOURCES = (Path("/tmp/corpora/news113k"), Path("/tmp/searchkit-bench/corpus"))

_DATE_LINE = re.compile(rb"\A(\xef\xbb\xbf)?(\s*### \[)(\d{4})(-\d\d-\d\d\])")
_LINK = re.compile(rb"\(/news/(\d{4})/")


def default_dest(copies: int) -> Path:
    return Path(f"/tmp/searchkit-scale-{copies}")


def default_source() -> Path | None:
    for path in DEFAULT_SOURCES:
        if (path / "news").is_dir():
            return path
    return None


def shift_text(data: bytes, years: int) -> bytes:
    """The story's bytes with its date line and related link targets ``years`` later."""
    if not years:
        return data

    def year(m: re.Match[bytes], group: int) -> bytes:
        return str(int(m.group(group)) + years).encode()

    data = _DATE_LINE.sub(
        lambda m: (m.group(1) or b"") + m.group(2) + year(m, 3) + m.group(4), data, count=1
    )
    return _LINK.sub(lambda m: b"(/news/" + year(m, 1) + b"/", data)


def shift_path(rel: str, years: int) -> str:
    """``news/2016/04/3/x.md`` -> ``news/2416/04/3/x.md`` for 400 years."""
    parts = rel.split("/")
    if years and len(parts) > 2 and parts[0] == "news" and parts[1].isdigit():
        parts[1] = str(int(parts[1]) + years)
    return "/".join(parts)


def _write_chunk(job: tuple[str, str, list[str], list[int]]) -> int:
    source, corpus, rels, copies = job
    written = 0
    for rel in rels:
        with open(os.path.join(source, rel), "rb") as fh:
            data = fh.read()
        for k in copies:
            years = k * SHIFT_YEARS
            target = os.path.join(corpus, shift_path(rel, years))
            with open(target, "wb") as fh:
                fh.write(shift_text(data, years))
            written += 1
    return written


def make_scale_corpus(
    copies: int, source: Path, dest: Path, procs: int = 2, verify: int = 200
) -> Path:
    """Make (or find complete) ``dest/corpus`` with ``copies`` shifted copies of source."""
    from searchkit.corpus import iter_files

    corpus = dest / "corpus"
    summary = dest / "scale.json"
    resolved = dest.resolve()
    if resolved == REPO or REPO in resolved.parents:
        sys.exit("the scale corpus must be made outside the repository")
    if summary.exists():
        info = json.loads(summary.read_text())
        if info.get("copies") == copies and info.get("source") == str(source):
            print(f"scale corpus {corpus} is complete: {info['stories']:,} stories (reused)")
            return corpus
    dest.mkdir(parents=True, exist_ok=True)
    todo = [k for k in range(copies) if not (dest / f".copy-{k}.done").exists()]
    t, c = time.perf_counter(), time.process_time()
    rels = sorted(rel for rel, _, _ in iter_files(source) if rel.startswith("news/"))
    if todo:
        print(
            f"writing copies {todo} of {len(rels):,} stories from {source} into {corpus} …",
            flush=True,
        )
        folders = {rel.rsplit("/", 1)[0] for rel in rels}
        for k in todo:
            for folder in folders:
                os.makedirs(corpus / shift_path(folder, k * SHIFT_YEARS), exist_ok=True)
        step = 2000
        jobs = [
            (str(source), str(corpus), rels[i : i + step], todo) for i in range(0, len(rels), step)
        ]
        written = 0
        with Pool(procs) as pool:
            for n in pool.imap_unordered(_write_chunk, jobs):
                written += n
                if written % 100_000 < n:
                    print(f"  {written:,} files", flush=True)
        for k in todo:
            (dest / f".copy-{k}.done").write_text("")
    seconds = time.perf_counter() - t
    cpu = time.process_time() - c
    problems = verify_copies(source, corpus, rels, copies, verify)
    if problems:
        for p in problems[:20]:
            print("  " + p)
        sys.exit(f"scale corpus check failed: {len(problems)} problems")
    info = {
        "copies": copies,
        "source": str(source),
        "source_stories": len(rels),
        "stories": len(rels) * copies,
        "shift_years": SHIFT_YEARS,
        "generated_copies": todo,
        "seconds": round(seconds, 1),
        "parent_cpu_seconds": round(cpu, 1),
    }
    summary.write_text(json.dumps(info, indent=1) + "\n")
    print(
        f"scale corpus {corpus}: {info['stories']:,} stories; wrote {len(todo)} copies in "
        f"{seconds:.0f} s wall ({procs} processes); checked {verify} shifted stories"
    )
    return corpus


def verify_copies(source: Path, corpus: Path, rels: list[str], copies: int, n: int) -> list[str]:
    """Parse ``n`` shifted stories: dates, ids and related links must have moved along."""
    from searchkit.corpus import read_document

    problems: list[str] = []
    if copies < 2 or not n:
        return problems
    rng = random.Random(12)
    for rel in rng.sample(rels, min(n, len(rels))):
        k = rng.randrange(1, copies)
        years = k * SHIFT_YEARS
        orig, _ = read_document(source, rel)
        new_rel = shift_path(rel, years)
        doc, _ = read_document(corpus, new_rel)
        if orig is None or doc is None:
            problems.append(f"{new_rel}: does not parse")
            continue
        if doc.id != new_rel or doc.title != orig.title:
            problems.append(f"{new_rel}: id or title differs")
        if orig.date and (doc.date is None or doc.date.year != orig.date.year + years):
            problems.append(f"{new_rel}: date {doc.date} is not {orig.date} + {years} years")
        for a, b in zip(orig.related, doc.related, strict=True):
            if b.target != shift_path(a.target, years):
                problems.append(f"{new_rel}: related {b.target} not shifted")
            elif (corpus / b.target).exists() != (source / a.target).exists():
                problems.append(f"{new_rel}: related {b.target} resolves differently")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("copies", type=int, metavar="K", help="copies in all (copy 0 = the source)")
    ap.add_argument("--source", type=Path, default=None, help="the 113k corpus folder")
    ap.add_argument("--dest", type=Path, default=None, help="default /tmp/searchkit-scale-K")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--verify", type=int, default=200, metavar="N")
    args = ap.parse_args()
    source = args.source or default_source()
    if source is None or not (source / "news").is_dir():
        sys.exit("no source corpus: pass --source, or run bench/bench.py once to unpack it")
    make_scale_corpus(
        args.copies, source, args.dest or default_dest(args.copies), args.procs, args.verify
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
