"""The search engine: schema, index writer, searcher. Never imports rich or textual.

``Engine`` is resolved on first use, so that ``searchkit index`` finding nothing to
do never imports Whoosh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from searchkit.engine.searcher import Engine, IndexIncompatible

__all__ = ["Engine", "IndexIncompatible"]


def __getattr__(name: str):
    if name in __all__:
        from searchkit.engine import searcher

        return getattr(searcher, name)
    raise AttributeError(name)
