"""Building and updating an index from a corpus folder, for any backend.

``update_index`` is the one entry point: it builds a fresh generation when there is
no usable index (none yet, a damaged or incompatible one, a switch of engine, or when
asked) and otherwise applies only what changed on disk since the last run, as
recorded in the generation's catalog.

A full build parses in worker processes. A backend that can write parts of an index
independently (``partitioned_build``: Whoosh writes one segment per worker) indexes in
the workers too; otherwise the workers parse and the parent feeds one writer.

Crash safety: a build publishes its generation only when complete. An update commits
the backend first and the catalog after it; the catalog records which backend commit
it agrees with, and a run that finds them apart (an update was killed between the two)
recounts the catalog's words and forms from the stored documents before going on.
Every change is an idempotent upsert or delete, so the next run completes the last.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import queue as queue_module
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.engine import analysis, backends, integrity, store
from searchkit.engine.catalog import Catalog, FileState
from searchkit.errors import CorpusMissing, IndexDamaged, SearchkitError
from searchkit.model import FileReport

#: progress(phase, done, total)
Progress = Callable[[str, int, int], None]

#: Below this many files a build runs in this process: starting workers costs more.
PARALLEL_MIN_FILES = 4000
#: Fault injection for the crash tests: when SEARCHKIT_FAULT_POINT names a checkpoint,
#: the writer creates the file SEARCHKIT_FAULT_MARKER there and waits to be killed.
FAULT_POINT = "SEARCHKIT_FAULT_POINT"
FAULT_MARKER = "SEARCHKIT_FAULT_MARKER"
#: Documents a funnel-build worker sends the parent per message.
CHUNK = 256
#: Stored documents read per batch when the catalog is recounted.
RECOUNT_BATCH = 500


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
    engine: str = ""

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
    engine: str | None = None,
) -> UpdateReport:
    """Bring the index in ``index_dir`` up to date with ``corpus``.

    ``only`` limits an incremental update to those corpus-relative paths (what a
    file watcher saw change; a folder stands for everything below it). ``engine``
    (else $SEARCHKIT_ENGINE) picks the engine of a new index; naming another engine
    than the index's rebuilds it with that one. Without either, an existing index
    keeps its engine.
    """
    corpus = Path(corpus)
    index_dir = Path(index_dir)
    if not corpus.is_dir():
        raise CorpusMissing(str(corpus))
    asked = engine or os.environ.get(backends.ENV) or None
    if asked:
        asked = backends.chosen(asked)
        backends.load(asked)  # one clear line now if it is not installed
    started = time.perf_counter()
    with store.writer_lock(index_dir, wait=wait):
        gen, current, reason = _inspect(index_dir, asked, rebuild)
        store.remove_stale_generations(index_dir)
        name = asked or current or backends.DEFAULT
        if reason:
            report = _build(corpus, index_dir, name, reason, progress, procs)
        else:
            assert gen is not None
            report = _update(corpus, index_dir, gen, name, progress, only)
    report.seconds = time.perf_counter() - started
    report.engine = name
    return report


def _inspect(index_dir: Path, asked: str | None, rebuild: bool) -> tuple[Path | None, str, str]:
    """(live generation, its engine, why it must be rebuilt — "" when it need not)."""
    from searchkit.engine.service import check_versions

    try:
        gen = store.live_generation(index_dir)
    except SearchkitError as exc:
        return None, "", _why(exc)
    if gen is None:
        return None, "", "no index yet"
    try:
        meta = store.read_meta(gen)
        current = meta.get("backend", "")
        if asked and asked != current:
            return gen, current, f"switching engine from {current} to {asked}"
        backend = check_versions(index_dir, meta)
        catalog = Catalog(gen)
        try:
            problems = _damage(gen, backend, catalog)
        finally:
            catalog.close()
        if problems:
            return gen, current, f"index file {problems[0]}"
    except SearchkitError as exc:
        return gen, "", _why(exc)
    if rebuild:
        return gen, current, "rebuild requested"
    return gen, current, ""


def _damage(gen: Path, backend, catalog: Catalog) -> list[str]:
    """Recorded backend files that changed since their commit. (When the backend has a
    newer commit than the catalog records, an update was interrupted between the two:
    ``_update`` recovers, and records the files again.)"""
    if catalog.info().get("backend_key") != backend.current_key(gen):
        from searchkit.engine.service import _open_backend

        try:  # interrupted, or the backend's own commit record is damaged?
            _open_backend(backend, gen).close()
        except IndexDamaged as exc:
            return integrity.verify(gen, catalog.backend_files()) or [exc.reason]
        return []
    records = catalog.backend_files()
    if not records:
        return ["records are missing"]
    return integrity.verify(gen, records)


def _why(exc: SearchkitError) -> str:
    reason = getattr(exc, "reason", None)
    return reason or str(exc)


def _checkpoint(name: str) -> None:
    if os.environ.get(FAULT_POINT) == name:
        Path(os.environ[FAULT_MARKER]).touch()
        time.sleep(60)


# --- reading one file ------------------------------------------------------------------


def _load(root: str, rel: str, size: int, mtime_ns: int):
    """Read, parse and prepare one file: (Prepared or None, FileState or None, reports)."""
    from searchkit.corpus import TOO_LARGE, document_from_bytes, read_bytes
    from searchkit.engine.documents import prepare

    data, problem = read_bytes(root, rel)  # never through a link, bounded, non-blocking
    if data is None:  # vanished, unreadable, too large, not a regular file, a link
        # A file too large stays bad until it changes (as when it was read whole);
        # the others are tried again next time.
        too_large = problem is not None and problem.reason == TOO_LARGE
        state = FileState(size, mtime_ns, "", True) if too_large else None
        return None, state, [problem] if problem else []
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    doc, reports = document_from_bytes(data, rel)
    if doc is None:
        return None, FileState(size, mtime_ns, digest, True), reports
    prepared = prepare(doc)
    return prepared, FileState(size, mtime_ns, digest, False, prepared.indexed.digest), reports


def _digest(corpus: Path, rel: str) -> str | None:
    from searchkit.corpus import read_bytes

    data, _problem = read_bytes(corpus, rel)
    return None if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(slots=True)
class _Batch:
    """What parsing some files gave, besides their documents: the files' states (until
    they are saved), reports, and what the documents add to the catalog's counts."""

    files: list[tuple[str, FileState]] = field(default_factory=list)
    reports: list[FileReport] = field(default_factory=list)
    words: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)
    keys: Counter = field(default_factory=Counter)
    indexed: int = 0

    def count(self, prepared, sign: int = 1) -> None:
        """Add (or with ``sign`` -1 take away) what a document adds to the catalog."""
        if sign > 0:
            self.words.update(prepared.words)
            self.forms.update(prepared.forms)
            self.keys.update(prepared.keys)
        else:
            self.words.subtract(prepared.words)
            self.forms.subtract(prepared.forms)
            self.keys.subtract(prepared.keys)

    def take_files(self) -> list[tuple[str, FileState]]:
        """The file states gathered so far, handed over (a million of them are too many
        to keep until the end)."""
        rows, self.files = self.files, []
        return rows

    def merge(self, other: _Batch) -> None:
        self.files.extend(other.files)
        self.reports.extend(other.reports)
        self.words.update(other.words)
        self.forms.update(other.forms)
        self.keys.update(other.keys)
        self.indexed += other.indexed

    def save_counts(self, db) -> None:
        Catalog.add_words(db, self.words)
        Catalog.add_forms(db, self.forms)
        Catalog.add_keys(db, self.keys)


