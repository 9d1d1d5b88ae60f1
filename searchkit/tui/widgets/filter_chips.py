"""The active filters, one removable chip each."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import HorizontalScroll
from textual.content import Content
from textual.widgets import Static

from searchkit.tui.messages import FilterRemoved
from searchkit.tui.widgets.text import clean, truncate

LABELS = {"tag": "tag", "year": "year", "source": "outlet", "kind": "kind", "date": "date"}


class Chip(Static, can_focus=True):
    """One active filter; click it (or Enter/Delete on it) to remove it."""

    BINDINGS = [
        Binding("enter,delete,backspace", "remove", "Remove filter", id="chip.remove"),
    ]

    def __init__(self, facet: str, value: str, label: str | None = None) -> None:
        text = f"{LABELS.get(facet, facet)}: {truncate(clean(label or value), 40)} ✕"
        super().__init__(Content(text), markup=False)
        self.facet = facet
        self.value = value
        self.tooltip = "remove this filter"

    def action_remove(self) -> None:
        self.post_message(FilterRemoved(self.facet, self.value))

    def on_click(self) -> None:
        self.action_remove()


class FilterChips(HorizontalScroll):
    """A row of chips; hidden while no filter is active."""

    DEFAULT_CSS = """
    FilterChips {
        height: 1;
        display: none;
        scrollbar-size: 0 0;
        padding: 0 1;
    }
    FilterChips.-active {
        display: block;
    }
    FilterChips > Chip {
        width: auto;
        margin-right: 1;
        padding: 0 1;
        background: $primary-muted;
        color: $text-primary;
    }
    FilterChips > Chip:focus {
        background: $primary;
        color: $text;
    }
    FilterChips > Static.hint {
        width: auto;
        color: $text-muted;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.active: list[tuple[str, str, str]] = []

    def show(self, chips: list[tuple[str, str, str]]) -> None:
        """``chips`` are (facet, value, label) triples."""
        if chips == self.active:
            return
        appears = bool(chips) != bool(self.active)
        self.active = list(chips)
        self.remove_children()
        widgets: list[Static] = [Chip(f, v, label) for f, v, label in chips]
        if chips:
            widgets.append(Static("ctrl+l clears all", classes="hint", markup=False))
        self.mount_all(widgets)
        self.set_class(bool(chips), "-active")
        if appears:
            # The row appearing or going moves everything below it; have the whole
            # screen drawn again once it is laid out (a partial update could leave a
            # stale row on the terminal).
            self.call_after_refresh(self.screen.refresh, repaint=True)
