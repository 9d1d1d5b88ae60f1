"""Facet counts from per-document values, read lazily and cached per opened index.

Counting tags through Whoosh postings costs ~0.5 s a query on the large corpus (see
docs/whoosh-notes.md). Here each document's tags, outlets and kind sit in one column
value (``schema.facets``): a query with a few thousand hits reads just those (~3 µs
each); a large result set loads the whole forward index once (per opened index) and
counts with ``Counter`` over it. Counts for the whole archive (browse mode) are cached
on disk per index generation, so a one-shot browse does not pay for them.

Values that differ only by case ("Syrian civil war" / "Syrian Civil War") are one
facet value, shown in its commonest form.
"""

from __future__ import annotations

import json
import os
from array import array
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

from whoosh import query as wq

from searchkit.engine.schema import GROUP_SEP, SEP
from searchkit.model import FACETS

#: Above this many documents, counting loads the whole forward index instead.
LAZY_LIMIT = 20_000
_KEY_FIELDS = {"tag": "tag_key", "source": "source_key"}

Row = tuple[tuple[str, ...], tuple[str, ...], str, int]


def _parse(raw: bytes | None) -> Row:
    if not raw:
        return (), (), "story", 0
    tags, sources, kind, day = raw.decode("utf-8").split(GROUP_SEP)
    return (
        tuple(tags.split(SEP)) if tags else (),
        tuple(sources.split(SEP)) if sources else (),
        kind,
        int(day),
    )


