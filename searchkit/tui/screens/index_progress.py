"""Building or updating the index, with a progress bar fed by ``update_index``."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar

from searchkit.engine import update_index
from searchkit.errors import SearchkitError
from searchkit.textsafe import visible
from searchkit.tui.messages import IndexFinished, IndexProgress

log = logging.getLogger("searchkit.tui")

PHASES = {
    "scanning": "Looking for documents…",
    "indexing": "Indexing documents…",
    "committing": "Writing the index…",
}


class IndexScreen(ModalScreen[bool]):
    """Runs ``update_index`` in a thread worker; dismisses with True when it worked."""

    BINDINGS = [Binding("escape", "close", "Close", show=False, id="index.close")]

    DEFAULT_CSS = """
    IndexScreen {
        align: center middle;
    }
    IndexScreen > Vertical {
        width: 70;
        max-width: 100%;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    IndexScreen Label {
        width: 100%;
        margin-bottom: 1;
    }
    IndexScreen ProgressBar {
        width: 100%;
    }
    """

    def __init__(
        self,
        corpus: Path,
        index_dir: Path,
        *,
        rebuild: bool = False,
        title: str = "Building the index",
    ) -> None:
        super().__init__()
        self.corpus = corpus
        self.index_dir = index_dir
        self.rebuild = rebuild
        self.heading = title
        self.finished: bool | None = None
        #: Why the update failed (the app says it when it stops).
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                Content(f"{self.heading} for {visible(str(self.corpus))}"), id="index-title"
            )
            yield Label(Content("Starting…"), id="index-phase")
            yield ProgressBar(total=None, show_eta=True, id="index-bar")

    def on_mount(self) -> None:
        self._run()

    @work(thread=True, exclusive=True, group="index")
    def _run(self) -> None:
        last = 0.0

        def progress(phase: str, done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= 0.05 or done == total:
                last = now
                self.post_message(IndexProgress(phase, done, total))

        try:
            report = update_index(
                self.corpus, self.index_dir, rebuild=self.rebuild, progress=progress
            )
        except SearchkitError as exc:
            self.post_message(IndexFinished(False, str(exc)))
            return
        except Exception as exc:
            log.exception("indexing failed")
            self.post_message(IndexFinished(False, f"indexing failed: {exc!r}"))
            return
        if report.rebuilt:
            summary = f"Indexed {report.documents:,} documents in {report.seconds:.1f} s"
        else:
            summary = (
                f"{len(report.added)} added, {len(report.changed)} changed, "
                f"{len(report.removed)} removed ({report.documents:,} documents)"
            )
        if report.skipped:
            summary += f"; {len(report.skipped)} files skipped"
        self.post_message(IndexFinished(True, summary))

    def on_index_progress(self, message: IndexProgress) -> None:
        bar = self.query_one(ProgressBar)
        text = PHASES.get(message.phase, message.phase)
        if message.total:
            text += f" {message.done:,} / {message.total:,}"
            bar.update(total=message.total, progress=message.done)
        self.query_one("#index-phase", Label).update(Content(text))

    def on_index_finished(self, message: IndexFinished) -> None:
        self.finished = message.ok
        self.query_one("#index-phase", Label).update(Content(message.summary))
        if message.ok:
            bar = self.query_one(ProgressBar)
            bar.update(total=bar.total or 1, progress=bar.total or 1)
            self.app.notify(message.summary, timeout=4, markup=False)
            self.dismiss(True)
        else:
            self.error = message.summary
            self.app.notify(message.summary, severity="error", timeout=8, markup=False)
            self.query_one("#index-title", Label).update(
                Content("The index could not be updated — press Esc")
            )

    def action_close(self) -> None:
        if self.finished is not None:
            self.dismiss(bool(self.finished))
