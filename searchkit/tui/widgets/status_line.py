"""One line above the results: count, time, sort, notices and a did-you-mean."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from searchkit.model import Results, Sort
from searchkit.tui.widgets.text import clean


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, *, show_timings: bool = True, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.show_timings = show_timings
        self.suggestion: str | None = None

    def show_results(self, results: Results, sort: Sort, shown: int) -> None:
        self.suggestion = results.suggestion
        count = f"{results.total:,} result{'s' if results.total != 1 else ''}"
        if results.total > shown:
            count += f" (first {shown})"
        parts = [Content(count).stylize("bold")]
        if self.show_timings:
            parts.append(Content(f"{results.elapsed_ms:.0f} ms"))
        parts.append(Content(f"sort: {sort}"))
        for notice in results.notices:
            parts.append(Content(clean(notice)).stylize("$text-warning"))
        if self.suggestion and results.corrected_from:
            parts.append(Content.assemble("ctrl+y searches ", (clean(self.suggestion), "bold")))
        elif self.suggestion:
            parts.append(
                Content.assemble(
                    "Did you mean ",
                    (clean(self.suggestion), "bold $text-accent"),
                    "?  (ctrl+y)",
                )
            )
        self.update(Content(" · ").join(parts))

    def show_message(self, text: str) -> None:
        self.suggestion = None
        self.update(Content(clean(text)))
