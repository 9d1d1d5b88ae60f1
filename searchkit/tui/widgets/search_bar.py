"""The search box on top of the main screen."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class SearchBar(Input):
    """The query input. Letters typed here never reach the screen's letter bindings.

    The app's own keys (↑/↓ and Ctrl+N/Ctrl+P move through the results, Ctrl+R
    history, …) are keys Input does not use (``tests/test_tui_keys.py`` checks that
    no app binding shadows one). The box itself changes one of Input's keys, as fzf
    does: Ctrl+J/Ctrl+K move through the results (Input's Ctrl+K deleted to the end
    of the line; Ctrl+U and Ctrl+W still delete).
    """

    BINDINGS = [
        Binding("enter", "submit", "Open", id="search.open"),
        Binding("ctrl+j", "screen.cursor(1)", "Next hit", show=False, id="search.next_hit"),
        Binding(
            "ctrl+k", "screen.cursor(-1)", "Previous hit", show=False, id="search.previous_hit"
        ),
    ]

    DEFAULT_CSS = """
    SearchBar {
        height: 3;
    }
    """

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(
            value=value,
            placeholder='Search the archive — e.g. syria "air strike" tag:ISIL date:2016',
            select_on_focus=False,
            **kwargs,
        )

    def type_text(self, text: str) -> None:
        """Type ``text`` at the end of the box, as if the user had typed it there."""
        self.cursor_position = len(self.value)
        self.insert_text_at_cursor(text)
