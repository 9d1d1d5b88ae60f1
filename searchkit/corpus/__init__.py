"""The corpus layer: find, decode, normalise and parse the documents of a corpus folder.

Stories are ``news/YYYY/MM/D/<slug>.md`` markdown files, articles are scraped ``*.txt``
files; see docs/corpus-format.md. Everything here returns ``searchkit.model`` records.
"""

from __future__ import annotations

from .articles import parse_article
from .decode import decode_bytes, looks_binary, stray_nuls
from .discover import document_from_bytes, parse_document, read_document
from .errors import ParseError
from .files import MAX_FILE_BYTES, TOO_LARGE, iter_files, read_bytes, read_path
from .normalize import normalize_text, strip_debris
from .paths import date_from_path, slugify, story_path
from .stories import parse_story

__all__ = [
    "MAX_FILE_BYTES",
    "ParseError",
    "TOO_LARGE",
    "date_from_path",
    "decode_bytes",
    "document_from_bytes",
    "iter_files",
    "looks_binary",
    "normalize_text",
    "parse_article",
    "parse_document",
    "parse_story",
    "read_bytes",
    "read_document",
    "read_path",
    "slugify",
    "story_path",
    "strip_debris",
    "stray_nuls",
]
