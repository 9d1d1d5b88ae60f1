"""Did-you-mean: corrections of a query's words from the index's own vocabulary.

Whoosh's built-in corrector was slow (0.5 s) and poor on this corpus ("ukriane
invasoin" -> "syrian invasion"). Here each word to correct is compared (optimal
string alignment distance, via rapidfuzz) with the plain words of the index, and the
candidates are ranked by distance, then frequency. The engine decides which words
may be corrected and keeps the candidate that makes the whole query find documents
(see ``service.Engine``): words the index knows are kept.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Protocol

from searchkit.engine import analysis
from searchkit.engine.query import FIELD_NAMES, OPERATORS

#: A word in at most this many documents may be a typo itself (an uncorrected one in
#: the archive) — corrected only when the query finds nothing.
RARE = 3
#: For a query that finds something, a correction is offered only when it finds this
#: many times as many documents.
MUCH_MORE = 4
CANDIDATES = 5
_QUERY_WORD = re.compile(r'(?<![\w:~*"&.\'])([^\W\d_]{3,})(?![\w:*~&.\'])')


class Words(Protocol):
    def all_words(self) -> tuple[list[str], list[int]]: ...

    def frequency(self, word: str) -> int: ...


class Candidate(NamedTuple):
    word: str
    distance: int
    frequency: int


def query_words(text: str) -> list[re.Match[str]]:
    """The words of a query that spelling may correct: letters only, three or more,
    not operators, field names or field values, not inside quotes."""
    out = []
    quoted = [(m.start(), m.end()) for m in re.finditer(r'"[^"]*"', text)]
    for m in _QUERY_WORD.finditer(text):
        word = m.group(1)
        if word in OPERATORS or word.lower() in FIELD_NAMES or word.lower() == "date":
            continue
        if any(a < m.start() < b for a, b in quoted):
            continue
        if text[: m.start()].rstrip().endswith(":"):
            continue  # `title: word`
        out.append(m)
    return out


def max_edits(word: str) -> int:
    return 1 if len(word) <= 4 else 2


class Speller:
    def __init__(self, words: Words) -> None:
        self.words = words

    def frequency(self, word: str) -> int:
        return self.words.frequency(analysis.plain(word))

    def candidates(self, word: str, *, more_than: int = 0) -> list[Candidate]:
        """Close words of the index more frequent than ``more_than``, best first."""
        from rapidfuzz import process  # only when a word needs correcting
        from rapidfuzz.distance import OSA

        low = analysis.plain(word)
        words, freqs = self.words.all_words()
        found = process.extract(
            low, words, scorer=OSA.distance, score_cutoff=max_edits(low), limit=50
        )
        out = [
            Candidate(cand, int(dist), freqs[idx])
            for cand, dist, idx in found
            if cand != low and freqs[idx] > more_than and cand.isalpha()
        ]
        out.sort(key=lambda c: (c.distance, -c.frequency, c.word))
        return out[:CANDIDATES]


def with_case(original: str, word: str) -> str:
    """``word`` written in the case pattern of ``original`` (Syria, SYRIA, syria)."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def replace_word(text: str, match: re.Match[str], word: str) -> str:
    return text[: match.start(1)] + with_case(match.group(1), word) + text[match.end(1) :]
