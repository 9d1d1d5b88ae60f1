"""The results: an OptionList whose options are documents (``Option.id`` = document id)."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from searchkit.model import Hit
from searchkit.tui.widgets.text import clean, highlighted


def hit_content(hit: Hit) -> Content:
    """Title (matches highlighted), a meta line, and the snippet (matches highlighted)."""
    title = highlighted(hit.title or "(untitled)", hit.title_highlights).stylize_before("bold")
    meta_bits = [hit.date.isoformat() if hit.date else "undated"]
    if hit.outlets:
        names = ", ".join(clean(o.name) for o in hit.outlets[:3])
        if len(hit.outlets) > 3:
            names += f" +{len(hit.outlets) - 3}"
        meta_bits.append(names)
    if hit.kind != "story":
        meta_bits.append(hit.kind)
    meta = Content(" · ".join(meta_bits)).stylize("$text-muted")
    lines = [title, meta]
    if hit.snippet and not hit.snippet_is_title:
        lines.append(highlighted(hit.snippet, hit.highlights))
    return Content("\n").join(lines)


def _key(hit: Hit) -> tuple:
    """What a hit's entry shows."""
    return (hit.id, hit.title, hit.snippet, hit.highlights, hit.title_highlights)


class ResultsList(OptionList):
    """Ranked hits. ``show`` replaces them and keeps the highlighted document if present."""

    BINDINGS = [
        Binding("enter", "select", "Open", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, **kwargs)
        self.hits: list[Hit] = []

    def show(self, hits: list[Hit], keep: str | None) -> None:
        """Replace the hits (drawn again only if they differ) and put the cursor on
        ``keep``, or on the first hit. Posts no OptionHighlighted: the screen decides
        when the detail pane follows."""
        with self.prevent(OptionList.OptionHighlighted):
            if [_key(h) for h in hits] != [_key(h) for h in self.hits]:
                self.hits = list(hits)
                options: list[Option | None] = []
                for i, hit in enumerate(self.hits):
                    if i:
                        options.append(None)  # a separator line between entries
                    options.append(Option(hit_content(hit), id=hit.id))
                self.set_options(options)
            index = 0
            if keep is not None:
                try:
                    index = self.get_option_index(keep)
                except Exception:
                    index = 0
            if self.hits:
                self.highlighted = index

    def append(self, hits: list[Hit]) -> None:
        """Add the next page below the hits already shown."""
        known = {h.id for h in self.hits}
        options: list[Option | None] = []
        for hit in hits:
            if hit.id in known:
                continue
            known.add(hit.id)
            options.extend([None, Option(hit_content(hit), id=hit.id)])
            self.hits.append(hit)
        if options:
            self.add_options(options)

    @property
    def highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option is not None else None
