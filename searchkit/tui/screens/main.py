"""The main screen: search box, filters, facets | timeline + results | detail.

The search session's state (query, filters, sort, paging, generations, history)
lives in a plain ``SearchSession``; this screen turns keys and messages into calls
on it, runs searches in thread workers, and draws what it says.

Keys work like fzf: the search box keeps the keyboard while ↓/↑ (Ctrl+N/Ctrl+P,
PgDn/PgUp) move the results cursor, Enter opens the hit, and a letter typed while
another panel has focus goes to the box. No binding here uses a key that the box
(Textual's Input) uses for editing.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import replace

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList
from textual.worker import get_current_worker

from searchkit.errors import QueryError, SearchkitError
from searchkit.model import DocumentView, Results, SearchRequest, Sort
from searchkit.textsafe import visible
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
from searchkit.tui.session import Answer, SearchSession
from searchkit.tui.widgets.detail_pane import DetailPane
from searchkit.tui.widgets.facet_panel import FacetPanel
from searchkit.tui.widgets.filter_chips import FilterChips
from searchkit.tui.widgets.results_list import ResultsList
from searchkit.tui.widgets.search_bar import SearchBar
from searchkit.tui.widgets.status_line import StatusLine
from searchkit.tui.widgets.timeline import Timeline, month_bars, year_bars

log = logging.getLogger("searchkit.tui")

#: Seconds of quiet typing before a search runs, while an earlier search is still busy.
DEBOUNCE = 0.15
RESULTS_LIMIT = 20  # a page; more are fetched as the cursor nears the end
#: Did-you-mean runs after this pause in typing (a half-typed word is no typo).
SUGGEST_DELAY = 0.5
#: The detail pane follows the results cursor after this pause (keeps the engine free
#: for the next keystroke's search).
DETAIL_DELAY = 0.05
#: After new results for a keystroke, the detail pane waits for this pause in typing:
#: loading and drawing a whole document between two keystrokes would delay the second.
DETAIL_AFTER_SEARCH = 0.6
FACET_LIMIT = 10
#: Below this width the facet panel starts hidden (F2 shows it).
NARROW = 110
#: Below this width the results take the whole width; Enter opens a document over
#: them (Esc closes it).
SINGLE = 100
#: From this height on, the status line keeps two lines (see app.tcss) and the
#: timeline shows by default.
TALL = 30
#: Hits take two lines each (title; date, outlets, snippet) unless the terminal is
#: at least this wide and TALL: then titles and snippets wrap in full.
ROOMY = 160
DOC_CACHE = 64


class MainScreen(Screen):
    """Everything the user searches with. Slow work runs in thread workers."""

    BINDINGS = [
        Binding("q", "app.quit", "Quit", show=False, id="quit_alt"),
        Binding("f1", "app.help", "Help", id="help"),
        Binding("question_mark", "app.help", "Help", show=False, id="help_alt"),
        Binding("f2", "toggle_facets", "Facets", id="toggle_facets"),
        Binding("down,ctrl+n", "cursor(1)", "Next hit", show=False, id="next_hit"),
        Binding("up,ctrl+p", "cursor(-1)", "Previous hit", show=False, id="previous_hit"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page_up"),
        Binding("j", "cursor(1)", "Next hit", show=False, id="next_hit_alt"),
        Binding("k", "cursor(-1)", "Previous hit", show=False, id="previous_hit_alt"),
        Binding("ctrl+r", "history", "History", id="history"),
        Binding("ctrl+s", "cycle_sort", "Sort", id="sort"),
        Binding("ctrl+l", "clear_filters", "Clear", id="clear_filters", tooltip="Clear filters"),
        # Offered in the status line, next to the suggestion: not in the footer.
        Binding(
            "ctrl+y", "accept_suggestion", "Accept suggestion", show=False, id="accept_suggestion"
        ),
        Binding("ctrl+b,alt+left", "back", "Back", show=False, id="back"),
        Binding("ctrl+f,alt+right", "forward", "Forward", show=False, id="forward"),
        # Shown (and working) only away from the box: in it, Esc has nothing to do.
        Binding("escape", "escape", "Search", id="focus_search"),
        Binding("slash", "focus_search", "Search box", show=False, id="focus_search_alt"),
        Binding("f3", "toggle_timeline", "Timeline", show=False, id="toggle_timeline"),
        Binding("f4", "focus_results", "Results", show=False, id="focus_results"),
        Binding("f5", "app.reindex", "Reindex", show=False, id="reindex"),
        Binding("f6", "focus_detail", "Detail", show=False, id="focus_detail"),
        Binding("ctrl+o", "app.open_link", "Open link", show=False, id="open_link"),
        Binding("ctrl+g", "app.open_editor", "Edit", show=False, id="open_editor"),
        Binding("ctrl+t", "app.copy_id", "Copy id", show=False, id="copy_id"),
    ]

    def __init__(self, query: str = "", *, show_timings: bool = True) -> None:
        super().__init__()
        self.initial_query = query
        self.show_timings = show_timings
        self.session = SearchSession(query, page_size=RESULTS_LIMIT, facet_limit=FACET_LIMIT)
        self.shown_at = 0.0  # perf_counter() when results were last put on screen
        self._timer: Timer | None = None
        self._ready = False
        self._docs: OrderedDict[str, DocumentView] = OrderedDict()
        self._refreshing = False
        self._facets_forced: bool | None = None
        self._timeline_forced: bool | None = None
        self._binding_state: tuple[bool | None, ...] = ()
        self._suggest_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self.suggest_delay = SUGGEST_DELAY
        self.detail_after_search = DETAIL_AFTER_SEARCH
        self.detail_wanted: str | None = None
        self._detail_shown: tuple[str, str] | None = None  # (document id, highlight query)
        self._collecting = False  # the idle collector starts once results are first shown
        self._facets_pending: tuple[dict, dict] | None = None  # while the panel is hidden

    # --- the session's state, as the screen's tests and benchmarks read it --------------

    @property
    def results(self) -> Results | None:
        return self.session.results

    @property
    def request(self) -> SearchRequest | None:
        return self.session.request

    @property
    def shown_request(self) -> SearchRequest | None:
        return self.session.shown_request

    @property
    def shown_query(self) -> str | None:
        return self.session.shown_query

    @property
    def filters(self) -> dict[str, list[str]]:
        return self.session.filters

    @property
    def generation(self) -> int:
        return self.session.generation

    @property
    def busy(self) -> bool:
        return self.session.busy

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
        yield Footer(compact=True)

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
        width, height = event.size
        self.set_class(width < NARROW, "-narrow")
        single = width < SINGLE
        self.set_class(single, "-single")
        if not single:
            self.set_class(False, "-reading")
        short = height < TALL
        self.set_class(not short, "-tall")
        self.set_class(short, "-short")
        self.results_list.set_compact(short or width < ROOMY)
        self._apply_facets_visibility()
        self._apply_timeline_visibility()
        # Narrow: the footer's room goes to the main keys (the palette is in F1's list).
        self.query_one(Footer).show_command_palette = width >= SINGLE

    def _apply_facets_visibility(self) -> None:
        show = self._facets_forced
        if show is None:
            show = not self.has_class("-narrow")
        self.set_class(not show, "-no-facets")
        if show and self._facets_pending is not None:
            facets, selected = self._facets_pending
            self._facets_pending = None
            self.facet_panel.show(facets, selected)

    def _apply_timeline_visibility(self) -> None:
        show = self._timeline_forced
        if show is None:
            show = not self.has_class("-short")
        self.timeline.set_class(not show, "-hidden")

    @property
    def engine(self):
        return self.app.engine  # type: ignore[attr-defined]

    @property
    def reading(self) -> bool:
        """A document fills the screen (narrow terminals, after Enter)."""
        return self.has_class("-reading")

    # --- keys --------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """A printable key typed outside the search box goes to the box (unless a
        binding of the focused panel, like j or s, wants it)."""
        if not event.is_printable or event.character is None:
            return
        focused = self.focused
        if focused is None or isinstance(focused, Input):
            return
        if event.key in self.active_bindings:
            return
        event.stop()
        event.prevent_default()
        self.action_escape()  # back to the box (and the results, on a narrow screen)
        self.search_bar.type_text(event.character)

    def action_cursor(self, delta: int) -> None:
        """Move the results cursor; ↑ in an empty box, at the top, recalls history."""
        if (
            delta < 0
            and self.focused is self.search_bar
            and not self.search_bar.value
            and not self.results_list.position
        ):
            self.action_history()
            return
        self.results_list.move(delta)

    def action_page(self, direction: int) -> None:
        self.results_list.page(direction)

    def action_escape(self) -> None:
        if self.reading:
            self.set_class(False, "-reading")
        self.action_focus_search()

    def action_focus_search(self) -> None:
        self.search_bar.focus()

    def action_open(self) -> None:
        """Open the hit under the cursor: the detail pane gets the keyboard (and the
        whole screen on a narrow terminal)."""
        doc_id = self.results_list.highlighted_id
        if doc_id is None:
            return
        self.session.remember_query()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self.visit(doc_id, from_results=True)
        if self.has_class("-single"):
            self.set_class(True, "-reading")
        self.detail_pane.focus()

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self.action_open()

    @on(OptionList.OptionSelected, "#results")
    def _result_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    # --- searching ---------------------------------------------------------------------

    def on_engine_ready(self, _: EngineReady) -> None:
        self._ready = True
        self._docs.clear()
        self._detail_shown = None
        self.session.open_history(self.app.index_dir)  # type: ignore[attr-defined]
        if self.initial_query:
            self.session.remember_query()
        self.search_now()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.session.set_query(event.value)
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
        if not self.session.busy:
            self.search_now(typed=True)
        else:
            self._timer = self.set_timer(DEBOUNCE, lambda: self.search_now(typed=True))

    def search_now(self, *, typed: bool = False) -> None:
        if not self._ready:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._stop_timers()
        generation, request = self.session.issue(typed=typed)
        self.workers.cancel_group(self, "timeline")
        self._search(generation, request)

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
        except QueryError as exc:
            # A query that cannot be searched as typed (a bad date): no results until
            # it parses, and the reason where notices go.
            results = Results(request.query, 0, [], {}, notices=[str(exc)])
        except SearchkitError as exc:
            self.post_message(SearchFailed(generation, str(exc)))
            return
        except Exception as exc:  # a bug in the engine must not kill the app
            log.exception("search failed: %r", request)
            self.post_message(SearchFailed(generation, f"search failed: {exc!r}"))
            return
        self.post_message(SearchDone(generation, request, results))

    def _schedule_suggestion(self, answer: Answer) -> None:
        if not self.session.wants_suggestion(answer):
            return
        generation, request, results = answer.generation, answer.request, answer.results
        self._suggest_timer = self.set_timer(
            self.suggest_delay, lambda: self._suggest(generation, request, results)
        )

    @work(thread=True, exclusive=True, group="suggest")
    def _suggest(self, generation: int, request: SearchRequest, results: Results) -> None:
        if generation != self.session.generation:
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
        except Exception:  # a suggestion is optional; the results are on screen
            log.exception("did-you-mean failed for %r", request.query)
            return
        if results.suggestion:
            self.post_message(SearchDone(generation, replace(request, suggest=True), results))

    def on_search_failed(self, message: SearchFailed) -> None:
        if self.session.failed(message.generation):
            self.status_line.show_message(message.error)

    def on_search_done(self, message: SearchDone) -> None:
        answer = self.session.answer(message.generation, message.request, message.results)
        if answer is None:
            return  # an older search finished late: never overwrite newer results
        with self.app.batch_update():  # one layout and one drawing for all of it
            self._show_results(answer)
        self.call_after_refresh(self._shown, answer.generation, answer.request.query)
        self._schedule_suggestion(answer)

    def _show_results(self, answer: Answer) -> None:
        results, request = answer.results, answer.request
        results_list = self.results_list
        # Same text (a filter, sort or index change): keep the document under the cursor
        # if it is still there. New text: start at the best match.
        keep = results_list.highlighted_id if answer.same_text else None
        results_list.show(results.hits, keep)
        self.status_line.show_results(results, len(results.hits))
        selected = self.session.selected(request)
        if self.has_class("-no-facets"):
            self._facets_pending = (results.facets, selected)  # drawn when shown
        else:
            self.facet_panel.show(results.facets, selected)
        self._update_timeline(answer)
        self.chips.show(self.session.chips())
        if results.hits:
            shown = self.detail_pane.view
            gone = shown is not None and shown.document.id not in {h.id for h in results.hits}
            # The pane follows at once when its document left the results (a filter
            # removed it); after a keystroke it waits for a pause in typing.
            delay = self.detail_after_search if answer.typed and not gone else DETAIL_DELAY
            self._follow_cursor(delay)
        else:
            self.detail_wanted = None
            self._detail_shown = None
            self.detail_pane.clear("No matching documents.")
        self._bindings_changed()

    def load_more(self) -> None:
        """Fetch the next page of results (the cursor reached the last ones)."""
        page = self.session.next_page(len(self.results_list.hits))
        if page is not None:
            self._more(*page)

    @work(thread=True, exclusive=True, group="more")
    def _more(self, generation: int, request: SearchRequest) -> None:
        try:
            results = self.engine.search(request)
        except Exception as exc:
            log.exception("next page failed: %r", request)
            self.post_message(SearchFailed(generation, f"more results failed: {exc}"))
            results = None
        self.post_message(MoreResults(generation, results.hits if results else []))

    def on_more_results(self, message: MoreResults) -> None:
        if not self.session.page_arrived(message.generation):
            return
        results_list = self.results_list
        results_list.append(message.hits)
        assert self.session.results is not None
        self.status_line.show_results(self.session.results, len(results_list.hits))

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

    def _update_timeline(self, answer: Answer) -> None:
        timeline = self.timeline
        request, results = answer.request, answer.results
        year = self.session.one_year(request, results)
        chosen = self.session.chosen_period()
        if chosen is None and year is not None:
            chosen = (year, None)
        if year is None:
            timeline.show(year_bars(results.facets.get("year", [])), chosen)
            return
        if timeline.monthly and timeline.bars and timeline.bars[0].year == year:
            timeline.chosen = chosen  # keep the old months until the new counts arrive
            timeline.refresh()
        else:
            timeline.show([], chosen)
        self._count_months(answer.generation, request, year)

    @work(thread=True, exclusive=True, group="timeline")
    def _count_months(self, generation: int, request: SearchRequest, year: int) -> None:
        if get_current_worker().is_cancelled or generation != self.session.generation:
            return
        # Every month of the year, also while one month is the active date filter.
        whole_year = replace(request, date_from=None, date_to=None)
        try:
            counts = dict(self.engine.month_counts(whole_year, year))
        except Exception:  # the timeline keeps its year bars
            log.exception("month counts failed for %s", year)
            return
        months = [counts.get(f"{year}-{month:02d}", 0) for month in range(1, 13)]
        self.post_message(TimelineCounts(generation, year, months))

    def on_timeline_counts(self, message: TimelineCounts) -> None:
        if message.generation != self.session.shown_generation:
            return
        self.timeline.show(month_bars(message.year, message.months), self.session.chosen_period())

    def on_period_chosen(self, message: PeriodChosen) -> None:
        self.session.choose_period(message.year, message.month)
        self.search_now()

    # --- filters -----------------------------------------------------------------------

    def on_facet_toggled(self, message: FacetToggled) -> None:
        self.session.toggle(message.facet, message.value)
        self.search_now()

    def on_filter_removed(self, message: FilterRemoved) -> None:
        self.session.remove_filter(message.facet, message.value)
        self.search_now()
        if not self.session.has_filters:
            self.search_bar.focus()

    def on_add_tag_filter(self, message: AddTagFilter) -> None:
        self.session.add_tag(message.tag)
        self.search_now()
        self.notify(f"Filtering by tag: {visible(message.tag)}", markup=False, timeout=2)

    def action_clear_filters(self) -> None:
        if self.session.clear_filters():
            self.search_now()

    def action_cycle_sort(self) -> None:
        sort = self.session.cycle_sort()
        self.search_now()
        self.notify(f"Sorted by {sort}", timeout=1.5)

    def set_sort(self, sort: Sort) -> None:
        self.session.set_sort(sort)
        self.search_now()

    def set_query(self, text: str) -> None:
        """Put ``text`` in the search box and search it."""
        box = self.search_bar
        with box.prevent(Input.Changed):
            box.value = text
        box.cursor_position = len(text)
        self.session.set_query(text)
        self.search_now()

    def action_accept_suggestion(self) -> None:
        suggestion = self.status_line.suggestion
        if suggestion:
            self.set_query(suggestion)

    def on_search_text(self, message: SearchText) -> None:
        self.set_query(message.text)
        self.set_class(False, "-reading")
        self.search_bar.focus()

    # --- query history -----------------------------------------------------------------

    def action_history(self) -> None:
        from searchkit.tui.screens.history import HistoryScreen

        def picked(query: str | None) -> None:
            if query is not None:
                self.set_query(query)
                self.session.remember_query()  # the most recent one again
            self.search_bar.focus()

        self.app.push_screen(HistoryScreen(self.session.recent_queries()), picked)

    # --- detail pane and history -------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#results")
    def _result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:
            return
        self._follow_cursor(DETAIL_DELAY)
        if event.option_index >= event.option_list.option_count - 6:
            self.load_more()

    def _follow_cursor(self, delay: float) -> None:
        """Show the document under the results cursor in the detail pane, after ``delay``."""
        if self._detail_timer is not None:
            self._detail_timer.stop()
        doc_id = self.results_list.highlighted_id
        if doc_id is None:
            return
        self._detail_timer = self.set_timer(delay, lambda: self.visit(doc_id, from_results=True))

    def on_open_document(self, message: OpenDocument) -> None:
        self.visit(message.doc_id, from_results=False)

    def visit(self, doc_id: str, *, from_results: bool) -> None:
        """Show ``doc_id`` in the detail pane (see ``SearchSession.visit``)."""
        if self.session.visit(doc_id, from_results=from_results):
            self._bindings_changed()
        self.load_document(doc_id)

    def action_back(self) -> None:
        doc_id = self.session.back()
        if doc_id is not None:
            self._bindings_changed()
            self.load_document(doc_id)

    def action_forward(self) -> None:
        doc_id = self.session.forward()
        if doc_id is not None:
            self._bindings_changed()
            self.load_document(doc_id)

    def _bindings_changed(self) -> None:
        """Refresh the footer only when the availability of a binding it shows changed
        (it draws itself again: 10-25 ms)."""
        state = (self.check_action("clear_filters", ()),)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys that do nothing now are left out of the footer (room for the rest).
        if action == "back":
            return self.session.can_go_back
        if action == "forward":
            return self.session.can_go_forward
        if action == "accept_suggestion":
            status = getattr(self, "status_line", None)
            return bool(status is not None and status.suggestion)
        if action == "clear_filters":
            return self.session.has_filters
        if action == "escape":
            return self.reading or not isinstance(self.focused, Input)
        return True

    def load_document(self, doc_id: str) -> None:
        self.detail_wanted = doc_id
        query = self.session.highlight_query
        if self._detail_shown == (doc_id, query):
            return  # already on screen, highlighted for these results
        self._load_document(doc_id, query)

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
            log.exception("could not load %r", doc_id)
            self.post_message(DocumentLoaded(doc_id, query, None, [], [], repr(exc)))
            return
        self.post_message(DocumentLoaded(doc_id, query, view, title_spans, body_spans))

    def on_document_loaded(self, message: DocumentLoaded) -> None:
        if message.doc_id != self.detail_wanted:
            return
        pane = self.detail_pane
        if message.view is None:
            self._detail_shown = None
            pane.clear(visible(message.error or "could not open the document"))
            return
        self._docs[message.doc_id] = message.view
        self._docs.move_to_end(message.doc_id)
        while len(self._docs) > DOC_CACHE:
            self._docs.popitem(last=False)
        pane.show_document(message.view, message.title_spans, message.body_spans)
        self._detail_shown = (message.doc_id, message.query)
        if message.query != self.session.highlight_query:
            self._load_document(message.doc_id, self.session.highlight_query)  # re-highlight

    @property
    def current_document(self) -> str | None:
        """The id of the document in the detail pane (or under the results cursor)."""
        pane = self.detail_pane
        if pane.view is not None:
            return pane.view.document.id
        return self.results_list.highlighted_id

    @property
    def current_view(self) -> DocumentView | None:
        return self.detail_pane.view

    # --- focus and panels --------------------------------------------------------------

    def action_focus_results(self) -> None:
        self.set_class(False, "-reading")
        self.results_list.focus()

    def action_focus_detail(self) -> None:
        if self.has_class("-single"):
            self.set_class(True, "-reading")
        self.detail_pane.focus()

    def action_toggle_facets(self) -> None:
        self._facets_forced = self.has_class("-no-facets")
        self._apply_facets_visibility()

    def action_toggle_timeline(self) -> None:
        self._timeline_forced = self.timeline.has_class("-hidden")
        self._apply_timeline_visibility()

    # --- the index changing on disk ----------------------------------------------------

    def poll_index(self) -> None:
        if not self._ready or self._refreshing:
            return
        try:
            changed = self.engine.changed_on_disk()
        except Exception:  # checked again at the next poll
            log.exception("could not check the index for changes")
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
        except Exception as exc:
            log.exception("could not reopen the index")
            self.app.call_from_thread(
                self.notify, f"could not reopen the index: {exc}", severity="error", markup=False
            )
            changed = False
        self.post_message(EngineRefreshed(changed))

    def on_engine_refreshed(self, message: EngineRefreshed) -> None:
        self._refreshing = False
        if message.changed:
            self._collecting = False  # the new index generation's caches, once shown
            self._docs.clear()
            self._detail_shown = None
            self.search_now()  # keeps query, filters, sort and the highlighted document