def _parse_files(root: str, files: Iterable[tuple[str, int, int]], batch: _Batch, tick=None):
    """Yield the IndexedDocument of each good file, recording the rest in ``batch``."""
    for n, (rel, size, mtime_ns) in enumerate(files, 1):
        prepared, state, reps = _load(root, rel, size, mtime_ns)
        batch.reports.extend(reps)
        if state is not None:
            batch.files.append((rel, state))
        if prepared is not None:
            batch.count(prepared)
            batch.indexed += 1
            yield prepared.indexed
        if tick is not None and n % 200 == 0:
            tick(200)


# --- full build --------------------------------------------------------------------------


def _walk(corpus: Path, index_dir: Path, reports: list[FileReport]) -> list[tuple[str, int, int]]:
    from searchkit.corpus import iter_files

    files = list(iter_files(corpus, reports, exclude=(index_dir,)))
    files.sort()
    return files


def _build(
    corpus: Path,
    index_dir: Path,
    name: str,
    reason: str,
    progress: Progress | None,
    procs: int | None,
) -> UpdateReport:
    backend = backends.load(name)
    if progress:
        progress("scanning", 0, 0)
    reports: list[FileReport] = []
    files = _walk(corpus, index_dir, reports)
    gen = store.new_generation(index_dir)
    backend.create(gen)
    procs = procs or min(2, os.cpu_count() or 1)
    batch = _Batch(reports=reports)
    catalog = Catalog(gen, write=True, create=True)
    try:
        with catalog.transaction() as db:  # files are saved as they are parsed
            if procs > 1 and len(files) >= PARALLEL_MIN_FILES:
                key = _build_parallel(backend, gen, corpus, files, procs, progress, batch, db)
            else:
                writer = backend.writer(gen, bulk=True)
                ticker = _Ticker(progress, len(files))
                for doc in _parse_files(os.fspath(corpus), files, batch, ticker):
                    writer.add(doc)
                    if len(batch.files) >= CHUNK:
                        Catalog.put_files(db, batch.take_files())
                if progress:
                    progress("committing", len(files), len(files))
                _checkpoint("build:indexed")
                key = writer.commit()
            Catalog.put_files(db, batch.take_files())
        _checkpoint("build:committed")
        stamp = store.now_iso()
        with catalog.transaction() as db:
            batch.save_counts(db)
            Catalog.count_copies(db)
            Catalog.set_backend_files(db, integrity.record(gen, {}))
            Catalog.set_info(
                db, backend_key=key, corpus=str(corpus.resolve()), built_at=stamp, updated_at=stamp
            )
    finally:
        catalog.close()
    store.write_meta(
        gen,
        {
            "backend": backend.name,
            "schema_version": backend.schema_version,
            "analysis_version": analysis.ANALYSIS_VERSION,
            "created": stamp,
        },
    )
    _checkpoint("build:before-publish")
    store.publish(index_dir, gen)
    # (A rebuild's report counts its documents; the ids of a million would not help.)
    return UpdateReport(rebuilt=True, reason=reason, reports=batch.reports, documents=batch.indexed)


