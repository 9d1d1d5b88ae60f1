"""Building and updating the index from a corpus folder.

``update_index`` is the one entry point: it builds a fresh generation when there is
no usable index (or when asked to rebuild) and otherwise applies only what changed
on disk since the last run, as recorded in the generation's manifest.

A full build parses and indexes in parallel: each worker process reads its share of
the files and writes one Whoosh segment; the parent then commits a table of contents
naming all of them. No segment merge is done afterwards (measured: merging two
56k-document segments costs more than the build itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import queue as queue_module
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# Whoosh and the schema are imported where an index is written: a run that finds
# nothing changed does not pay for them.
from searchkit.engine import store
from searchkit.engine.store import FileState
from searchkit.errors import CorpusMissing
from searchkit.model import FileReport

#: progress(phase, done, total)
Progress = Callable[[str, int, int], None]

#: Below this many files a build runs in this process: starting workers costs more.
PARALLEL_MIN_FILES = 4000
#: Fault injection for the crash tests: when SEARCHKIT_FAULT_POINT names a checkpoint,
#: the writer creates the file SEARCHKIT_FAULT_MARKER there and waits to be killed.
FAULT_POINT = "SEARCHKIT_FAULT_POINT"
FAULT_MARKER = "SEARCHKIT_FAULT_MARKER"

#: An incremental update writes few documents: a smaller buffer is plenty.
UPDATE_LIMIT_MB = 256
#: Marks a manifest entry for a file that was read and skipped as bad, so an
#: unchanged bad file is not read (and reported) again on every run.
BAD = "!"


@dataclass(slots=True)
class UpdateReport:
    rebuilt: bool
    reason: str  # why a full build happened, or "incremental"
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    reports: list[FileReport] = field(default_factory=list)
    documents: int = 0  # documents in the index afterwards
    seconds: float = 0.0

    @property
    def skipped(self) -> list[FileReport]:
        return [r for r in self.reports if r.skipped]

    @property
    def notices(self) -> list[FileReport]:
        return [r for r in self.reports if not r.skipped]


def update_index(
    corpus: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    wait: bool = False,
    progress: Progress | None = None,
    procs: int | None = None,
    only: Iterable[str] | None = None,
) -> UpdateReport:
    """Bring the index in ``index_dir`` up to date with ``corpus``.

    ``only`` limits an incremental update to those corpus-relative paths (what a
    file watcher saw change); without it the whole corpus is compared.
    """
    if not corpus.is_dir():
        raise CorpusMissing(str(corpus))
    started = time.perf_counter()
    with store.writer_lock(index_dir, wait=wait):
        store.remove_stale_generations(index_dir)
        gen = store.live_generation(index_dir)
        if rebuild:
            reason = "rebuild requested"
        elif gen is None:
            reason = "no index yet"
        elif not store.compatible(gen):
            found = store.read_info(gen).get("schema_version", "unknown")
            reason = f"index format {found} is not this version's ({store.SCHEMA_VERSION})"
        elif not store.has_manifest(gen):
            # Without the record of what is indexed, deleted files could never be removed.
            reason = "the record of indexed files is missing"
        else:
            reason = ""
        if reason:
            report = _build(corpus, index_dir, reason, progress, procs)
        else:
            assert gen is not None
            report = _update(corpus, gen, progress, only)
    report.seconds = time.perf_counter() - started
    return report


def _checkpoint(name: str) -> None:
    if os.environ.get(FAULT_POINT) == name:
        Path(os.environ[FAULT_MARKER]).touch()
        time.sleep(60)


# --- reading one file ------------------------------------------------------------------


def _load(root: str, rel: str, size: int, mtime_ns: int):
    """Read and parse one file of the corpus folder ``root``:
    (fields or None, FileState or None, reports)."""
    from searchkit.corpus import TOO_LARGE, document_from_bytes, read_bytes
    from searchkit.engine.schema import to_fields

    data, problem = read_bytes(root, rel)  # never through a link, bounded, non-blocking
    if data is None:  # vanished, unreadable, too large, not a regular file, a link
        # A file too large stays bad until it changes (as when it was read whole);
        # the others are tried again next time.
        state = FileState(size, mtime_ns, BAD) if problem and problem.reason == TOO_LARGE else None
        return None, state, [problem] if problem else []
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    doc, reports = document_from_bytes(data, rel)
    if doc is None:
        return None, FileState(size, mtime_ns, BAD + digest), reports
    return to_fields(doc), FileState(size, mtime_ns, digest), reports


def _bad(state: tuple[int, int, str]) -> bool:
    return state[2].startswith(BAD)


def _digest(corpus: Path, rel: str) -> str | None:
    from searchkit.corpus import read_bytes

    data, _problem = read_bytes(corpus, rel)
    return None if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()


# --- full build ------------------------------------------------------------------------


def _build(
    corpus: Path, index_dir: Path, reason: str, progress: Progress | None, procs: int | None
) -> UpdateReport:
    from whoosh import index as whoosh_index

    from searchkit.corpus import iter_files
    from searchkit.engine.schema import build_schema
    from searchkit.engine.segments import COMPOUND

    if progress:
        progress("scanning", 0, 0)
    walk_reports: list[FileReport] = []
    files = list(iter_files(corpus, walk_reports, exclude=(index_dir,)))
    files.sort()
    gen = store.new_generation(index_dir)
    ix = whoosh_index.create_in(str(gen), build_schema())
    procs = procs or min(2, os.cpu_count() or 1)
    if procs > 1 and len(files) >= PARALLEL_MIN_FILES:
        segments, manifest, reports, vocab = _build_parallel(gen, corpus, files, procs, progress)
    else:
        segments, manifest, reports, vocab = _index_files(ix, corpus, files, progress, len(files))
        if progress:
            progress("committing", len(files), len(files))
    _checkpoint("build:indexed")
    # The segments are written; the commit only names them in a new table of contents.
    ix.writer(compound=COMPOUND).commit(mergetype=lambda _w, existing: list(existing) + segments)
    _checkpoint("build:committed")
    stamp = store.now_iso()
    store.write_vocabulary(gen, dict(vocab))
    store.write_manifest(gen, manifest)
    store.write_info(gen, corpus=str(corpus.resolve()), built_at=stamp, updated_at=stamp)
    _checkpoint("build:before-publish")
    store.publish(index_dir, gen)
    indexed = sorted(k for k, s in manifest.items() if not _bad(s))
    return UpdateReport(
        rebuilt=True,
        reason=reason,
        added=indexed,
        reports=walk_reports + reports,
        documents=len(indexed),
    )


def _index_files(
    ix,
    corpus: Path,
    files: Iterable[tuple[str, int, int]],
    progress,
    total: int,
    tick: Callable[[], None] | None = None,
):
    """Index ``files`` into new segments of ``ix``: (segments, manifest, reports, vocab)."""
    from searchkit.engine.schema import vocabulary_of
    from searchkit.engine.segments import segment_writer

    root = os.fspath(corpus)
    segments = []
    manifest: dict[str, FileState] = {}
    reports: list[FileReport] = []
    vocab: Counter[str] = Counter()
    writer = segment_writer(ix, _lk=False)
    for n, (rel, size, mtime_ns) in enumerate(files, 1):
        fields, state, reps = _load(root, rel, size, mtime_ns)
        reports.extend(reps)
        if fields is not None:
            writer.add_document(**fields)
            vocab.update(vocabulary_of(fields))
            if writer.full:  # bound memory: finish this segment, start another
                segments.append(_finish_segment(writer))
                writer = segment_writer(ix, _lk=False)
        if state is not None:
            manifest[rel] = state
        if n % 500 == 0:
            if progress:
                progress("indexing", n, total)
            if tick:
                tick()
    if writer._added:
        segments.append(_finish_segment(writer))
    else:
        writer.cancel()
    return segments, manifest, reports, vocab


def _finish_segment(writer):
    segment = writer._finalize_segment()
    writer._finish()
    return segment


_progress_queue = None
_parent_pid = 0


def _worker_init(queue, parent_pid: int) -> None:
    global _progress_queue, _parent_pid
    _progress_queue, _parent_pid = queue, parent_pid


def _worker_tick() -> None:
    # A worker whose parent was killed stops at once instead of indexing on.
    if os.getppid() != _parent_pid:
        os._exit(1)
    if _progress_queue is not None:
        _progress_queue.put(500)


def _worker(gen: str, corpus: str, files: list[tuple[str, int, int]]):
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(gen)
    # Whoosh names every writer's spill folder "MAIN.tmp" and deletes it when the
    # writer finishes: give each worker its own so one cannot delete the other's.
    storage, shared = ix.storage, ix.storage.temp_storage
    storage.temp_storage = lambda name=None: shared(f"{name or 'spill'}-{os.getpid()}")
    return _index_files(ix, Path(corpus), files, None, len(files), _worker_tick)


def _build_parallel(gen: Path, corpus: Path, files, procs: int, progress: Progress | None):
    ctx = multiprocessing.get_context("spawn")  # children inherit no lock descriptors
    queue = ctx.Queue()
    chunks = [files[i::procs] for i in range(procs)]
    segments, manifest, reports, vocab = [], {}, [], Counter()
    with ProcessPoolExecutor(
        procs, mp_context=ctx, initializer=_worker_init, initargs=(queue, os.getpid())
    ) as pool:
        futures = [pool.submit(_worker, str(gen), str(corpus), chunk) for chunk in chunks]
        done = 0
        while not all(f.done() for f in futures):
            with contextlib.suppress(queue_module.Empty):
                done += queue.get(timeout=0.1)
            if progress:
                progress("indexing", min(done, len(files)), len(files))
        for f in futures:
            written, part, reps, words = f.result()
            segments.extend(written)
            manifest.update(part)
            reports.extend(reps)
            vocab.update(words)
    if progress:
        progress("committing", len(files), len(files))
    return segments, manifest, reports, vocab


# --- incremental update ---------------------------------------------------------------


def _stat_some(corpus: Path, paths: Iterable[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for rel in paths:
        try:
            st = (corpus / rel).stat()
        except OSError:
            continue
        if st.st_mode & 0o170000 == 0o100000:  # a regular file
            out[rel] = (st.st_size, st.st_mtime_ns)
    return out


def _update(
    corpus: Path, gen: Path, progress: Progress | None, only: Iterable[str] | None
) -> UpdateReport:
    from searchkit.corpus import iter_files

    if progress:
        progress("scanning", 0, 0)
    manifest = store.read_manifest(gen)
    report = UpdateReport(rebuilt=False, reason="incremental")
    if only is None:
        walk = iter_files(corpus, report.reports, exclude=(gen.parent,))
        on_disk = {rel: (size, mtime) for rel, size, mtime in walk}
        candidates: Iterable[str] = manifest
    else:
        wanted = {p for p in only if p.endswith((".md", ".txt"))}
        on_disk = _stat_some(corpus, wanted)
        candidates = [p for p in wanted if p in manifest]
    todo: list[tuple[str, int, int]] = []
    touched = False
    for rel, (size, mtime) in on_disk.items():
        old = manifest.get(rel)
        if old is None:
            todo.append((rel, size, mtime))
        elif old[0] == size and old[1] == mtime:
            report.unchanged += not _bad(old)
        elif old[0] == size and _digest(corpus, rel) == old[2].lstrip(BAD):
            # Touched, not changed: remember the new mtime, index nothing.
            manifest[rel] = FileState(size, mtime, old[2])
            report.unchanged += not _bad(old)
            touched = True
        else:
            todo.append((rel, size, mtime))
    gone = [rel for rel in candidates if rel not in on_disk]

    if todo or gone:
        # Counts only grow: a removed document's words stay known (harmless for
        # suggestions, which prefer frequent words anyway).
        from whoosh import index as whoosh_index

        from searchkit.engine.schema import vocabulary_of
        from searchkit.engine.segments import COMPOUND

        vocab = Counter(store.read_vocabulary(gen))
        root = os.fspath(corpus)
        ix = whoosh_index.open_dir(str(gen))
        writer = ix.writer(limitmb=UPDATE_LIMIT_MB, compound=COMPOUND)
        try:
            for rel in gone:
                if not _bad(manifest.pop(rel)):
                    writer.delete_by_term("id", rel)
                    report.removed.append(rel)
            for n, (rel, size, mtime) in enumerate(todo, 1):
                fields, state, reps = _load(root, rel, size, mtime)
                report.reports.extend(reps)
                was_indexed = rel in manifest and not _bad(manifest[rel])
                if fields is not None:
                    writer.update_document(**fields)
                    vocab.update(vocabulary_of(fields))
                    (report.changed if was_indexed else report.added).append(rel)
                elif was_indexed:  # became bad or vanished: it must not linger
                    writer.delete_by_term("id", rel)
                    report.removed.append(rel)
                if state is None:
                    manifest.pop(rel, None)
                else:
                    manifest[rel] = state
                if progress and n % 100 == 0:
                    progress("indexing", n, len(todo))
            if progress:
                progress("committing", len(todo), len(todo))
            _checkpoint("update:indexed")
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        _checkpoint("update:committed")
        store.write_vocabulary(gen, dict(vocab))
        touched = True
    if touched:
        # Written after the commit: if we die in between, the next run redoes the
        # (idempotent) updates the manifest does not yet show.
        store.write_manifest(gen, manifest)
        store.write_info(gen, updated_at=store.now_iso())
    report.documents = sum(not s[2].startswith(BAD) for s in manifest.values())
    return report
