"""What searchkit remembers between runs, per index: the hits the last ``search``
printed (so ``searchkit show 3`` names hit 3) and the queries used in the app.

Kept in the user's state directory, ``$XDG_STATE_HOME/searchkit`` (by default
``~/.local/state/searchkit``), one folder per index, named after a hash of the index's
absolute path. Files are small JSON documents, written whole to a temporary file and
then renamed, so a reader never sees half of one. Remembering is a convenience: a file
that cannot be read counts as empty, one that cannot be written is skipped (with an
entry in the debug log), and no command fails because of either.

Standard library only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "LastSearch",
    "QueryHistory",
    "index_state_dir",
    "load_last_search",
    "save_last_search",
    "state_home",
]

log = logging.getLogger("searchkit.state")

#: Queries kept per index (oldest dropped first).
HISTORY_LIMIT = 500
LAST_SEARCH = "last-search.json"
HISTORY = "history.json"


def state_home(environ: dict[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/searchkit``, or ``~/.local/state/searchkit``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "searchkit"


def index_state_dir(index: Path, environ: dict[str, str] | None = None) -> Path:
    """The folder that holds what is remembered about ``index``."""
    absolute = os.path.abspath(os.fspath(index))
    digest = hashlib.sha256(os.fsencode(absolute)).hexdigest()[:16]
    return state_home(environ) / "indexes" / digest


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.debug("ignoring unreadable state file %s: %s", path, exc)
        return None


def _write(path: Path, data: Any, *, index: Path | None = None) -> bool:
    """Write ``data`` as JSON atomically; False (and a debug entry) when it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if index is not None:
            # Which index the hashed folder belongs to, for whoever looks inside.
            marker = path.parent / "index-path.txt"
            if not marker.exists():
                marker.write_text(os.path.abspath(os.fspath(index)) + "\n", "utf-8", "replace")
        # ensure_ascii: ids that hold undecodable bytes (lone surrogates) round-trip.
        text = json.dumps(data, ensure_ascii=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.debug("could not write state file %s: %s", path, exc)
        return False
    return True


# --- the last search --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LastSearch:
    """The hits a ``search`` printed: hit ``offset + 1`` is ``ids[0]``."""

    query: str
    offset: int
    ids: tuple[str, ...]

    @property
    def first(self) -> int:
        return self.offset + 1

    @property
    def last(self) -> int:
        return self.offset + len(self.ids)

    def id_for(self, number: int) -> str | None:
        """The id printed as hit ``number``, or None when it printed no such hit."""
        if self.first <= number <= self.last:
            return self.ids[number - self.first]
        return None


def save_last_search(index: Path, query: str, offset: int, ids: list[str]) -> bool:
    data = {"query": query, "offset": offset, "ids": list(ids)}
    return _write(index_state_dir(index) / LAST_SEARCH, data, index=index)


def load_last_search(index: Path) -> LastSearch | None:
    data = _read(index_state_dir(index) / LAST_SEARCH)
    try:
        ids = tuple(str(i) for i in data["ids"])
        return LastSearch(str(data.get("query", "")), int(data.get("offset", 0)), ids)
    except (TypeError, KeyError, ValueError, AttributeError):
        if data is not None:
            log.debug("ignoring malformed last search for %s", index)
        return None


# --- query history ------------------------------------------------------------------------


class QueryHistory:
    """The queries used with one index, oldest first, each once, at most ``limit``.

    Read from disk when created; ``add`` reads again before it writes, so two apps
    open on one index both keep what they added.
    """

    def __init__(self, index: Path, limit: int = HISTORY_LIMIT) -> None:
        self.index = Path(index)
        self.limit = limit
        self.path = index_state_dir(self.index) / HISTORY
        self.queries: list[str] = self._load()

    def _load(self) -> list[str]:
        data = _read(self.path)
        if not isinstance(data, list):
            return []
        return [q for q in data if isinstance(q, str) and q.strip()][-self.limit :]

    def add(self, query: str) -> bool:
        """Remember ``query`` as the most recent one; False when there was nothing to add."""
        query = query.strip()
        if not query:
            return False
        queries = [q for q in self._load() if q != query]
        queries.append(query)
        self.queries = queries[-self.limit :]
        _write(self.path, self.queries, index=self.index)
        return True

    def recent(self, n: int | None = None) -> list[str]:
        """Most recent first."""
        out = self.queries[::-1]
        return out if n is None else out[:n]
