"""Messages the TUI's workers and widgets post; handlers on the screens change widgets."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from searchkit.model import DocumentView, Hit, Results, SearchRequest


@dataclass
class SearchDone(Message):
    """A search worker finished. ``generation`` orders requests: stale ones are dropped."""

    generation: int
    request: SearchRequest
    results: Results


@dataclass
class MoreResults(Message):
    """The next page of hits for the results on screen (``generation``)."""

    generation: int
    hits: list[Hit]


@dataclass
class SearchFailed(Message):
    generation: int
    error: str


@dataclass
class TimelineCounts(Message):
    """Per-month counts for a one-year span (``months`` has 12 entries, January first)."""

    generation: int
    year: int
    months: list[int]


@dataclass
class DocumentLoaded(Message):
    """A document for the detail pane, with the query's highlights already computed."""

    doc_id: str
    query: str
    view: DocumentView | None
    title_spans: list[tuple[int, int]]
    body_spans: list[tuple[int, int]]
    error: str | None = None


@dataclass
class FacetToggled(Message):
    """The user picked (or unpicked) a facet value."""

    facet: str
    value: str


@dataclass
class FilterRemoved(Message):
    """The user removed one active filter chip. ``facet == "date"`` is the date range."""

    facet: str
    value: str


@dataclass
class PeriodChosen(Message):
    """A timeline bar was chosen: a year, or a month (``month`` set) of that year."""

    year: int
    month: int | None = None


@dataclass
class OpenDocument(Message):
    """Open a related or similar story in the detail pane (a new history entry)."""

    doc_id: str


@dataclass
class SearchText(Message):
    """Put ``text`` in the search box and search it (e.g. a dangling link's headline)."""

    text: str


@dataclass
class AddTagFilter(Message):
    tag: str


@dataclass
class IndexProgress(Message):
    phase: str
    done: int
    total: int


@dataclass
class IndexFinished(Message):
    ok: bool
    summary: str


@dataclass
class ResultsShown(Message):
    """Posted after results for ``query`` were put on screen (benchmarks hook this)."""

    generation: int
    query: str


@dataclass
class EngineReady(Message):
    """The engine is open (after building the index, if there was none)."""


@dataclass
class EngineRefreshed(Message):
    """The engine reopened a newer index generation."""

    changed: bool
