"""The search engine: the neutral service the front ends use, and the index updater.

Front ends import only what this package exports. Names are resolved on first use, so
that ``searchkit index`` finding nothing to do never imports a search library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from searchkit.engine.query import parse_date as parse_date
    from searchkit.engine.searcher import Engine as Engine
    from searchkit.engine.searcher import EngineClosed as EngineClosed
    from searchkit.engine.searcher import IndexIncompatible as IndexIncompatible
    from searchkit.engine.writer import UpdateReport as UpdateReport
    from searchkit.engine.writer import update_index as update_index

_EXPORTS = {
    "Engine": "searchkit.engine.searcher",
    "EngineClosed": "searchkit.engine.searcher",
    "IndexIncompatible": "searchkit.engine.searcher",
    "UpdateReport": "searchkit.engine.writer",
    "update_index": "searchkit.engine.writer",
    "parse_date": "searchkit.engine.query",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module), name)
