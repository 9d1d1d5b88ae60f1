"""The search session behind the app's main screen, as plain state: no widgets.

``SearchSession`` holds what the user asked for (query, filters, date range, sort),
which request is the newest and which results are on screen (generation numbers:
a late answer never overwrites a newer one), paging, the detail pane's history of
documents, and the query history kept per index. The screen asks it what to do and
renders the answers; everything here is testable without Textual.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from searchkit.model import FACETS, SORTS, Results, SearchRequest, Sort
from searchkit.state import QueryHistory

__all__ = ["Answer", "DateRange", "SearchSession", "Visit"]

PAGE_SIZE = 20  # hits fetched at once; more as the cursor nears the end
FACET_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Visit:
    """A document shown in the detail pane."""

    doc_id: str
    from_results: bool  # opened by moving through the results list


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date
    label: str  # "2016-04"


@dataclass(frozen=True, slots=True)
class Answer:
    """Results the screen should put on screen now."""

    generation: int
    request: SearchRequest
    results: Results
    same_text: bool  # the query text is the one already on screen (keep the cursor)
    second_pass: bool  # a did-you-mean pass over results already shown
    typed: bool  # answers a keystroke (the detail pane waits for a pause in typing)


class SearchSession:
    """One user's search: what is asked, what is answered, what was looked at."""

    def __init__(
        self,
        query: str = "",
        *,
        page_size: int = PAGE_SIZE,
        facet_limit: int = FACET_LIMIT,
    ) -> None:
        self.query = query
        self.filters: dict[str, list[str]] = {}
        self.date_range: DateRange | None = None
        self.sort: Sort = "relevance"
        self.page_size = page_size
        self.facet_limit = facet_limit
        # Requests are numbered; an answer for an older one is dropped.
        self.generation = 0  # of the newest request issued
        self.shown_generation = 0  # of the newest results on screen
        self.answered = 0  # of the newest request answered (shown or failed)
        self.request: SearchRequest | None = None  # the newest issued
        self.typed = False  # whether the newest request answers a keystroke
        self.results: Results | None = None  # on screen
        self.shown_request: SearchRequest | None = None  # the request ``results`` answer
        self.shown_query: str | None = None  # its query text
        #: What the results on screen matched: the query, or its auto-correction.
        self.highlight_query = query
        self.loading_more = False
        # The detail pane's documents, for Back and Forward.
        self.visits: list[Visit] = []
        self.visit_pos = -1
        self.history: QueryHistory | None = None

    # --- requests ---------------------------------------------------------------------

    def build_request(self) -> SearchRequest:
        filters = tuple((f, tuple(self.filters[f])) for f in FACETS if self.filters.get(f))
        lo, hi = (self.date_range.start, self.date_range.end) if self.date_range else (None, None)
        return SearchRequest(
            query=self.query,
            filters=filters,
            date_from=lo,
            date_to=hi,
            sort=self.sort,
            limit=self.page_size,
            facet_limit=self.facet_limit,
            suggest=False,  # did-you-mean comes in a second pass, after a pause
        )

    def issue(self, *, typed: bool = False) -> tuple[int, SearchRequest]:
        """A new request for the current state, numbered."""
        self.generation += 1
        self.request = self.build_request()
        self.typed = typed
        return self.generation, self.request

    @property
    def busy(self) -> bool:
        """Whether the newest request is still unanswered.

        Derived from generation numbers, not counted: a worker cancelled before it ran
        answers nothing, and a count would then stay above zero for good.
        """
        return self.generation != self.answered

    def failed(self, generation: int) -> bool:
        """Request ``generation`` failed; whether its error is worth showing."""
        self.answered = max(self.answered, generation)
        return generation >= self.shown_generation

    def answer(self, generation: int, request: SearchRequest, results: Results) -> Answer | None:
        """Results for request ``generation`` arrived: what to show, or None to drop them.

        Results of an older request than those on screen are dropped (a slow search
        finishing late), and so is a did-you-mean pass for a request that is no
        longer the newest.
        """
        second_pass = request.suggest
        self.answered = max(self.answered, generation)
        if generation < self.shown_generation:
            return None
        if second_pass and generation != self.generation:
            return None
        same_text = request.query == self.shown_query
        self.shown_generation = generation
        self.results, self.shown_request = results, request
        self.shown_query = request.query
        self.loading_more = False
        if results.corrected_from and results.suggestion:
            self.highlight_query = results.suggestion  # the hits answer the correction
        else:
            self.highlight_query = request.query
        typed = self.typed and generation == self.generation
        return Answer(generation, request, results, same_text, second_pass, typed)

    def wants_suggestion(self, answer: Answer) -> bool:
        """Whether a did-you-mean pass should follow these results (after a pause)."""
        return bool(answer.request.query.strip()) and not answer.second_pass

    def next_page(self, shown: int) -> tuple[int, SearchRequest] | None:
        """The request for the hits after the first ``shown`` of the results on screen
        (never of a newer request still running), or None when there are no more."""
        results, request = self.results, self.shown_request
        if results is None or request is None or self.loading_more or shown >= results.total:
            return None
        self.loading_more = True
        page = replace(request, offset=shown, limit=self.page_size, suggest=False)
        if results.corrected_from and results.suggestion:
            page = replace(page, query=results.suggestion)
        return self.shown_generation, page

    def page_arrived(self, generation: int) -> bool:
        """A page arrived; whether it belongs to the results on screen."""
        self.loading_more = False
        return generation == self.shown_generation and self.results is not None

    # --- what is asked ----------------------------------------------------------------

    def set_query(self, text: str) -> None:
        self.query = text

    @property
    def has_filters(self) -> bool:
        return bool(self.filters) or self.date_range is not None

    def toggle(self, facet: str, value: str) -> bool:
        """Pick ``value`` of ``facet``, or unpick it (values compare without case);
        True when it is picked now."""
        values = self.filters.setdefault(facet, [])
        folded = [v.casefold() for v in values]
        picked = value.casefold() not in folded
        if picked:
            values.append(value)
        else:
            del values[folded.index(value.casefold())]
            if facet == "year":
                self.date_range = None  # a month is within a year
        if not values:
            del self.filters[facet]
        return picked

    def remove_filter(self, facet: str, value: str) -> None:
        """Remove one filter; ``facet == "date"`` is the date range."""
        if facet == "date":
            self.date_range = None
            return
        values = self.filters.get(facet, [])
        if value in values:
            values.remove(value)
        if not values:
            self.filters.pop(facet, None)
        if facet == "year":
            self.date_range = None

    def add_tag(self, tag: str) -> bool:
        """Add a tag filter; False when it was there already."""
        tags = self.filters.setdefault("tag", [])
        if tag.casefold() in (t.casefold() for t in tags):
            return False
        tags.append(tag)
        return True

    def clear_filters(self) -> bool:
        """Remove every filter; False when there was none."""
        if not self.has_filters:
            return False
        self.filters.clear()
        self.date_range = None
        return True

    def choose_period(self, year: int, month: int | None = None) -> None:
        """Filter to a year, or to one month of it (a timeline bar)."""
        self.filters["year"] = [str(year)]
        if month is None:
            self.date_range = None
        else:
            last = calendar.monthrange(year, month)[1]
            self.date_range = DateRange(
                date(year, month, 1), date(year, month, last), f"{year}-{month:02d}"
            )

    def cycle_sort(self) -> Sort:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        return self.sort

    def set_sort(self, sort: Sort) -> None:
        self.sort = sort

    def selected(self, request: SearchRequest | None = None) -> dict[str, tuple[str, ...]]:
        """The picked values per facet, of ``request`` (default: the current state)."""
        if request is not None:
            return {f: tuple(v) for f, v in request.filters}
        return {f: tuple(v) for f, v in self.filters.items()}

    def chips(self) -> list[tuple[str, str, str]]:
        """The active filters as (facet, value, label), in facet order, dates last."""
        chips = [(f, v, v) for f in FACETS for v in self.filters.get(f, [])]
        if self.date_range is not None:
            chips.append(("date", self.date_range.label, self.date_range.label))
        return chips

    # --- the timeline -----------------------------------------------------------------

    def chosen_period(self) -> tuple[int, int | None] | None:
        """The month filter, as the timeline marks it."""
        if self.date_range is None:
            return None
        return self.date_range.start.year, self.date_range.start.month

    @staticmethod
    def one_year(request: SearchRequest, results: Results) -> int | None:
        """The one year these results are in (picked, or the only one with hits): the
        timeline then shows its months."""
        years = request.filter_values("year")
        if len(years) == 1 and years[0].isdigit():
            return int(years[0])
        present = results.facets.get("year", [])
        if not years and len(present) == 1 and present[0][0].isdigit():
            return int(present[0][0])
        return None

    # --- the detail pane's history ----------------------------------------------------

    @property
    def current_visit(self) -> Visit | None:
        return self.visits[self.visit_pos] if self.visit_pos >= 0 else None

    def visit(self, doc_id: str, *, from_results: bool) -> bool:
        """Show ``doc_id``: a new history entry, except that moving through the results
        replaces the entry it made before (Back returns to where the list was left).
        False when it is the entry shown already."""
        current = self.current_visit
        if (
            current is not None
            and current.doc_id == doc_id
            and current.from_results == from_results
        ):
            return False
        del self.visits[self.visit_pos + 1 :]  # a new visit drops forward history
        if from_results and current is not None and current.from_results:
            self.visits[self.visit_pos] = Visit(doc_id, True)
        else:
            self.visits.append(Visit(doc_id, from_results))
            self.visit_pos = len(self.visits) - 1
        return True

    @property
    def can_go_back(self) -> bool:
        return self.visit_pos > 0

    @property
    def can_go_forward(self) -> bool:
        return self.visit_pos < len(self.visits) - 1

    def back(self) -> str | None:
        if not self.can_go_back:
            return None
        self.visit_pos -= 1
        return self.visits[self.visit_pos].doc_id

    def forward(self) -> str | None:
        if not self.can_go_forward:
            return None
        self.visit_pos += 1
        return self.visits[self.visit_pos].doc_id

    # --- query history ----------------------------------------------------------------

    def open_history(self, index: Path) -> None:
        """Read the queries used before with ``index``."""
        self.history = QueryHistory(index)

    def remember_query(self) -> bool:
        """Keep the current query in the history (a query the user acted on)."""
        if self.history is None:
            return False
        if self.history.queries and self.history.queries[-1] == self.query.strip():
            return False
        return self.history.add(self.query)

    def recent_queries(self, n: int | None = None) -> list[str]:
        return self.history.recent(n) if self.history is not None else []