class FacetIndex:
    """Facet values of one opened index (one Whoosh reader)."""

    def __init__(self, searcher, cache_dir: Path | None = None, cache_key: str = "") -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.size = reader.doc_count_all()
        self.live = live_docs(reader)
        self._facet_col = reader.column_reader("facets")
        self._dates: array | None = None
        self._tags: list[tuple[str, ...]] | None = None
        self._sources: list[tuple[str, ...]] | None = None
        self._kinds: list[str] | None = None
        self._memo: dict[int, Row] = {}
        self._terms: dict[str, dict[str, list[str]]] = {}
        self._cache_file = cache_dir / f"facets-{cache_key}.json" if cache_dir else None
        self._browse: dict[str, list[tuple[str, int]]] | None = None

    # --- per-document values ------------------------------------------------------------

    @property
    def dates(self) -> array:
        """yyyymmdd of every document (0: undated)."""
        self.load_all()
        return self._dates  # type: ignore[return-value]

    def date_of(self, d: int) -> int:
        return self._dates[d] if self._dates is not None else self._row(d)[3]

    def docs_in_range(self, lo: int, hi: int) -> set[int] | None:
        """Documents dated lo..hi (yyyymmdd), when all dates are loaded; else None."""
        dates = self._dates
        if dates is None:
            return None
        return {d for d in self.live if lo <= dates[d] <= hi}

    def load_all(self) -> None:
        """Read every document's facet values (~0.5 s on 113k documents)."""
        if self._tags is None:
            rows = [_parse(v) for v in self._facet_col]
            # Each value in its commonest casing, once: counting then needs no merge.
            self._tags = _canonical([r[0] for r in rows])
            self._sources = _canonical([r[1] for r in rows])
            self._kinds = [r[2] for r in rows]
            self._dates = array("I", [r[3] for r in rows])
            self._memo.clear()

    def _row(self, d: int) -> Row:
        row = self._memo.get(d)
        if row is None:
            row = self._memo[d] = _parse(self._facet_col[d])
        return row

    # --- counting ---------------------------------------------------------------------

    def count(self, facet: str, docs: Iterable[int], limit: int) -> list[tuple[str, int]]:
        docs = docs if isinstance(docs, (set, frozenset, list)) else list(docs)
        if self._tags is None and len(docs) > LAZY_LIMIT:
            self.load_all()
        if facet == "year":
            if self._dates is not None:
                days = Counter(map(self._dates.__getitem__, docs))
            else:
                days = Counter(map(self.date_of, docs))
            years: Counter[int] = Counter()
            for day, c in days.items():
                years[day // 10000] += c
            years.pop(0, None)  # undated articles have no year
            # In time order, all of them: the TUI's timeline draws every year.
            return sorted(((str(y), c) for y, c in years.items()), reverse=True)
        if self._tags is not None:
            column = {"tag": self._tags, "source": self._sources, "kind": self._kinds}[facet]
            values = map(column.__getitem__, docs)  # type: ignore[union-attr]
        else:
            i = {"tag": 0, "source": 1, "kind": 2}[facet]
            values = (self._row(d)[i] for d in docs)
        if facet == "kind":
            return _top(Counter(values), limit)
        counts = Counter(chain.from_iterable(values))
        return _top(counts if self._tags is not None else _merge_case(counts), limit)

    def all_counts(self, limit: int) -> dict[str, list[tuple[str, int]]]:
        """Counts over the whole index (browse mode): once per index generation."""
        if self._browse is None:
            self._browse = self._read_cache()
        if self._browse is None:
            self._browse = {f: self.count(f, self.live, 1000) for f in FACETS}
            self._write_cache(self._browse)
        return {f: v if f == "year" else v[:limit] for f, v in self._browse.items()}

    def _read_cache(self) -> dict | None:
        if self._cache_file is None:
            return None
        try:
            raw = json.loads(self._cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {f: [tuple(p) for p in raw[f]] for f in FACETS if f in raw} or None

    def _write_cache(self, counts: dict) -> None:
        if self._cache_file is None:
            return
        try:
            for old in self._cache_file.parent.glob("facets-*.json"):
                if old != self._cache_file:
                    old.unlink(missing_ok=True)
            tmp = self._cache_file.with_name(f".{self._cache_file.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(counts), encoding="utf-8")
            os.replace(tmp, self._cache_file)
        except OSError:
            pass  # a read-only index still works, just without the cache

    # --- filtering --------------------------------------------------------------------

    def _terms_by_key(self, field: str) -> dict[str, list[str]]:
        terms = self._terms.get(field)
        if terms is None:
            terms = {}
            for t in self.searcher.reader().lexicon(field):
                value = t.decode("utf-8")
                terms.setdefault(value.casefold(), []).append(value)
            self._terms[field] = terms
        return terms

    def docs_with(self, facet: str, values: Iterable[str]) -> set[int]:
        """Documents having any of ``values`` for ``facet``."""
        if facet in _KEY_FIELDS:
            field = _KEY_FIELDS[facet]
            by_key = self._terms_by_key(field)
            terms = [t for v in values for t in by_key.get(v.casefold(), ())]
            q: wq.Query = wq.Or([wq.Term(field, t) for t in terms])
        elif facet == "kind":
            q = wq.Or([wq.Term("kind", v.lower()) for v in values])
        elif facet == "year":
            years = [int(v) for v in values if str(v).isdigit()]
            q = wq.Or([wq.NumericRange("date", y * 10000 + 101, y * 10000 + 1231) for y in years])
        else:
            raise ValueError(f"unknown facet {facet!r}")
        return set(self.searcher.docs_for_query(q)) if q.subqueries else set()


def live_docs(reader) -> frozenset[int]:
    """Docnums not deleted: per segment, its range less its deletions (C speed)."""
    live: set[int] = set()
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    for leaf, offset in leaves:
        ids = set(range(offset, offset + leaf.doc_count_all()))
        if leaf.has_deletions():
            ids -= {offset + d for d in leaf.segment().deleted_docs()}
        live |= ids
    return frozenset(live)


def _canonical(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """``rows`` with every value replaced by its commonest form among case variants."""
    form = {v: best for v, best in _forms(Counter(chain.from_iterable(rows))).items()}
    if all(v == best for v, best in form.items()):
        return rows
    return [tuple(form[v] for v in row) if row else row for row in rows]


def _forms(counts: Counter) -> dict[str, str]:
    """Each value -> the commonest form of its case variants."""
    best: dict[str, tuple[int, str]] = {}
    for value, c in counts.items():
        key = value.casefold()
        if key not in best or c > best[key][0]:
            best[key] = (c, value)
    return {value: best[value.casefold()][1] for value in counts}


def _merge_case(counts: Counter) -> Counter:
    """Fold values that differ only by case into their commonest form."""
    if len({v.casefold() for v in counts}) == len(counts):
        return counts
    groups: dict[str, list] = {}
    for value, c in counts.items():
        g = groups.get(value.casefold())
        if g is None:
            groups[value.casefold()] = [c, value, c]
        else:
            g[0] += c
            if c > g[2]:
                g[1], g[2] = value, c
    return Counter({best: total for total, best, _ in groups.values()})


def _top(counts: Counter, limit: int) -> list[tuple[str, int]]:
    """The ``limit`` most frequent, ties by value so output is deterministic."""
    # most_common picks with a C-level key; only the few kept are sorted in Python.
    cut = counts.most_common(limit)
    if len(cut) == limit and cut:
        floor = cut[-1][1]  # values tied with the last one kept compete by name
        cut = [kv for kv in cut if kv[1] > floor] + [kv for kv in counts.items() if kv[1] == floor]
    return sorted(cut, key=lambda kv: (-kv[1], str(kv[0])))[:limit]
