"""Articles: plain text scraped from news sites, with no metadata at all.

Title, outlet and date are inferred:

* title — the first line if it reads as a headline (a short line, at most 12 words and
  100 characters, not ending with a period, not a dateline); otherwise a one-sentence
  standfirst opening the text (seed 002) is the title; otherwise the first sentence
  of the text, without its dateline, cut at a word boundary to about 100 characters
  with "…". A line used as the title is not repeated in the body.
* outlet — the parenthesised name of a dateline such as ``GENEVA (Sputnik) – …`` or
  ``(TASS) The …`` opening one of the first paragraphs.
* date — only an obvious one at the very top: a line holding nothing but a date, or
  a date inside the opening dateline (``MOSCOW, March 2, 2016 (TASS) –``).

Two things override or complete that inference:

* a front-matter block at the top (see ``frontmatter``): its ``title``, ``date``,
  ``outlet`` and ``url`` win over what is inferred; a title that is also the first
  line of the text is not repeated in the body;
* a signature at the end: a last line ``(Reuters)``, ``(AP)`` or a wire's bare sign-off
  ``Reuter``/``Reuters``, or " Reuter" ending the last line (the 1987 Reuters newswire
  ends every article so): the outlet, preferred to a dateline's, never part of the body.
"""

from __future__ import annotations

import re
from datetime import date

from searchkit.model import Document, Outlet

from .errors import ParseError
from .frontmatter import front_matter_date, split_front_matter
from .normalize import normalize_text, strip_debris

