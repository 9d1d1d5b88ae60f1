"""The backend-neutral query tree.

Two vocabularies of nodes share the structural ones (``And``, ``Or``, ``Not``,
``MatchAll``, ``MatchNone``):

- the **parsed** tree, what the query language says (``query.parse``): ``Word``,
  ``Quoted``, ``Prefix``, ``Fuzzy`` and ``Require`` leaves as the user typed them, plus
  ``DateRange``;
- the **plan**, what a backend executes (``plan.plan``): ``Term`` and ``Phrase`` leaves
  holding analysed terms of one field, plus ``DateRange``. A plan never holds a
  ``Word``, ``Quoted``, ``Prefix``, ``Fuzzy`` or ``Require``: prefixes and fuzzy terms
  are already expanded into the index's own terms, so every backend answers alike.

Fields of a plan: ``title``, ``body``, ``tags``, ``source`` (analysed text), ``kind``
and ``id`` (exact values). ``DateRange`` bounds are ``yyyymmdd`` integers, inclusive;
undated documents are in no range.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Union

#: Fields holding analysed text, searchable by word.
TEXT_FIELDS = ("title", "body", "tags", "source")
#: Fields a bare word searches.
DEFAULT_FIELDS = ("title", "body", "tags")
#: Fields holding one exact value.
EXACT_FIELDS = ("kind", "id")
#: Earliest and latest dates a range can hold.
FIRST_DAY, LAST_DAY = 10101, 99991231


# --- parsed leaves ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """A word as typed; ``field`` None means the default fields."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Quoted:
    """A quoted phrase as typed."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Prefix:
    """``syri*``: words starting with ``text``."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Fuzzy:
    """``syria~2``: words within ``edits`` typing mistakes of ``text``."""

    text: str
    edits: int = 1
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Require:
    """``+word``: required even where a function word would not be."""

    item: Node


# --- plan leaves -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One analysed term of one field. ``boost`` scales its score."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Phrase:
    """Analysed terms at consecutive positions of one field."""

    field: str
    terms: tuple[str, ...]


# --- shared ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateRange:
    """Documents dated ``lo``..``hi`` (yyyymmdd, inclusive)."""

    lo: int = FIRST_DAY
    hi: int = LAST_DAY


@dataclass(frozen=True, slots=True)
class And:
    """Every item matches. ``optional`` items only add to the score."""

    items: tuple[Node, ...]
    optional: tuple[Node, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Everything ``item`` does not match (inside ``And``: leave those out)."""

    item: Node


@dataclass(frozen=True, slots=True)
class MatchAll:
    pass


@dataclass(frozen=True, slots=True)
class MatchNone:
    pass


Node = Union[  # noqa: UP007 - a runtime alias used in isinstance-free annotations
    Word, Quoted, Prefix, Fuzzy, Require, Term, Phrase, DateRange, And, Or, Not, MatchAll, MatchNone
]


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, And):
        return node.items + node.optional
    if isinstance(node, Or):
        return node.items
    if isinstance(node, (Not, Require)):
        return (node.item,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


def depth(node: Node) -> int:
    kids = children(node)
    return 1 + (max(depth(k) for k in kids) if kids else 0)


def is_textless(node: Node) -> bool:
    """No words, at most date ranges: relevance means nothing, date order does."""
    return all(isinstance(n, (And, Or, Not, MatchAll, MatchNone, DateRange)) for n in walk(node))


def positive_terms(node: Node) -> dict[str, set[str]]:
    """Field -> the terms a plan looks for, leaving out what it excludes: these score,
    and these are highlighted."""
    out: dict[str, set[str]] = {}

    def visit(n: Node) -> None:
        if isinstance(n, Not):
            return
        if isinstance(n, Term):
            out.setdefault(n.field, set()).add(n.text)
        elif isinstance(n, Phrase):
            out.setdefault(n.field, set()).update(n.terms)
        for child in children(n):
            visit(child)

    visit(node)
    return out


def scored_terms(node: Node) -> dict[tuple[str, str], float]:
    """(field, term) -> boost of every term that scores (not under a ``Not``)."""
    out: dict[tuple[str, str], float] = {}

    def visit(n: Node) -> None:
        if isinstance(n, Not):
            return
        if isinstance(n, Term):
            key = (n.field, n.text)
            out[key] = max(out.get(key, 0.0), n.boost)
        elif isinstance(n, Phrase):
            for t in n.terms:
                out.setdefault((n.field, t), 1.0)
        for child in children(n):
            visit(child)

    visit(node)
    return out


def describe(node: Node) -> str:
    """A compact text form of a tree, for tests and debugging."""
    if isinstance(node, Term):
        boost = f"^{node.boost:g}" if node.boost != 1.0 else ""
        return f"{node.field}:{node.text}{boost}"
    if isinstance(node, Phrase):
        return f'{node.field}:"{" ".join(node.terms)}"'
    if isinstance(node, DateRange):
        return f"date:{node.lo}..{node.hi}"
    if isinstance(node, And):
        inner = " AND ".join(describe(i) for i in node.items)
        if node.optional:
            inner += " ANDMAYBE " + " ".join(describe(i) for i in node.optional)
        return f"({inner})"
    if isinstance(node, Or):
        return "(" + " OR ".join(describe(i) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"NOT {describe(node.item)}"
    if isinstance(node, Require):
        return f"+{describe(node.item)}"
    if isinstance(node, MatchAll):
        return "*"
    if isinstance(node, MatchNone):
        return "<none>"
    text = getattr(node, "text", "")
    fld = getattr(node, "field", None)
    prefix = f"{fld}:" if fld else ""
    if isinstance(node, Word):
        return f"{prefix}{text}"
    if isinstance(node, Quoted):
        return f'{prefix}"{text}"'
    if isinstance(node, Prefix):
        return f"{prefix}{text}*"
    if isinstance(node, Fuzzy):
        return f"{prefix}{text}~{node.edits}"
    raise TypeError(node)
