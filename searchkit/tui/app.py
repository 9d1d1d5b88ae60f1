"""The Textual app: ``run_app`` opens it on an index, building the index first if needed.

The app never stays open on a screen that cannot work: when there is no index and
it cannot be built (no corpus, a failed build), it says why and exits with status 2.
An unexpected exception ends it with one line (``internal error: …``) and status 2;
with ``SEARCHKIT_DEBUG=1`` (``--debug``) Textual's full traceback is shown instead.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
import webbrowser
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen

from searchkit.clipboard import copy
from searchkit.engine import Engine, IndexIncompatible
from searchkit.errors import IndexMissing, SearchkitError
from searchkit.model import SORTS
from searchkit.textsafe import visible
from searchkit.tui.idle_gc import CHECK, IdleCollector
from searchkit.tui.messages import EngineReady
from searchkit.tui.screens.help import HelpScreen
from searchkit.tui.screens.index_progress import IndexScreen
from searchkit.tui.screens.main import MainScreen
from searchkit.tui.widgets.detail_pane import first_link

log = logging.getLogger("searchkit.tui")

#: Seconds between checks for a newer index on disk.
POLL_SECONDS = 2.0
EXIT_ERROR = 2
RECENT_IN_PALETTE = 10


class RecentQueries(Provider):
    """The command palette lists recent queries; picking one searches it again."""

    def _queries(self, n: int) -> list[str]:
        main = getattr(self.app, "main", None)
        return main.session.recent_queries(n) if isinstance(main, MainScreen) else []

    def _run(self, query: str) -> None:
        main = self.app.main  # type: ignore[attr-defined]
        main.set_query(query)
        main.search_bar.focus()

    async def discover(self) -> Hits:
        for query in self._queries(RECENT_IN_PALETTE):
            yield DiscoveryHit(
                Content(f"Search again: {visible(query)}"),
                partial(self._run, query),
                help="a recent query",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for recent in self._queries(100):
            text = f"Search again: {visible(recent)}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(self._run, recent), text=text)


class SearchkitApp(App[int]):
    """Search a news archive. ``show_timings=False`` makes the screen deterministic."""

    CSS_PATH = "app.tcss"
    TITLE = "searchkit"
    #: Ctrl+P moves up the results (as in fzf): the palette has keys of its own.
    COMMAND_PALETTE_BINDING = "ctrl+backslash"
    COMMAND_PALETTE_DISPLAY = "^\\"
    COMMANDS = App.COMMANDS | {RecentQueries}

    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("f1", "help", "Help", show=False, id="app.help"),
        Binding(
            "ctrl+backslash,f9",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            id="app.command_palette",
        ),
    ]

    def __init__(
        self,
        corpus: Path,
        index_dir: Path,
        query: str = "",
        *,
        show_timings: bool = True,
        poll_seconds: float | None = POLL_SECONDS,
        debug: bool = False,
    ) -> None:
        super().__init__()
        self.corpus = Path(corpus)
        self.index_dir = Path(index_dir)
        self.initial_query = query
        self.show_timings = show_timings
        self.poll_seconds = poll_seconds
        self.show_tracebacks = debug
        self.engine: Engine | None = None
        self.main: MainScreen | None = None
        self.collector = IdleCollector()
        #: Why the app stopped, when it could not work (printed after it closed).
        self.failure: str | None = None

    def on_mount(self) -> None:
        self.main = MainScreen(self.initial_query, show_timings=self.show_timings)
        self.push_screen(self.main)
        self.open_engine()
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.main.poll_index)
        self.set_interval(CHECK, self.collector.tick)

    def on_unmount(self) -> None:
        self.collector.stop()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event,
            (
                events.Key,
                events.MouseDown,
                events.MouseScrollDown,
                events.MouseScrollUp,
                events.Paste,
            ),
        ):
            self.collector.touched()
        await super().on_event(event)

    # --- failing honestly --------------------------------------------------------------

    def fail(self, message: str) -> None:
        """Stop the app with status 2; ``message`` is printed once the terminal is back."""
        self.failure = message
        self.exit(EXIT_ERROR, return_code=EXIT_ERROR)

    def _fatal_error(self) -> None:
        """An unhandled exception: one line and status 2 (Textual's traceback with
        --debug). Textual calls this from inside the ``except`` that caught it."""
        if self.show_tracebacks:
            super()._fatal_error()
            return
        error = self._exception
        log.error("internal error", exc_info=True)
        name = type(error).__name__ if error is not None else "error"
        self.failure = (
            f"internal error: {name}: {error}, please report it "
            "(run with --debug or SEARCHKIT_DEBUG=1 for the traceback)"
        )
        self._return_code = EXIT_ERROR
        self._close_messages_no_wait()

    # --- opening (and building) the index ----------------------------------------------

    @work(thread=True, exclusive=True, group="engine")
    def open_engine(self) -> None:
        try:
            engine = Engine(self.index_dir)
            engine.warm()
        except (IndexMissing, IndexIncompatible) as exc:
            self.call_from_thread(self._build_index, isinstance(exc, IndexIncompatible))
            return
        except SearchkitError as exc:
            self.call_from_thread(self.fail, str(exc))
            return
        old, self.engine = self.engine, engine
        if old is not None:
            old.close()
        assert self.main is not None
        self.main.post_message(EngineReady())

    def _build_index(self, rebuild: bool) -> None:
        if not self.corpus.is_dir():
            self.fail(
                f"no index at {visible(str(self.index_dir))} and no corpus at "
                f"{visible(str(self.corpus))} to build it from: say where the archive is "
                "with --corpus DIR (or SEARCHKIT_CORPUS), or run `searchkit init DIR` once"
            )
            return

        screen = IndexScreen(self.corpus, self.index_dir, rebuild=rebuild)

        def built(ok: bool | None) -> None:
            if ok:
                self.open_engine()
            else:
                self.fail(screen.error or "the index could not be built")

        self.push_screen(screen, built)

    # --- actions -----------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        if self.main is not None:
            self.main.session.remember_query()
        await super().action_quit()

    def action_reindex(self) -> None:
        """Update the index from the corpus (in a worker), then reopen and search again."""
        if self.engine is None or isinstance(self.screen, IndexScreen):
            return

        def done(ok: bool | None) -> None:
            if ok and self.main is not None:
                self.main.refresh_engine()

        self.push_screen(IndexScreen(self.corpus, self.index_dir, title="Updating the index"), done)

    def _document_id(self) -> str | None:
        doc_id = self.main.current_document if self.main is not None else None
        if doc_id is None:
            self.notify("No document selected.", severity="warning")
        return doc_id

    def _copy(self, text: str) -> None:
        if self.main is not None:
            self.main.session.remember_query()
        result = copy(text, visible(text), self.copy_to_clipboard)
        severity = "information" if result.certain and result.ok else "warning"
        if not result.ok:
            severity = "error"
        self.notify(result.message, severity=severity, markup=False, timeout=4)

    def action_copy_id(self) -> None:
        if doc_id := self._document_id():
            self._copy(doc_id)

    def action_copy_path(self) -> None:
        if doc_id := self._document_id():
            self._copy(str((self.corpus / doc_id).resolve()))

    def action_open_link(self) -> None:
        """Open the document's first source URL in the web browser."""
        if self._document_id() is None:
            return
        url = first_link(self.main.current_view if self.main is not None else None)
        if url is None:
            self.notify("This document has no source link.", severity="warning")
            return
        if self.main is not None:
            self.main.session.remember_query()
        try:
            browser = webbrowser.get()
        except webbrowser.Error:
            self.notify(
                f"No web browser found to open {visible(url)}", severity="error", markup=False
            )
            return
        if isinstance(browser, webbrowser.GenericBrowser) and not isinstance(
            browser, webbrowser.BackgroundBrowser
        ):
            # A browser in this terminal (lynx, w3m...): give it the screen.
            with self.suspend():
                opened = browser.open(url)
        else:
            opened = browser.open(url)
        if opened:
            self.notify(f"Opened {visible(url)}", markup=False, timeout=3)
        else:
            self.notify(f"The browser did not open {visible(url)}", severity="error", markup=False)

    def action_open_editor(self) -> None:
        self._open_with(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")

    def action_open_pager(self) -> None:
        self._open_with(os.environ.get("PAGER") or "less")

    def _open_with(self, command: str) -> None:
        doc_id = self._document_id()
        if doc_id is None:
            return
        path = self.corpus / doc_id
        if not path.is_file():
            self.notify(
                f"{visible(str(path))} is not in the corpus folder", severity="error", markup=False
            )
            return
        if self.main is not None:
            self.main.session.remember_query()
        try:
            with self.suspend():
                status = subprocess.call([*shlex.split(command), str(path)])
        except Exception as exc:  # SuspendNotSupported, a missing program, ...
            log.debug("could not run %r", command, exc_info=True)
            self.notify(f"could not run {command}: {exc}", severity="error", markup=False)
            return
        if status:
            self.notify(f"{command} exited with status {status}", severity="warning", markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        if main is None or screen is not main:
            return
        for sort in SORTS:
            yield SystemCommand(
                f"Sort by {sort}",
                f"Order the results by {sort}",
                lambda sort=sort: main.set_sort(sort),
            )
        commands = [
            ("Query history", "Earlier queries with this index (ctrl+r)", main.action_history),
            ("Clear filters", "Remove every active filter (ctrl+l)", main.action_clear_filters),
            (
                "Accept suggestion",
                "Search the did-you-mean suggestion (ctrl+y)",
                main.action_accept_suggestion,
            ),
            ("Back", "Previous document in the detail pane (ctrl+b)", main.action_back),
            ("Forward", "Next document in the detail pane (ctrl+f)", main.action_forward),
            (
                "Reindex",
                "Update the index from the corpus, then search again (F5)",
                self.action_reindex,
            ),
            ("Copy id", "Copy the document's id to the clipboard (ctrl+t)", self.action_copy_id),
            ("Copy path", "Copy the document file's path to the clipboard", self.action_copy_path),
            (
                "Open source link",
                "Open the document's first source URL in the browser (ctrl+o)",
                self.action_open_link,
            ),
            (
                "Open in editor",
                "Open the document's file in $EDITOR (ctrl+g)",
                self.action_open_editor,
            ),
            ("Open in pager", "Show the document's file in $PAGER", self.action_open_pager),
            ("Toggle facets", "Show or hide the facet panel (F2)", main.action_toggle_facets),
            ("Toggle timeline", "Show or hide the timeline (F3)", main.action_toggle_timeline),
            ("Help", "All keys and the query language (F1)", self.action_help),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)


def exit_status(app: SearchkitApp) -> int:
    """The app's exit status; prints why it stopped, if it could not work."""
    if app.failure:
        print(f"searchkit: {visible(app.failure)}", file=sys.stderr)
        return EXIT_ERROR
    code = app.return_code
    if code is None or code == 0:
        return 0
    return code if code != 1 else EXIT_ERROR  # 1 means "nothing found" for searchkit


def run_app(corpus: Path, index: Path, query: str = "", *, debug: bool = False) -> int:
    """Run the TUI on ``index`` (built from ``corpus`` first if missing); the exit status."""
    if not debug:
        # Problems are shown in the app; the log is kept only with --debug (a file).
        logging.getLogger("searchkit").addHandler(logging.NullHandler())
    app = SearchkitApp(Path(corpus), Path(index), query, debug=debug)
    app.run()
    # Closed only now that every worker thread has finished: a search still running on
    # a closed engine would never return (Engine._use waits for an open generation).
    if app.engine is not None:
        app.engine.close()
    return exit_status(app)
