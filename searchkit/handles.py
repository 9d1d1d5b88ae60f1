"""Short handles for documents: what `searchkit show` accepts besides a whole id.

A number names a hit of the last `searchkit search` with the same index (see
``searchkit.state``); otherwise the text is an id, any unique start of one (``news/``
and ``.md`` may be left out), a path to the file, or an id copied from searchkit's
escaped output (``\\x1b`` for ESC). A start that fits several documents lists them.

Standard library only; the engine is passed in.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searchkit.errors import SearchkitError, UnknownDocument
from searchkit.textsafe import visible

if TYPE_CHECKING:
    from searchkit.engine import Engine

__all__ = ["AmbiguousDocument", "DocumentNotFound", "NoSuchHit", "id_candidates", "resolve_id"]

log = logging.getLogger("searchkit.handles")

#: Candidates an ambiguous id prefix lists.
AMBIGUOUS_SHOWN = 10


class NoSuchHit(SearchkitError):
    """A hit number the last search did not print."""


class AmbiguousDocument(SearchkitError):
    """An id prefix that names more than one document."""

    def __init__(self, raw: str, matches: list[str], more: bool) -> None:
        count = f"more than {len(matches)}" if more else str(len(matches))
        lines = [f"{visible(raw)} could be any of {count} documents; give more of the id:"]
        lines += [f"  {visible(m)}" for m in matches]
        if more:
            lines.append("  …")
        super().__init__("\n".join(lines))


class DocumentNotFound(UnknownDocument):
    def __init__(self, raw: str) -> None:
        SearchkitError.__init__(
            self,
            f"no document {visible(raw)} in the index (give an id as `searchkit search` "
            "prints it, any unique start of one, or the number of a hit)",
        )
        self.doc_id = raw


def id_candidates(raw: str, corpus: Path | None = None) -> list[str]:
    """Spellings of a document id to try, most literal first.

    Accepts the id search prints (``news/2016/04/29/x.md``), with a leading ``./``,
    ``/`` or ``corpus/`` (or the corpus folder's own name), and a path to the file.
    """
    out: list[str] = []

    def add(candidate: str) -> None:
        if candidate and candidate not in out:
            out.append(candidate)

    add(raw)
    text = raw.strip().replace("\\", "/")
    add(text)
    if corpus is not None:
        try:
            rel = Path(os.path.abspath(os.path.expanduser(text))).relative_to(corpus)
            add(rel.as_posix())
        except ValueError:
            pass
    prefixes = ["./", "/", "corpus/"]
    if corpus is not None and corpus.name and corpus.name != "corpus":
        prefixes.append(corpus.name + "/")
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if text.startswith(prefix):
                text = text[len(prefix) :]
                add(text)
                changed = True
    return out


_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntr])")


def unescaped(text: str) -> list[str]:
    """``text`` with the escapes ``visible`` writes turned back into characters, so an id
    copied from searchkit's output names its document. ``\\xNN`` from 0x80 up was a byte
    that is not UTF-8 (or a C1 control): both readings are given."""
    if "\\" not in text:
        return []
    readings = []
    for high_as_byte in (True, False):

        def char(m: re.Match[str], high_as_byte: bool = high_as_byte) -> str:
            code = m.group(1)
            if code in ("n", "t", "r"):
                return {"n": "\n", "t": "\t", "r": "\r"}[code]
            value = int(code[1:], 16)
            if code[0] == "x" and value >= 0x80 and high_as_byte:
                return chr(0xDC00 + value)
            return chr(value) if value <= 0x10FFFF else m.group(0)

        reading = _ESCAPE.sub(char, text)
        if reading != text and reading not in readings:
            readings.append(reading)
    return readings


def _spellings(candidate: str) -> list[str]:
    """``candidate`` as written, and with what a short handle may leave out."""
    out = [candidate]
    if not candidate.startswith(("news/", "articles/")):
        out += ["news/" + candidate, "articles/" + candidate]
    return out


def _engine_call(call: Callable[[], Any], default: Any) -> Any:
    """An id lookup; a name the index cannot hold (undecodable bytes) finds nothing."""
    try:
        return call()
    except (UnicodeError, ValueError) as exc:
        log.debug("lookup failed: %r", exc)
        return default


def resolve_id(engine: Engine, raw: str, corpus: Path, index: Path) -> str:
    """The document id ``raw`` names: a hit number of the last search, an id, a unique
    start of one (``news/`` and ``.md`` may be left out), or the file's path."""
    text = raw.strip()
    if text.isdecimal() and text.isascii():
        return _numbered_hit(engine, int(text), index)
    candidates = id_candidates(raw, corpus)
    for reading in unescaped(raw):
        candidates += [c for c in id_candidates(reading, corpus) if c not in candidates]
    for candidate in candidates:
        for spelling in _spellings(candidate):
            for exact in (spelling, spelling + ".md"):
                if _engine_call(lambda e=exact: engine.has(e), False):
                    return exact
    found: dict[str, None] = {}
    more = False
    for candidate in candidates:
        if not candidate.strip("/"):
            continue
        for spelling in _spellings(candidate):
            matches = _engine_call(
                lambda s=spelling: engine.ids_with_prefix(s, limit=AMBIGUOUS_SHOWN + 1), []
            )
            more = more or len(matches) > AMBIGUOUS_SHOWN
            found.update(dict.fromkeys(matches))
    if len(found) == 1:
        return next(iter(found))
    if found:
        matches = sorted(found)
        more = more or len(matches) > AMBIGUOUS_SHOWN
        raise AmbiguousDocument(raw, matches[:AMBIGUOUS_SHOWN], more)
    raise DocumentNotFound(raw)


def _numbered_hit(engine: Engine, number: int, index: Path) -> str:
    from searchkit.state import load_last_search

    last = load_last_search(index)
    if last is None or not last.ids:
        raise NoSuchHit(
            f"no hit {number}: numbers name the hits of the last `searchkit search` "
            "on this index, and there is none yet"
        )
    doc_id = last.id_for(number)
    if doc_id is None:
        query = f" for {visible(last.query)!r}" if last.query else ""
        raise NoSuchHit(
            f"no hit {number}: the last search{query} printed hits {last.first}–{last.last}"
        )
    if not _engine_call(lambda: engine.has(doc_id), False):
        raise NoSuchHit(f"hit {number} of the last search, {visible(doc_id)}, is no longer indexed")
    return doc_id
