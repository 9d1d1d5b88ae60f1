"""The Whoosh backend (the default engine): the only package that imports whoosh."""

from searchkit.engine.backends.whoosh.backend import WhooshBackend

BACKEND = WhooshBackend()

__all__ = ["BACKEND"]
