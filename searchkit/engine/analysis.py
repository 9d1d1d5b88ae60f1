"""Whoosh's accent-folding stemming analyzer as one loop instead of five generators.

``StemmingAnalyzer() | CharsetFilter(accent_map)`` (Whoosh's recipe for accent folding:
"Erdogan" finds "Erdoğan", "cafe" finds "Café") is a chain of five Python generator
frames per token, about a third of indexing time. This yields the same tokens (text,
positions, character spans, stopped flags) from a single loop; a test compares the two
token by token.
"""

from __future__ import annotations

import re

from whoosh.analysis import Analyzer, RegexTokenizer, Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

_PATTERN = re.compile(r"\w+(\.?\w+)*", re.UNICODE)  # RegexTokenizer's default
_WORDS = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)  # the same, for findall
MIN_SIZE = 2  # StopFilter's default


class FastStemmingAnalyzer(Analyzer):
    def __init__(self) -> None:
        self._stems: dict[str, str] = {}

    def __getstate__(self) -> dict:
        return {}  # the stem memo is rebuilt, not pickled into the index

    def __setstate__(self, state: dict) -> None:
        self._stems = {}

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def _stem(self, word: str) -> str:
        """The word stemmed, then accent-folded (memoised: once per distinct word)."""
        stemmed = self._stems.get(word)
        if stemmed is None:
            stemmed = self._stems[word] = stem(word).translate(accent_map)
        return stemmed

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stems = self._stems
        stops = STOP_WORDS
        if not tokenize:
            matches = [(value, 0, len(value))]
        else:
            matches = ((m.group(0), m.start(), m.end()) for m in _PATTERN.finditer(value))
        kept_pos = None
        for i, (word, start, end) in enumerate(matches):
            if keeporiginal:
                t.original = word
            text = word.lower()
            t.boost = 1.0
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            if len(text) >= MIN_SIZE and text not in stops:
                if positions:
                    # StopFilter renumbers: kept tokens get consecutive positions.
                    kept_pos = start_pos + i if kept_pos is None else kept_pos + 1
                    t.pos = kept_pos
                stemmed = stems.get(text)
                t.text = stemmed if stemmed is not None else self._stem(text)
                t.stopped = False
                yield t
            elif not removestops:
                if positions:
                    t.pos = start_pos + i
                t.text = text.translate(accent_map)
                t.stopped = True
                yield t

    def positions_of(self, value: str) -> dict[str, list[int]]:
        """Each indexed term of ``value`` with its positions: what ``__call__`` yields
        with ``positions=True``, gathered without a token object per word (indexing)."""
        stems = self._stems
        stops = STOP_WORDS
        out: dict[str, list[int]] = {}
        pos = -1
        for i, word in enumerate(_WORDS.findall(value)):
            text = word.lower()
            if len(text) < MIN_SIZE or text in stops:
                continue
            pos = i if pos < 0 else pos + 1  # as in __call__: renumbered after the first
            stemmed = stems.get(text)
            if stemmed is None:
                stemmed = self._stem(text)
            found = out.get(stemmed)
            if found is None:
                out[stemmed] = [pos]
            else:
                found.append(pos)
        return out


class ExactValues(RegexTokenizer):
    """Splits a field's values joined with US (0x1f): each value is one whole term."""

    def __init__(self) -> None:
        super().__init__(r"[^\x1f]+")

    def positions_of(self, value: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, v in enumerate(v for v in value.split("\x1f") if v):
            out.setdefault(v, []).append(i)
        return out
