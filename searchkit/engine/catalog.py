"""What a generation knows besides the backend's own files, in one SQLite database.

``catalog.sqlite`` (standard library ``sqlite3``; no pickle) holds:

- ``files``: every corpus file as last indexed (size, mtime, content digest, and
  whether it was skipped as bad), so an update reads only what changed;
- ``words``: every plain word of the indexed text with the number of documents it is
  in — did-you-mean's dictionary and what ``syri*`` / ``syria~`` expand over. Kept
  exact: an upsert subtracts the old document's words and adds the new one's;
- ``forms``: how often each written form of a facet value occurs ("Syrian civil war"
  / "Syrian Civil War" are one tag, shown in its commonest form);
- ``copies``: how many documents share each normalised text, where more than one does
  (exact duplicates are shown once, with their number); counted from ``files.text``;
- ``facet_keys``: how many documents have each facet key: the whole archive's facet
  counts (browsing) without asking the backend;
- ``info``: the backend commit the rest agrees with, when it was built and updated;
- ``backend_files``: size, mtime and CRC of each backend file of that commit
  (``integrity``).

A one-shot search reads only the rows it needs. SQLite verifies its own pages;
``searchkit check`` runs ``PRAGMA quick_check`` too.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from searchkit.engine.integrity import FileRecord
from searchkit.errors import IndexDamaged

NAME = "catalog.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL, bad INTEGER NOT NULL, text TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_by_text ON files (text);
CREATE TABLE IF NOT EXISTS words (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forms (
    facet TEXT NOT NULL, key TEXT NOT NULL, form TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (facet, key, form)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS copies (digest TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS facet_keys (
    facet TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (facet, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS backend_files (
    name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    crc TEXT NOT NULL) WITHOUT ROWID;
"""


class FileState(NamedTuple):
    """A corpus file as last indexed."""

    size: int
    mtime_ns: int
    digest: str  # blake2b of the bytes
    bad: bool  # read and skipped (so an unchanged bad file is not read again)
    text: str = ""  # digest of the document's normalised text ("" when bad)


