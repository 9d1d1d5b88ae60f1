"""The search box on top of the main screen."""

from __future__ import annotations

from textual.widgets import Input


class SearchBar(Input):
    """The query input. Letters typed here never reach the screen's letter bindings."""

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
