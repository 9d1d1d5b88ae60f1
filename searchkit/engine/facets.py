"""Facet counts from a forward index (docnum -> value ids) built once per reader.

Counting tags through Whoosh postings costs ~0.5 s a query on the large corpus;
counting a Counter over the matched docnums of a cached forward index costs a few
milliseconds (see docs/whoosh-notes.md). Values that differ only by case ("Syrian
civil war" / "Syrian Civil War") are one facet value shown in its commonest form.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import chain

_EMPTY: tuple[int, ...] = ()


class _Multi:
    """A multi-valued facet (tags, outlets)."""

    def __init__(self, reader, fieldname: str, size: int) -> None:
        per_doc: list[list[int] | tuple[int, ...]] = [_EMPTY] * size
        by_key: dict[str, int] = {}
        forms: list[Counter[str]] = []
        postings: list[list[int]] = []
        for term in reader.lexicon(fieldname):
            value = term.decode("utf-8")
            key = value.casefold()
            kid = by_key.get(key)
            if kid is None:
                kid = by_key[key] = len(forms)
                forms.append(Counter())
                postings.append([])
            ids = list(reader.postings(fieldname, term).all_ids())
            forms[kid][value] += len(ids)
            postings[kid].extend(ids)
            for d in ids:
                row = per_doc[d]
                if row is _EMPTY:
                    per_doc[d] = [kid]
                elif kid not in row:
                    row.append(kid)  # type: ignore[union-attr]
        self.per_doc = per_doc
        self.by_key = by_key
        self.names = [f.most_common(1)[0][0] for f in forms]
        self.postings = postings

    def count(self, docs: Iterable[int]) -> Counter[int]:
        per_doc = self.per_doc
        return Counter(chain.from_iterable(map(per_doc.__getitem__, docs)))

    def docs_with(self, values: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for v in values:
            kid = self.by_key.get(v.casefold())
            if kid is not None:
                out.update(self.postings[kid])
        return out


class FacetIndex:
    """Per-reader forward index for the tag, source, year and kind facets."""

    def __init__(self, reader) -> None:
        size = reader.doc_count_all()
        self.live: frozenset[int] = frozenset(reader.all_doc_ids())
        dates = array("I", [0]) * size
        if reader.has_column("date"):
            col = reader.column_reader("date")
            for i, v in enumerate(col):
                if i >= size:
                    break
                dates[i] = v or 0
        self.dates = dates
        self.tag = _Multi(reader, "tag_key", size)
        self.source = _Multi(reader, "source_key", size)
        kinds = ["story"] * size
        by_kind: dict[str, list[int]] = defaultdict(list)
        for term in reader.lexicon("kind"):
            k = term.decode("utf-8")
            for d in reader.postings("kind", term).all_ids():
                kinds[d] = k
                by_kind[k].append(d)
        self.kinds = kinds
        self.by_kind = dict(by_kind)
        self._browse_counts: dict[str, list[tuple[str, int]]] | None = None

    def year_of(self, d: int) -> int:
        return self.dates[d] // 10000

    def docs_with(self, facet: str, values: Iterable[str]) -> set[int]:
        values = list(values)
        if facet == "tag":
            return self.tag.docs_with(values)
        if facet == "source":
            return self.source.docs_with(values)
        if facet == "kind":
            return set(chain.from_iterable(self.by_kind.get(v.lower(), ()) for v in values))
        if facet == "year":
            years = {int(v) for v in values if str(v).isdigit()}
            dates = self.dates
            return {d for d in self.live if dates[d] // 10000 in years}
        raise ValueError(f"unknown facet {facet!r}")

    def count(self, facet: str, docs: Iterable[int], limit: int) -> list[tuple[str, int]]:
        if facet in ("tag", "source"):
            multi: _Multi = getattr(self, facet)
            names = multi.names
            counts = multi.count(docs)
            return [(names[k], c) for k, c in _top(counts, limit)]
        if facet == "kind":
            kinds = self.kinds
            return _top(Counter(map(kinds.__getitem__, docs)), limit)
        dates = self.dates
        years = Counter(dates[d] // 10000 for d in docs)
        years.pop(0, None)  # undated articles have no year
        # Years read best in time order; the TUI's timeline needs all of them.
        return sorted(((str(y), c) for y, c in years.items()), reverse=True)

    def all_counts(self, limit: int) -> dict[str, list[tuple[str, int]]]:
        """Counts over the whole index (browse mode), computed once per reader."""
        if self._browse_counts is None or limit > 10:
            counts = {f: self.count(f, self.live, max(limit, 10)) for f in FACET_NAMES}
            if limit > 10:
                return counts
            self._browse_counts = counts
        return {f: v[:limit] if f != "year" else v for f, v in self._browse_counts.items()}


FACET_NAMES = ("tag", "year", "source", "kind")


def _top(counts: Counter, limit: int) -> list[tuple]:
    # Most frequent first; ties by value so output is deterministic.
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