class Catalog:
    """One generation's catalog. Thread-safe (one connection, serialised)."""

    def __init__(self, gen: Path, *, write: bool = False, create: bool = False) -> None:
        self.path = gen / NAME
        if not create and not self.path.is_file():
            raise IndexDamaged(
                str(gen.parent), f"the record of indexed files ({gen.name}/{NAME}) is missing"
            )
        self._lock = threading.RLock()
        try:
            if write:
                self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=DELETE")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(_SCHEMA)
            else:
                self.db = self._open_for_reading()
            self.db.execute("PRAGMA busy_timeout=5000")
            self.db.execute("SELECT count(*) FROM info").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(
                str(gen.parent),
                f"the record of indexed files ({gen.name}/{NAME}) is unreadable: {exc}",
            ) from None
        self._words: tuple[list[str], list[int]] | None = None

    def _open_for_reading(self) -> sqlite3.Connection:
        """A read-only connection; or, when a writer was killed in the middle of a commit
        and left its journal behind, one that may write: SQLite must roll that journal
        back before anyone reads, and a read-only connection may not (nothing else is
        written through it)."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=5000")
            db.execute("SELECT count(*) FROM info").fetchone()
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_READONLY_ROLLBACK:
                raise
            db.close()
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        return db

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.db.execute(sql, args).fetchall()
            except sqlite3.DatabaseError as exc:
                raise IndexDamaged(str(self.path.parent.parent), f"{NAME}: {exc}") from None

    # --- writing -----------------------------------------------------------------------

    class _Txn:
        def __init__(self, catalog: Catalog) -> None:
            self.c = catalog

        def __enter__(self) -> sqlite3.Connection:
            self.c._lock.acquire()
            self.c.db.execute("BEGIN IMMEDIATE")
            return self.c.db

        def __exit__(self, exc_type, exc, tb) -> None:
            try:
                self.c.db.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.c._lock.release()

    def transaction(self) -> Catalog._Txn:
        return Catalog._Txn(self)

    @staticmethod
    def put_files(db: sqlite3.Connection, rows: Iterable[tuple[str, FileState]]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
            ((p, s.size, s.mtime_ns, s.digest, int(s.bad), s.text) for p, s in rows),
        )

    @staticmethod
    def drop_files(db: sqlite3.Connection, paths: Iterable[str]) -> None:
        db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in paths))

    @staticmethod
    def add_words(db: sqlite3.Connection, delta: Counter[str]) -> None:
        db.executemany(
            "INSERT INTO words VALUES (?, ?) ON CONFLICT(word) DO UPDATE SET df = df + excluded.df",
            ((w, n) for w, n in delta.items() if n),
        )
        if any(n < 0 for n in delta.values()):
            db.execute("DELETE FROM words WHERE df <= 0")

    @staticmethod
    def add_forms(db: sqlite3.Connection, delta: Counter[tuple[str, str, str]]) -> None:
        db.executemany(
            "INSERT INTO forms VALUES (?, ?, ?, ?) "
            "ON CONFLICT(facet, key, form) DO UPDATE SET n = n + excluded.n",
            ((f, k, form, n) for (f, k, form), n in delta.items() if n),
        )
        if any(n < 0 for n in delta.values()):
            db.execute("DELETE FROM forms WHERE n <= 0")

    @staticmethod
    def add_keys(db: sqlite3.Connection, delta: Counter[tuple[str, str]]) -> None:
        db.executemany(
            "INSERT INTO facet_keys VALUES (?, ?, ?) "
            "ON CONFLICT(facet, key) DO UPDATE SET n = n + excluded.n",
            ((f, k, n) for (f, k), n in delta.items() if n),
        )
        if any(n < 0 for n in delta.values()):
            db.execute("DELETE FROM facet_keys WHERE n <= 0")

    @staticmethod
    def count_copies(db: sqlite3.Connection, texts: Iterable[str] | None = None) -> None:
        """Count again the documents sharing each of ``texts`` (None: every text)."""
        group = "INSERT INTO copies SELECT text, count(*) FROM files WHERE bad = 0 AND text != ''"
        if texts is None:
            db.execute("DELETE FROM copies")
            db.execute(group + " GROUP BY text HAVING count(*) > 1")
            return
        for text in set(texts) - {""}:
            db.execute("DELETE FROM copies WHERE digest = ?", (text,))
            db.execute(group + " AND text = ? GROUP BY text HAVING count(*) > 1", (text,))

    @staticmethod
    def set_info(db: sqlite3.Connection, **values: object) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO info VALUES (?, ?)",
            ((k, None if v is None else str(v)) for k, v in values.items()),
        )

    @staticmethod
    def set_backend_files(db: sqlite3.Connection, records: dict[str, FileRecord]) -> None:
        db.execute("DELETE FROM backend_files")
        db.executemany(
            "INSERT INTO backend_files VALUES (?, ?, ?, ?)",
            ((name, r.size, r.mtime_ns, r.crc) for name, r in records.items()),
        )

    @staticmethod
    def clear_counts(db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM words")
        db.execute("DELETE FROM forms")
        db.execute("DELETE FROM copies")
        db.execute("DELETE FROM facet_keys")

    # --- reading -----------------------------------------------------------------------

    def info(self) -> dict[str, str | None]:
        return dict(self._rows("SELECT name, value FROM info"))

    def backend_files(self) -> dict[str, FileRecord]:
        return {
            name: FileRecord(size, mtime, crc)
            for name, size, mtime, crc in self._rows("SELECT * FROM backend_files")
        }

    def files(self) -> dict[str, tuple[int, int, str, int, str]]:
        """Every file's state as a plain tuple in ``FileState`` order (a named tuple
        for each of a million files would cost seconds)."""
        with self._lock:
            try:
                cur = self.db.execute("SELECT path, size, mtime_ns, digest, bad, text FROM files")
                return {row[0]: row[1:] for row in cur}
            except sqlite3.DatabaseError as exc:
                raise IndexDamaged(str(self.path.parent.parent), f"{NAME}: {exc}") from None

    def iter_stats(self) -> Iterator[tuple[str, int, int, int]]:
        """Every file's ``(path, size, mtime_ns, bad)`` in path order, streamed: an
        update merges it with the sorted walk of the corpus (see ``iter_files``)."""
        cur = self.db.cursor()
        try:
            cur.execute("SELECT path, size, mtime_ns, bad FROM files ORDER BY path")
            while rows := cur.fetchmany(4096):
                yield from rows
        except sqlite3.DatabaseError as exc:
            raise IndexDamaged(str(self.path.parent.parent), f"{NAME}: {exc}") from None
        finally:
            cur.close()

    def file_rows(self, paths: Iterable[str]) -> dict[str, tuple[int, int, str, int, str]]:
        """The states of ``paths`` that the catalog holds, as ``files()`` gives them."""
        paths = list(paths)
        out = {}
        for i in range(0, len(paths), 500):
            part = paths[i : i + 500]
            marks = ",".join("?" * len(part))
            columns = "path, size, mtime_ns, digest, bad, text"
            sql = f"SELECT {columns} FROM files WHERE path IN ({marks})"
            out.update((row[0], row[1:]) for row in self._rows(sql, tuple(part)))
        return out

    def file_states(self, paths: Iterable[str]) -> dict[str, FileState]:
        out = {}
        for p in paths:
            for _, size, mtime, digest, bad, text in self._rows(
                "SELECT * FROM files WHERE path = ?", (p,)
            ):
                out[p] = FileState(size, mtime, digest, bool(bad), text)
        return out

    def files_under(self, prefix: str) -> list[str]:
        """Paths of files recorded below the folder ``prefix`` ("news/2016/")."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return [
            p
            for (p,) in self._rows(
                "SELECT path FROM files WHERE path >= ? AND path < ?", (prefix, end)
            )
        ]

    def document_count(self) -> int:
        return self._rows("SELECT count(*) FROM files WHERE bad = 0")[0][0]

    def frequency(self, word: str) -> int:
        rows = self._rows("SELECT df FROM words WHERE word = ?", (word,))
        return rows[0][0] if rows else 0

    def with_prefix(self, prefix: str, limit: int) -> list[tuple[str, int]]:
        if not prefix:
            return []
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return self._rows(
            "SELECT word, df FROM words WHERE word >= ? AND word < ? ORDER BY df DESC, word "
            "LIMIT ?",
            (prefix, end, limit),
        )

    def all_words(self) -> tuple[list[str], list[int]]:
        """Every word and its document frequency (loaded once, for spelling)."""
        if self._words is None:
            rows = self._rows("SELECT word, df FROM words")
            self._words = ([w for w, _ in rows], [n for _, n in rows])
        return self._words

    def within(self, word: str, edits: int, limit: int) -> list[tuple[str, int]]:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        words, freqs = self.all_words()
        found = process.extract(word, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
        out = sorted(((cand, freqs[i]) for cand, _, i in found), key=lambda wf: (-wf[1], wf[0]))
        return out[:limit]

    def forms(self, facet: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        """key -> its commonest written form (ties: the first in code-point order)."""
        if keys is None:
            rows = self._rows("SELECT key, form, n FROM forms WHERE facet = ?", (facet,))
        else:
            rows = []
            for key in keys:
                rows += self._rows(
                    "SELECT key, form, n FROM forms WHERE facet = ? AND key = ?", (facet, key)
                )
        best: dict[str, tuple[int, str]] = {}
        for key, form, n in rows:
            cur = best.get(key)
            if cur is None or n > cur[0] or (n == cur[0] and form < cur[1]):
                best[key] = (n, form)
        return {k: form for k, (_, form) in best.items()}

    def facet_counts(self) -> dict[str, list[tuple[str, int]]]:
        """Documents per key of every facet, over the whole index."""
        out: dict[str, list[tuple[str, int]]] = {}
        for facet, key, n in self._rows("SELECT facet, key, n FROM facet_keys"):
            out.setdefault(facet, []).append((key, n))
        return out

    def copies(self, digests: Iterable[str]) -> dict[str, int]:
        """How many indexed documents have each of these texts (absent: one or none)."""
        out = {}
        for d in set(digests):
            rows = self._rows("SELECT n FROM copies WHERE digest = ?", (d,))
            if rows:
                out[d] = rows[0][0]
        return out

    def quick_check(self) -> str:
        rows = self._rows("PRAGMA quick_check")
        return "ok" if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:3])

    def iter_paths(self) -> Iterator[str]:
        for (p,) in self._rows("SELECT path FROM files WHERE bad = 0"):
            yield p
