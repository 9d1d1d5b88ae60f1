"""The main screen: search box, filters, facets | timeline + results | detail."""

from __future__ import annotations

import calendar
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList
from textual.worker import get_current_worker

from searchkit.errors import SearchkitError
from searchkit.model import FACETS, SORTS, DocumentView, Results, SearchRequest, Sort
from searchkit.tui.messages import (
    AddTagFilter,
    DocumentLoaded,
    EngineReady,
    EngineRefreshed,
    FacetToggled,
    FilterRemoved,
    MoreResults,
    OpenDocument,
    PeriodChosen,
    ResultsShown,
    SearchDone,
    SearchFailed,
    SearchText,
    TimelineCounts,
)
from searchkit.tui.widgets.detail_pane import DetailPane
from searchkit.tui.widgets.facet_panel import FacetPanel
from searchkit.tui.widgets.filter_chips import FilterChips
from searchkit.tui.widgets.results_list import ResultsList
from searchkit.tui.widgets.search_bar import SearchBar
from searchkit.tui.widgets.status_line import StatusLine
from searchkit.tui.widgets.timeline import Timeline, month_bars, year_bars

#: Seconds of quiet typing before a search runs, while an earlier search is still busy.
DEBOUNCE = 0.15
RESULTS_LIMIT = 20  # a page (~8 show at once); more are fetched as the cursor nears the end
#: Did-you-mean runs after this pause in typing (a half-typed word is no typo).
SUGGEST_DELAY = 0.5
#: The detail pane follows the results cursor after this pause (keeps the engine free
#: for the next keystroke's search).
DETAIL_DELAY = 0.05
#: After new results, the detail pane waits for this pause in typing: loading and
#: drawing a whole document between two keystrokes would delay the second one.
DETAIL_AFTER_SEARCH = 0.6
FACET_LIMIT = 10
#: Below this width the facet panel starts hidden (F2 shows it).
NARROW = 110
#: From this height on, the status line keeps two lines (see app.tcss).
TALL = 30
DOC_CACHE = 64


@dataclass(frozen=True, slots=True)
class Visit:
    doc_id: str
    from_results: bool  # opened by moving through the results list


