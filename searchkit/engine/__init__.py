"""The search engine: the neutral service the front ends use, and the index updater.

Front ends import only what this package exports. Names are resolved on first use, so
that ``searchkit index`` finding nothing to do never imports a search library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from searchkit.engine.check import CheckReport as CheckReport
    from searchkit.engine.check import check_index as check_index
    from searchkit.engine.query import parse_date as parse_date
    from searchkit.engine.service import Engine as Engine
    from searchkit.engine.service import EngineClosed as EngineClosed
    from searchkit.engine.update import UpdateReport as UpdateReport
    from searchkit.engine.update import update_index as update_index
    from searchkit.errors import IndexIncompatible as IndexIncompatible

_EXPORTS = {
    "CheckReport": "searchkit.engine.check",
    "check_index": "searchkit.engine.check",
    "Engine": "searchkit.engine.service",
    "EngineClosed": "searchkit.engine.service",
    "IndexIncompatible": "searchkit.errors",
    "UpdateReport": "searchkit.engine.update",
    "update_index": "searchkit.engine.update",
    "parse_date": "searchkit.engine.query",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module), name)