class _Ticker:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress("indexing", min(self.done, self.total), self.total)


_progress_queue = None


def _worker_init(queue, parent_pid: int) -> None:
    global _progress_queue
    _progress_queue = queue

    def watch_parent() -> None:  # a worker whose parent was killed stops at once
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(0.2)

    threading.Thread(target=watch_parent, daemon=True).start()


def _worker_tick(n: int) -> None:
    if _progress_queue is not None:
        _progress_queue.put(n)


def _build_part(name: str, gen: str, corpus: str, files, part: int):
    """Index a share of the files into a part of the build. File states go to the parent
    a chunk at a time with the progress ticks (half a million of them held to the end
    took ~250 MB in each worker and twice that in the parent); then an end mark."""
    backend = backends.load(name)
    batch = _Batch()

    def tick(n: int) -> None:
        if len(batch.files) >= CHUNK:
            _progress_queue.put(batch.take_files())
        _worker_tick(n)

    token = backend.build_part(Path(gen), part, _parse_files(corpus, files, batch, tick))
    _progress_queue.put(batch.take_files())
    _progress_queue.put(("end", part))
    return token, batch


def _funnel_part(name: str, corpus: str, files, part: int):
    """Parse a share of the files and send what the writer takes, a chunk at a time,
    through the progress queue; then an end mark. Returns what parsing gave besides."""
    backend = backends.load(name)
    batch = _Batch()
    chunk: list = []
    for doc in _parse_files(corpus, files, batch):
        chunk.append(backend.encode(doc))
        if len(chunk) >= CHUNK:
            _progress_queue.put((chunk, batch.take_files()))
            chunk = []
    _progress_queue.put((chunk, batch.take_files()))
    _progress_queue.put(("end", part))
    return batch


def _build_parallel(
    backend, gen: Path, corpus: Path, files, procs: int, progress, batch: _Batch, db
):
    ctx = multiprocessing.get_context("spawn")  # children inherit no lock descriptors
    queue = ctx.Queue(maxsize=64)  # progress ticks, or chunks of parsed documents
    ticker = _Ticker(progress, len(files))
    with ProcessPoolExecutor(
        procs, mp_context=ctx, initializer=_worker_init, initargs=(queue, os.getpid())
    ) as pool:
        if backend.capabilities.partitioned_build:
            chunks = [files[i::procs] for i in range(procs)]
            futures = [
                pool.submit(_build_part, backend.name, str(gen), str(corpus), chunk, i)
                for i, chunk in enumerate(chunks)
            ]
            _drain(queue, futures, ticker, db)
            tokens = []
            for f in futures:
                token, part = f.result()
                tokens.append(token)
                batch.merge(part)
            if progress:
                progress("committing", len(files), len(files))
            _checkpoint("build:indexed")
            return backend.finish_build(gen, tokens)
        # Workers parse and encode; this process feeds the one writer as chunks arrive.
        writer = backend.writer(gen, bulk=True)
        futures = [
            pool.submit(_funnel_part, backend.name, str(corpus), files[i::procs], i)
            for i in range(procs)
        ]
        for docs, rows in _from_workers(queue, futures):
            for data in docs:
                writer.add_encoded(data)
            Catalog.put_files(db, rows)
            ticker(len(docs))
        for f in futures:
            batch.merge(f.result())
        if progress:
            progress("committing", len(files), len(files))
        _checkpoint("build:indexed")
        return writer.commit()


