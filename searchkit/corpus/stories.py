"""Stories: the markdown files of ``news/YYYY/MM/D/<slug>.md``.

A line parser: text that is not plain ASCII is normalised as a whole first; lines are
split on any line break (CRLF, CR, …) and stripped; the numbered items of the Source
and Related sections are taken apart with string operations, not regexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from itertools import chain

from searchkit.model import Document, Outlet, RelatedLink

from .errors import ParseError
from .normalize import normalize_chars
from .paths import date_from_path

# "### [2016-04-29](/news/2016/04/29/index.md)"; the link part is optional.
_DATE_LINE = re.compile(r"#{1,6}\s*\[?\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*\]?(?:\(.*\))?$")
_SECTION = re.compile(r"#{2,6}\s*(sources?|related)\s*:?$", re.IGNORECASE)
# An inline markdown link in a headline or body: "[text](http…)" becomes "text".
_INLINE_LINK = re.compile(r"\[([^\[\]\n]+)\]\((?:https?://|/)[^\s()]*(?:\([^\s()]*\))?[^\s()]*\)")


# Related items parsed lately, by their text: a story's related stories are its
# neighbours in time, so the same item recurs in nearby files (3 in 4 items of the
# 113k corpus, read in order, are found here). RelatedLink is immutable: sharing is safe.
RELATED_SEEN_MAX = 8192
_RELATED_SEEN: dict[str, RelatedLink] = {}

# Deleting these from an ASCII text's bytes leaves its control characters, if any.
_PLAIN_BYTES = bytes([10, 13, *range(32, 127)])


def _inline(text: str) -> str:
    return _INLINE_LINK.sub(r"\1", text) if "](" in text else text


def _item(line: str) -> str | None:
    """The text of a list item "1. text", "1) text", "- text" or "* text"; else None."""
    dot = line.find(". ", 1, 7)
    if dot > 0 and line[:dot].isdigit():
        return line[dot + 2 :].strip()
    if line[0] in "-*+" and line[1:2] == " ":
        return line[2:].strip()
    paren = line.find(") ", 1, 7)
    if paren > 0 and line[:paren].isdigit():
        return line[paren + 2 :].strip()
    return None


def _close_paren(text: str, start: int) -> int:
    """Index of the ")" closing a link target that starts at ``start`` (-1 if none);
    parentheses inside the target (Wikipedia URLs) must balance."""
    end = text.find(")", start)
    if end < 0 or "(" not in text[start:end]:
        return end
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return i
            depth -= 1
    return -1


def _link(content: str) -> tuple[str, str, str] | None:
    """Split "[text](target) rest" into (text, target, rest); None if not a link."""
    if not content.startswith("["):
        return None
    sep = content.rfind("](")
    if sep < 0:
        return None
    end = _close_paren(content, sep + 2)
    if end < 0:
        return None
    return content[1:sep].strip(), content[sep + 2 : end].strip(" <>"), content[end + 1 :].strip()


def _target_id(target: str) -> str:
    """A link path as a corpus id: no leading "/" or "./", no query or fragment."""
    if "://" in target:
        return target
    target = target.split("#", 1)[0].split("?", 1)[0]
    while target.startswith(("/", "./")):
        target = target[1:] if target[0] == "/" else target[2:]
    return target


def _related(content: str) -> RelatedLink | None:
    """A Related item: "[headline ](/news/Y/M/D/slug.md) _Context: A, B_" (the
    Context part optional). The hot loop of the parser, so _link is inlined."""
    if content[:1] != "[":
        return None
    sep = content.rfind("](")
    if sep < 0:
        return None
    end = content.find(")", sep + 2)
    if end < 0:
        return None
    target = content[sep + 2 : end]
    if "(" in target:
        end = _close_paren(content, sep + 2)
        if end < 0:
            return None
        target = content[sep + 2 : end]
    if target[:1] == "/" and target[1:2] not in "/.":
        target = target[1:]
    if target[:1] in "/. <" or target[-1:] in " >" or "?" in target or "#" in target:
        target = _target_id(target.strip(" <>"))
        if not target:
            return None
    tags: tuple[str, ...] = ()
    rest = content[end + 1 :]
    if rest:
        rest = rest.strip("_* ")
        if rest[:8].lower() == "context:":
            tags = tuple(filter(None, map(str.strip, rest[8:].split(","))))
    return RelatedLink(target, content[1:sep].strip(), date_from_path(target), tags)


def _unique(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags without repeats, compared case-insensitively; first-seen order and form."""
    out: dict[str, str] = {}
    # Exact repeats (most of them) go first, in C; first-seen order is kept.
    for tag in dict.fromkeys(tags):
        out.setdefault(tag.casefold(), tag)
    return tuple(out.values())


def _outlet(content: str) -> Outlet | None:
    parts = _link(content)
    if parts is not None and not parts[2]:
        name, url = parts[0], parts[1] or None
    else:
        name, url = content, None
    return Outlet(name, url) if name else None


def parse_story(text: str, rel_id: str) -> Document:
    """Parse a story's markdown into a ``Document`` (kind "story", title = headline).

    Raises ``ParseError`` when there is no valid date line or no headline.
    """
    day: date | None = None
    headline: str | None = None
    body: list[str] = []
    outlets: list[Outlet] = []
    related: list[RelatedLink] = []
    section = ""  # "" (body), "source", "related" or "other" (ignored)

    text = text.lstrip("\ufeff")
    if not text.isascii() or text.encode("ascii").translate(None, _PLAIN_BYTES):
        text = normalize_chars(text)  # the loop strips lines and collapses spaces
    for line in text.splitlines():
        line = line.strip()
        if "  " in line:
            line = " ".join(line.split())
        if not line:
            if not section and headline is not None and body and body[-1]:
                body.append("")
            continue
        if line[0] == "#":
            if line.startswith("##"):
                m = _SECTION.match(line)
                if m:
                    section = "related" if m[1].lower() == "related" else "source"
                    continue
            if day is None:
                m = _DATE_LINE.match(line)
                if m:
                    try:
                        day = date(int(m[1]), int(m[2]), int(m[3]))
                    except ValueError:
                        raise ParseError(f"invalid date {m[1]}-{m[2]}-{m[3]}") from None
                    continue
            if headline is None and (line.startswith("# ") or line == "#"):
                headline = line[2:]
                continue
            if section:  # another heading ends the Source/Related section
                section = "other"
                continue
        if not section:
            if headline is not None:
                body.append(line)
            continue
        if section == "other":
            continue
        dot = line.find(". ", 1, 7)  # "12. text", the common case of _item, inlined
        content = line[dot + 2 :].strip() if dot > 0 and line[:dot].isdigit() else _item(line)
        if not content:
            continue
        if section == "source":
            outlet = _outlet(content)
            if outlet is not None:
                outlets.append(outlet)
        else:
            link = _RELATED_SEEN.get(content)
            if link is None:
                link = _related(content)
                if link is None:
                    continue
                if len(_RELATED_SEEN) >= RELATED_SEEN_MAX:
                    _RELATED_SEEN.clear()
                _RELATED_SEEN[content] = link
            related.append(link)

    if day is None:
        raise ParseError("no date line (### [YYYY-MM-DD])")
    if not headline:
        raise ParseError("no headline (# …)" if headline is None else "empty headline")

    tags = _unique(chain.from_iterable(link.tags for link in related)) if related else ()

    return Document(
        id=rel_id,
        kind="story",
        title=_inline(headline),
        body=_inline("\n".join(body).strip()),
        date=day,
        outlets=tuple(outlets),
        tags=tags,
        related=tuple(related),
    )
