"""An article's own metadata: an optional front-matter block at the very top.

```
---
title: Heatwave breaks records in Spain
date: 2024-07-04
outlet: El País
url: https://elpais.com/…
---
```

The first line of the file (after a BOM) is ``---``; then ``key: value`` lines (blank
lines allowed), closed by a line ``---`` within the first 40 lines. Keys are case-
insensitive; ``title``, ``date`` (``YYYY-MM-DD``, a time after it is ignored),
``outlet`` and ``url`` are used, other keys are ignored; a value may be quoted with
"…" or '…'. Anything else (a ``---`` rule followed by prose, no closing line) is not a
front-matter block and stays part of the text.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import ParseError

FIELDS = ("title", "date", "outlet", "url")
MAX_LINES = 40
_FENCE = "---"
_KEY_VALUE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)\s*:(.*)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def split_front_matter(text: str) -> tuple[dict[str, str], str] | None:
    """``(fields, rest)`` when ``text`` opens with a front-matter block, else None.

    ``fields`` maps lower-cased keys to their (unquoted, stripped) values, empty values
    left out; ``rest`` is the text after the closing line.
    """
    if not text.startswith(_FENCE):
        text = text.lstrip("\ufeff")
        if not text.startswith(_FENCE):
            return None
    lines = text.split("\n", MAX_LINES + 1)
    if lines[0].rstrip() != _FENCE:
        return None
    fields: dict[str, str] = {}
    for n, raw in enumerate(lines[1 : MAX_LINES + 1], 1):
        line = raw.strip()
        if line == _FENCE:
            rest = "\n".join(lines[n + 1 :])
            return fields, rest
        if not line:
            continue
        m = _KEY_VALUE.fullmatch(line)
        if m is None:
            return None
        value = _unquote(m[2])
        if value:
            fields[m[1].lower()] = value
    return None


def front_matter_date(value: str) -> date:
    """The date of a front-matter ``date:`` value; ``ParseError`` if it is not one."""
    m = _DATE.fullmatch(value)
    if m is not None:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise ParseError(f"front matter: invalid date {value!r} (use YYYY-MM-DD)")


def with_front_matter(text: str, values: dict[str, str]) -> str:
    """``text`` with ``values`` (keys of ``FIELDS``) set in its front-matter block: lines
    of the keys given are replaced, other lines kept; a block is added when there is
    none. Values must be single lines."""
    for key, value in values.items():
        if key not in FIELDS or "\n" in value or "\r" in value:
            raise ValueError(f"bad front-matter field {key}: {value!r}")
    text = text.lstrip("\ufeff")
    block: list[str] = []
    if split_front_matter(text) is not None:
        lines = text.split("\n")
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == _FENCE)
        for line in lines[1:end]:
            m = _KEY_VALUE.fullmatch(line.strip())
            if m is None or m[1].lower() not in values:
                block.append(line.rstrip("\r"))
        rest = "\n".join(lines[end + 1 :])
    else:
        rest = "\n" + text
    block += [f"{key}: {value}" for key, value in values.items()]
    return "\n".join([_FENCE, *block, _FENCE]) + "\n" + rest
