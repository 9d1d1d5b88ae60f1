"""`searchkit watch`: keep the index current while files appear, change or vanish."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from searchkit.engine import UpdateReport, update_index

CHANGES = {"created", "modified", "deleted", "moved", "closed"}
QUIET = 0.5  # seconds without events before a batch is indexed
MAX_WAIT = 5.0  # a continuous burst is still indexed at least this often


class _Collector(FileSystemEventHandler):
    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus.resolve()
        self.pending: set[str] = set()
        self.first = self.last = 0.0
        self.lock = threading.Lock()

    def _note(self, path: str | bytes) -> None:
        if isinstance(path, bytes):
            path = path.decode()
        try:
            rel = Path(path).resolve().relative_to(self.corpus).as_posix()
        except ValueError:
            return
        if any(part.startswith(".") for part in rel.split("/")):
            return
        now = time.monotonic()
        with self.lock:
            if not self.pending:
                self.first = now
            self.pending.add(rel)
            self.last = now

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Reads (ours included: the indexer opens files) must not trigger updates.
        if event.event_type not in CHANGES:
            return
        if event.is_directory and event.event_type != "moved":
            return
        self._note(event.src_path)
        dest = getattr(event, "dest_path", "")
        if dest:
            self._note(dest)

    def take(self) -> set[str] | None:
        now = time.monotonic()
        with self.lock:
            if self.pending and (now - self.last >= QUIET or now - self.first >= MAX_WAIT):
                batch, self.pending = self.pending, set()
                return batch
        return None


def watch(
    corpus: Path,
    index_dir: Path,
    on_update: Callable[[UpdateReport], None],
    stop: threading.Event | None = None,
    on_ready: Callable[[UpdateReport], None] | None = None,
) -> None:
    """Index what changed first, then index each batch of changes until ``stop``."""
    stop = stop or threading.Event()
    collector = _Collector(corpus)
    observer = Observer()
    observer.schedule(collector, str(corpus), recursive=True)
    observer.start()  # before the catch-up run, so no change slips between the two
    try:
        first = update_index(corpus, index_dir, wait=True)
        if on_ready:
            on_ready(first)
        while not stop.wait(0.1):
            batch = collector.take()
            if batch is None:
                continue
            # A moved folder reports only itself: compare everything below it.
            dirs = [p for p in batch if not p.endswith((".md", ".txt"))]
            only = None if dirs else batch
            on_update(update_index(corpus, index_dir, wait=True, only=only))
    finally:
        observer.stop()
        observer.join()
