"""Self-checking index files.

After every commit the writer records each backend file of the generation (size,
modification time, CRC-32) in the catalog, beside the backend commit it belongs to.
Opening an index compares every recorded file's size and mtime with the disk (a stat
each) and recomputes the CRC of any that differ: a file truncated, replaced or
written to since the commit is found before it can give a wrong answer. ``searchkit
check`` recomputes every CRC and asks the backend to read everything.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import NamedTuple

_CHUNK = 1 << 20
#: Files in a generation folder that are not the backend's.
OWN_FILES = {"meta.json", "catalog.sqlite", "catalog.sqlite-journal", "readers.lock", "RETIRED"}


class FileRecord(NamedTuple):
    size: int
    mtime_ns: int
    crc: str


def crc_of(path: Path) -> str:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return f"{crc & 0xFFFFFFFF:08x}"


def backend_files(gen: Path) -> list[str]:
    """Every file of ``gen`` that is the backend's (relative paths, "/" separators)."""
    out = []
    for dirpath, _dirs, names in os.walk(gen):
        rel = os.path.relpath(dirpath, gen)
        for name in names:
            if (rel == "." and name in OWN_FILES) or name.startswith("."):
                continue  # searchkit's own, or a library's hidden lock and GC lists
            if name.endswith((".lock", ".tmp")) or "WRITELOCK" in name:
                continue
            out.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(out)


def record(gen: Path, previous: dict[str, FileRecord]) -> dict[str, FileRecord]:
    """Records of the backend files now in ``gen``; unchanged ones keep their CRC."""
    out = {}
    for name in backend_files(gen):
        st = os.stat(gen / name)
        old = previous.get(name)
        if old is not None and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
            out[name] = old
        else:
            out[name] = FileRecord(st.st_size, st.st_mtime_ns, crc_of(gen / name))
    return out


def verify(gen: Path, records: dict[str, FileRecord], *, full: bool = False) -> list[str]:
    """Problems with the recorded files (empty: they are as committed).

    Without ``full`` only files whose size or mtime changed are read.
    """
    problems = []
    for name, rec in sorted(records.items()):
        path = gen / name
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            problems.append(f"{name} is missing")
            continue
        if st.st_size != rec.size:
            problems.append(f"{name} changed size ({st.st_size} bytes, {rec.size} written)")
            continue
        if full or st.st_mtime_ns != rec.mtime_ns:
            try:
                crc = crc_of(path)
            except OSError as exc:
                problems.append(f"{name} is unreadable ({exc.strerror})")
                continue
            if crc != rec.crc:
                problems.append(f"{name} does not match its checksum")
    return problems
