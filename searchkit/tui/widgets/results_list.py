"""The results: an OptionList whose options are documents (``Option.id`` = document id).

Two layouts: the full one (title wrapped, a meta line, the snippet, a rule between
hits) and a compact one for short terminals (two lines a hit: the title, then date,
outlets and snippet; each cut to the width with an ellipsis, no rules).
"""

from __future__ import annotations

import logging

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from searchkit.model import Hit
from searchkit.tui.widgets.text import clean, highlighted

log = logging.getLogger("searchkit.tui")


def _meta(hit: Hit) -> str:
    bits = [hit.date.isoformat() if hit.date else "undated"]
    if hit.outlets:
        names = ", ".join(clean(o.name) for o in hit.outlets[:3])
        if len(hit.outlets) > 3:
            names += f" +{len(hit.outlets) - 3}"
        bits.append(names)
    if hit.kind != "story":
        bits.append(hit.kind)
    return " · ".join(bits)


def hit_content(hit: Hit, *, compact: bool = False) -> Content:
    """Title (matches highlighted), a meta line, and the snippet (matches highlighted)."""
    title = highlighted(hit.title or "(untitled)", hit.title_highlights).stylize_before("bold")
    meta = Content(_meta(hit)).stylize("$text-muted")
    show_snippet = bool(hit.snippet) and not hit.snippet_is_title
    if compact:
        second = meta
        if show_snippet:
            snippet = highlighted(hit.snippet, hit.highlights)
            second = Content.assemble(meta, ("  ", ""), snippet)
        return Content("\n").join([title, second])
    lines = [title, meta]
    if show_snippet:
        lines.append(highlighted(hit.snippet, hit.highlights))
    return Content("\n").join(lines)


def _key(hit: Hit) -> tuple:
    """What a hit's entry shows."""
    return (hit.id, hit.title, hit.snippet, hit.highlights, hit.title_highlights)


class ResultsList(OptionList):
    """Ranked hits. ``show`` replaces them and keeps the highlighted document if present."""

    BINDINGS = [
        Binding("enter", "select", "Open", id="results.open"),
        Binding("j", "cursor_down", "Next", show=False, id="results.next"),
        Binding("k", "cursor_up", "Previous", show=False, id="results.previous"),
    ]

    DEFAULT_CSS = """
    ResultsList.-compact {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.hits: list[Hit] = []
        self.compact = False

    def set_compact(self, compact: bool) -> None:
        """Switch layouts (the hits are laid out again)."""
        if compact == self.compact:
            return
        self.compact = compact
        self.set_class(compact, "-compact")
        hits, keep = self.hits, self.highlighted_id
        self.hits = []
        self.show(hits, keep)

    def _hit_options(self, hits: list[Hit], first: bool) -> list[Option | None]:
        options: list[Option | None] = []
        for i, hit in enumerate(hits):
            if not self.compact and (i or not first):
                options.append(None)  # a rule between entries
            options.append(Option(hit_content(hit, compact=self.compact), id=hit.id))
        return options

    def show(self, hits: list[Hit], keep: str | None) -> None:
        """Replace the hits (drawn again only if they differ) and put the cursor on
        ``keep``, or on the first hit. Posts no OptionHighlighted: the screen decides
        when the detail pane follows."""
        with self.prevent(OptionList.OptionHighlighted):
            if [_key(h) for h in hits] != [_key(h) for h in self.hits]:
                self.hits = list(hits)
                self.set_options(self._hit_options(self.hits, True))
            index = 0
            if keep is not None:
                try:
                    index = self.get_option_index(keep)
                except OptionDoesNotExist:
                    index = 0
            if self.hits:
                self.highlighted = index

    def append(self, hits: list[Hit]) -> None:
        """Add the next page below the hits already shown."""
        known = {h.id for h in self.hits}
        new = []
        for hit in hits:
            if hit.id not in known:
                known.add(hit.id)
                new.append(hit)
        if new:
            self.hits.extend(new)
            self.add_options(self._hit_options(new, not self.option_count))

    def move(self, delta: int) -> None:
        """Move the cursor ``delta`` hits, stopping at either end (the list need not
        have focus)."""
        if not self.option_count:
            return
        current = self.highlighted if self.highlighted is not None else 0
        self.highlighted = max(0, min(self.option_count - 1, current + delta))

    def page(self, direction: int) -> None:
        if direction > 0:
            self.action_page_down()
        else:
            self.action_page_up()

    @property
    def highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None

    @property
    def position(self) -> int | None:
        """The highlighted hit's rank (0 = first), or None (rules between hits belong
        to the hit above: options and hits correspond one to one)."""
        return self.highlighted
