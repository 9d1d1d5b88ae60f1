"""The records that travel through searchkit.

``Document`` goes from the corpus readers to the index writer; ``Results`` goes from
the engine to every front end (CLI text, ``--json`` and the Textual app). This module
depends on nothing but the standard library so that every layer can import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

_SURROGATE = re.compile("[\ud800-\udfff]")

Kind = Literal["story", "article"]
Sort = Literal["relevance", "newest", "oldest"]
KINDS: tuple[Kind, ...] = ("story", "article")
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
#: Facet names, in the order front ends show them.
FACETS: tuple[str, ...] = ("tag", "year", "source", "kind")


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet a document cites or comes from."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A story's link to another story, as written in its Related section."""

    target: str  # corpus-relative id of the other story, e.g. "news/2016/03/19/x.md"
    headline: str
    date: date | None  # read off the target's path
    tags: tuple[str, ...] = ()  # the context tags the two stories share


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed, normalised document: a story or an article."""

    id: str  # corpus-relative path with "/" separators
    kind: Kind
    title: str
    body: str
    date: date | None = None
    outlets: tuple[Outlet, ...] = ()
    tags: tuple[str, ...] = ()  # a story's: union of its related items' tags, first-seen order
    related: tuple[RelatedLink, ...] = ()


@dataclass(frozen=True, slots=True)
class FileReport:
    """Something worth telling the user about one file of the corpus.

    ``skipped`` is True when the file was not indexed (empty, binary, unparseable),
    False for a notice about a file that was indexed (e.g. decoded from cp1252).
    """

    path: str
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result. ``highlights`` are [start, end) character spans into ``snippet``."""

    id: str
    kind: Kind
    title: str
    date: date | None
    outlets: tuple[Outlet, ...]
    tags: tuple[str, ...]
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    title_highlights: tuple[tuple[int, int], ...] = ()
    # True when the document has no body and the snippet is a passage of the title:
    # front ends that show the title already need not show it again.
    snippet_is_title: bool = False
    # Documents in the index with exactly this text (this one included): exact
    # duplicates are shown once, as the first of them.
    copies: int = 1


@dataclass(slots=True)
class Results:
    """What a search returns, for every front end.

    ``facets`` maps each name in ``FACETS`` to (value, count) pairs, most frequent
    first, counted over the whole result set. ``notices`` are human sentences about
    how the query was understood (degraded syntax, auto-corrected spelling).
    """

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None
    corrected_from: str | None = None  # set when hits answer `suggestion`, not `query`
    notices: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    # The order the hits are in: "newest" for a query with no words even when
    # relevance was asked for (there is nothing to rank by).
    order: Sort = "relevance"

    def to_json(self) -> dict:
        """The documented ``--json`` shape, exactly."""
        return {
            "query": self.query,
            "total": self.total,
            "hits": [
                {
                    "id": h.id,
                    "kind": h.kind,
                    "title": h.title,
                    "date": h.date.isoformat() if h.date else None,
                    "sources": [o.name for o in h.outlets],
                    "tags": list(h.tags),
                    "score": round(h.score, 4),
                    "snippet": h.snippet,
                    "highlights": [[s, e] for s, e in h.highlights],
                    "copies": h.copies,
                }
                for h in self.hits
            ],
            "facets": {name: [[v, c] for v, c in self.facets.get(name, [])] for name in FACETS},
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A query plus everything that narrows, orders and pages it.

    ``filters`` maps a facet name to the values the user picked: values of one facet
    are OR-ed, different facets AND-ed. Facet counts for a facet ignore that facet's
    own selection (so a user can add a second value), but respect the others.
    """

    query: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort = "relevance"
    limit: int = 10
    offset: int = 0
    facet_limit: int = 10
    suggest: bool = True

    def __post_init__(self) -> None:
        # Lone surrogates (bytes of a command line or a file name that were not UTF-8)
        # cannot be written as UTF-8 anywhere results go: they are read as U+FFFD.
        if _SURROGATE.search(self.query):
            object.__setattr__(self, "query", _SURROGATE.sub("\ufffd", self.query))

    def filter_values(self, facet: str) -> tuple[str, ...]:
        for name, values in self.filters:
            if name == facet:
                return values
        return ()


@dataclass(frozen=True, slots=True)
class RelatedEntry:
    """A related or similar story as a front end lists it."""

    id: str
    title: str
    date: date | None
    tags: tuple[str, ...]
    in_archive: bool


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A whole document for `show` and the detail pane."""

    document: Document
    related: tuple[RelatedEntry, ...]  # a story's Related links, in order, resolved
    similar: tuple[RelatedEntry, ...]  # an article's most similar stories

    def to_json(self) -> dict:
        d = self.document

        def entry(e: RelatedEntry) -> dict:
            return {
                "id": e.id,
                "title": e.title,
                "date": e.date.isoformat() if e.date else None,
                "tags": list(e.tags),
                "in_archive": e.in_archive,
            }

        return {
            "id": d.id,
            "kind": d.kind,
            "title": d.title,
            "date": d.date.isoformat() if d.date else None,
            "sources": [{"name": o.name, "url": o.url} for o in d.outlets],
            "tags": list(d.tags),
            "body": d.body,
            "related": [entry(e) for e in self.related],
            "similar": [entry(e) for e in self.similar],
        }


@dataclass(frozen=True, slots=True)
class IndexStats:
    documents: dict[str, int]  # kind -> count
    first_date: date | None
    last_date: date | None
    top_tags: list[tuple[str, int]]
    top_sources: list[tuple[str, int]]
    size_bytes: int
    built_at: datetime | None
    updated_at: datetime | None
    path: str
    engine: str = "whoosh"

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "engine": self.engine,
            "documents": dict(self.documents),
            "total": sum(self.documents.values()),
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "top_tags": [[v, c] for v, c in self.top_tags],
            "top_sources": [[v, c] for v, c in self.top_sources],
            "size_bytes": self.size_bytes,
            "built_at": self.built_at.isoformat() if self.built_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }
