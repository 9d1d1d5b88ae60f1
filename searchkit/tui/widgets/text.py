"""Document text as display content: always data, never markup or terminal control.

Every string that comes from a document goes through :func:`plain` before it is shown.
Control characters are replaced one for one by visible stand-ins (ESC becomes ``␛``),
so the engine's character spans still line up, and the text is wrapped in a
:class:`~textual.content.Content` whose highlights are added with ``stylize``; nothing
is ever parsed as markup, so ``[bold]`` or ``[/]`` in a headline shows as typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content

#: How a matched term looks (resolved against the app's theme when rendered).
MATCH_STYLE = "bold $text-warning underline"


def _visible(code: int) -> str:
    if code == 0x7F:
        return "\u2421"  # ␡
    if code < 0x20:
        return chr(0x2400 + code)  # ␛, ␀, ... : Unicode "control pictures"
    return "\ufffd"  # C1 controls (0x80-0x9f)


_TABLE = {c: _visible(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_MULTILINE = dict(_TABLE)
_MULTILINE[ord("\n")] = "\n"
_SINGLE_LINE = dict(_TABLE)
for _space in "\n\t\r":
    _SINGLE_LINE[ord(_space)] = " "
_MULTILINE[ord("\t")] = " "
_MULTILINE[ord("\r")] = " "


def clean(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control character replaced by one visible character."""
    return text.translate(_MULTILINE if multiline else _SINGLE_LINE)


def plain(text: str, *, multiline: bool = False) -> Content:
    """Document text as Content: literal, one character per character of ``text``."""
    return Content(clean(text, multiline=multiline), strip_control_codes=False)


def highlighted(
    text: str,
    spans: Iterable[tuple[int, int]],
    *,
    style: str = MATCH_STYLE,
    multiline: bool = False,
) -> Content:
    """Document text with the [start, end) ``spans`` styled (spans index ``text``)."""
    content = plain(text, multiline=multiline)
    for start, end in spans:
        content = content.stylize(style, start, end)
    return content


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    if width <= 1:
        return text[:width]
    return text if len(text) <= width else text[: width - 1] + "…"
