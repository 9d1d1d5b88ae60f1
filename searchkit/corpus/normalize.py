"""Text normalisation: one canonical form for every title, body, outlet name and tag.

``normalize_text`` works on characters only (encoding damage, quotes, spaces, control
and terminal codes, whitespace); ``strip_debris`` removes the scraping debris lines of
articles and is applied by the article parser only, never to stories.
"""

from __future__ import annotations

import re
import unicodedata


def _ftfy(text: str) -> str:
    """ftfy.fix_text (imported on first use: it takes ~0.1 s to import), configured so
    that curly quotes become straight and HTML entities stay (the fast path can't
    unescape them either)."""
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False, uncurl_quotes=True, restore_byte_a0=False, explain=False
    )
    return ftfy.fix_text(text, config)


# A Latin-1 lead byte of a UTF-8 sequence followed by what a continuation byte looks like
# in cp1252/Latin-1: the signature of mojibake ("â€™", "Ã©", "Ð¿"). Only text matching it
# (or holding C1 controls) goes through ftfy, which costs ~1 ms per KB.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)
_C1 = re.compile("[\u0080-\u009f]")

# Terminal escape sequences: CSI (ESC [ or the C1 CSI), OSC (ESC ] … BEL/ST), the string
# commands DCS/SOS/PM/APC, and two-character escapes. None can span lines.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]?"
)
_ASCII_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # all but "\n" and printables


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in (*range(0x00, 0x20), 0x7F):
        table[cp] = ""  # C0 controls and DEL (ESC sequences are removed before)
    del table[0x0A]
    table[0x09] = " "
    table[0x0B] = table[0x0C] = "\n"
    for cp in range(0x80, 0xA0):  # C1 controls: their cp1252 character, as ftfy does
        try:
            table[cp] = bytes([cp]).decode("cp1252")
        except UnicodeDecodeError:
            table[cp] = ""
    for cp in (0x2028, 0x2029):
        table[cp] = "\n"  # line and paragraph separators
    for cp in (0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000):
        table[cp] = " "  # no-break and other spaces
    for cp in (0x2018, 0x2019, 0x201A, 0x201B):
        table[cp] = "'"
    for cp in (0x201C, 0x201D, 0x201E, 0x201F):
        table[cp] = '"'
    zero_width = (0x00AD, *range(0x200B, 0x2010), *range(0x202A, 0x202F))
    for cp in (*zero_width, *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF):
        table[cp] = ""  # soft hyphen, zero-width and bidirectional formatting characters
    for cp in range(0xFB00, 0xFB07):
        table[cp] = unicodedata.normalize("NFKC", chr(cp))  # ligatures
    for cp in range(0xFF01, 0xFF5F):
        table[cp] = chr(cp - 0xFEE0)  # fullwidth ASCII
    return table


_TABLE = _build_table()
_SPECIAL = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")
_REPLACEMENT = re.compile("\ufffd+")
# Non-ASCII text needing work beyond NFC: a character of the table or U+FFFD.
_ATTENTION = re.compile(_SPECIAL.pattern[:-1] + "\ufffd]")


def _special(m: re.Match[str]) -> str:
    return _TABLE[ord(m.group())]


def _repair_replacement(m: re.Match[str]) -> str:
    """U+FFFD where a character was lost: a space between two words, a dash between
    two spaces (``(Sputnik) \ufffd The``), a space before a word, else nothing."""
    text, start, end = m.string, m.start(), m.end()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if before == " " and after == " ":
        return "\u2013"
    if after.isalnum() and before and not before.isspace():
        return " "
    return ""


# Byte tables for a fast pre-scan of the UTF-8 form (str.translate and regexes are far
# slower on whole texts): deleting these leaves the ASCII controls, or the non-ASCII.
_KEEP_CONTROLS = bytes([10, *range(32, 127), *range(128, 256)])
_ASCII_BYTES = bytes(range(128))