class MainScreen(Screen):
    """Everything the user searches with. Slow work runs in thread workers."""

    BINDINGS = [
        Binding("f1", "app.help", "Help", id="help"),
        Binding("question_mark", "app.help", "Help", show=False, id="help_alt"),
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort"),
        Binding("ctrl+r", "clear_filters", "Clear filters", id="clear_filters"),
        # Offered in the status line, next to the suggestion: not in the footer.
        Binding(
            "ctrl+y", "accept_suggestion", "Accept suggestion", show=False, id="accept_suggestion"
        ),
        Binding("ctrl+b,alt+left", "back", "Back", id="back"),
        Binding("ctrl+f,alt+right", "forward", "Forward", id="forward"),
        Binding("escape", "focus_search", "Search box", show=False, id="focus_search"),
        Binding("f2", "toggle_facets", "Facets", show=False, id="toggle_facets"),
        Binding("f3", "toggle_timeline", "Timeline", show=False, id="toggle_timeline"),
        Binding("f4", "focus_results", "Results", show=False, id="focus_results"),
        Binding("f5", "app.reindex", "Reindex", show=False, id="reindex"),
        Binding("f6", "focus_detail", "Detail", show=False, id="focus_detail"),
        Binding("ctrl+o", "app.open_editor", "Edit", show=False, id="open_editor"),
        Binding("ctrl+g", "app.open_pager", "Page", show=False, id="open_pager"),
        Binding("ctrl+k", "app.copy_id", "Copy id", show=False, id="copy_id"),
    ]

    def __init__(self, query: str = "", *, show_timings: bool = True) -> None:
        super().__init__()
        self.initial_query = query
        self.show_timings = show_timings
        self.query_text = query
        self.filters: dict[str, list[str]] = {}
        self.date_range: tuple[date, date, str] | None = None
        self.sort: Sort = "relevance"
        self.generation = 0  # of the newest request issued
        self.shown_generation = 0  # of the newest results on screen
        self.answered = 0  # of the newest request answered (results shown, or failed)
        self.results: Results | None = None  # on screen
        self.request: SearchRequest | None = None  # the newest issued
        self.shown_request: SearchRequest | None = None  # the one ``results`` answer
        self.shown_query: str | None = None  # text of the results on screen
        #: What the results on screen matched: the query, or its auto-correction.
        self.highlight_query = query
        self.shown_at = 0.0  # perf_counter() when they were put on screen
        self._timer: Timer | None = None
        self._ready = False
        self.history: list[Visit] = []
        self.history_pos = -1
        self.detail_wanted: str | None = None
        self._docs: OrderedDict[str, DocumentView] = OrderedDict()
        self._refreshing = False
        self._facets_forced: bool | None = None
        self._binding_state: tuple[bool | None, ...] = ()
        self._suggest_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._loading_more = False
        self.suggest_delay = SUGGEST_DELAY
        self.detail_after_search = DETAIL_AFTER_SEARCH
        self._detail_shown: tuple[str, str] | None = None  # (document id, highlight query)
        self._collecting = False  # the idle collector starts once results are first shown
        self._facets_pending: tuple[dict, dict] | None = None  # while the panel is hidden

    # --- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SearchBar(self.initial_query, id="query")
        yield FilterChips(id="chips")
        yield StatusLine(show_timings=self.show_timings, id="status")
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                yield FacetPanel(id="facets")
            with Vertical(id="center"):
                yield Timeline(id="timeline")
                yield ResultsList(id="results")
            yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        # Looked up once: every keystroke updates these.
        self.results_list = self.query_one(ResultsList)
        self.status_line = self.query_one(StatusLine)
        self.facet_panel = self.query_one(FacetPanel)
        self.timeline = self.query_one(Timeline)
        self.chips = self.query_one(FilterChips)
        self.detail_pane = self.query_one(DetailPane)
        self.search_bar = self.query_one(SearchBar)
        self.status_line.show_message("Opening the index…")
        self.detail_pane.clear()
        self.search_bar.focus()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        self.set_class(narrow, "-narrow")
        self.set_class(event.size.height >= TALL, "-tall")
        self._apply_facets_visibility()

    def _apply_facets_visibility(self) -> None:
        show = self._facets_forced
        if show is None:
            show = not self.has_class("-narrow")
        self.set_class(not show, "-no-facets")
        if show and self._facets_pending is not None:
            facets, selected = self._facets_pending
            self._facets_pending = None
            self.facet_panel.show(facets, selected)

    @property
    def engine(self):
        return self.app.engine  # type: ignore[attr-defined]

    # --- searching ---------------------------------------------------------------------

    def on_engine_ready(self, _: EngineReady) -> None:
        self._ready = True
        self._docs.clear()
        self._detail_shown = None
        self.search_now()

    def build_request(self) -> SearchRequest:
        filters = tuple((f, tuple(self.filters[f])) for f in FACETS if self.filters.get(f))
        lo, hi = (self.date_range[0], self.date_range[1]) if self.date_range else (None, None)
        return SearchRequest(
            query=self.query_text,
            filters=filters,
            date_from=lo,
            date_to=hi,
            sort=self.sort,
            limit=RESULTS_LIMIT,
            facet_limit=FACET_LIMIT,
            suggest=False,  # did-you-mean comes in a second pass, after a pause
        )

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self.schedule_search()

    def schedule_search(self) -> None:
        """Search now when idle; while a search is busy, wait for a pause in typing.

        A plain trailing debounce would add its whole delay to every keystroke; this
        searches at once when nothing is running and only coalesces bursts of keys
        that arrive while the engine is busy.
        """
        if not self._ready:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self.busy:
            self.search_now()
        else:
            self._timer = self.set_timer(DEBOUNCE, self.search_now)

    @property
    def busy(self) -> bool:
        """Whether the newest request has not been answered yet.

        Derived from generations, not counted: a worker cancelled before it ran posts
        nothing, and a count would then stay above zero for good.
        """
        return self.generation != self.answered

    def search_now(self) -> None:
        if not self._ready:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._stop_timers()
        self.generation += 1
        self.request = self.build_request()
        self.workers.cancel_group(self, "timeline")
        self._search(self.generation, self.request)

    def _stop_timers(self) -> None:
        for name in ("_suggest_timer", "_detail_timer"):
            timer = getattr(self, name)
            if timer is not None:
                timer.stop()
                setattr(self, name, None)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, generation: int, request: SearchRequest) -> None:
        try:
            results = self.engine.search(request)
        except SearchkitError as exc:
            self.post_message(SearchFailed(generation, str(exc)))
            return
        except Exception as exc:  # a bug in the engine must not kill the app
            self.post_message(SearchFailed(generation, f"search failed: {exc!r}"))
            return
        self.post_message(SearchDone(generation, request, results))

    def _schedule_suggestion(
        self, generation: int, request: SearchRequest, results: Results
    ) -> None:
        if not request.query.strip() or request.suggest:
            return
        self._suggest_timer = self.set_timer(
            self.suggest_delay, lambda: self._suggest(generation, request, results)
        )

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest(self, generation: int, request: SearchRequest, results: Results) -> None:
        if generation != self.generation:
            return
        engine = self.engine
        try:
            if results.total:
                # Only the suggestion is new: the results on screen stay.
                suggestion = engine.suggestion(request, results.total)
                if suggestion:
                    results = replace(results, suggestion=suggestion)
            else:  # nothing found: the corrected query's results replace them
                results = engine.search(replace(request, suggest=True))
        except Exception:
            return
        if results.suggestion:
            self.post_message(SearchDone(generation, replace(request, suggest=True), results))

    def on_search_failed(self, message: SearchFailed) -> None:
        self.answered = max(self.answered, message.generation)
        if message.generation >= self.shown_generation:
            self.status_line.show_message(message.error)

    def on_search_done(self, message: SearchDone) -> None:
        second_pass = message.request.suggest
        self.answered = max(self.answered, message.generation)
        if message.generation < self.shown_generation:
            return  # an older search finished late: never overwrite newer results
        if second_pass and message.generation != self.generation:
            return
        self.shown_generation = message.generation
        results, request = message.results, message.request
        self.results, self.shown_request = results, request
        if results.corrected_from and results.suggestion:
            self.highlight_query = results.suggestion  # the hits answer the correction
        else:
            self.highlight_query = request.query
        with self.app.batch_update():  # one layout and one drawing for all of it
            self._show_results(message.generation, request, results)
        self.shown_query = request.query
        self.call_after_refresh(self._shown, message.generation, request.query)
        if not second_pass:
            self._schedule_suggestion(message.generation, request, results)

    def _show_results(self, generation: int, request: SearchRequest, results: Results) -> None:
        results_list = self.results_list
        # Same text (a filter, sort or index change): keep the document under the cursor.
        # New text: start at the best match.
        keep = results_list.highlighted_id if request.query == self.shown_query else None
        results_list.show(results.hits, keep)
        self.status_line.show_results(results, len(results.hits))
        selected = {f: tuple(v) for f, v in request.filters}
        if self.has_class("-no-facets"):
            self._facets_pending = (results.facets, selected)  # drawn when shown
        else:
            self.facet_panel.show(results.facets, selected)
        self._update_timeline(generation, request, results)
        self._update_chips()
        if results.hits:
            self._follow_cursor(self.detail_after_search)
        else:
            self.detail_wanted = None
            self._detail_shown = None
            self.detail_pane.clear("No matching documents.")
        self._bindings_changed()

    def load_more(self) -> None:
        """Fetch the next page of results (the cursor reached the last one)."""
        # Page the request whose results are on screen, not a newer one still running.
        results, request = self.results, self.shown_request
        if results is None or request is None or self._loading_more:
            return
        shown = len(self.results_list.hits)
        if shown >= results.total:
            return
        self._loading_more = True
        page = replace(request, offset=shown, limit=RESULTS_LIMIT, suggest=False)
        if results.corrected_from and results.suggestion:
            page = replace(page, query=results.suggestion)
        self._more(self.shown_generation, page)

    @work(thread=True, exclusive=True, group="more")
    def _more(self, generation: int, request: SearchRequest) -> None:
        try:
            results = self.engine.search(request)
        except Exception:
            results = None
        self.post_message(MoreResults(generation, results.hits if results else []))

    def on_more_results(self, message: MoreResults) -> None:
        self._loading_more = False
        if message.generation != self.shown_generation or self.results is None:
            return
        results_list = self.results_list
        results_list.append(message.hits)
        self.status_line.show_results(self.results, len(results_list.hits))

    def _shown(self, generation: int, query: str) -> None:
        self.shown_at = time.perf_counter()
        if not self._collecting:
            # The engine is open and its first results are drawn: from now on, garbage
            # is collected in pauses between keystrokes (see idle_gc.py).
            self._collecting = True
            self.app.collector.start()  # type: ignore[attr-defined]
        self.post_message(ResultsShown(generation, query))

    def on_results_shown(self, message: ResultsShown) -> None:
        pass  # a hook for tests and benchmarks

    # --- timeline ----------------------------------------------------------------------

    def _one_year(self, request: SearchRequest, results: Results) -> int | None:
        years = request.filter_values("year")
        if len(years) == 1 and years[0].isdigit():
            return int(years[0])
        present = results.facets.get("year", [])
        if not years and len(present) == 1 and present[0][0].isdigit():
            return int(present[0][0])
        return None

    def _update_timeline(self, generation: int, request: SearchRequest, results: Results) -> None:
        timeline = self.timeline
        year = self._one_year(request, results)
        chosen: tuple[int, int | None] | None = None
        if self.date_range is not None:
            chosen = (self.date_range[0].year, self.date_range[0].month)
        elif year is not None:
            chosen = (year, None)
        if year is None:
            timeline.show(year_bars(results.facets.get("year", [])), chosen)
            return
        if timeline.monthly and timeline.bars and timeline.bars[0].year == year:
            timeline.chosen = chosen  # keep the old months until the new counts arrive
            timeline.refresh()
        else:
            timeline.show([], chosen)
        self._count_months(generation, request, year)

    @work(thread=True, exclusive=True, group="timeline")
    def _count_months(self, generation: int, request: SearchRequest, year: int) -> None:
        if get_current_worker().is_cancelled or generation != self.generation:
            return
        # Every month of the year, also while one month is the active date filter.
        whole_year = replace(request, date_from=None, date_to=None)
        try:
            counts = dict(self.engine.month_counts(whole_year, year))
        except Exception:
            return
        months = [counts.get(f"{year}-{month:02d}", 0) for month in range(1, 13)]
        self.post_message(TimelineCounts(generation, year, months))

    def on_timeline_counts(self, message: TimelineCounts) -> None:
        if message.generation != self.shown_generation:
            return
        chosen = None
        if self.date_range is not None:
            chosen = (self.date_range[0].year, self.date_range[0].month)
        self.timeline.show(month_bars(message.year, message.months), chosen)

    def on_period_chosen(self, message: PeriodChosen) -> None:
        self.filters["year"] = [str(message.year)]
        if message.month is None:
            self.date_range = None
        else:
            last = calendar.monthrange(message.year, message.month)[1]
            self.date_range = (
                date(message.year, message.month, 1),
                date(message.year, message.month, last),
                f"{message.year}-{message.month:02d}",
            )
        self.search_now()

    # --- filters -----------------------------------------------------------------------

    def _update_chips(self) -> None:
        chips = [(f, v, v) for f in FACETS for v in self.filters.get(f, [])]
        if self.date_range is not None:
            chips.append(("date", self.date_range[2], self.date_range[2]))
        self.chips.show(chips)

    def on_facet_toggled(self, message: FacetToggled) -> None:
        values = self.filters.setdefault(message.facet, [])
        folded = [v.casefold() for v in values]
        if message.value.casefold() in folded:
            del values[folded.index(message.value.casefold())]
            if message.facet == "year":
                self.date_range = None
        else:
            values.append(message.value)
        if not values:
            del self.filters[message.facet]
        self.search_now()

    def on_filter_removed(self, message: FilterRemoved) -> None:
        if message.facet == "date":
            self.date_range = None
        else:
            values = self.filters.get(message.facet, [])
            if message.value in values:
                values.remove(message.value)
            if not values:
                self.filters.pop(message.facet, None)
            if message.facet == "year":
                self.date_range = None
        self.search_now()
        if not self.filters and self.date_range is None:
            self.search_bar.focus()

    def on_add_tag_filter(self, message: AddTagFilter) -> None:
        tags = self.filters.setdefault("tag", [])
        if message.tag.casefold() not in (t.casefold() for t in tags):
            tags.append(message.tag)
        self.search_now()
        self.notify(f"Filtering by tag: {message.tag}", markup=False, timeout=2)

    def action_clear_filters(self) -> None:
        if not self.filters and self.date_range is None:
            return
        self.filters.clear()
        self.date_range = None
        self.search_now()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.search_now()
        self.notify(f"Sorted by {self.sort}", timeout=1.5)

    def set_sort(self, sort: Sort) -> None:
        self.sort = sort
        self.search_now()

    def set_query(self, text: str) -> None:
        """Put ``text`` in the search box and search it."""
        box = self.search_bar
        with box.prevent(Input.Changed):
            box.value = text
        box.cursor_position = len(text)
        self.query_text = text
        self.search_now()

    def action_accept_suggestion(self) -> None:
        suggestion = self.status_line.suggestion
        if suggestion:
            self.set_query(suggestion)

    def on_search_text(self, message: SearchText) -> None:
        self.set_query(message.text)
        self.search_bar.focus()

    # --- detail pane and history -------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#results")
    def _result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:
            return
        self._follow_cursor(DETAIL_DELAY)
        if event.option_index >= len(self.results_list.hits) - 3:
            self.load_more()

    def _follow_cursor(self, delay: float) -> None:
        """Show the document under the results cursor in the detail pane, after ``delay``."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        doc_id = self.results_list.highlighted_id
        if doc_id is None:
            return
        self._detail_timer = self.set_timer(delay, lambda: self.visit(doc_id, from_results=True))

    @on(OptionList.OptionSelected, "#results")
    def _result_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_focus_detail()

    def on_open_document(self, message: OpenDocument) -> None:
        self.visit(message.doc_id, from_results=False)

    def visit(self, doc_id: str, *, from_results: bool) -> None:
        """Show ``doc_id`` as a new history entry (moving in the results list replaces
        the entry it made before, so Back returns to the list's document)."""
        current = self.history[self.history_pos] if self.history_pos >= 0 else None
        if (
            current is not None
            and current.doc_id == doc_id
            and (from_results == current.from_results)
        ):
            self.load_document(doc_id)
            return
        del self.history[self.history_pos + 1 :]  # a new visit drops forward history
        if from_results and current is not None and current.from_results:
            self.history[self.history_pos] = Visit(doc_id, True)
        else:
            self.history.append(Visit(doc_id, from_results))
            self.history_pos = len(self.history) - 1
        self._bindings_changed()
        self.load_document(doc_id)

    def action_back(self) -> None:
        if self.history_pos > 0:
            self.history_pos -= 1
            self._bindings_changed()
            self.load_document(self.history[self.history_pos].doc_id)

    def action_forward(self) -> None:
        if self.history_pos < len(self.history) - 1:
            self.history_pos += 1
            self._bindings_changed()
            self.load_document(self.history[self.history_pos].doc_id)

    def _bindings_changed(self) -> None:
        """Refresh the footer only when the availability of a binding it shows changed
        (it draws itself again: 10-25 ms)."""
        state = tuple(self.check_action(a, ()) for a in ("back", "forward", "clear_filters"))
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return True if self.history_pos > 0 else None
        if action == "forward":
            return True if self.history_pos < len(self.history) - 1 else None
        if action == "accept_suggestion":
            status = getattr(self, "status_line", None)
            return bool(status is not None and status.suggestion)
        if action == "clear_filters":
            return True if (self.filters or self.date_range) else None
        return True

    def load_document(self, doc_id: str) -> None:
        self.detail_wanted = doc_id
        if self._detail_shown == (doc_id, self.highlight_query):
            return  # already on screen, highlighted for these results
        self._load_document(doc_id, self.highlight_query)

    @work(thread=True, exclusive=True, group="detail")
    def _load_document(self, doc_id: str, query: str) -> None:
        engine = self.engine
        try:
            view = self._docs.get(doc_id)
            if view is None:
                view = engine.document(doc_id)
            doc = view.document
            title_spans = engine.highlight(query, doc.title, "title") if doc.title else []
            body_spans = engine.highlight(query, doc.body, "body") if doc.body else []
        except SearchkitError as exc:
            self.post_message(DocumentLoaded(doc_id, query, None, [], [], str(exc)))
            return
        except Exception as exc:
            self.post_message(DocumentLoaded(doc_id, query, None, [], [], repr(exc)))
            return
        self.post_message(DocumentLoaded(doc_id, query, view, title_spans, body_spans))

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        if message.doc_id != self.detail_wanted:
            return
        pane = self.detail_pane
        if message.view is None:
            self._detail_shown = None
            pane.clear(message.error or "could not open the document")
            return
        self._docs[message.doc_id] = message.view
        self._docs.move_to_end(message.doc_id)
        while len(self._docs) > DOC_CACHE:
            self._docs.popitem(last=False)
        pane.show_document(message.view, message.title_spans, message.body_spans)
        self._detail_shown = (message.doc_id, message.query)
        if message.query != self.highlight_query:
            self._load_document(message.doc_id, self.highlight_query)  # re-highlight

    @property
    def current_document(self) -> str | None:
        """The id of the document in the detail pane (or under the results cursor)."""
        pane = self.detail_pane
        if pane.view is not None:
            return pane.view.document.id
        return self.results_list.highlighted_id

    # --- focus and panels --------------------------------------------------------------

    def action_focus_search(self) -> None:
        self.search_bar.focus()

    def action_focus_results(self) -> None:
        self.results_list.focus()

    def action_focus_detail(self) -> None:
        related = self.query_one("#detail-related", OptionList)
        if related.option_count:
            related.focus()
        else:
            self.detail_pane.focus()

    def action_toggle_facets(self) -> None:
        self._facets_forced = self.has_class("-no-facets")
        self._apply_facets_visibility()

    def action_toggle_timeline(self) -> None:
        self.timeline.toggle_class("-hidden")

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self.action_focus_results()

    # --- the index changing on disk ----------------------------------------------------

    def poll_index(self) -> None:
        if not self._ready or self._refreshing:
            return
        try:
            changed = self.engine.changed_on_disk()
        except Exception:
            return
        if changed:
            self.refresh_engine()

    def refresh_engine(self) -> None:
        self._refreshing = True
        self._refresh_engine()

    @work(thread=True, exclusive=True, group="refresh")
    def _refresh_engine(self) -> None:
        try:
            changed = self.engine.refresh()
        except Exception:
            changed = False
        self.post_message(EngineRefreshed(changed))

    def on_engine_refreshed(self, message: EngineRefreshed) -> None:
        self._refreshing = False
        if message.changed:
            self._collecting = False  # the new index generation's caches, once shown
            self._docs.clear()
            self._detail_shown = None
            self.search_now()  # keeps query, filters, sort and the highlighted document
