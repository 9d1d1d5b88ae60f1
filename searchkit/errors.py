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
