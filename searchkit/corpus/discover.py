"""Finding the documents of a corpus folder and reading one of them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from searchkit.model import Document, FileReport

from .articles import parse_article
from .decode import decode_bytes, looks_binary
from .errors import ParseError
from .stories import parse_story

#: Files larger than this are skipped: no news document comes near it.
MAX_FILE_BYTES = 16 * 1024 * 1024
_SUFFIXES = (".md", ".txt")


def iter_files(root: Path) -> Iterator[tuple[str, int, int]]:
    """Yield ``(rel_id, size, mtime_ns)`` for every ``*.md`` and ``*.txt`` file under root.

    ``rel_id`` is relative to root with "/" separators. Hidden files and folders (name
    starting with ".") and symlinked folders are skipped; so are entries that vanish or
    cannot be read while walking. The order is not sorted.
    """
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((entry.path, f"{prefix}{name}/"))
                        continue
                    if not name.lower().endswith(_SUFFIXES) or not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError:
                    continue
                yield f"{prefix}{name}", st.st_size, st.st_mtime_ns


def parse_document(text: str, rel_id: str) -> Document:
    """Parse decoded text by the id's extension: ``.md`` story, ``.txt`` article."""
    suffix = rel_id.rsplit(".", 1)[-1].lower() if "." in rel_id else ""
    if suffix == "md":
        return parse_story(text, rel_id)
    if suffix == "txt":
        return parse_article(text, rel_id)
    raise ParseError(f"unsupported file type {'.' + suffix if suffix else '(no extension)'}")


def _too_large(rel_id: str) -> FileReport:
    return FileReport(rel_id, f"too large (over {MAX_FILE_BYTES >> 20} MiB)")


def read_document(root: Path, rel_id: str) -> tuple[Document | None, list[FileReport]]:
    """Read, decode, normalise and parse one file of the corpus.

    Never raises for bad content: an unreadable, empty, binary, oversized or unparseable
    file gives ``(None, [FileReport(rel_id, reason, skipped=True)])``. A file decoded
    from a legacy encoding gives the document and a notice with ``skipped=False``.
    """
    path = os.path.join(os.fspath(root), *rel_id.split("/"))
    try:
        with open(path, "rb", buffering=0) as fh:
            if os.fstat(fh.fileno()).st_size > MAX_FILE_BYTES:
                return None, [_too_large(rel_id)]
            data = fh.read()
    except OSError as exc:
        return None, [FileReport(rel_id, f"unreadable: {exc.strerror or exc}")]
    return document_from_bytes(data, rel_id)


def document_from_bytes(data: bytes, rel_id: str) -> tuple[Document | None, list[FileReport]]:
    """``read_document`` for bytes already read (the indexer hashes them too)."""
    if len(data) > MAX_FILE_BYTES:
        return None, [_too_large(rel_id)]
    if not data.strip():
        return None, [FileReport(rel_id, "empty file")]
    if looks_binary(data):
        return None, [FileReport(rel_id, "binary file (not text)")]
    text, notice = decode_bytes(data)
    if not text.strip():  # e.g. nothing but a BOM
        return None, [FileReport(rel_id, "empty file")]
    reports = [FileReport(rel_id, notice, skipped=False)] if notice else []
    try:
        document = parse_document(text, rel_id)
    except ParseError as exc:
        return None, [FileReport(rel_id, str(exc))]
    except Exception as exc:  # a parser bug must not stop an index build
        return None, [FileReport(rel_id, f"parser error: {type(exc).__name__}: {exc}")]
    if not document.title and not document.body:
        return None, [FileReport(rel_id, "empty file")]
    return document, reports
