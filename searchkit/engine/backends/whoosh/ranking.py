"""Top-k ranking: BM25 per field over postings read a block at a time.

Whoosh ranks by stepping a tree of matcher objects one posting at a time in Python,
which was ~75% of a search on the large corpus (~100 ms for a word in 10k stories).
Here the scores come out of flat loops over each term's posting blocks (ids and term
frequencies as arrays) restricted to the documents the query matched (``matchset``),
with the per-document field lengths held in memory per opened index. Each term's
score is Whoosh's BM25F term formula (B 0.75, K1 1.2, Whoosh's idf and its one-byte
field lengths) times the field's boost (``FIELD_BOOSTS``) and the term's own boost:
the shape of BM25 that other backends (tantivy, Lucene) compute too.
"""

from __future__ import annotations

import heapq
from math import log
from operator import itemgetter

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from searchkit.engine.backend import FIELD_BOOSTS
from searchkit.engine.backends.whoosh.postings import Postings

B = 0.75
K1 = 1.2
_LENGTH = [byte_to_length(b) for b in range(256)]


def _column_bytes(col) -> bytes:
    """A one-byte-per-document length column as bytes, in one read.

    (Iterating the column reader costs a seek and a read per document: ~0.2 s a
    field on the large corpus.) The column stores trailing zero lengths implicitly.
    """
    if getattr(col, "_fixedlen", None) != 1:
        return bytes(col)
    raw = col._dbfile.get(col._basepos, col._count)
    return raw + bytes(col._doccount - col._count)


class Ranker:
    """Ranks documents of one opened index. Not thread-safe (the engine locks)."""

    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.doc_count = searcher.doc_count_all()
        self._lengths: dict[tuple[int, str], bytes | None] = {}
        self._avg: dict[str, float] = {}

    def _field_lengths(self, i: int, reader, fieldname: str) -> bytes | None:
        key = (i, fieldname)
        if key not in self._lengths:
            col = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._lengths[key] = None if col is None else _column_bytes(col)
        return self._lengths[key]

    def _avg_length(self, fieldname: str) -> float:
        if fieldname not in self._avg:
            total = sum(r.field_length(fieldname) for r, _ in self.leaves)
            self._avg[fieldname] = (total / self.doc_count) if self.doc_count else 1.0
        return self._avg[fieldname] or 1.0

    def scores(
        self,
        postings: Postings,
        terms: dict[tuple[str, str], float],
        docs: set[int] | frozenset[int],
    ) -> dict[int, float]:
        """BM25F score of every document of ``docs`` containing any of ``terms``
        ((field, term) -> boost)."""
        scores: dict[int, float] = {}
        get = scores.get
        for (fieldname, text), boost in terms.items():
            if fieldname not in self.schema.names() or not self.schema[fieldname].scorable:
                continue
            field = self.schema[fieldname]
            avg = self._avg_length(fieldname)
            norm = K1 * B / avg
            base = K1 * (1 - B)
            try:
                btext = field.to_bytes(text)
            except ValueError:
                continue
            df = self.searcher.doc_frequency(fieldname, btext)
            if not df:
                continue
            idf = (log(self.doc_count / (df + 1)) + 1) * boost * FIELD_BOOSTS.get(fieldname, 1.0)
            for i, offset, ids, weights in postings.blocks(fieldname, btext):
                reader = self.leaves[i][0]
                lengths = self._field_lengths(i, reader, fieldname)
                for d, tf in zip(ids, weights, strict=False):
                    g = d + offset
                    if g in docs:
                        fl = _LENGTH[lengths[d]] if lengths else 1
                        s = idf * (tf * (K1 + 1)) / (tf + base + norm * fl)
                        scores[g] = get(g, 0.0) + s
        return scores

    def top(
        self,
        postings: Postings,
        terms: dict[tuple[str, str], float],
        docs: set[int] | frozenset[int],
        k: int,
    ) -> list[tuple[int, float]]:
        """The ``k`` best (docnum, score) of ``docs``, best first; ties by docnum."""
        scores = self.scores(postings, terms, docs)
        best = heapq.nlargest(k, scores.items(), key=itemgetter(1))
        if len(best) == k and best:  # documents tied with the last one compete by docnum
            floor = best[-1][1]
            best = [kv for kv in best if kv[1] > floor] + sorted(
                kv for kv in scores.items() if kv[1] == floor
            )
        return sorted(best, key=lambda kv: (-kv[1], kv[0]))[:k]
