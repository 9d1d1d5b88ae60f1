"""Facet values with counts for the current query; picking one toggles it as a filter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from searchkit.model import FACETS
from searchkit.tui.messages import FacetToggled
from searchkit.tui.widgets.text import clean, truncate

FACET_TITLES = {"tag": "Context tags", "year": "Years", "source": "Outlets", "kind": "Kinds"}
#: The order the panel shows them: years last (all of them; the timeline has them too).
PANEL_ORDER = ("tag", "source", "kind", "year")


class FacetList(OptionList):
    """One facet's values. Enter or a click toggles the highlighted value."""

    BINDINGS = [
        Binding("enter", "select", "Pick", id="facets.pick"),
        Binding("j", "cursor_down", "Next", show=False, id="facets.next"),
        Binding("k", "cursor_up", "Previous", show=False, id="facets.previous"),
    ]

    def __init__(self, facet: str, **kwargs) -> None:
        super().__init__(markup=False, compact=True, **kwargs)
        self.facet = facet
        self.values: list[tuple[str, int | None]] = []
        self.selected: tuple[str, ...] = ()
        self._width = 0
        #: Rows the list has: the most values it has shown. Fewer values are padded
        #: with blank rows, so new counts never change its size (no new layout).
        self.rows = 0

    def show(
        self, counts: list[tuple[str, int]], selected: tuple[str, ...], force: bool = False
    ) -> None:
        values: list[tuple[str, int | None]] = list(counts)
        present = {v.casefold() for v, _ in values}
        # A picked value outside the top counts must stay visible, so it can be unpicked.
        values += [(v, None) for v in selected if v.casefold() not in present]
        if values == self.values and selected == self.selected and not force:
            return
        keep = self.highlighted
        self.values, self.selected = values, selected
        picked = {v.casefold() for v in selected}
        width = max(12, (self.scrollable_content_region.width or 26) - 1)
        options = []
        for value, count in values:
            on = value.casefold() in picked
            number = "–" if count is None else f"{count:,}"
            room = max(4, width - len(number) - 3)
            label = truncate(clean(value), room)
            line = Content.assemble(
                ("●" if on else "○", "$text-accent" if on else "$text-muted"),
                " ",
                (label, "bold" if on else ""),
                " " * max(1, width - 2 - len(label) - len(number)),
                (number, "$text-muted"),
            )
            options.append(Option(line, id=f"{len(options)}"))
        if len(options) > self.rows:
            self.rows = len(options)
            self.styles.height = self.rows
        options += [Option("", disabled=True) for _ in range(self.rows - len(options))]
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(options)
            if keep is not None and values:
                self.highlighted = min(keep, len(values) - 1)

    def on_resize(self) -> None:
        # The lines are laid out for a width: only a new width needs them built again
        # (the height follows the number of values, so it changes on most searches).
        width = self.size.width
        if width == self._width:
            return
        self._width = width
        if self.values:
            counts = [(v, c) for v, c in self.values if c is not None]
            self.show(counts, self.selected, force=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        value = self.values[event.option_index][0]
        self.post_message(FacetToggled(self.facet, value))

    def on_focus(self) -> None:
        # A focused list always shows where its cursor is.
        if self.highlighted is None and self.values:
            self.highlighted = 0


class FacetPanel(VerticalScroll, can_focus=False):
    """All facets, each a titled FacetList (Tab goes to the lists themselves)."""

    DEFAULT_CSS = """
    FacetPanel {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    FacetPanel > Label {
        text-style: bold;
        color: $text-primary;
        margin-top: 1;
    }
    FacetPanel > FacetList {
        height: 0;
    }
    """

    def compose(self) -> ComposeResult:
        for facet in PANEL_ORDER:
            yield Label(FACET_TITLES[facet], id=f"title-{facet}")
            yield FacetList(facet, id=f"facet-{facet}")

    def show(
        self, facets: dict[str, list[tuple[str, int]]], filters: dict[str, tuple[str, ...]]
    ) -> None:
        for facet in FACETS:
            self.query_one(f"#facet-{facet}", FacetList).show(
                facets.get(facet, []), filters.get(facet, ())
            )
