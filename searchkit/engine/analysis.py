"""The analysis specification: how text becomes the terms every engine indexes.

One implementation, used by every backend and by the query planner and the
highlighter, so a search finds the same documents whichever engine built the index.
Backends receive documents already analysed (terms separated by single spaces, one per
position) and index them without an analyzer of their own.

The rules, in order, for every token:

1. **Tokens** are runs of word characters (``\\w``) that may contain ``&`` between
   word characters (``M&S``, ``AT&T``), and ``.`` when every part is one letter (an
   acronym: ``U.S``) or every part is digits (``3.5``); other dotted runs are their
   parts (``Kulula.com`` is ``kulula``, ``com``; the ticker ``DOTX.O`` is ``dotx``,
   ``o``). An apostrophe separates (``O'Higgins``, ``N'Djamena``, ``Russia's``). Every
   Han, Hiragana and Katakana character is a token of its own (those scripts do not
   separate words with spaces). Every token keeps its position: nothing is dropped as
   a stop word ("US", "WHO", "IT" and "May" are news words).
2. **Lower case** (``str.lower``).
3. **Acronyms**: a token of single letters joined by dots loses its dots, so ``U.S.``
   finds ``US`` and back.
4. **Accents folded** to ASCII where the folded form is plain ASCII (``Erdoğan`` →
   ``erdogan``, ``ß`` → ``ss``, ``ﬁ`` → ``fi``); letters of other scripts are kept.
5. **Stemmed** with Snowball English (PyStemmer): ``banned`` → ``ban``,
   ``nominations`` → ``nomin``. Tokens holding a digit are not stemmed (``1990s``).
6. **Cut** to ``MAX_TERM`` characters (a "word" of thousands of letters in damaged
   text stays one position, and every engine can store it).

``ANALYSIS_VERSION`` is recorded in every index: an index analysed by other rules is
rebuilt, never searched with mismatched terms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import Stemmer

#: Bump whenever any rule above changes what a text's terms are.
ANALYSIS_VERSION = 2
MAX_TERM = 64

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORDCHAR = rf"[^\W{_CJK}]"
_RUN = re.compile(rf"[{_CJK}]|{_WORDCHAR}+(?:[&.]{_WORDCHAR}+)*")
_ACRONYM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)+$")
_PART = re.compile(rf"{_WORDCHAR}+(?:&{_WORDCHAR}+)*")
_HAS_DIGIT = re.compile(r"\d")

#: Words an all-words query does not require (they still rank and count in phrases):
#: articles, prepositions, conjunctions, pronouns and auxiliaries with no news meaning
#: of their own. "us", "who", "it", "may", "will" and "can" are *not* here: they are
#: also the US, the WHO, IT, May and the verbs people search for.
FUNCTION_WORDS = frozenset(
    """a an the and or nor but if then than so as of in on at to for from by with
    into onto upon about above after before over under between among through during
    without within against along around across behind beyond via per is are was were
    be been being am do does did has have had having this that these those there
    here its his her hers their theirs our ours your yours my mine he she they them
    him we you i me what which whom whose when where why how all any some such no
    not only own same too very just also""".split()  # noqa: SIM905 - a word list
)


class _Fold(dict):
    """``str.translate`` table: a character -> its ASCII folding, computed once each."""

    SPECIAL = {
        "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae",
        "œ": "oe", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k",
    }  # fmt: skip

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        folded = self.SPECIAL.get(ch)
        if folded is None:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            folded = base.lower() if base and base.isascii() else ch
        self[cp] = folded
        return folded


_FOLD = _Fold()
_STEMMER = Stemmer.Stemmer("english")
_MEMO: dict[str, str] = {}
_MEMO_MAX = 2_000_000


def fold(word: str) -> str:
    """``word`` (lower case) with accents folded to ASCII where that gives ASCII."""
    return word if word.isascii() else word.translate(_FOLD)


def _normalize(token: str) -> str:
    word = token[: MAX_TERM * 2].lower()
    if "." in word and _ACRONYM.match(word):
        word = word.replace(".", "")
    word = fold(word)
    if _HAS_DIGIT.search(word):
        return word[:MAX_TERM]
    return _STEMMER.stemWord(word)[:MAX_TERM]


def term(token: str) -> str:
    """The indexed term of one token as it appears in text (memoised)."""
    found = _MEMO.get(token)
    if found is None:
        found = _normalize(token)
        if len(_MEMO) < _MEMO_MAX:
            _MEMO[token] = found
    return found


def plain(token: str) -> str:
    """A token lower-cased, acronym dots dropped and accents folded, not stemmed: the
    form prefix queries and did-you-mean compare."""
    word = token[: MAX_TERM * 2].lower()
    if "." in word and _ACRONYM.match(word):
        word = word.replace(".", "")
    return fold(word)[:MAX_TERM]


def _spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Every token of ``text`` as written, with its character span."""
    for m in _RUN.finditer(text):
        raw = m.group()
        if "." not in raw or _ACRONYM.match(raw) or _NUMBER.match(raw):
            yield raw, m.start(), m.end()
        else:  # a dotted run that is not an acronym or a number: its parts
            base = m.start()
            for part in _PART.finditer(raw):
                yield part.group(), base + part.start(), base + part.end()


def raw_tokens(text: str) -> list[str]:
    """The tokens of ``text`` as written (for query words and spelling)."""
    runs = _RUN.findall(text)
    if "." not in text:
        return runs
    out: list[str] = []
    for raw in runs:  # a sentence's full stop is outside every run: few runs hold a dot
        if "." in raw and not (_ACRONYM.match(raw) or _NUMBER.match(raw)):
            out.extend(_PART.findall(raw))
        else:
            out.append(raw)
    return out


def tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """``(term, start, end)`` of every token of ``text``, in order (position = index)."""
    memo = _MEMO
    for raw, start, end in _spans(text):
        found = memo.get(raw)
        yield (found if found is not None else term(raw)), start, end


def terms(text: str) -> list[str]:
    """The terms of ``text`` in order, one per position."""
    memo = _MEMO
    out = []
    for raw in raw_tokens(text):
        found = memo.get(raw)
        out.append(found if found is not None else term(raw))
    return out


def analyzed(text: str) -> str:
    """``text``'s terms joined by single spaces: what a backend indexes for a field."""
    return " ".join(terms(text))


#: token as written -> (its term, its plain word when it has two or more characters)
_PAIRS: dict[str, tuple[str, str | None]] = {}


def analyzed_and_words(text: str, words: set[str]) -> str:
    """``analyzed(text)``, adding the plain form of every token of two or more
    characters to ``words`` on the way (one pass for indexing)."""
    pairs = _PAIRS
    out = []
    for raw in raw_tokens(text):
        pair = pairs.get(raw)
        if pair is None:
            word = plain(raw)
            pair = (term(raw), word if len(word) > 1 else None)
            if len(pairs) < _MEMO_MAX:
                pairs[raw] = pair
        out.append(pair[0])
        if pair[1] is not None:
            words.add(pair[1])
    return " ".join(out)


def is_function_word(token: str) -> bool:
    """Whether a query word is one an all-words query need not require."""
    word = plain(token)
    return word in FUNCTION_WORDS or (len(word) == 1 and word.isalpha())
