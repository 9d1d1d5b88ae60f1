"""From a parsed query to a plan a backend runs: words analysed, fields spread out,
prefixes and fuzzy words expanded into the index's own words.

Expansion happens here, over the index's vocabulary of plain (unstemmed) words, so
``syri*`` and ``syria~`` mean the same on every backend: the words of the archive
starting with "syri" (or within one edit of "syria"), each then analysed like any
other word. At most ``MAX_EXPANSION`` words (the most frequent) stand in for one
pattern; a notice says when more matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from searchkit.engine import analysis
from searchkit.engine.tree import (
    DEFAULT_FIELDS,
    And,
    DateRange,
    Fuzzy,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Quoted,
    Require,
    Term,
    Word,
)

MAX_EXPANSION = 100
#: Words all the prefixes and fuzzy words of one query may expand to together.
MAX_EXPANDED = 400


class Vocabulary(Protocol):
    """The index's plain words with their document frequencies."""

    def with_prefix(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        """Words starting with ``prefix``, most frequent first, at most ``limit``."""
        ...

    def within(self, word: str, edits: int, limit: int) -> list[tuple[str, int]]:
        """Words within ``edits`` edits (transpositions count one), most frequent first."""
        ...


def _fields(field: str | None) -> Sequence[str]:
    return DEFAULT_FIELDS if field is None else (field,)


def _spread(fields: Sequence[str], make) -> Node:
    nodes = [make(f) for f in fields]
    return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))


class Planner:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.notices: list[str] = []
        self.budget = MAX_EXPANDED

    def _spend(self, words: list[tuple[str, int]], shown: str) -> list[tuple[str, int]]:
        """Keep expansions within the query's budget (the most frequent first)."""
        if len(words) > self.budget:
            self.notices.append(
                f"{shown}: the query's patterns match too many words together; "
                "the last ones were searched as written"
            )
            words = words[: self.budget]
        self.budget -= len(words)
        return words

    def plan(self, node: Node) -> Node:
        out = self._plan(node)
        return MatchNone() if out is None else _simplify(out)

    # --- leaves ------------------------------------------------------------------------

    def _words(self, text: str, field: str | None) -> Node | None:
        terms = analysis.terms(text)
        if not terms:
            return None
        fields = _fields(field)
        if len(terms) == 1:
            return _spread(fields, lambda f: Term(f, terms[0]))
        return _spread(fields, lambda f: Phrase(f, tuple(terms)))

    def _expanded(self, words: list[tuple[str, int]], field: str | None) -> Node:
        terms = list(dict.fromkeys(analysis.term(w) for w, _ in words))
        if not terms:
            return MatchNone()
        fields = _fields(field)
        return Or(tuple(Term(f, t) for t in terms for f in fields))

    def _prefix(self, node: Prefix) -> Node | None:
        raw = analysis.raw_tokens(node.text)
        if not raw:
            return None
        head = [self._words(t, node.field) for t in raw[:-1]]
        prefix = analysis.plain(raw[-1])
        found = self.vocabulary.with_prefix(prefix, MAX_EXPANSION + 1)
        if len(found) > MAX_EXPANSION:
            self.notices.append(
                f"{node.text}* matches more than {MAX_EXPANSION} words; "
                f"searched the {MAX_EXPANSION} most frequent"
            )
            found = found[:MAX_EXPANSION]
        found = self._spend(found, f"{node.text}*") if found else found
        tail = (
            self._expanded(found, node.field)
            if found or self.budget
            else self._words(raw[-1], node.field) or MatchNone()
        )
        items = [h for h in head if h is not None] + [tail]
        return items[0] if len(items) == 1 else And(tuple(items))

    def _fuzzy(self, node: Fuzzy) -> Node | None:
        raw = analysis.raw_tokens(node.text)
        if len(raw) != 1:
            return self._words(node.text, node.field)
        word = analysis.plain(raw[0])
        found = self._spend(
            self.vocabulary.within(word, node.edits, MAX_EXPANSION), f"{node.text}~{node.edits}"
        )
        words = [(word, 0), *found]
        return self._expanded(words, node.field)

    # --- the tree ----------------------------------------------------------------------

    def _plan(self, node: Node) -> Node | None:
        if isinstance(node, Word):
            if node.field in ("kind", "id"):
                return Term(node.field, node.text)
            return self._words(node.text, node.field)
        if isinstance(node, Quoted):
            return self._words(node.text, node.field)
        if isinstance(node, Prefix):
            return self._prefix(node)
        if isinstance(node, Fuzzy):
            return self._fuzzy(node)
        if isinstance(node, Require):
            return self._plan(node.item)
        if isinstance(node, Not):
            inner = self._plan(node.item)
            return None if inner is None else Not(inner)
        if isinstance(node, Or):
            items = [p for p in (self._plan(i) for i in node.items) if p is not None]
            if not items:
                return None
            return items[0] if len(items) == 1 else Or(tuple(items))
        if isinstance(node, And):
            return self._and(node)
        if isinstance(node, (DateRange, MatchAll, MatchNone, Term, Phrase)):
            return node
        raise TypeError(f"cannot plan {node!r}")

    def _and(self, node: And) -> Node | None:
        required: list[Node] = []
        optional: list[Node] = []
        for item in node.items:
            planned = self._plan(item)
            if planned is None:
                continue
            if _is_function_word(item):
                optional.append(planned)
            else:
                required.append(planned)
        if not required:  # only function words ("the who"): they are the search
            required, optional = optional, []
        if not required:
            return None
        if len(required) == 1 and not optional:
            return required[0]
        return And(tuple(required), tuple(optional))


def _is_function_word(node: Node) -> bool:
    return isinstance(node, Word) and node.field is None and analysis.is_function_word(node.text)


def _simplify(node: Node) -> Node:
    """Fold MatchAll/MatchNone into their parents and flatten single-item groups."""
    if isinstance(node, And):
        items = [_simplify(i) for i in node.items]
        optional = tuple(_simplify(i) for i in node.optional)
        if any(isinstance(i, MatchNone) for i in items):
            return MatchNone()
        kept = [i for i in items if not isinstance(i, MatchAll)]
        optional = tuple(o for o in optional if not isinstance(o, (MatchAll, MatchNone)))
        if not kept:
            return MatchAll()
        if len(kept) == 1 and not optional:
            return kept[0]
        return And(tuple(kept), optional)
    if isinstance(node, Or):
        items = [_simplify(i) for i in node.items]
        if any(isinstance(i, MatchAll) for i in items):
            return MatchAll()
        kept = [i for i in items if not isinstance(i, MatchNone)]
        if not kept:
            return MatchNone()
        return kept[0] if len(kept) == 1 else Or(tuple(kept))
    if isinstance(node, Not):
        inner = _simplify(node.item)
        if isinstance(inner, MatchNone):
            return MatchAll()
        if isinstance(inner, MatchAll):
            return MatchNone()
        return Not(inner)
    return node


def plan(node: Node, vocabulary: Vocabulary) -> tuple[Node, list[str]]:
    """The plan of a parsed tree and the notices planning it gave."""
    planner = Planner(vocabulary)
    return planner.plan(node), planner.notices