def _collapse(text: str) -> str:
    """Runs of spaces made one, lines stripped, at most one blank line between
    paragraphs, none at either end. Expects only " " and "\\n" as whitespace."""
    if not ("  " in text or " \n" in text or "\n " in text or "\n\n\n" in text):
        return text.strip(" \n")
    # One pass over the lines (each str.replace of the whole text is a copy of it).
    out: list[str] = []
    blank = True  # no blank line at the start
    for line in text.split("\n"):
        if "  " in line or line[:1] == " " or line[-1:] == " ":
            line = " ".join(filter(None, line.split(" ")))
        if line:
            out.append(line)
            blank = False
        elif not blank:
            out.append("")
            blank = True
    if blank and out:
        out.pop()
    return "\n".join(out)


def normalize_text(text: str) -> str:
    """The canonical form of a piece of document text.

    Mojibake repaired (ftfy, only when the text shows its signature), curly quotes made
    straight, no-break and other spaces made plain spaces, U+FFFD replaced (see
    ``_repair_replacement``; none remains), NFC, terminal escape sequences, control,
    zero-width and bidi characters removed, every line break made ``\\n``, runs of
    spaces and tabs within a line collapsed to one space, lines stripped, at most one
    blank line between paragraphs, and none at either end. Square brackets and
    everything else are left exactly as they are. Idempotent, except on some
    pathological mixes of mojibake and U+FFFD.
    """
    return _collapse(normalize_chars(text))


def normalize_chars(text: str) -> str:
    """``normalize_text`` without the whitespace part (runs of spaces, line ends, blank
    lines), for a caller that splits and strips lines itself. CRLF and CR become LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = text.encode("utf-8", "surrogatepass")
    controls = raw.translate(None, _KEEP_CONTROLS)
    if text.isascii():
        if controls:
            if "\x1b" in text:
                text = _ESCAPES.sub("", text)
            text = _ASCII_CONTROLS.sub(_special, text)
        return text
    rare = raw.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    if (_MOJIBAKE.search(rare) and _MOJIBAKE.search(text)) or _C1.search(rare):
        text = _ftfy(_ESCAPES.sub("", text))
        rare = text  # re-check everything below on the repaired text
    if controls or _ATTENTION.search(rare):
        if "\x1b" in text or "\x9b" in text:
            text = _ESCAPES.sub("", text)
        text = _SPECIAL.sub(_special, text)
        if "\ufffd" in text:
            text = _REPLACEMENT.sub(_repair_replacement, text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


# ---------------------------------------------------------------------------
# Article debris

_DEBRIS_LINES = frozenset(
    {
        "accessibility links",
        "breaking news",
        "skip to main content",
        "skip to content",
        "advertisement",
    }
)
_DEBRIS_FIRST = frozenset(label[0] for label in _DEBRIS_LINES)
_ALSO_READ = re.compile(r"(?:ALSO READ|READ MORE|READ ALSO)\b|(?i:also read|read more)\s*:")
_HAS_WORD = re.compile(r"\w")


def is_debris_line(line: str) -> bool:
    """A scraped line that is not part of the article: navigation labels, a line of
    nothing but punctuation (``, , , ,``) and ``ALSO READ <headline>`` teasers."""
    if not _HAS_WORD.search(line):
        return True
    # Cheap looks at the first letter before the costlier tests (same answers).
    if (
        line.lstrip(" .:")[:1].casefold()[:1] in _DEBRIS_FIRST
        and line.casefold().strip(" .:") in _DEBRIS_LINES
    ):
        return True
    return line[0] in "AaRr" and _ALSO_READ.match(line) is not None


def strip_debris(text: str) -> str:
    """Remove debris lines and consecutive duplicated lines (a photo caption repeated
    twice, even across a blank line) from normalised article text; keeps blank lines."""
    out: list[str] = []
    previous = None
    for line in text.split("\n"):
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if line == previous or is_debris_line(line):
            continue
        out.append(line)
        previous = line
    return "\n".join(out).strip()
