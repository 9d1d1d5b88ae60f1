"""The tantivy backend (the optional engine for large archives): the only package that
imports tantivy. Installed with ``pip install "searchkit[tantivy]"``."""

from searchkit.engine.backends.tantivy.backend import TantivyBackend

BACKEND = TantivyBackend()

__all__ = ["BACKEND"]
