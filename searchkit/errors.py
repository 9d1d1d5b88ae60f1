"""Errors every layer can raise and every front end can show as one line."""

from __future__ import annotations


class SearchkitError(Exception):
    """An error whose message is fit to show the user as is."""


class IndexMissing(SearchkitError):
    def __init__(self, path: str) -> None:
        super().__init__(f"no index at {path}: run `searchkit index` to build it")
        self.path = path


class IndexBusy(SearchkitError):
    def __init__(self, path: str, pid: int | None) -> None:
        who = f"PID {pid}" if pid else "another process"
        super().__init__(f"index {path} is being updated by {who}; try again later or pass --wait")
        self.pid = pid


class UnknownDocument(SearchkitError):
    def __init__(self, doc_id: str) -> None:
        super().__init__(f"no document {doc_id!r} in the index")
        self.doc_id = doc_id


class CorpusMissing(SearchkitError):
    def __init__(self, path: str) -> None:
        super().__init__(f"corpus folder {path} does not exist")
        self.path = path


class IndexDamaged(SearchkitError):
    """An index file failed to verify: the index is not trusted until rebuilt."""

    def __init__(self, path: str, reason: str) -> None:
        reason = " ".join(reason.split())  # one line, however the library worded it
        if len(reason) > 200:
            reason = reason[:199] + "…"
        super().__init__(
            f"the index at {path} is damaged ({reason}): run `searchkit index` to rebuild it"
        )
        self.path = path
        self.reason = reason


class IndexIncompatible(SearchkitError):
    """An index written by another backend or another version of searchkit."""

    def __init__(self, path: str, reason: str = "it was built by another version of searchkit"):
        super().__init__(f"the index at {path} cannot be used ({reason}): run `searchkit index`")
        self.path = path
        self.reason = reason


class QueryError(SearchkitError):
    """A query that cannot be searched as typed (e.g. a malformed date)."""


class EngineUnavailable(SearchkitError):
    """The engine an index needs (or the user asked for) is not installed."""
