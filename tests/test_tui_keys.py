"""The app's keyboard, driven with Pilot: fzf-like flow, no key stolen from the box,
history, clipboard, links, small screens, and never a dead screen."""

from __future__ import annotations

import contextlib
import time
import webbrowser
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.binding import Binding  # noqa: E402
from textual.command import CommandPalette  # noqa: E402
from textual.widgets import Input, OptionList  # noqa: E402

from searchkit.engine import update_index  # noqa: E402
from searchkit.tui import app as app_module  # noqa: E402
from searchkit.tui.app import SearchkitApp, exit_status  # noqa: E402
from searchkit.tui.screens.help import HELP, HelpScreen  # noqa: E402
from searchkit.tui.screens.history import HistoryScreen  # noqa: E402
from searchkit.tui.screens.main import MainScreen  # noqa: E402
from searchkit.tui.widgets.detail_pane import (  # noqa: E402
    DetailPane,
    IdLine,
    shorten_middle,
)
from searchkit.tui.widgets.facet_panel import FacetList  # noqa: E402
from searchkit.tui.widgets.results_list import ResultsList  # noqa: E402
from searchkit.tui.widgets.search_bar import SearchBar  # noqa: E402
from searchkit.tui.widgets.timeline import Timeline  # noqa: E402
from tests.test_tui import (  # noqa: E402
    IDS,
    aio,
    build_corpus,
    make_app,
    quick_detail,  # noqa: F401 - autouse fixture
    screen_text,
    settle,
    start,
    type_query,
)

SIZE = (120, 40)
SMALL = (80, 24)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("keys")
    corpus = build_corpus(root, sample=False)
    index = root / "index"
    update_index(corpus, index)
    return corpus, index


def box(screen: MainScreen) -> SearchBar:
    return screen.query_one(SearchBar)


def cursor_id(screen: MainScreen) -> str | None:
    return screen.query_one(ResultsList).highlighted_id


def hit_ids(screen: MainScreen) -> list[str]:
    return [h.id for h in screen.query_one(ResultsList).hits]


# --- the flow: the box keeps the keyboard -------------------------------------------------


