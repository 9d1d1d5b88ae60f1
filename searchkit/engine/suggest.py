"""Did-you-mean: per-word corrections from the index's own vocabulary.

Whoosh's built-in corrector was slow (0.5 s) and poor on this corpus ("ukriane
invasoin" -> "syrian invasion"). Here each rare query word is compared (optimal
string alignment distance, via rapidfuzz) with the unstemmed words of the index,
and replaced by the closest one that is much more frequent.
"""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from searchkit.engine.query import KNOWN_FIELDS, OPERATORS

RARE = 3  # a word in fewer documents than this may be a typo
MUCH_MORE = 4  # a correction must be this many times more frequent
_QUERY_WORD = re.compile(r'(?<![\w:~*"])([^\W\d_]{3,})(?![\w:*~])')


def query_words(text: str) -> list[str]:
    """The words of a query that spelling could correct."""
    return [w for w in _QUERY_WORD.findall(text) if w not in OPERATORS]


class Speller:
    def __init__(self, vocabulary: dict[str, int]) -> None:
        self.vocabulary = vocabulary
        self._words = list(vocabulary)
        self._freqs = list(vocabulary.values())

    def frequency(self, word: str) -> int:
        return self.vocabulary.get(word, 0)

    def correct_word(self, word: str) -> str | None:
        low = word.lower()
        df = self.frequency(low)
        if df >= RARE:
            return None
        words, freqs = self._words, self._freqs
        maxdist = 1 if len(low) <= 4 else 2
        found = process.extract(low, words, scorer=OSA.distance, score_cutoff=maxdist, limit=25)
        best = None
        for cand, dist, idx in found:
            if cand == low or freqs[idx] < MUCH_MORE * max(df, 1):
                continue
            key = (dist, -freqs[idx])
            if best is None or key < best[0]:
                best = (key, cand)
        if best is None:
            return None
        cand = best[1]
        return cand.capitalize() if word[:1].isupper() else cand

    def correct(self, text: str) -> str | None:
        """``text`` with its misspelt words corrected, or None when none was."""
        changed = False

        def fix(m: re.Match) -> str:
            nonlocal changed
            word = m.group(1)
            if word in OPERATORS or word.lower() in KNOWN_FIELDS:
                return word
            # Leave field values alone: the pattern skips `title:word`, this `title: word`.
            before = text[: m.start()].rstrip()
            if before.endswith(":"):
                return word
            fixed = self.correct_word(word)
            if fixed and fixed.lower() != word.lower():
                changed = True
                return fixed
            return word

        out = _QUERY_WORD.sub(fix, text)
        return out if changed else None
