"""The Textual app: ``run_app`` opens it on an index, building the index first if needed."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterable
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from searchkit.engine import Engine, IndexIncompatible
from searchkit.errors import IndexMissing, SearchkitError
from searchkit.model import SORTS
from searchkit.tui.idle_gc import CHECK, IdleCollector
from searchkit.tui.messages import EngineReady
from searchkit.tui.screens.help import HelpScreen
from searchkit.tui.screens.index_progress import IndexScreen
from searchkit.tui.screens.main import MainScreen

#: Seconds between checks for a newer index on disk.
POLL_SECONDS = 2.0


class SearchkitApp(App[int]):
    """Search a news archive. ``show_timings=False`` makes the screen deterministic."""

    CSS_PATH = "app.tcss"
    TITLE = "searchkit"

    BINDINGS = [
        Binding("f1", "help", "Help", show=False, id="app.help"),
    ]

    def __init__(
        self,
        corpus: Path,
        index_dir: Path,
        query: str = "",
        *,
        show_timings: bool = True,
        poll_seconds: float | None = POLL_SECONDS,
    ) -> None:
        super().__init__()
        self.corpus = Path(corpus)
        self.index_dir = Path(index_dir)
        self.initial_query = query
        self.show_timings = show_timings
        self.poll_seconds = poll_seconds
        self.engine: Engine | None = None
        self.main: MainScreen | None = None
        self.collector = IdleCollector()

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
            self.call_from_thread(self._fail, str(exc))
            return
        old, self.engine = self.engine, engine
        if old is not None:
            old.close()
        assert self.main is not None
        self.main.post_message(EngineReady())

    def _build_index(self, rebuild: bool) -> None:
        def built(ok: bool | None) -> None:
            if ok:
                self.open_engine()
            else:
                self._fail("there is no usable index; fix the problem and start again")

        self.push_screen(IndexScreen(self.corpus, self.index_dir, rebuild=rebuild), built)

    def _fail(self, message: str) -> None:
        if self.main is not None:
            from searchkit.tui.widgets.status_line import StatusLine

            self.main.query_one(StatusLine).show_message(message)
        self.notify(message, severity="error", timeout=10, markup=False)

    # --- actions -----------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

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

    def action_copy_id(self) -> None:
        if doc_id := self._document_id():
            self.copy_to_clipboard(doc_id)
            self.notify(f"Copied {doc_id}", markup=False, timeout=2)

    def action_copy_path(self) -> None:
        if doc_id := self._document_id():
            path = str((self.corpus / doc_id).resolve())
            self.copy_to_clipboard(path)
            self.notify(f"Copied {path}", markup=False, timeout=2)

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
            self.notify(f"{path} is not in the corpus folder", severity="error", markup=False)
            return
        try:
            with self.suspend():
                subprocess.call([*shlex.split(command), str(path)])
        except Exception as exc:  # SuspendNotSupported, a missing program, ...
            self.notify(f"could not run {command}: {exc}", severity="error", markup=False)

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
        yield SystemCommand(
            "Clear filters", "Remove every active filter (ctrl+r)", main.action_clear_filters
        )
        yield SystemCommand(
            "Accept suggestion",
            "Search the did-you-mean suggestion (ctrl+y)",
            main.action_accept_suggestion,
        )
        yield SystemCommand(
            "Back", "Previous document in the detail pane (ctrl+b)", main.action_back
        )
        yield SystemCommand(
            "Forward", "Next document in the detail pane (ctrl+f)", main.action_forward
        )
        yield SystemCommand(
            "Reindex",
            "Update the index from the corpus, then search again (F5)",
            self.action_reindex,
        )
        yield SystemCommand(
            "Copy id", "Copy the document's id to the clipboard (ctrl+k)", self.action_copy_id
        )
        yield SystemCommand(
            "Copy path", "Copy the document file's path to the clipboard", self.action_copy_path
        )
        yield SystemCommand(
            "Open in editor",
            "Open the document's file in $EDITOR (ctrl+o)",
            self.action_open_editor,
        )
        yield SystemCommand(
            "Open in pager", "Show the document's file in $PAGER (ctrl+g)", self.action_open_pager
        )
        yield SystemCommand(
            "Toggle facets", "Show or hide the facet panel (F2)", main.action_toggle_facets
        )
        yield SystemCommand(
            "Toggle timeline", "Show or hide the timeline (F3)", main.action_toggle_timeline
        )
        yield SystemCommand("Help", "All keys and the query language (F1)", self.action_help)


def run_app(corpus: Path, index: Path, query: str = "") -> int:
    """Run the TUI on ``index`` (built from ``corpus`` first if missing); the exit status."""
    app = SearchkitApp(Path(corpus), Path(index), query)
    result = app.run()
    # Closed only now that every worker thread has finished: a search still running on
    # a closed engine would never return (Engine._use waits for an open generation).
    if app.engine is not None:
        app.engine.close()
    return result if isinstance(result, int) else (app.return_code or 0)
