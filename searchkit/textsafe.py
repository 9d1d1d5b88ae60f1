"""Showing untrusted names safely: ids, paths and echoed queries as visible text.

File names and query arguments may hold anything the OS allows: escape sequences
(``ESC[2J``, OSC 52 clipboard writes), newlines, bidirectional overrides (U+202E makes
one id look like another), zero-width characters, and bytes that are not UTF-8 (which
Python keeps as lone surrogates). ``visible`` turns every such character into a
backslash escape, so what reaches a terminal is exactly what a user can read.

Standard library only: every layer and front end may use it.
"""

from __future__ import annotations

__all__ = ["visible"]


def _escape(ch: str) -> str:
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{cp - 0xDC00:02x}"
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def visible(text: str) -> str:
    """``text`` with every character that is not printable shown as an escape.

    Printable means what ``str.isprintable`` says, plus the plain space: controls (C0,
    DEL, C1), format characters (bidi overrides and isolates, zero-width ones),
    separators other than the space, surrogates, private-use and unassigned code
    points are escaped as ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN`` (``\\n``, ``\\t``
    and ``\\r`` for those three). Letters of every script, accents, CJK and
    punctuation, square brackets included, are left as they are.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _escape(ch) for ch in text)
