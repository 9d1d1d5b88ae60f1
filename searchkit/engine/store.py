"""Where an index lives on disk, and who may write it.

An index folder holds generations and a pointer to the live one::

    index/
      CURRENT            name of the live generation, replaced atomically
      writer.lock        held (flock) by the one process updating the index; holds its PID
      gen-<stamp>/       a Whoosh index + info.json + manifest.json

Incremental updates commit into the live generation (Whoosh commits are atomic: a
new table of contents is written last). A rebuild writes a new generation and only
then points CURRENT at it, so searches keep working and a failed or killed rebuild
leaves the old index in place. Generations that CURRENT does not name are debris of
a killed rebuild and are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from searchkit.errors import IndexBusy, IndexMissing

#: Bumped whenever the schema or the stored layout changes; an index with another
#: version is rebuilt, never read.
SCHEMA_VERSION = 7

CURRENT = "CURRENT"
LOCK = "writer.lock"
INFO = "info.json"
MANIFEST = "manifest.pickle"
VOCABULARY = "vocabulary.json"


class FileState(NamedTuple):
    """A corpus file as last indexed. Stored in the manifest as a plain tuple."""

    size: int
    mtime_ns: int
    digest: str  # blake2b of the bytes; prefixed with "!" for a file skipped as bad


def live_generation(index_dir: Path) -> Path | None:
    """The folder of the live generation, or None when there is no index."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = index_dir / name
    return gen if name and gen.is_dir() else None


def require_generation(index_dir: Path) -> Path:
    gen = live_generation(index_dir)
    if gen is None:
        raise IndexMissing(str(index_dir))
    return gen


def new_generation(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    gen = index_dir / f"gen-{stamp}-{os.getpid()}"
    gen.mkdir()
    return gen


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomically) and drop the others."""
    _write_atomic(index_dir / CURRENT, gen.name + "\n")
    remove_stale_generations(index_dir)


def remove_stale_generations(index_dir: Path) -> None:
    """Remove generations CURRENT does not name. Call only while holding the lock."""
    live = live_generation(index_dir)
    for child in index_dir.glob("gen-*"):
        if child.is_dir() and child != live:
            shutil.rmtree(child, ignore_errors=True)
    for tmp in index_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


# --- info and manifest -------------------------------------------------------------


def read_info(gen: Path) -> dict:
    try:
        return json.loads((gen / INFO).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def write_info(gen: Path, **changes: object) -> None:
    info = read_info(gen)
    info.update(changes)
    info["schema_version"] = SCHEMA_VERSION
    _write_atomic(gen / INFO, json.dumps(info, indent=2))


def compatible(gen: Path) -> bool:
    return read_info(gen).get("schema_version") == SCHEMA_VERSION


def read_manifest(gen: Path) -> dict[str, tuple[int, int, str]]:
    """What the index holds: corpus-relative id -> (size, mtime_ns, digest) when indexed.

    A pickle of plain tuples: it loads ~5x faster than JSON for 113k files, which is
    most of what a no-change update costs after the walk. It is written only by
    searchkit, into the index folder, like Whoosh's own pickled table of contents.
    """
    try:
        with open(gen / MANIFEST, "rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError):
        return {}


def has_manifest(gen: Path) -> bool:
    return (gen / MANIFEST).is_file()


def write_manifest(gen: Path, manifest: dict[str, tuple[int, int, str]]) -> None:
    raw = {k: tuple(v) for k, v in manifest.items()}
    tmp = gen / f".{MANIFEST}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        pickle.dump(raw, f, protocol=pickle.HIGHEST_PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, gen / MANIFEST)


def read_vocabulary(gen: Path) -> dict[str, int]:
    """Spelling word -> number of documents it occurs in (did-you-mean's dictionary)."""
    try:
        return json.loads((gen / VOCABULARY).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def write_vocabulary(gen: Path, vocabulary: dict[str, int]) -> None:
    _write_atomic(gen / VOCABULARY, json.dumps(vocabulary, separators=(",", ":")))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the writer lock -----------------------------------------------------------------


def _holder(path: Path) -> int | None:
    try:
        return int(path.read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def writer_lock(index_dir: Path, *, wait: bool = False, poll: float = 0.2) -> Iterator[None]:
    """Hold the index's writer lock for the block.

    The lock is an OS file lock: the kernel drops it when its process dies, so a lock
    left by a killed process never blocks the next writer. A live holder makes this
    raise ``IndexBusy`` with its PID, or wait for it when ``wait`` is set.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise IndexBusy(str(index_dir), _holder(path)) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def index_size(gen: Path) -> int:
    return sum(p.stat().st_size for p in gen.iterdir() if p.is_file())
