"""Full garbage collections moved into the pauses between keystrokes.

Python's collector runs whenever enough container objects were allocated, which in a
Textual app is in the middle of drawing results. Young collections are short (a few
ms) and stay automatic. Full ones are not: Textual's drawn lines (``Strip``) are
cyclic, live in widget caches until the next results replace them, and so end up as
garbage in the oldest generation; collecting it took 50-470 ms here, landing on a
keystroke's latency.

Once the app is running, full collections happen only when nobody has typed or
clicked for ``IDLE`` seconds, or after ``MAX_DEFER`` seconds of uninterrupted use.
What survives one is frozen (``gc.freeze``), so the next walks only what is newer;
every ``DEEP_EVERY``-th idle collection unfreezes first and walks everything, which
frees what died after it was frozen. Objects freed by reference counting (most of
them) are freed at once as always.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Seconds without input after which collecting is unlikely to delay a keystroke.
IDLE = 0.8
#: Collect anyway after this many seconds of continuous use.
MAX_DEFER = 5.0
#: How often to look (seconds).
CHECK = 0.25
#: Collections of the middle generation (each ~7,000 allocations) since the last full
#: one that make an idle full collection worth doing.
MIN_YOUNG = 3
#: Every this many idle collections, one walks the frozen objects too.
DEEP_EVERY = 20
#: Young collections between two automatic full ones: never, in effect.
NO_AUTO_FULL = 1_000_000_000


class IdleCollector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.last_input = clock()
        self.last_collect = clock()
        self.active = False
        self.collections = 0  # full collections done (for tests and benchmarks)
        self.deep = 0
        self._thresholds = gc.get_threshold()

    def start(self) -> None:
        """Freeze what exists now (the engine's caches, the widgets) and take over
        the full collections."""
        gc.collect()
        gc.freeze()
        if not self.active:
            self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, NO_AUTO_FULL)
        self.active = True
        self.last_collect = self._clock()

    def stop(self) -> None:
        """Give collecting back to Python (frozen objects become collectable again)."""
        if self.active:
            self.active = False
            gc.unfreeze()
            gc.set_threshold(*self._thresholds)

    def touched(self) -> None:
        """Input arrived (a key, a click)."""
        self.last_input = self._clock()

    def tick(self) -> None:
        if not self.active:
            return
        now = self._clock()
        idle = now - self.last_input >= IDLE
        if idle and gc.get_count()[2] >= MIN_YOUNG:
            deep = (self.collections + 1) % DEEP_EVERY == 0
        elif now - self.last_collect >= MAX_DEFER:
            deep = False
        else:
            return
        if deep:
            gc.unfreeze()
            self.deep += 1
        gc.collect()
        gc.freeze()
        self.collections += 1
        self.last_collect = now
