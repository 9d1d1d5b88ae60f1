"""Snapshots of the TUI at 80x24 and 120x36 over the synthetic corpus (no sample files,
no timings): the main screen, an open document, the help.

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest

pytest.importorskip("pytest_textual_snapshot")

from textual.widgets import Input  # noqa: E402
from textual.worker import WorkerCancelled  # noqa: E402

from searchkit.engine import update_index  # noqa: E402
from searchkit.tui.widgets.detail_pane import RelatedList  # noqa: E402
from tests.test_tui import make_app, quick_detail  # noqa: E402, F401 - quick_detail: autouse fixture

SIZES = {"80x24": (80, 24), "120x36": (120, 36)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    from tests.test_tui import build_corpus

    root = tmp_path_factory.mktemp("snap")
    corpus = build_corpus(root, sample=False)  # fixed content, whatever the repo holds
    index = root / "index"
    update_index(corpus, index)
    return corpus, index


async def ready(pilot) -> None:
    app = pilot.app
    deadline = time.monotonic() + 10
    while app.main is None or app.main.results is None:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    app.main.query_one(Input).cursor_blink = False
    for _ in range(5):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause(0.03)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare, built, size):
    async def move(pilot) -> None:
        await ready(pilot)
        await pilot.press("down")  # the cursor moves; the box keeps the keyboard
        await ready(pilot)

    assert snap_compare(make_app(built, "pirates"), terminal_size=SIZES[size], run_before=move)


@pytest.mark.parametrize("size", SIZES)
def test_detail_view(snap_compare, built, size):
    async def open_related(pilot) -> None:
        await ready(pilot)
        await pilot.press("enter")  # open the hit: the detail pane gets the keyboard
        await ready(pilot)
        related = pilot.app.main.query_one(RelatedList)
        related.focus()
        related.highlighted = 0
        await pilot.press("enter")  # open the related story: a history entry
        await ready(pilot)
        pilot.app.main.detail_pane.focus()
        pilot.app.main.detail_pane.scroll_home(animate=False)
        await ready(pilot)

    assert snap_compare(
        make_app(built, "quarrington offensive"),
        terminal_size=SIZES[size],
        run_before=open_related,
    )


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, built, size):
    async def open_help(pilot) -> None:
        await ready(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(built), terminal_size=SIZES[size], run_before=open_help)