@aio
async def test_down_moves_the_cursor_and_the_box_keeps_typing(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates", keys=True)
        ids = hit_ids(screen)
        assert len(ids) == 3 and cursor_id(screen) == ids[0]
        await pilot.press("down")
        assert cursor_id(screen) == ids[1]
        assert box(screen).has_focus
        await pilot.press("down", "up", "ctrl+n", "ctrl+n")
        assert cursor_id(screen) == ids[2] and box(screen).has_focus
        await pilot.press("ctrl+p")
        assert cursor_id(screen) == ids[1]
        await settle(pilot, app)
        # The detail pane followed the cursor.
        assert screen.query_one(DetailPane).view.document.id == ids[1]
        await pilot.press(*" convoy")
        await settle(pilot, app)
        assert box(screen).value == "pirates convoy" and box(screen).has_focus
        assert hit_ids(screen) == [IDS["pirates2"]]


@aio
async def test_fzf_ctrl_j_ctrl_k_move_and_never_edit_the_query(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates", keys=True)
        bar = box(screen)
        bar.cursor_position = 2  # Input's Ctrl+K would delete "rates"
        ids = hit_ids(screen)
        await pilot.press("ctrl+j", "ctrl+j")
        assert cursor_id(screen) == ids[2]
        await pilot.press("ctrl+k")
        assert cursor_id(screen) == ids[1]
        assert bar.value == "pirates" and bar.cursor_position == 2 and bar.has_focus


@aio
async def test_page_keys_move_a_page(built, monkeypatch):
    app = make_app(built)
    async with app.run_test(size=SMALL) as pilot:
        screen = await start(pilot, app)  # browsing: 28 documents
        results = screen.query_one(ResultsList)
        await pilot.press("pagedown")
        moved = results.position
        assert moved is not None and moved >= 5 and box(screen).has_focus
        await pilot.press("pageup")
        assert results.position == 0


@aio
async def test_printable_keys_from_elsewhere_go_to_the_box(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirate")
        for focus in (
            screen.query_one(ResultsList),
            screen.query_one(DetailPane),
            screen.query_one(Timeline),
            screen.query_one("#facet-tag", FacetList),
        ):
            focus.focus()
            await pilot.pause()
            await pilot.press("s")
            assert box(screen).has_focus and box(screen).value == "pirates"
            await pilot.press("backspace")
        await settle(pilot, app)


@aio
async def test_letter_keys_off_the_box(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        results = screen.query_one(ResultsList)
        results.focus()
        await pilot.press("j", "j")
        assert results.position == 2 and results.has_focus
        await pilot.press("k")
        assert results.position == 1
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")  # closes the help
        assert app.screen is screen
        await pilot.press("slash")
        assert box(screen).has_focus and box(screen).value == "pirates"
        results.focus()
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


@aio
async def test_enter_opens_and_escape_returns_to_the_box(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        await pilot.press("down", "enter")
        await settle(pilot, app)
        pane = screen.query_one(DetailPane)
        assert pane.has_focus and pane.view.document.id == hit_ids(screen)[1]
        await pilot.press("escape")
        assert box(screen).has_focus


@aio
async def test_narrow_terminal_opens_the_document_over_the_results(built):
    app = make_app(built)
    async with app.run_test(size=SMALL) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        pane = screen.query_one(DetailPane)
        assert not pane.display or pane.region.width == 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.reading and pane.has_focus and pane.region.width >= 78
        assert screen.query_one(ResultsList).region.width == 0
        await pilot.press("ctrl+n")  # the next hit, while reading
        await settle(pilot, app)
        assert pane.view.document.id == hit_ids(screen)[1]
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.reading and box(screen).has_focus
        assert screen.query_one(ResultsList).region.width >= 78
        await pilot.press("enter")
        await pilot.press("x")  # typing while reading: back to the box and the results
        await pilot.pause()
        assert not screen.reading and box(screen).value == "piratesx"


# --- no app key shadows an editing key of the box -------------------------------------------


def _keys(bindings) -> set[str]:
    out: set[str] = set()
    for b in bindings:
        b = b if isinstance(b, Binding) else Binding(*b)
        out.update(k.strip() for k in b.key.split(","))
    return out


def test_app_bindings_never_use_an_editing_key_of_the_box():
    editing = _keys(Input.BINDINGS)
    app_keys = _keys(MainScreen.BINDINGS) | _keys(SearchkitApp.BINDINGS)
    assert not (app_keys & editing), app_keys & editing
    # Every binding has an id (for keymaps), in the app and every widget of it.
    from searchkit.tui.screens.index_progress import IndexScreen
    from searchkit.tui.widgets.detail_pane import RelatedList, TagList
    from searchkit.tui.widgets.filter_chips import Chip

    classes = [MainScreen, SearchkitApp, SearchBar, ResultsList, FacetList, TagList]
    classes += [RelatedList, Chip, Timeline, DetailPane, HelpScreen, HistoryScreen, IndexScreen]
    for cls in classes:
        for b in cls.BINDINGS:
            assert isinstance(b, Binding) and b.id, (cls.__name__, b)


# Each app binding, pressed in the box with the cursor mid-query: what F1 says happens,
# and the query is untouched.
CHECKS = {
    "ctrl+s": lambda s, app: s.session.sort == "newest",
    "ctrl+y": lambda s, app: True,  # no suggestion showing: nothing to accept
    "ctrl+l": lambda s, app: not s.session.has_filters,
    "ctrl+b": lambda s, app: True,
    "ctrl+f": lambda s, app: True,
    "alt+left": lambda s, app: True,
    "alt+right": lambda s, app: True,
    "f2": lambda s, app: not s.has_class("-no-facets"),
    "f3": lambda s, app: s.query_one(Timeline).has_class("-hidden"),
    "f4": lambda s, app: s.query_one(ResultsList).has_focus,
    "f6": lambda s, app: s.query_one(DetailPane).has_focus,
    "down": lambda s, app: s.query_one(ResultsList).position == 1,
    "ctrl+n": lambda s, app: s.query_one(ResultsList).position == 1,
    "pagedown": lambda s, app: (s.query_one(ResultsList).position or 0) >= 1,
    "ctrl+t": lambda s, app: any("id" in n.message for n in app._notifications),
}


@aio
async def test_each_app_binding_in_the_box_leaves_the_query_alone(built, monkeypatch):
    monkeypatch.setattr(app_module, "copy", _fake_copy)
    app = make_app(built)
    async with app.run_test(size=(100, 30)) as pilot:  # narrow: facets start hidden
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        bar = box(screen)
        for key, check in CHECKS.items():
            bar.focus()
            bar.cursor_position = 3
            screen.query_one(ResultsList).highlighted = 0
            await pilot.press(key)
            await pilot.pause()
            assert bar.value == "pirates" and bar.cursor_position == 3, key
            assert check(screen, app), key
            if key in ("f2", "f3"):
                await pilot.press(key)  # back as it was
            if key == "ctrl+s":
                screen.set_sort("relevance")
                await settle(pilot, app)


def _fake_copy(text, what, osc52, *args, **kwargs):
    from searchkit.clipboard import Copied

    osc52(text)
    return Copied(True, f"Copied {what} (test: id)", True)


# --- history ---------------------------------------------------------------------------------


@aio
async def test_query_history_recall_with_up_and_ctrl_r(built):
    from searchkit.state import QueryHistory

    for query in ("pirates", "lagoon"):  # from earlier sessions with this index
        QueryHistory(built[1]).add(query)
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington")
        await pilot.press("enter", "escape")  # opening a hit keeps its query
        box(screen).value = ""
        await settle(pilot, app)
        await pilot.press("up")  # an empty box, the cursor at the top
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt) for i in range(3)] == [
            "quarrington",
            "lagoon",
            "pirates",
        ]
        await pilot.press(*"lag", "enter")
        await settle(pilot, app)
        assert app.screen is screen and box(screen).value == "lagoon"
        assert hit_ids(screen) == [IDS["flight"]]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        assert box(screen).value == "lagoon"
    # Kept on disk for the next start, with this index only.
    assert QueryHistory(built[1]).recent() == ["lagoon", "quarrington", "pirates"]


@aio
async def test_palette_lists_recent_queries(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates convoy")
        await pilot.press("enter", "escape")
        await pilot.press("ctrl+backslash")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"again")
        await pilot.pause(0.5)
        shown = [
            str(app.screen.query_one("CommandList").get_option_at_index(i).prompt)
            for i in range(app.screen.query_one("CommandList").option_count)
        ]
        assert any("pirates convoy" in s for s in shown), shown
        await pilot.press("escape")
        assert screen is app.screen


# --- copy, links, editor ---------------------------------------------------------------------


@aio
async def test_copy_id_reports_what_happened(built, monkeypatch, tmp_path):
    monkeypatch.setattr("searchkit.clipboard.shutil.which", lambda name: None)
    monkeypatch.setenv("VTE_VERSION", "7600")  # GNOME Terminal: no OSC 52
    for name in ("TMUX", "STY", "TERM_PROGRAM", "KITTY_WINDOW_ID", "WT_SESSION"):
        monkeypatch.delenv(name, raising=False)
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "lagoon")
        await pilot.press("ctrl+t")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(m.startswith(f"Could not copy {IDS['flight']}") for m in messages), messages
        assert box(screen).value == "lagoon"


@aio
async def test_open_link_and_editor(built, monkeypatch):
    opened: list[str] = []

    class Browser(webbrowser.BackgroundBrowser):
        def open(self, url, new=0, autoraise=True):
            opened.append(url)
            return True

    monkeypatch.setattr(webbrowser, "get", lambda *a: Browser("true"))
    ran: list[list[str]] = []
    monkeypatch.setattr(app_module.subprocess, "call", lambda args: ran.append(args) or 0)
    monkeypatch.setenv("EDITOR", "myeditor --wait")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(built)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington offensive")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert opened == ["http://www.aljazeera.com/news/quarrington.html"]
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert ran == [["myeditor", "--wait", str(built[0] / IDS["alpha"])]]
        await type_query(pilot, app, "lagoon")  # its only source has no URL
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert len(opened) == 1
        assert any("no source link" in n.message for n in app._notifications)
        assert box(screen).value == "lagoon"


@aio
async def test_source_links_are_hyperlinks_and_ids_never_wrap(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington offensive")
        await pilot.press("enter")
        await settle(pilot, app)
        outlets = screen.query_one("#detail-outlets").visual
        links = [s.style.link for s in outlets.spans if getattr(s.style, "link", None)]
        assert links == ["http://www.aljazeera.com/news/quarrington.html"]
        line = screen.query_one(IdLine)
        assert line.size.height == 1
        shown = str(line.render())
        assert len(shown) <= line.size.width and "…" in shown
        assert shown == shorten_middle(IDS["alpha"], line.size.width)
    assert shorten_middle("news/2016/x.md", 40) == "news/2016/x.md"
    assert shorten_middle("abcdefghij", 5) == "ab…ij"


# --- screens of every size -----------------------------------------------------------------


@aio
async def test_small_screen_shows_six_hits_and_the_essential_keys(built):
    app = make_app(built)
    async with app.run_test(size=SMALL) as pilot:
        screen = await start(pilot, app)
        results = screen.query_one(ResultsList)
        assert results.compact
        text = screen_text(app)
        titles = [h.title for h in results.hits]
        visible_titles = [t for t in titles if t[:30] in text]
        assert len(visible_titles) >= 6, text
        footer = text.splitlines()[-1]
        for label in ("Quit", "Help", "Facets", "Open", "History", "Sort"):
            assert label in footer, footer
        # Facets do not squeeze the results to nothing.
        await pilot.press("f2")
        await pilot.pause()
        assert not screen.has_class("-no-facets")
        assert results.region.width >= 40 and results.region.height >= 12


@aio
async def test_timeline_says_nothing_while_the_index_opens(built, monkeypatch):
    import threading

    from searchkit.engine import Engine

    real_warm, opened = Engine.warm, threading.Event()

    def slow_warm(self):
        opened.wait(10)
        real_warm(self)

    monkeypatch.setattr(Engine, "warm", slow_warm)
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        try:
            deadline = time.monotonic() + 10
            while "Opening the index" not in screen_text(app):
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
            assert "no dated matches" not in screen_text(app)
        finally:
            opened.set()
        await start(pilot, app)
        assert "Matches per year" in screen_text(app)


@aio
async def test_detail_follows_when_a_filter_removes_its_document(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        pane = screen.query_one(DetailPane)
        # Move to the 2019 story, wherever relevance ranked it.
        await pilot.press(*["down"] * hit_ids(screen).index(IDS["pirates3"]))
        await settle(pilot, app)
        assert pane.view.document.id == IDS["pirates3"]  # 2019
        years = screen.query_one("#facet-year", FacetList)
        years.focus()
        years.highlighted = [v for v, _ in years.values].index("2015")
        await pilot.press("enter")
        await pilot.pause(0.15)  # less than the pause the pane waits for after typing
        await settle(pilot, app)
        assert hit_ids(screen) == [IDS["pirates1"]]
        assert pane.view.document.id == IDS["pirates1"]
        # Nothing left: the pane says so.
        await type_query(pilot, app, "pirates lagoon")
        assert pane.view is None and "No matching" in pane.title_content.plain


# --- never a dead screen ---------------------------------------------------------------------


@aio
async def test_no_index_and_no_corpus_exits_2_with_a_reason(tmp_path):
    app = SearchkitApp(tmp_path / "nope", tmp_path / "index", show_timings=False)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 5
        while app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.05)
    assert app.return_code == 2
    assert "--corpus" in app.failure and "searchkit init" in app.failure


@aio
async def test_failed_build_exits_2(tmp_path, monkeypatch):
    corpus = build_corpus(tmp_path, sample=False)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("searchkit.tui.screens.index_progress.update_index", broken)
    app = SearchkitApp(corpus, tmp_path / "index", show_timings=False, poll_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.monotonic() + 5
        while "could not" not in screen_text(app) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await pilot.press("escape")
        await pilot.pause(0.2)
    assert app.return_code == 2 and "disk full" in app.failure


def test_internal_error_is_one_line_and_status_2(built, capsys):
    class Broken(SearchkitApp):
        CSS_PATH = Path(app_module.__file__).with_name("app.tcss")

        async def on_ready(self) -> None:
            self.set_timer(0.3, self._boom)

        def _boom(self) -> None:
            raise ValueError("a \x1b[31m bug")

    corpus, index = built
    app = Broken(corpus, index, show_timings=False, poll_seconds=None)
    app.run(headless=True, size=SIZE)
    assert exit_status(app) == 2
    err = capsys.readouterr().err
    assert err.startswith("searchkit: internal error: ValueError: a \\x1b[31m bug")
    assert "please report it" in err and "Traceback" not in err and err.count("\n") == 1


def test_help_names_every_key_the_footer_and_screen_use():
    for key in ("Ctrl+N", "Ctrl+P", "Ctrl+R", "Ctrl+T", "Ctrl+O", "Ctrl+G", "Ctrl+L", "F2"):
        assert key in HELP, key
    assert "Enter / ↓" not in HELP


@aio
async def test_focus_is_always_visible(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        edges = {
            "#results": lambda w: w.styles.border_top,
            "#sidebar": lambda w: w.styles.border_right,
            "#detail": lambda w: w.styles.border_left,
            "#timeline": lambda w: w.styles.border_left,
        }
        blurred = {sel: edge(screen.query_one(sel)) for sel, edge in edges.items()}
        targets = {
            "#results": screen.query_one(ResultsList),
            "#sidebar": screen.query_one("#facet-tag", FacetList),
            "#detail": screen.query_one(DetailPane),
            "#timeline": screen.query_one(Timeline),
        }
        for sel, widget in targets.items():
            widget.focus()
            await pilot.pause()
            focused = edges[sel](screen.query_one(sel))
            assert focused != blurred[sel], sel  # a coloured edge on the focused panel
            assert focused[0] != "", sel
        # A focused list shows its cursor row at once.
        facets = screen.query_one("#facet-source", FacetList)
        facets.highlighted = None
        facets.focus()
        await pilot.pause()
        assert facets.highlighted == 0
        # Tab from the box lands on something that shows it has focus.
        box(screen).focus()
        await pilot.press("tab")
        assert screen.focused is not None and screen.focused is not box(screen)


# --- a query that cannot be searched ----------------------------------------------------------


@aio
async def test_a_malformed_date_shows_the_reason_and_no_results_until_it_parses(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        assert hit_ids(screen)
        await type_query(pilot, app, "pirates date:2016-13")
        assert hit_ids(screen) == []
        assert "YYYY-MM-DD" in screen_text(app)
        await type_query(pilot, app, "pirates date:2019")
        assert hit_ids(screen) == [IDS["pirates3"]]