def _from_workers(queue, futures) -> Iterator:
    """What the workers put on the queue, until each has sent its end mark ("end", part)
    (a worker's items arrive in the order it put them); a worker that failed raises its
    error here."""
    ended = 0
    while ended < len(futures):
        try:
            item = queue.get(timeout=0.5)
        except queue_module.Empty:
            for f in futures:
                if f.done():
                    f.result()
            continue
        if isinstance(item, tuple) and item[0] == "end":
            ended += 1
        else:
            yield item


def _drain(queue, futures, ticker: _Ticker, db) -> None:
    """Take the workers' ticks and file states until each has sent its end mark."""
    for item in _from_workers(queue, futures):
        if isinstance(item, int):
            ticker(item)
        else:
            Catalog.put_files(db, item)


# --- incremental update ----------------------------------------------------------------


def _stat_some(corpus: Path, paths: Iterable[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for rel in paths:
        try:
            st = os.stat(corpus / rel, follow_symlinks=False)
        except OSError:
            continue
        if st.st_mode & 0o170000 == 0o100000:  # a regular file
            out[rel] = (st.st_size, st.st_mtime_ns)
    return out


def _old_prepared(searcher, ids: list[str]) -> Iterator:
    """The prepared form of documents as the index stores them now."""
    from searchkit.engine.documents import from_json, prepare

    for i in range(0, len(ids), RECOUNT_BATCH):
        for raw in searcher.stored(ids[i : i + RECOUNT_BATCH]).values():
            yield prepare(from_json(raw))


def _recount(catalog: Catalog, searcher, key: str) -> None:
    """Rebuild the catalog's words and forms from the stored documents."""
    counts = _Batch()
    for prepared in _old_prepared(searcher, list(catalog.iter_paths())):
        counts.count(prepared)
    records = integrity.record(catalog.path.parent, {})
    with catalog.transaction() as db:
        Catalog.clear_counts(db)
        counts.save_counts(db)
        Catalog.count_copies(db)
        Catalog.set_backend_files(db, records)
        Catalog.set_info(db, backend_key=key)


def _update(
    corpus: Path,
    index_dir: Path,
    gen: Path,
    name: str,
    progress: Progress | None,
    only: Iterable[str] | None,
) -> UpdateReport:
    from searchkit.corpus import iter_files

    backend = backends.load(name)
    if progress:
        progress("scanning", 0, 0)
    catalog = Catalog(gen, write=True)
    try:
        key = backend.current_key(gen)
        if catalog.info().get("backend_key") != key:
            # An earlier update committed to the backend but not to the catalog.
            searcher = backend.open(gen)
            try:
                _recount(catalog, searcher, searcher.generation_key())
            finally:
                searcher.close()
        report = UpdateReport(rebuilt=False, reason="incremental")
        todo: list[tuple[str, int, int]] = []
        touched: dict[str, FileState] = {}
        previous: dict[str, tuple] = {}  # what the catalog held for files to index or drop

        def compare(rel: str, size: int, mtime: int, old) -> None:
            if old is None:
                todo.append((rel, size, mtime))
            elif old[0] == size and old[1] == mtime:
                report.unchanged += not old[3]
            elif old[0] == size and _digest(corpus, rel) == old[2]:
                # Touched, not changed: remember the new mtime, index nothing.
                touched[rel] = FileState(size, mtime, old[2], bool(old[3]), old[4])
                report.unchanged += not old[3]
            else:
                todo.append((rel, size, mtime))
                previous[rel] = old

        if only is None:
            start = len(report.reports)
            try:
                gone = _merge_walk(corpus, index_dir, catalog, report, compare)
            except _Unsorted:  # not expected: compare against the whole table instead
                del report.reports[start:]
                todo.clear(), touched.clear(), previous.clear()
                report.unchanged = 0
                known = catalog.files()
                for rel, size, mtime in iter_files(corpus, report.reports, exclude=(index_dir,)):
                    compare(rel, size, mtime, known.pop(rel, None))
                gone = list(known)
            previous.update(catalog.file_rows(gone))
        else:
            wanted = {p for p in only if p.endswith((".md", ".txt"))}
            folders = [p for p in only if not p.endswith((".md", ".txt"))]
            known = catalog.file_states(wanted)
            for folder in folders:
                below = catalog.files_under(folder.rstrip("/") + "/")
                known.update(catalog.file_states(below))
                wanted.update(below)
                if (corpus / folder).is_dir():
                    below_now = iter_files(corpus / folder, report.reports, exclude=(index_dir,))
                    wanted.update(f"{folder.rstrip('/')}/{rel}" for rel, _, _ in below_now)
            on_disk = _stat_some(corpus, wanted)
            for rel, (size, mtime) in on_disk.items():
                compare(rel, size, mtime, known.get(rel))
            gone = [rel for rel in wanted if rel in known and rel not in on_disk]
            previous.update({rel: known[rel] for rel in gone})
        if todo or gone:
            _apply(backend, gen, corpus, catalog, previous, todo, gone, report, progress)
        if touched:
            with catalog.transaction() as db:
                Catalog.put_files(db, touched.items())
        report.documents = catalog.document_count()
    finally:
        catalog.close()
    return report


class _Unsorted(Exception):
    """The walk did not come in the catalog's order."""


def _merge_walk(corpus: Path, index_dir: Path, catalog: Catalog, report, compare) -> list[str]:
    """Compare the corpus with the catalog as two sorted streams, side by side: a
    million files cost neither a table in memory nor a lookup each. Files whose size or
    time differ are compared (``compare``) with their whole recorded state, fetched for
    them alone. Returns the files the catalog holds that are gone from the corpus."""
    from searchkit.corpus import iter_files

    rows = catalog.iter_stats()
    gone: list[str] = []
    differ: list[tuple[str, int, int]] = []
    row = next(rows, None)
    last = ""
    walk = iter_files(corpus, report.reports, exclude=(index_dir,))
    for rel, size, mtime in walk:
        if rel <= last:
            if hasattr(walk, "close"):  # stop the walk's generator (and its open folder)
                walk.close()
            rows.close()
            raise _Unsorted(rel)
        last = rel
        while row is not None and row[0] < rel:
            gone.append(row[0])
            row = next(rows, None)
        if row is None or row[0] != rel:
            compare(rel, size, mtime, None)
            continue
        if row[1] == size and row[2] == mtime:
            report.unchanged += not row[3]
        else:
            differ.append((rel, size, mtime))
        row = next(rows, None)
    while row is not None:
        gone.append(row[0])
        row = next(rows, None)
    recorded = catalog.file_rows(rel for rel, _, _ in differ)
    for rel, size, mtime in differ:
        compare(rel, size, mtime, recorded[rel])
    return gone


def _apply(backend, gen, corpus, catalog, known, todo, gone, report, progress) -> None:
    searcher = backend.open(gen)
    counts = _Batch()
    try:
        previously = [rel for rel in [*gone, *(t[0] for t in todo)]
                      if rel in known and not known[rel][3]]  # fmt: skip
        for old in _old_prepared(searcher, previously):
            counts.count(old, -1)
    finally:
        searcher.close()
    root = os.fspath(corpus)
    writer = backend.writer(gen)
    states: dict[str, FileState] = {}
    dropped: list[str] = []
    try:
        for rel in gone:
            if not known[rel][3]:
                writer.delete(rel)
                report.removed.append(rel)
            dropped.append(rel)
        for n, (rel, size, mtime) in enumerate(todo, 1):
            prepared, state, reps = _load(root, rel, size, mtime)
            report.reports.extend(reps)
            was_indexed = rel in known and not known[rel][3]
            if prepared is not None:
                writer.upsert(prepared.indexed)
                counts.count(prepared)
                (report.changed if was_indexed else report.added).append(rel)
            elif was_indexed:  # became bad or vanished: it must not linger
                writer.delete(rel)
                report.removed.append(rel)
            if state is None:
                dropped.append(rel)
            else:
                states[rel] = state
            if progress and n % 100 == 0:
                progress("indexing", n, len(todo))
        if progress:
            progress("committing", len(todo), len(todo))
        _checkpoint("update:indexed")
        key = writer.commit()
    except BaseException:
        writer.cancel()
        raise
    _checkpoint("update:committed")
    records = integrity.record(gen, catalog.backend_files())
    # Texts whose number of copies may have changed: the old and the new ones.
    texts = [known[rel][4] for rel in [*gone, *(t[0] for t in todo)] if rel in known]
    texts += [state.text for state in states.values()]
    with catalog.transaction() as db:
        Catalog.drop_files(db, dropped)
        Catalog.put_files(db, states.items())
        Catalog.count_copies(db, texts)
        counts.save_counts(db)
        Catalog.set_backend_files(db, records)
        Catalog.set_info(db, backend_key=key, updated_at=store.now_iso())
