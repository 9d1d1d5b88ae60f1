"""Reading Whoosh's pickled table of contents without trusting module paths.

Whoosh pickles the schema and segment list of every commit (``_MAIN_<n>.toc``). A
plain ``pickle.load`` would import whatever module path is written there — renaming
one of our modules turned an existing index into a ``ModuleNotFoundError``, and a
crafted index folder could run code. Whoosh's two unpickling sites are pointed at
``load`` here, which resolves searchkit's own classes by name from a fixed table
(wherever their code lives now), allows Whoosh's classes and a few builtins, and
refuses everything else with ``UnpicklingError`` — which the backend reports as an
index to rebuild.
"""

from __future__ import annotations

import io
import pickle

import whoosh.filedb.structfile as _structfile
import whoosh.index as _index

from searchkit.engine.backends.whoosh import formats, schema

#: searchkit classes an index may name, by class name (module paths may change).
OWN_CLASSES: dict[str, type] = {
    "Pretokenized": schema.Pretokenized,
    "Positions": formats.Positions,
    "Frequency": formats.Frequency,
}
_SAFE_BUILTINS = frozenset(
    {"int", "float", "complex", "str", "bytes", "bytearray", "bool", "tuple", "list", "dict",
     "set", "frozenset", "object", "slice", "range", "type"}
)  # fmt: skip
_ALLOWED = {
    ("copyreg", "_reconstructor"),
    ("collections", "defaultdict"),
    ("collections", "OrderedDict"),
    ("array", "array"),
    ("array", "_array_reconstructor"),
    ("datetime", "datetime"),
    ("datetime", "date"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module == "searchkit" or module.startswith("searchkit."):
            cls = OWN_CLASSES.get(name)
            if cls is None:
                raise pickle.UnpicklingError(f"the index names an unknown class {name}")
            return cls
        if module == "whoosh" or module.startswith("whoosh."):
            return super().find_class(module, name)
        if (module == "builtins" and name in _SAFE_BUILTINS) or (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"the index names a forbidden class {module}.{name}")


def load(file) -> object:
    return _Unpickler(file).load()


def loads(data: bytes) -> object:
    return _Unpickler(io.BytesIO(data)).load()


class _PickleModule:
    """What ``whoosh.index`` calls ``pickle``: safe loading, normal dumping."""

    loads = staticmethod(loads)
    dumps = staticmethod(pickle.dumps)
    PicklingError = pickle.PicklingError
    UnpicklingError = pickle.UnpicklingError


def install() -> None:
    """Point Whoosh's table-of-contents unpickling at ``load``/``loads`` (idempotent)."""
    _index.pickle = _PickleModule
    _structfile.load_pickle = load


install()
