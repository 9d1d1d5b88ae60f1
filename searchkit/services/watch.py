"""`searchkit watch`: keep the index current while files appear, change or vanish.

File events name the files to compare; an event about a folder (created, deleted,
moved in, out or within the corpus) makes the next update compare the whole corpus,
because a folder moved out of the corpus is reported as one "deleted" event and
nothing about the files it held. Events below the index folder (when it lies inside
the corpus) and below hidden folders are ignored: an update touches the index's
files, which must not trigger the next update.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from searchkit.corpus.files import SUFFIXES, is_text_name
from searchkit.engine import UpdateReport, update_index

CHANGES = {"created", "modified", "deleted", "moved", "closed"}
FOLDER_CHANGES = {"created", "deleted", "moved"}
QUIET = 0.5  # seconds without events before a batch is indexed
MAX_WAIT = 5.0  # a continuous burst is still indexed at least this often


def _inside(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` with "/" separators, or None if it is not below it."""
    if not path.startswith(root + os.sep):
        return None
    return path[len(root) + 1 :].replace(os.sep, "/")


def _ignored_prefixes(corpus: Path, ignore: Iterable[Path]) -> tuple[str, ...]:
    """Corpus-relative folders (each with a final "/") whose events are ignored: each
    of ``ignore`` that lies inside the corpus, as written or once links are resolved."""
    out = set()
    for folder in ignore:
        for root, path in (
            (os.path.abspath(corpus), os.path.abspath(folder)),
            (os.path.realpath(corpus), os.path.realpath(folder)),
        ):
            rel = _inside(path, root)
            if rel:
                out.add(rel + "/")
    return tuple(out)


class _Collector(FileSystemEventHandler):
    def __init__(self, corpus: Path, ignore: Iterable[Path] = ()) -> None:
        self.root = os.path.abspath(corpus)
        self.ignored = _ignored_prefixes(corpus, ignore)
        self.pending: set[str] = set()
        self.everything = False  # a folder changed: compare the whole corpus
        self.first = self.last = 0.0
        self.lock = threading.Lock()

    def _relative(self, path: str | bytes) -> str | None:
        rel = _inside(os.fsdecode(path), self.root)
        if rel is None or (rel + "/").startswith(self.ignored):  # the folder itself too
            return None
        if any(part.startswith(".") for part in rel.split("/")):
            return None
        return rel

    def _note(self, rel: str | None, *, folder: bool) -> None:
        if rel is None:
            return
        if folder:
            everything = True
        elif rel.lower().endswith(SUFFIXES):
            # A name that is not UTF-8 is reported by the walk of a whole comparison.
            everything = not is_text_name(rel)
        else:
            return
        now = time.monotonic()
        with self.lock:
            if not (self.pending or self.everything):
                self.first = now
            self.pending.add(rel)
            self.everything |= everything
            self.last = now

    def on_any_event(self, event: FileSystemEvent) -> None:
        # Reads (ours included: the indexer opens files) must not trigger updates.
        if event.event_type not in CHANGES:
            return
        if event.is_directory and event.event_type not in FOLDER_CHANGES:
            return  # a file inside changed: that file's own event says which
        self._note(self._relative(event.src_path), folder=event.is_directory)
        dest = getattr(event, "dest_path", "")
        if dest:
            self._note(self._relative(dest), folder=event.is_directory)

    def take(self) -> tuple[set[str], bool] | None:
        """The paths to compare and whether to compare everything, once a burst of
        events has been quiet for ``QUIET`` seconds (or lasted ``MAX_WAIT``)."""
        now = time.monotonic()
        with self.lock:
            busy = self.pending or self.everything
            if busy and (now - self.last >= QUIET or now - self.first >= MAX_WAIT):
                batch, everything = self.pending, self.everything
                self.pending, self.everything = set(), False
                return batch, everything
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
    collector = _Collector(corpus, ignore=(index_dir,))
    observer = Observer()
    observer.schedule(collector, collector.root, recursive=True)
    observer.start()  # before the catch-up run, so no change slips between the two
    try:
        first = update_index(corpus, index_dir, wait=True)
        if on_ready:
            on_ready(first)
        while not stop.wait(0.1):
            taken = collector.take()
            if taken is None:
                continue
            batch, everything = taken
            on_update(
                update_index(corpus, index_dir, wait=True, only=None if everything else batch)
            )
    finally:
        observer.stop()
        observer.join()
