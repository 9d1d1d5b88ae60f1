"""Matches over time as a small bar chart: per year, or per month within one year."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from searchkit.tui.messages import PeriodChosen

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EIGHTHS = " ▁▂▃▄▅▆▇█"
BAR_ROWS = 2


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    year: int
    month: int | None = None


def year_bars(year_counts: list[tuple[str, int]]) -> list[Bar]:
    """Bars oldest to newest, with empty years in between filled in."""
    counts = {int(y): c for y, c in year_counts if str(y).isdigit()}
    if not counts:
        return []
    lo, hi = min(counts), max(counts)
    return [Bar(str(y), counts.get(y, 0), y) for y in range(lo, hi + 1)]


def month_bars(year: int, months: list[int]) -> list[Bar]:
    return [Bar(f"{MONTHS[i]} {year}", c, year, i + 1) for i, c in enumerate(months)]


class Timeline(Widget, can_focus=True):
    """Left/Right move the cursor, Enter (or a click) filters to the bar."""

    BINDINGS = [
        Binding("left", "move(-1)", "Earlier", show=False, id="timeline.earlier"),
        Binding("right", "move(1)", "Later", show=False, id="timeline.later"),
        Binding("home", "move(-10000)", "First", show=False, id="timeline.first"),
        Binding("end", "move(10000)", "Last", show=False, id="timeline.last"),
        Binding("enter", "choose", "Filter to bar", id="timeline.choose"),
    ]

    DEFAULT_CSS = """
    Timeline {
        height: 4;
        padding: 0 1;
        text-wrap: nowrap;  /* a narrow timeline cuts its heading, never wraps it */
        text-overflow: ellipsis;
    }
    Timeline:focus {
        background-tint: $foreground 5%;
        border-left: outer $primary;
        padding-left: 0;
    }
    """

    COMPONENT_CLASSES = {"timeline--bar", "timeline--cursor", "timeline--chosen"}

    cursor: reactive[int] = reactive(-1)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.bars: list[Bar] = []
        self.chosen: tuple[int, int | None] | None = None  # the active year/month filter
        self._step = 2
        self._offset = 0
        self._first = 0  # the first bar drawn: more bars than columns scroll
        #: No results yet (the index is opening): nothing to say about dates either.
        self.waiting = True

    def show(self, bars: list[Bar], chosen: tuple[int, int | None] | None = None) -> None:
        if bars == self.bars and chosen == self.chosen and not self.waiting:
            return  # nothing to draw again
        self.waiting = False
        old = self.bars[self.cursor] if 0 <= self.cursor < len(self.bars) else None
        self.bars = bars
        self.chosen = chosen
        keys = [(bar.year, bar.month) for bar in bars]
        index = max((i for i, b in enumerate(bars) if b.count), default=len(bars) - 1)
        for want in (chosen, (old.year, old.month) if old is not None else None):
            if want is not None and want in keys:
                index = keys.index(want)
                break
        self.set_reactive(Timeline.cursor, index)
        self.refresh()

    @property
    def monthly(self) -> bool:
        return bool(self.bars) and self.bars[0].month is not None

    def _layout(self, width: int) -> tuple[int, int]:
        """(cells per bar including the gap, left offset)."""
        n = max(1, len(self.bars))
        step = max(1, min(6, (width + 1) // n))
        return step, 0

    def _window(self, width: int, step: int) -> tuple[int, int]:
        """The bars drawn, ``(first, end)``: all that fit the width; when there are more
        (centuries of years), a window that keeps the cursor in view."""
        n = len(self.bars)
        fit = max(1, (width + step - 1) // step)
        if n <= fit:
            return 0, n
        first = min(max(0, self.cursor - fit // 2), n - fit)
        if not (0 <= self._first <= self.cursor < self._first + fit <= n):
            self._first = first  # move only when the cursor would leave the window
        return self._first, self._first + fit

    def render(self) -> Content:
        width = self.content_region.width or self.size.width
        bars = self.bars
        if self.waiting:
            return Content("")
        if not bars:
            return Content("Timeline: no dated matches").stylize("$text-muted")
        step, offset = self._layout(width)
        self._step, self._offset = step, offset
        bar_width = max(1, step - 1) if step > 1 else 1
        peak = max(b.count for b in bars) or 1
        first, end = self._window(width, step)
        # Header: what the chart shows and the bar under the cursor.
        unit = "month" if self.monthly else "year"
        head = Content(f"Matches per {unit}").stylize("bold")
        if 0 <= self.cursor < len(bars):
            bar = bars[self.cursor]
            info = f"  ▸ {bar.label}: {bar.count:,}"
            if self.has_focus:
                info += "  (enter filters)"
            if len(head.plain) + len(info) > width:  # narrow: the bar matters more
                head = Content(info.removeprefix("  ")).stylize("$text-accent")
            else:
                head = head + Content(info).stylize("$text-accent")
        rows: list[Content] = []
        levels = BAR_ROWS * 8
        heights = [
            0 if b.count == 0 else max(1, round(b.count / peak * levels)) for b in bars[first:end]
        ]
        for row in range(BAR_ROWS - 1, -1, -1):
            cells: list[tuple[str, str]] = []
            for i, h in enumerate(heights, first):
                fill = min(8, max(0, h - row * 8))
                ch = _EIGHTHS[fill] * bar_width
                if i == self.cursor:
                    style = "$text-accent" if fill else ""
                    if fill == 0 and row == 0:
                        ch = "▁" * bar_width
                elif self.chosen is not None and (bars[i].year, bars[i].month) == self.chosen:
                    style = "$text-warning"
                else:
                    style = "$text-primary"
                gap = " " * (step - bar_width)
                cells.append((ch + gap, style))
            rows.append(Content.assemble(*cells))
        # Axis: first and last labels, and the middle one when there is room.
        total = min(step * (end - first), width)
        left, right = self._axis_label(bars[first]), self._axis_label(bars[end - 1])
        axis = left + " " * max(1, total - len(left) - len(right)) + right
        if total < len(left) + len(right) + 1:
            axis = left
        rows.append(Content(axis).stylize("$text-muted"))
        return Content("\n").join([head, *rows])

    def _axis_label(self, bar: Bar) -> str:
        return MONTHS[bar.month - 1] if bar.month else bar.label

    def watch_cursor(self) -> None:
        self.refresh()

    def action_move(self, delta: int) -> None:
        if self.bars:
            self.cursor = max(0, min(len(self.bars) - 1, self.cursor + delta))

    def action_choose(self) -> None:
        if 0 <= self.cursor < len(self.bars):
            bar = self.bars[self.cursor]
            self.post_message(PeriodChosen(bar.year, bar.month))

    def _bar_at(self, x: int, y: int) -> int | None:
        if not (1 <= y <= BAR_ROWS):
            return None
        index = self._first + (x - self._offset) // max(1, self._step)
        return index if 0 <= index < len(self.bars) else None

    def _index_for(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        return None if offset is None else self._bar_at(offset.x, offset.y)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._index_for(event)
        if index is not None:
            self.cursor = index

    def on_click(self, event: events.Click) -> None:
        index = self._index_for(event)
        if index is not None:
            self.cursor = index
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
