"""All documents a query matches, as a set of docnums, at C speed where possible.

Facet counts and totals need every match; Whoosh finds them by stepping a matcher
tree one document at a time in Python (~1–2 µs a posting, more through unions). Here
the common query shapes — terms, OR, AND, NOT, prefixes and fuzzy terms — are
evaluated as set operations over posting lists read a whole block at a time. Other
queries (phrases, ranges) fall back to Whoosh's matcher.
"""

from __future__ import annotations

from collections.abc import Callable

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher

DocSet = set[int]


def _block_ids(m) -> list[int]:
    """Every id of a leaf posting matcher, a block at a time."""
    if type(m) is not W3LeafMatcher:
        return list(m.all_ids())
    out: list[int] = []
    # Whoosh-Reloaded 2.7.5 (pinned) keeps a block's ids in `_ids`, read lazily.
    while not m._atend:
        if m._ids is None:
            m._read_ids()
        out.extend(m._ids)
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return out


def _term(searcher, fieldname: str, text) -> DocSet:
    out: DocSet = set()
    for sub, offset in searcher.leaf_searchers():
        reader = sub.reader()
        try:
            btext = sub.schema[fieldname].to_bytes(text) if isinstance(text, str) else text
        except (KeyError, ValueError):
            continue
        if (fieldname, btext) not in reader:
            continue
        ids = _block_ids(reader.postings(fieldname, btext))
        out.update(ids if offset == 0 else (offset + i for i in ids))
    return out


#: (lo, hi) -> the live docnums dated within, or None when the dates are not loaded.
DateRange = Callable[[int, int], DocSet | None]


def match_set(
    searcher, q: wq.Query, live: frozenset[int], dates: DateRange | None = None
) -> DocSet:
    """The docnums (live ones) that ``q`` matches."""
    return _eval(searcher, q, live, dates) & live


def _eval(searcher, q: wq.Query, live: frozenset[int], dates: DateRange | None) -> DocSet:
    if isinstance(q, wq.Term):
        return _term(searcher, q.fieldname, q.text)
    if isinstance(q, wq.Or):
        out: DocSet = set()
        for sub in q.subqueries:
            out |= _eval(searcher, sub, live, dates)
        return out
    if isinstance(q, wq.And):
        parts = sorted((_eval(searcher, sub, live, dates) for sub in q.subqueries), key=len)
        return set.intersection(*parts) if parts else set()
    if isinstance(q, wq.AndNot):
        return _eval(searcher, q.a, live, dates) - _eval(searcher, q.b, live, dates)
    if isinstance(q, wq.Not):
        return set(live) - _eval(searcher, q.query, live, dates)
    if isinstance(q, wq.Every) and not q.fieldname:
        return set(live)
    if q is wq.NullQuery:
        return set()
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
        out = set()
        reader = searcher.reader()
        for fieldname, text in q.expanded_terms(reader):
            out |= _term(searcher, fieldname, text)
        return out
    if isinstance(q, wq.NumericRange) and q.fieldname == "date" and dates is not None:
        lo = (q.start or 0) + bool(q.startexcl)
        hi = (99991231 if q.end is None else q.end) - bool(q.endexcl)
        found = dates(lo, hi)
        if found is not None:
            return found
    return set(searcher.docs_for_query(q))
