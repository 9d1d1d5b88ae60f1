"""Full collections wait for a pause in typing (see searchkit/tui/idle_gc.py)."""

from __future__ import annotations

import gc

import pytest

from searchkit.tui import idle_gc
from searchkit.tui.idle_gc import IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def collector(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    counts = [0, 0, 0]
    monkeypatch.setattr(gc, "get_count", lambda: tuple(counts))
    before = gc.get_threshold()
    clock = Clock()
    c = IdleCollector(clock)
    c.start()
    yield c, clock, calls, counts
    c.stop()
    assert gc.get_threshold() == before


def test_full_collections_are_left_to_the_collector_while_it_runs(collector):
    c, _, calls, _ = collector
    assert gc.get_threshold()[2] == idle_gc.NO_AUTO_FULL
    assert calls == ["collect", "freeze"]


def test_it_collects_in_a_pause_not_while_typing(collector):
    c, clock, calls, counts = collector
    calls.clear()
    counts[2] = idle_gc.MIN_YOUNG  # enough garbage may have piled up
    c.touched()
    clock.now += idle_gc.IDLE / 2
    c.tick()
    assert calls == []  # still typing
    clock.now += idle_gc.IDLE
    c.tick()
    assert calls == ["collect", "freeze"] and c.collections == 1


def test_little_allocation_means_no_idle_collection(collector):
    c, clock, calls, counts = collector
    calls.clear()
    counts[2] = 0
    clock.now += idle_gc.IDLE * 2
    c.tick()
    assert calls == []


def test_continuous_typing_still_collects_after_max_defer(collector):
    c, clock, calls, counts = collector
    calls.clear()
    counts[2] = idle_gc.MIN_YOUNG
    t = 0.0
    while t < idle_gc.MAX_DEFER + 1:
        c.touched()
        c.tick()
        clock.now += 0.2
        t += 0.2
    assert calls[:2] == ["collect", "freeze"]


def test_every_so_often_a_collection_walks_the_frozen_objects_too(collector):
    c, clock, calls, counts = collector
    counts[2] = idle_gc.MIN_YOUNG
    for _ in range(idle_gc.DEEP_EVERY):
        calls.clear()
        clock.now += idle_gc.IDLE * 2
        c.tick()
    assert calls == ["unfreeze", "collect", "freeze"] and c.deep == 1
