"""Ctrl+R (or ↑ in an empty search box): pick an earlier query, most recent first."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from searchkit.textsafe import visible


def matching(queries: list[str], text: str) -> list[str]:
    """``queries`` (in order) that contain every word of ``text``, ignoring case."""
    words = text.casefold().split()
    return [q for q in queries if all(w in q.casefold() for w in words)]


class HistoryScreen(ModalScreen[str | None]):
    """A filter box over the recent queries; Enter picks one, Esc keeps the query."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="history.cancel"),
        Binding("down,ctrl+n", "move(1)", "Next", show=False, id="history.next"),
        Binding("up,ctrl+p,ctrl+r", "move(-1)", "Previous", show=False, id="history.previous"),
    ]

    DEFAULT_CSS = """
    HistoryScreen {
        align: center top;
    }
    HistoryScreen > Vertical {
        width: 80;
        max-width: 100%;
        height: auto;
        max-height: 80%;
        margin-top: 1;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    HistoryScreen Label {
        color: $text-muted;
    }
    HistoryScreen OptionList {
        height: auto;
        max-height: 20;
        border: none;
        padding: 0;
    }
    """

    def __init__(self, queries: list[str]) -> None:
        super().__init__()
        self.queries = queries  # most recent first
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Earlier queries — type to filter, Enter picks, Esc cancels"))
            yield Input(placeholder="filter", id="history-filter")
            yield OptionList(id="history-list", markup=False)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        self.shown = matching(self.queries, text)
        options = self.query_one(OptionList)
        if self.shown:
            options.set_options(
                [Option(Content(visible(q)), id=str(i)) for i, q in enumerate(self.shown)]
            )
            options.highlighted = 0
        else:
            empty = "no earlier queries yet" if not self.queries else "no query matches"
            options.set_options([Option(Content(empty).stylize("$text-muted"), disabled=True)])

    @on(Input.Changed, "#history-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#history-filter")
    def _pick_highlighted(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted
        self.dismiss(self.shown[index] if self.shown and index is not None else None)

    @on(OptionList.OptionSelected, "#history-list")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        if self.shown:
            self.dismiss(self.shown[event.option_index])

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
