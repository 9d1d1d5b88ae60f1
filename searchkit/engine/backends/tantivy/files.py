"""Verifying tantivy's files: every segment file ends with a footer holding the CRC-32
of what precedes it (``{"version": …, "crc": N}``, its length, the magic number 1337).

tantivy checks these only when asked from Rust; the Python binding does not expose it,
so ``searchkit check`` recomputes them here (zlib's CRC-32 is the same algorithm).
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

MAGIC = 1337
_CHUNK = 1 << 20


def _footer(path: Path) -> tuple[int, int] | None:
    """(content length, claimed crc) from a file's footer, None if it has none."""
    size = path.stat().st_size
    if size < 8:
        return None
    with open(path, "rb") as f:
        f.seek(size - 8)
        length, magic = struct.unpack("<II", f.read(8))
        if magic != MAGIC or length + 8 > size:
            return None
        f.seek(size - 8 - length)
        try:
            footer = json.loads(f.read(length))
        except ValueError:
            return None
    crc = footer.get("crc") if isinstance(footer, dict) else None
    return (size - 8 - length, crc) if isinstance(crc, int) else None


def _crc(path: Path, length: int) -> int:
    crc = 0
    with open(path, "rb") as f:
        remaining = length
        while remaining:
            chunk = f.read(min(_CHUNK, remaining))
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            remaining -= len(chunk)
    return crc


def verify(folder: Path) -> list[str]:
    """Problems with the files of the tantivy index in ``folder`` (empty: all verify)."""
    problems: list[str] = []
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"tantivy/meta.json: {exc}"]
    segments = [s.get("segment_id", "").replace("-", "") for s in meta.get("segments", [])]
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name == "meta.json":
            continue
        if not any(path.name.startswith(seg) for seg in segments):
            continue  # an older commit's file, not read by this index
        found = _footer(path)
        if found is None:
            problems.append(f"tantivy/{path.name}: no valid footer")
        elif _crc(path, found[0]) != found[1]:
            problems.append(f"tantivy/{path.name}: checksum mismatch")
    for seg in segments:
        if not any(p.name.startswith(seg) for p in folder.iterdir()):
            problems.append(f"tantivy: segment {seg} is missing")
    return problems