TITLE_MAX_WORDS = 12
TITLE_MAX_CHARS = 100
STANDFIRST_MAX_WORDS = 40
STANDFIRST_MAX_CHARS = 250

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = (
    re.compile(r"(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b"),
    re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b"),
)
# A line that is nothing but a date, maybe with a weekday and a time.
_DATE_ONLY = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?"
    r"(?P<date>[^()]{6,30}?)"
    r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{2,4})?)?\s*$"
)
# A dateline: an optional upper-case place (and date) then "(Outlet)" and maybe a dash.
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'\- ]*[A-Z.](?:,[^()\n]{1,40}?)?\s+)?"
    r"\((?P<outlet>[A-Z][\w&.'-]*(?:\s+[\w&.'-]+){0,3})\)\s*(?:[-\u2013\u2014:]+\s*)?"
)
# A sign-off line: "(Reuters)", "(AP)", or the bare "Reuter"/"Reuters" of the wire.
_SIGNATURE = re.compile(
    r"\((?P<outlet>[A-Z][\w&.'-]*(?:\s+[\w&.'-]+){0,3})\)\.?|(?P<wire>(?i:reuters?))\.*"
)
_WIRE_NAMES = {"reuter": "Reuters", "reuters": "Reuters"}
_NOT_OUTLETS = frozenset(
    {"update", "updated", "photo", "photos", "video", "audio", "file", "live"}
    | {"corrected", "correction", "rpt", "repeat", "revised", "amended"}
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+[\"'(\[]?(?=\w)")
_ABBREVIATIONS = frozenset(
    (
        *("mr", "mrs", "ms", "dr", "prof", "gen", "maj", "lt", "col", "capt", "sgt"),
        *("cmdr", "adm", "gov", "sen", "rep", "st", "mt", "ft", "no", "vs", "inc"),
        *("corp", "co", "ltd", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul"),
        *("aug", "sep", "sept", "oct", "nov", "dec"),
    )
)
_TERMINAL = (".", "!", "?", ":", ";", '"', "'", ")", "\u2026")


def _date_in(text: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if m is None:
            continue
        groups = m.groupdict()
        if "month" in groups:
            month = _MONTHS.get(groups["month"].lower())
            if month is None:
                continue
        else:
            month = int(groups["mon"])
        try:
            return date(int(groups["year"]), month, int(groups["day"]))
        except ValueError:
            continue
    return None


def _date_only(line: str) -> date | None:
    if len(line) > 60:
        return None
    m = _DATE_ONLY.fullmatch(line)
    if m is None:
        return None
    found = _date_in(m["date"])
    if found is None:
        return None
    # the date must be all of the captured text, not a date inside a sentence
    rest = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b|[\d,.\s/-]", "", m["date"], flags=re.I)
    return found if rest.lower() in _MONTHS or rest == "" else None


def _dateline(paragraph: str) -> re.Match[str] | None:
    m = _DATELINE.match(paragraph)
    if m is None or m["outlet"].lower() in _NOT_OUTLETS or m["outlet"].isdigit():
        return None
    return m


def _paragraphs(text: str) -> list[str]:
    """One paragraph per line, except that a hard-wrapped line (no closing punctuation,
    the next line starting in lower case) is joined to the next one."""
    out: list[str] = []
    joinable = False
    for line in text.split("\n"):
        if not line:
            joinable = False
            continue
        if joinable and line[0].islower():
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        joinable = not line.endswith(_TERMINAL)
    return out


def _is_headline(line: str) -> bool:
    return (
        len(line) <= TITLE_MAX_CHARS
        and len(line.split()) <= TITLE_MAX_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and _dateline(line) is None
    )


def _first_sentence_end(text: str) -> int:
    """Index just past the first sentence's final punctuation, or len(text)."""
    for m in _SENTENCE_END.finditer(text):
        following = text[m.end()]
        if not (following.isupper() or following.isdigit()):
            continue  # "e.g. the", "p.m. on"
        word = text[: m.start()].rsplit(None, 1)[-1] if text[: m.start()].strip() else ""
        word = word.strip("\"'([").rstrip(".")
        if m.group()[0] == "." and (
            len(word) == 1 or word.lower() in _ABBREVIATIONS or "." in word
        ):
            continue  # "U.S.", "Sept. 15", "Gen. Igor"
        return m.start() + 1
    return len(text)


def _is_standfirst(paragraph: str) -> bool:
    return (
        len(paragraph) <= STANDFIRST_MAX_CHARS
        and len(paragraph.split()) <= STANDFIRST_MAX_WORDS
        and paragraph.endswith((".", "!", "?"))
        and _first_sentence_end(paragraph) >= len(paragraph.rstrip("\"')")) - 1
        and _dateline(paragraph) is None
    )


def _shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


def _signature(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """The outlet a sign-off at the end names, and the paragraphs without it: a last
    line ``(Reuters)``, ``Reuter``, …, or the wire's " Reuter" ending the last line."""
    last = paragraphs[-1]
    if len(last) <= 40 and len(paragraphs) > 1:
        m = _SIGNATURE.fullmatch(last)
        if m is not None:
            if m["wire"]:
                return _WIRE_NAMES[m["wire"].lower()], paragraphs[:-1]
            name = m["outlet"]
            if name.lower() not in _NOT_OUTLETS and not name.isdigit():
                return name, paragraphs[:-1]
    if last[-7:].lower() == " reuter":
        return "Reuters", [*paragraphs[:-1], last[:-7].rstrip()]
    return None, paragraphs


def _meta(fields: dict[str, str]) -> tuple[str, date | None, str, str]:
    """title, date, outlet and url of a front-matter block, normalised ("" if absent)."""
    raw_date = fields.get("date")
    day = front_matter_date(raw_date) if raw_date else None
    title, outlet, url = (normalize_text(fields.get(k, "")) for k in ("title", "outlet", "url"))
    return title, day, outlet, url


def _host(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return host[4:] if host.startswith("www.") else host


def parse_article(text: str, rel_id: str) -> Document:
    """Parse scraped article text into a ``Document`` (kind "article").

    Raises ``ParseError`` when nothing but debris is left, or when a front-matter block
    holds an invalid date.
    """
    meta_title, meta_day, meta_outlet, url = "", None, "", ""
    if text[:4].lstrip("\ufeff").startswith("-"):
        found = split_front_matter(text)
        if found is not None:
            fields, text = found
            meta_title, meta_day, meta_outlet, url = _meta(fields)

    paragraphs = _paragraphs(strip_debris(normalize_text(text)))
    if not paragraphs:
        raise ParseError("no text")

    day = _date_only(paragraphs[0])
    if day is not None:
        paragraphs = paragraphs[1:]
        if not paragraphs:
            raise ParseError("no text")

    signed, paragraphs = _signature(paragraphs)

    outlet = None
    for paragraph in paragraphs[:4]:
        m = _dateline(paragraph)
        if m is not None:
            outlet = m["outlet"]
            if day is None and m["place"]:
                day = _date_in(m["place"])
            break
    # A sign-off is surer than a parenthesis near the top ("SHAMROCK (DIA) CUTS").
    outlet = meta_outlet or signed or outlet or (_host(url) if url else None)
    outlets = (Outlet(outlet, url or None),) if outlet else ()
    day = meta_day or day

    first = paragraphs[0]
    if meta_title:
        title = meta_title
        body = paragraphs[1:] if first == meta_title else paragraphs
    elif len(paragraphs) > 1 and (_is_headline(first) or _is_standfirst(first)):
        title, body = first, paragraphs[1:]
    else:
        m = _dateline(first)
        lead = first[m.end() :] if m else first
        title, body = _shorten(lead[: _first_sentence_end(lead)]), paragraphs
        if not title:
            title = _shorten(first)

    return Document(
        id=rel_id,
        kind="article",
        title=title,
        body="\n\n".join(body),
        date=day,
        outlets=outlets,
    )
