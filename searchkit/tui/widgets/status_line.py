"""One line above the results: count, time, sort, notices and a did-you-mean."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from searchkit.model import Results
from searchkit.textsafe import visible


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
        self._plain: str | None = None
        self._spans: list = []
        self._lines = 0

    def show_results(self, results: Results, shown: int) -> None:
        self.suggestion = results.suggestion
        count = f"{results.total:,} result{'s' if results.total != 1 else ''}"
        if results.total > shown:
            count += f" (first {shown})"
        parts = [Content(count).stylize("bold")]
        if self.show_timings:
            parts.append(Content(f"{results.elapsed_ms:.0f} ms"))
        parts.append(Content(f"sort: {results.order}"))
        for notice in results.notices:
            parts.append(Content(visible(notice)).stylize("$text-warning"))
        if self.suggestion and results.corrected_from:
            parts.append(Content.assemble("ctrl+y searches ", (visible(self.suggestion), "bold")))
        elif self.suggestion:
            parts.append(
                Content.assemble(
                    "Did you mean ",
                    (visible(self.suggestion), "bold $text-accent"),
                    "?  (ctrl+y)",
                )
            )
        self._show(Content(" · ").join(parts))

    def show_message(self, text: str) -> None:
        self.suggestion = None
        self._show(Content(visible(text)))

    def _show(self, content: Content) -> None:
        """Update; lay the screen out again only when the number of lines changes."""
        if content.plain == self._plain and list(content.spans) == self._spans:
            return
        self._plain, self._spans = content.plain, list(content.spans)
        width = self.content_region.width
        lines = content.get_height(self.styles, width) if width else 0
        self.update(content, layout=not width or lines != self._lines)
        self._lines = lines
