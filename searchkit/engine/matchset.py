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

from searchkit.engine.postings import Postings

DocSet = set[int]


#: (lo, hi) -> the live docnums dated within, or None when the dates are not loaded.
DateRange = Callable[[int, int], DocSet | None]


def match_set(
    postings: Postings, q: wq.Query, live: frozenset[int], dates: DateRange | None = None
) -> DocSet:
    """The docnums (live ones) that ``q`` matches."""
    return _eval(postings, q, live, dates) & live


def _eval(postings: Postings, q: wq.Query, live: frozenset[int], dates: DateRange | None) -> DocSet:
    if isinstance(q, wq.Term):
        return postings.docs(q.fieldname, q.text)
    if isinstance(q, wq.Or):
        out: DocSet = set()
        for sub in q.subqueries:
            out |= _eval(postings, sub, live, dates)
        return out
    if isinstance(q, wq.And):
        parts = sorted((_eval(postings, sub, live, dates) for sub in q.subqueries), key=len)
        return set.intersection(*parts) if parts else set()
    if isinstance(q, wq.AndNot):
        return _eval(postings, q.a, live, dates) - _eval(postings, q.b, live, dates)
    if isinstance(q, wq.Not):
        return set(live) - _eval(postings, q.query, live, dates)
    if isinstance(q, wq.Every) and not q.fieldname:
        return set(live)
    if q is wq.NullQuery:
        return set()
    if isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
        out = set()
        for fieldname, text in q.expanded_terms(postings.searcher.reader()):
            out |= postings.docs(fieldname, text)
        return out
    if isinstance(q, wq.NumericRange) and q.fieldname == "date" and dates is not None:
        lo = (q.start or 0) + bool(q.startexcl)
        hi = (99991231 if q.end is None else q.end) - bool(q.endexcl)
        found = dates(lo, hi)
        if found is not None:
            return found
    return set(postings.searcher.docs_for_query(q))
