"""The registry of backends: a name, where its package is, and how to install it.

A backend package is imported only when an index needs it, so a missing optional
library (tantivy) costs nothing until asked for, and then gives one line saying how
to install it.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from searchkit.engine.backend import BackendType
from searchkit.errors import EngineUnavailable

DEFAULT = "whoosh"
#: The environment variable that picks the engine of a new index.
ENV = "SEARCHKIT_ENGINE"


@dataclass(frozen=True, slots=True)
class Entry:
    module: str
    library: str  # the import that must work
    install: str  # what to run when it does not


REGISTRY: dict[str, Entry] = {
    "whoosh": Entry("searchkit.engine.backends.whoosh", "whoosh", 'pip install "searchkit"'),
    "tantivy": Entry(
        "searchkit.engine.backends.tantivy", "tantivy", 'pip install "searchkit[tantivy]"'
    ),
}


def names() -> list[str]:
    return list(REGISTRY)


def chosen(name: str | None = None) -> str:
    """The engine for a new index: ``name``, else $SEARCHKIT_ENGINE, else the default."""
    value = (name or os.environ.get(ENV) or DEFAULT).strip().lower()
    if value not in REGISTRY:
        known = ", ".join(REGISTRY)
        raise EngineUnavailable(f"unknown engine {value!r}; the engines are: {known}")
    return value


def load(name: str) -> BackendType:
    """The backend called ``name``; ``EngineUnavailable`` when it cannot be used here."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise EngineUnavailable(
            f"this index was built with the engine {name!r}, which this version of "
            "searchkit does not know: run `searchkit index --rebuild`"
        )
    try:
        importlib.import_module(entry.library)
    except ImportError:
        raise EngineUnavailable(f"the {name} engine is not installed: {entry.install}") from None
    return importlib.import_module(entry.module).BACKEND


def available() -> list[str]:
    """The engines that can be used here (their library and package import)."""
    out = []
    for name in REGISTRY:
        try:
            load(name)
        except (EngineUnavailable, ImportError):
            continue
        out.append(name)
    return out
