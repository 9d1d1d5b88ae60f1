"""The seam between the neutral engine and a search library.

Everything a backend (``searchkit/engine/backends/<name>/``) must do is typed here
with searchkit's own records; nothing here names a library. The neutral engine
(``service.Engine``, ``update.update_index``) parses and plans queries, analyses text,
keeps the catalog (files, vocabulary, facet forms), builds snippets and highlights,
ranks did-you-mean and similar documents; a backend stores, matches, ranks, counts and
returns documents.

Adding a backend
----------------
1. A package ``searchkit/engine/backends/<name>/`` whose ``__init__`` defines
   ``BACKEND``: an object satisfying ``BackendType`` (a module-level instance of a class).
2. Register its name and import path in ``backends/__init__.py`` (with the pip extra that
   installs its library, for the "not installed" message).
3. Run the conformance suite (``tests/backends/``): it is parametrised over every
   registered backend that imports, and must pass unchanged.

Semantics every backend implements
----------------------------------
- Queries are plan trees (``tree``): ``Term``/``Phrase`` leaves hold analysed terms of
  one field (``title``, ``body``, ``tags``, ``source`` analysed; ``kind``, ``id``
  exact), ``DateRange`` is inclusive on ``yyyymmdd`` (undated documents, date 0, are in
  no range), ``And.optional`` items only add to the score, a ``Not`` inside ``And``
  leaves documents out, a lone ``Not`` matches every document but those.
- ``Selection.filters`` map a facet (``tag``, ``source``, ``kind``, ``year``) to keys
  (``facetkeys``): values of one facet are OR-ed, facets AND-ed. Facet counts for a
  facet ignore that facet's own filter but respect the others, and count keys
  (``NONE`` for documents without a value; ``year`` keys are "YYYY" or ``NONE``).
- Relevance ranks by the backend's BM25 variant with field boosts ``FIELD_BOOSTS``;
  ties and equal dates break in an order that is stable for the open commit, so pages
  are consistent (not necessarily the same order on every backend). "newest" puts
  undated documents last, "oldest" too.
- Totals are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from searchkit.engine.tree import Node

Sort = Literal["relevance", "newest", "oldest"]
#: Score weight of a match in each text field.
FIELD_BOOSTS = {"title": 2.0, "body": 1.0, "tags": 1.5, "source": 1.0}
FACET_NAMES = ("tag", "year", "source", "kind")


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """A document as every backend indexes it: analysed text (terms joined by single
    spaces, one per position), facet keys, and the whole document as JSON to store."""

    id: str
    kind: str
    date: int  # yyyymmdd, 0 when undated
    title: str
    body: str
    tags: str
    source: str
    tag_keys: tuple[str, ...]  # (NONE,) when it has none
    source_keys: tuple[str, ...]
    digest: str  # equal for documents with the same normalised text
    stored: str


@dataclass(frozen=True, slots=True)
class Selection:
    """What to match: a plan, facet filters (keys) and an optional date window."""

    tree: Node
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    dates: tuple[int, int] | None = None  # yyyymmdd bounds, inclusive

    def without(self, facet: str) -> Selection:
        return Selection(
            self.tree, tuple((f, v) for f, v in self.filters if f != facet), self.dates
        )


@dataclass(slots=True)
class Found:
    """A backend's answer: the total, one page of (id, score), and facet counts by key.

    ``stored`` may hold the stored JSON of the page's documents when the backend read
    it anyway (the engine then does not ask for it again)."""

    total: int
    hits: list[tuple[str, float]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    stored: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can and cannot do; the engine adapts to these."""

    #: A full build runs in worker processes that each write a part of the index
    #: (``build_part``/``finish_build``); otherwise workers parse and one writer indexes.
    partitioned_build: bool
    #: The index is a local folder this process opens (a server backend sets False).
    local_files: bool = True


class Searcher(Protocol):
    """Read access to one generation. Used under the engine's lock (one call at a time)."""

    def generation_key(self) -> str:
        """Changes with every commit."""
        ...

    def changed(self) -> bool:
        """Whether a newer commit than the one open is available."""
        ...

    def refresh(self) -> bool:
        """Open the newest commit if there is one; True when it did."""
        ...

    def close(self) -> None: ...

    def warm(self) -> None:
        """Load what makes later searches fast (the app calls this at start)."""
        ...

    def search(
        self, sel: Selection, *, sort: Sort, offset: int, limit: int, facet_limit: int | None
    ) -> Found:
        """Matches of ``sel``: the total, ``limit`` hits from ``offset`` in ``sort``
        order, and — when ``facet_limit`` is set — the ``facet_limit`` commonest keys of
        every facet (all years), most frequent first, ties by key."""
        ...

    def month_counts(self, sel: Selection, year: int) -> dict[int, int]:
        """Matches of ``sel`` per month (1-12) of ``year``."""
        ...

    def stored(self, ids: Sequence[str]) -> dict[str, str]:
        """The stored JSON of each id that is in the index."""
        ...

    def ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Ids in the index starting with ``prefix``, in id order."""
        ...

    def doc_count(self) -> int: ...

    def doc_frequency(self, field: str, term: str) -> int:
        """Documents whose ``field`` holds the analysed ``term``."""
        ...

    def date_bounds(self) -> tuple[int, int] | None:
        """The first and last date (yyyymmdd) of dated documents, None if none."""
        ...

    def files(self) -> list[str]:
        """The backend's own files of the open commit, relative to the generation."""
        ...


class Writer(Protocol):
    """Changes to one generation, visible to searchers after ``commit``."""

    def add(self, doc: IndexedDocument) -> None:
        """A document known not to be in the index (builds)."""
        ...

    def add_encoded(self, data: object) -> None:
        """``add`` for what ``BackendType.encode`` made of a document (in a worker)."""
        ...

    def upsert(self, doc: IndexedDocument) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    def commit(self) -> str:
        """Make the changes durable and visible at once; returns the new generation key."""
        ...

    def cancel(self) -> None: ...


class BackendType(Protocol):
    """A backend: creates, opens and writes generations in its own format."""

    name: str
    capabilities: Capabilities
    #: Bumped when the backend's on-disk layout changes; an index with another is rebuilt.
    schema_version: int

    def create(self, gen: Path) -> None:
        """An empty index in the new generation folder ``gen``."""
        ...

    def open(self, gen: Path) -> Searcher: ...

    def current_key(self, gen: Path) -> str:
        """The generation key of the newest commit on disk, without opening the index."""
        ...

    def writer(self, gen: Path, *, bulk: bool = False) -> Writer:
        """A writer for ``gen``; ``bulk`` for a build (only ``add``, one commit)."""
        ...

    def encode(self, doc: IndexedDocument) -> object:
        """A document as the writer's ``add_encoded`` takes it: the part of adding it
        that can run in a parse worker (picklable)."""
        ...

    def check(self, gen: Path) -> list[str]:
        """Verify the backend's files thoroughly; the problems found (empty: sound)."""
        ...


class PartitionedBackend(BackendType, Protocol):
    """A backend whose ``capabilities.partitioned_build`` is set: worker processes each
    write a part of a new index, which one commit then joins."""

    def build_part(self, gen: Path, part: int, docs: Iterable[IndexedDocument]) -> object:
        """Index ``docs`` as part ``part``; returns a picklable token for finish_build."""
        ...

    def finish_build(self, gen: Path, parts: list[object]) -> str:
        """Commit the parts as one index; returns the generation key."""
        ...
