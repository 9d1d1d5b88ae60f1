"""Matched-term spans and snippets as plain text plus [start, end) spans — never markup."""

from __future__ import annotations

import re

from searchkit.engine import analysis

SNIPPET_CHARS = 220
_SENTENCE_START = re.compile(r"(?<=[.!?])\s+|\n")


def term_spans(text: str, terms: set[str] | frozenset[str]) -> list[tuple[int, int]]:
    """Character spans of the tokens of ``text`` whose term is in ``terms``."""
    if not terms or not text:
        return []
    return [(start, end) for term, start, end in analysis.tokens(text) if term in terms]


def snippet(
    text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The passage of ``text`` around the densest run of spans, and the spans in it."""
    text_len = len(text)
    if text_len <= width:
        return text, tuple(spans)
    start = 0
    if spans:
        best, best_n = spans[0][0], 0
        for i, (s, _) in enumerate(spans):
            n = sum(1 for s2, e2 in spans[i:] if e2 <= s + width)
            if n > best_n:
                best, best_n = s, n
        # Begin at the sentence the first match is in, if it starts close enough.
        start = max(0, best - 60)
        for m in _SENTENCE_START.finditer(text, start, best):
            start = m.end()
            break
        else:
            if start:
                space = text.find(" ", start, best)
                start = space + 1 if space != -1 else start
    end = min(text_len, start + width)
    if end < text_len:
        space = text.rfind(" ", start + width // 2, end)
        end = space if space != -1 else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < text_len else ""
    body = text[start:end].strip()
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    shift = start + lead - len(prefix)
    inner = tuple(
        (s - shift, e - shift)
        for s, e in spans
        if s >= start + lead and e <= start + lead + len(body)
    )
    return prefix + body + suffix, inner
