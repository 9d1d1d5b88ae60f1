"""Reading one document of a corpus folder: bytes to a parsed ``Document``."""

from __future__ import annotations

from pathlib import Path

from searchkit.model import Document, FileReport

from .articles import parse_article
from .decode import decode_bytes, sniff
from .errors import ParseError
from .files import MAX_FILE_BYTES, TOO_LARGE, read_bytes
from .stories import parse_story


def parse_document(text: str, rel_id: str) -> Document:
    """Parse decoded text by the id's extension: ``.md`` story, ``.txt`` article."""
    suffix = rel_id.rsplit(".", 1)[-1].lower() if "." in rel_id else ""
    if suffix == "md":
        return parse_story(text, rel_id)
    if suffix == "txt":
        return parse_article(text, rel_id)
    raise ParseError(f"unsupported file type {'.' + suffix if suffix else '(no extension)'}")


def read_document(root: Path, rel_id: str) -> tuple[Document | None, list[FileReport]]:
    """Read, decode, normalise and parse one file of the corpus.

    Never raises for bad content: an unreadable, empty, binary, oversized or unparseable
    file, or one behind a link, gives ``(None, [FileReport(rel_id, reason)])`` (see
    ``read_bytes``). A file decoded from a legacy encoding, or with stray NUL bytes,
    gives the document and a notice (``skipped=False``).
    """
    data, problem = read_bytes(root, rel_id)
    if data is None:
        return None, [problem or FileReport(rel_id, "unreadable")]
    return document_from_bytes(data, rel_id)


def document_from_bytes(data: bytes, rel_id: str) -> tuple[Document | None, list[FileReport]]:
    """``read_document`` for bytes already read (the indexer hashes them too).

    A few stray NUL bytes in otherwise plain text are dropped, with a notice; text with
    more is binary (see ``looks_binary``), as is text full of other control bytes.
    """
    if len(data) > MAX_FILE_BYTES:
        return None, [FileReport(rel_id, TOO_LARGE)]
    if not data or data.isspace():
        return None, [FileReport(rel_id, "empty file")]
    binary, nuls = sniff(data)
    if binary:
        return None, [FileReport(rel_id, "binary file (not text)")]
    reports: list[FileReport] = []
    if nuls:
        data = data.replace(b"\x00", b"")
        s = "s" if nuls > 1 else ""
        reports.append(FileReport(rel_id, f"{nuls} stray NUL byte{s} dropped", skipped=False))
    text, notice = decode_bytes(data)
    if not text.strip():  # e.g. nothing but a BOM
        return None, [FileReport(rel_id, "empty file")]
    if notice:
        reports.append(FileReport(rel_id, notice, skipped=False))
    try:
        document = parse_document(text, rel_id)
    except ParseError as exc:
        return None, [FileReport(rel_id, str(exc))]
    except Exception as exc:  # a parser bug must not stop an index build
        return None, [FileReport(rel_id, f"parser error: {type(exc).__name__}: {exc}")]
    if not document.title and not document.body:
        return None, [FileReport(rel_id, "empty file")]
    return document, reports
