"""The Textual front end: ``searchkit`` with no arguments, or ``searchkit tui [QUERY]``."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_app"]


def run_app(corpus: Path, index: Path, query: str = "") -> int:
    """Open the TUI (imported lazily so the CLI starts fast without Textual)."""
    from searchkit.tui.app import run_app as _run

    return _run(corpus, index, query)
