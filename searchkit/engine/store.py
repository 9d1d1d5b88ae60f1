"""Where an index lives on disk, who may write it, and who is still reading it.

An index folder holds generations and a pointer to the live one::

    index/
      CURRENT            "<generation name> <crc32>", replaced atomically
      writer.lock        held (flock) by the one process updating the index; holds its PID
      gen-<stamp>-<pid>/
        meta.json        backend, schema and analysis versions (plain JSON, checksummed)
        catalog.sqlite   files indexed, vocabulary, facet value forms (see catalog.py)
        readers.lock     shared-locked by every process reading this generation
        ...              the backend's own files

Incremental updates commit into the live generation. A rebuild writes a new
generation and only then points CURRENT at it; the old one is *retired*, not yanked:
it is deleted only once no process holds its readers lock (a reader opening it at that
moment sees the RETIRED mark and moves to the new one). Nothing read from an index
file is used as a path outside the index folder: CURRENT must name a generation
folder directly inside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from searchkit.errors import IndexBusy, IndexDamaged, IndexIncompatible, IndexMissing

#: The layout of an index folder and its meta.json; another value is rebuilt.
FORMAT_VERSION = 2

CURRENT = "CURRENT"
LOCK = "writer.lock"
META = "meta.json"
READERS = "readers.lock"
RETIRED = "RETIRED"
_GEN_NAME = re.compile(r"^gen-[0-9A-Za-z]+-[0-9]+$")


def crc(data: bytes) -> str:
    return f"{zlib.crc32(data) & 0xFFFFFFFF:08x}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old or the new file, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --- CURRENT -------------------------------------------------------------------------------


def read_current(index_dir: Path) -> str | None:
    """The live generation's name, None when there is no index.

    Raises ``IndexDamaged`` when CURRENT exists but does not verify (garbage, a path,
    a name that is not a generation's).
    """
    try:
        raw = (index_dir / CURRENT).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise IndexDamaged(str(index_dir), f"cannot read CURRENT: {exc.strerror}") from None
    parts = raw.decode("ascii", "replace").split()
    if (
        len(parts) == 1
        and _GEN_NAME.match(parts[0])
        and (index_dir / parts[0] / "info.json").exists()
    ):
        raise IndexIncompatible(str(index_dir), "it was built by an older version of searchkit")
    if len(parts) != 2 or not _GEN_NAME.match(parts[0]) or crc(parts[0].encode()) != parts[1]:
        raise IndexDamaged(str(index_dir), "CURRENT does not name a generation")
    return parts[0]


def live_generation(index_dir: Path) -> Path | None:
    """The folder of the live generation, None when there is no index.

    Raises ``IndexDamaged`` when CURRENT is damaged or names a missing folder.
    """
    name = read_current(index_dir)
    if name is None:
        return None
    gen = index_dir / name
    if not gen.is_dir() or gen.is_symlink():
        raise IndexDamaged(str(index_dir), f"the live generation {name} is missing")
    return gen


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
    (gen / READERS).touch()
    return gen


def publish(index_dir: Path, gen: Path) -> None:
    """Make ``gen`` the live generation (atomically) and retire the others."""
    write_atomic(index_dir / CURRENT, f"{gen.name} {crc(gen.name.encode())}\n".encode())
    remove_stale_generations(index_dir)


def remove_stale_generations(index_dir: Path) -> list[str]:
    """Delete generations CURRENT does not name and nobody reads. Call only while
    holding the writer lock. Returns the names of those still in use (kept)."""
    try:
        live = read_current(index_dir)
    except (IndexDamaged, IndexIncompatible):
        live = None
    kept = []
    for child in index_dir.iterdir():
        if not child.name.startswith("gen-") or child.name == live:
            continue
        if child.is_symlink() or not child.is_dir():
            child.unlink(missing_ok=True)
            continue
        if not _retire(child):
            kept.append(child.name)
    for tmp in index_dir.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
    return kept


def _retire(gen: Path) -> bool:
    """Delete ``gen`` unless a reader holds it; True when it is gone."""
    try:
        fd = os.open(gen / READERS, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError:
        shutil.rmtree(gen, ignore_errors=True)
        return not gen.exists()
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # still read: the next writer tries again
        (gen / RETIRED).touch()
        shutil.rmtree(gen, ignore_errors=True)
        return not gen.exists()
    finally:
        os.close(fd)


class ReaderLease:
    """A shared lock on a generation's readers lock: while held, no writer deletes it."""

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Hold the generation; False when it was retired meanwhile (open the new one)."""
        try:
            fd = os.open(self.gen / READERS, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return False
        except OSError:
            # A read-only index folder without a lock file: nothing can retire it.
            return (self.gen / META).is_file()
        fcntl.flock(fd, fcntl.LOCK_SH)
        if (self.gen / RETIRED).exists() or not (self.gen / META).is_file():
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


# --- meta.json -----------------------------------------------------------------------------


def write_meta(gen: Path, meta: dict) -> None:
    body = {k: v for k, v in meta.items() if k != "checksum"}
    body["format"] = FORMAT_VERSION
    text = json.dumps(body, sort_keys=True, indent=2)
    body["checksum"] = crc(text.encode())
    write_atomic(gen / META, json.dumps(body, sort_keys=True, indent=2).encode())


def read_meta(gen: Path) -> dict:
    """A generation's meta.json, verified. Raises ``IndexDamaged`` when it does not."""
    try:
        raw = (gen / META).read_bytes()
        meta = json.loads(raw)
        if not isinstance(meta, dict):
            raise ValueError("not an object")
    except FileNotFoundError:
        raise IndexDamaged(str(gen.parent), f"{gen.name}/{META} is missing") from None
    except (OSError, ValueError) as exc:
        raise IndexDamaged(str(gen.parent), f"{gen.name}/{META} is unreadable ({exc})") from None
    claimed = meta.pop("checksum", None)
    if crc(json.dumps(meta, sort_keys=True, indent=2).encode()) != claimed:
        raise IndexDamaged(str(gen.parent), f"{gen.name}/{META} does not verify")
    return meta


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the writer lock -----------------------------------------------------------------------


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
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
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


def folder_size(gen: Path) -> int:
    return sum(p.stat().st_size for p in gen.iterdir() if p.is_file())
