"""The search engine: schema, index writer, searcher. Never imports rich or textual."""

from __future__ import annotations

from searchkit.engine.searcher import Engine, IndexIncompatible

__all__ = ["Engine", "IndexIncompatible"]
