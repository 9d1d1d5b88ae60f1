"""The engine the front ends talk to: ``Engine.search`` returns ``Results``."""

from __future__ import annotations

import contextlib
import heapq
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq

from searchkit.engine import store
from searchkit.engine.facets import LAZY_LIMIT, FacetIndex
from searchkit.engine.highlight import snippet, term_spans
from searchkit.engine.matchset import match_set
from searchkit.engine.postings import Postings
from searchkit.engine.query import ParsedQuery, QueryBuilder
from searchkit.engine.ranking import Ranker, positive_terms
from searchkit.engine.schema import date_to_int, from_stored, int_to_date
from searchkit.engine.suggest import MUCH_MORE, RARE, Speller, query_words
from searchkit.errors import IndexMissing, SearchkitError, UnknownDocument
from searchkit.model import (
    FACETS,
    DocumentView,
    Hit,
    IndexStats,
    RelatedEntry,
    Results,
    SearchRequest,
)

SIMILAR_STORIES = 8
#: Results kept per opened generation for requests that parse to the same query: as
#: one types, "unit", "unite" and "united" (one stem) or "united n" (a lone letter is
#: not a word) are one search.
RESULTS_CACHE = 32


class IndexIncompatible(SearchkitError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"the index at {path} was built by another version of searchkit: "
            "run `searchkit index` to rebuild it"
        )


class EngineClosed(SearchkitError):
    def __init__(self, path: str) -> None:
        super().__init__(f"the index at {path} was closed")


class _Generation:
    """One opened index generation: searcher, facets and speller share its reader."""

    def __init__(self, gen: Path) -> None:
        self.path = gen
        self.ix = whoosh_index.open_dir(str(gen))
        self.searcher = self.ix.searcher()
        self.reader = self.searcher.reader()
        self.toc_generation = self.ix.latest_generation()
        # (FileIndex.schema re-reads the table of contents from disk on every access:
        # after a rebuild removed this generation's folder, that would fail.)
        self.schema = self.searcher.schema
        self.qb = QueryBuilder(self.schema)
        self._facets: FacetIndex | None = None
        self._speller: Speller | None = None
        self._ranker: Ranker | None = None
        self.lock = threading.RLock()  # held by every use: searches are serialised
        self.closed = False
        self.results: OrderedDict[tuple, Results] = OrderedDict()

    @property
    def facets(self) -> FacetIndex:
        if self._facets is None:
            self._facets = FacetIndex(self.searcher, self.path, f"{self.toc_generation}")
        return self._facets

    @property
    def ranker(self) -> Ranker:
        if self._ranker is None:
            self._ranker = Ranker(self.searcher)
        return self._ranker

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            self._speller = Speller(store.read_vocabulary(self.path))
        return self._speller

    def close(self) -> None:
        self.closed = True
        self.searcher.close()


class Engine:
    """Read access to one index folder. Thread-safe: searches are serialised."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._gen = self._open()
        self._refreshing = threading.Lock()
        self._closed = False

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _use(self) -> Iterator[_Generation]:
        """The open generation, locked; never one that a refresh has just closed."""
        while True:
            g = self._gen
            with g.lock:
                if not g.closed:
                    yield g
                    return
                if self._closed:
                    raise EngineClosed(str(self.index_dir))

    def _open(self) -> _Generation:
        gen = store.require_generation(self.index_dir)
        if not store.compatible(gen):
            raise IndexIncompatible(str(self.index_dir))
        try:
            return _Generation(gen)
        except whoosh_index.EmptyIndexError as exc:
            raise IndexMissing(str(self.index_dir)) from exc

    # --- keeping current ------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """Whether a newer index (a commit or a rebuild) is on disk than the one open."""
        gen = store.live_generation(self.index_dir)
        if gen is None:
            return False
        if gen != self._gen.path:
            return True
        return _toc_generation(gen) != self._gen.toc_generation

    def refresh(self) -> bool:
        """Reopen the index if it changed on disk; True when it did.

        Searches running meanwhile finish on the old index; later ones use the new.
        """
        with self._refreshing:
            if not self.changed_on_disk():
                return False
            new = self._open()
            new.facets  # noqa: B018 - build the facet index before swapping it in
            old, self._gen = self._gen, new
            with old.lock:
                old.close()
            return True

    def close(self) -> None:
        """Close the index. A search still running finishes; later calls raise."""
        self._closed = True
        with self._gen.lock:
            self._gen.close()

    @property
    def generation(self) -> tuple[str, int]:
        return (self._gen.path.name, self._gen.toc_generation)

    def warm(self) -> None:
        """Build the per-index caches now (the TUI calls this in a worker at start)."""
        with self._use() as g:
            g.facets.all_counts(10)
            g.facets.load_all()

    # --- searching ------------------------------------------------------------------

    def search(self, req: SearchRequest) -> Results:
        started = time.perf_counter()
        with self._use() as g:
            parsed = g.qb.parse(req.query)
            if req.suggest:  # corrections depend on the words as typed: never cached
                results = self._run(g, parsed, req)
                if not parsed.textless:
                    self._did_you_mean(g, req, results)
            else:
                results = self._cached_run(g, parsed, req)
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _cached_run(self, g: _Generation, parsed: ParsedQuery, req: SearchRequest) -> Results:
        key = (repr(parsed.query), tuple(parsed.notices), replace(req, query=""))
        cached = g.results.get(key)
        if cached is None:
            cached = g.results[key] = self._run(g, parsed, req)
            if len(g.results) > RESULTS_CACHE:
                g.results.popitem(last=False)
        else:
            g.results.move_to_end(key)
        # A copy: callers may change theirs.
        return replace(
            cached, query=req.query, hits=list(cached.hits), notices=list(cached.notices)
        )

    def month_counts(self, req: SearchRequest, year: int) -> list[tuple[str, int]]:
        """Hits of ``req`` per month of ``year``, as ("YYYY-MM", count), in order."""
        with self._use() as g:
            _, _, hits = self._select(g, g.qb.parse(req.query), req, Postings(g.searcher))
            date_of = g.facets.date_of
            months = Counter(date_of(d) // 100 for d in hits)
        return [
            (f"{ym // 100}-{ym % 100:02d}", n)
            for ym, n in sorted(months.items())
            if ym // 100 == year
        ]

    def _select(self, g: _Generation, parsed: ParsedQuery, req: SearchRequest, postings: Postings):
        """(matches before facet filters, each facet's selected docs, the hits)."""
        fx = g.facets
        if parsed.browse:
            base: set[int] | frozenset[int] = fx.live
        else:
            base = match_set(postings, parsed.query, fx.live, fx.docs_in_range)
        if req.date_from or req.date_to:
            lo, hi = date_to_int(req.date_from) or 1, date_to_int(req.date_to) or 99991231
            date_of = fx.date_of
            base = {d for d in base if lo <= date_of(d) <= hi}
        selected = {f: fx.docs_with(f, vals) for f, vals in req.filters if vals}
        hits = base
        for docs in selected.values():
            hits = hits & docs
        return base, selected, hits

    def _run(self, g: _Generation, parsed: ParsedQuery, req: SearchRequest) -> Results:
        fx = g.facets
        postings = Postings(g.searcher)  # what this search reads, read once
        base, selected, hits_set = self._select(g, parsed, req, postings)
        facets: dict[str, list[tuple[str, int]]] = {}
        if base is fx.live and not selected:
            facets = fx.all_counts(req.facet_limit)
        else:
            for f in FACETS:
                # A facet's counts ignore its own selection, so more values can be added.
                docs = base
                for other, sel in selected.items():
                    if other != f:
                        docs = docs & sel
                facets[f] = fx.count(f, docs, req.facet_limit)
        total = len(hits_set)
        hits = self._top_hits(g, parsed, req, hits_set, total, postings)
        return Results(
            query=req.query,
            total=total,
            hits=hits,
            facets=facets,
            notices=list(parsed.notices),
            order="newest" if parsed.textless and req.sort == "relevance" else req.sort,
        )

    def _top_hits(
        self,
        g: _Generation,
        parsed: ParsedQuery,
        req: SearchRequest,
        hits_set,
        total: int,
        postings: Postings,
    ) -> list[Hit]:
        want = req.offset + req.limit
        if req.limit <= 0 or req.offset >= total:
            return []
        # The words that rank and that are highlighted (prefixes expanded once).
        terms = {} if parsed.textless else positive_terms(parsed.query, g.reader)
        if parsed.textless or req.sort != "relevance":
            fx = g.facets
            if len(hits_set) > LAZY_LIMIT:
                fx.dates  # noqa: B018 - one bulk read beats many single ones
            date_of = fx.date_of
            if req.sort == "oldest":
                # Undated documents last either way.
                docnums = heapq.nsmallest(want, hits_set, key=lambda d: date_of(d) or 99999999)
            else:
                docnums = heapq.nlargest(want, hits_set, key=date_of)
            docnums = docnums[req.offset :]
            scores = [0.0] * len(docnums)
        else:
            ranked = g.ranker.top(postings, terms, hits_set, want)
            if len(ranked) < want and len(ranked) < len(hits_set):
                # Matched without a scoring word (e.g. `x OR date:2016`): newest after.
                seen = {d for d, _ in ranked}
                rest = heapq.nlargest(
                    want - len(ranked), (d for d in hits_set if d not in seen), key=g.facets.date_of
                )
                ranked += [(d, 0.0) for d in rest]
            ranked = ranked[req.offset :]
            docnums = [d for d, _ in ranked]
            scores = [sc for _, sc in ranked]
        return [self._hit(g, d, s, terms) for d, s in zip(docnums, scores, strict=True)]

    def _hit(self, g: _Generation, docnum: int, score: float, terms: dict[str, set[str]]) -> Hit:
        stored = g.searcher.stored_fields(docnum)
        doc = from_stored(stored)
        schema = g.schema
        title_spans = term_spans(doc.title, schema["title"].analyzer, terms.get("title", set()))
        body_terms = terms.get("body", set())
        if doc.body:
            text, spans = snippet(
                doc.body, term_spans(doc.body, schema["body"].analyzer, body_terms)
            )
        else:
            text, spans = snippet(doc.title, title_spans)
        return Hit(
            id=doc.id,
            kind=doc.kind,
            title=doc.title,
            date=doc.date,
            outlets=doc.outlets,
            tags=doc.tags,
            score=float(score),
            snippet=text,
            highlights=spans,
            title_highlights=tuple(title_spans),
            snippet_is_title=not doc.body,
        )

    def _did_you_mean(self, g: _Generation, req: SearchRequest, results: Results) -> None:
        found = self._correction(g, req, results.total)
        if found is None:
            return
        corrected, cparsed = found
        if results.total == 0:
            fixed = self._run(g, cparsed, replace(req, query=corrected))
            results.total, results.hits, results.facets = fixed.total, fixed.hits, fixed.facets
            results.corrected_from = req.query
            results.notices.append(f"no results for {req.query} — showing {corrected}")
        results.suggestion = corrected

    def suggestion(self, req: SearchRequest, total: int) -> str | None:
        """Did-you-mean for a query already run (``total`` hits): the corrected query,
        if it finds ``MUCH_MORE`` times as many within the same filters. What
        ``search`` with ``suggest=True`` adds, without running the search again."""
        with self._use() as g:
            if g.qb.parse(req.query).textless:
                return None
            found = self._correction(g, req, total)
        return found[0] if found is not None else None

    def _correction(
        self, g: _Generation, req: SearchRequest, total: int
    ) -> tuple[str, ParsedQuery] | None:
        if total and not self._has_rare_word(g, req.query):
            return None  # nothing to correct: skip loading the vocabulary (~40 ms)
        try:
            corrected = g.speller.correct(req.query)
        except Exception:  # a suggestion is a nicety: never let it break a search
            return None
        if not corrected:
            return None
        cparsed = g.qb.parse(corrected)
        # Within the same filters.
        _, _, chits = self._select(g, cparsed, req, Postings(g.searcher))
        if not chits or (total and len(chits) < MUCH_MORE * total):
            return None
        return corrected, cparsed

    @staticmethod
    def _has_rare_word(g: _Generation, query: str) -> bool:
        """Whether a word of ``query`` is in fewer than RARE titles and bodies."""
        analyzer = g.schema["title"].analyzer
        for word in query_words(query):
            for token in analyzer(word):
                if max(g.searcher.doc_frequency(f, token.text) for f in ("title", "body")) < RARE:
                    return True
        return False

    def highlight(self, query: str, text: str, field: str = "body") -> list[tuple[int, int]]:
        """Spans of ``text`` that ``query`` matches, for the detail view."""
        with self._use() as g:
            parsed = g.qb.parse(query)
            if parsed.textless:
                return []
            terms = positive_terms(parsed.query, g.reader)
            analyzer = g.schema[field].analyzer
        return term_spans(text, analyzer, terms.get(field, set()) | terms.get("body", set()))

    # --- documents ------------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentView:
        with self._use() as g:
            docnum = g.searcher.document_number(id=doc_id)
            if docnum is None:
                raise UnknownDocument(doc_id)
            doc = from_stored(g.searcher.stored_fields(docnum))
            related = tuple(self._resolve(g, link) for link in doc.related)
            similar: tuple[RelatedEntry, ...] = ()
            if doc.kind == "article":
                similar = self._similar(g, docnum)
        return DocumentView(doc, related, similar)

    def _resolve(self, g: _Generation, link) -> RelatedEntry:
        docnum = g.searcher.document_number(id=link.target)
        return RelatedEntry(link.target, link.headline, link.date, link.tags, docnum is not None)

    def _similar(self, g: _Generation, docnum: int) -> tuple[RelatedEntry, ...]:
        # A story's text is mostly its headline: look for the article's key terms in
        # story titles as well as bodies.
        try:
            terms = g.searcher.key_terms([docnum], "body", numterms=12)
        except Exception:
            return ()
        if not terms:
            return ()
        q = wq.Or(
            [wq.Term(f, word, boost=weight) for word, weight in terms for f in ("title", "body")]
        )
        found = g.searcher.search(q, limit=SIMILAR_STORIES, filter=wq.Term("kind", "story"))
        out = []
        for h in found:
            stored = h.fields()
            out.append(
                RelatedEntry(
                    stored["id"], stored.get("title", ""), int_to_date(stored.get("date")), (), True
                )
            )
        return tuple(out)

    def has(self, doc_id: str) -> bool:
        with self._use() as g:
            return g.searcher.document_number(id=doc_id) is not None

    def ids_with_prefix(self, prefix: str, limit: int = 20) -> list[str]:
        """Ids of documents in the index that start with ``prefix``, in id order, at
        most ``limit`` of them (for short handles: a unique prefix names a document)."""
        out: list[str] = []
        with self._use() as g:
            for term in g.reader.expand_prefix("id", prefix):
                doc_id = term.decode("utf-8") if isinstance(term, bytes) else term
                if g.searcher.document_number(id=doc_id) is not None:
                    out.append(doc_id)
                    if len(out) >= limit:
                        break
        return out

    # --- statistics -----------------------------------------------------------------

    def stats(self, top: int = 10) -> IndexStats:
        with self._use() as g:
            fx = g.facets
            counts = fx.all_counts(top)
            dates = fx.dates
            dated = [dates[d] for d in fx.live if dates[d]]
            path = g.path
        info = store.read_info(path)
        return IndexStats(
            documents=dict(counts["kind"]),
            first_date=int_to_date(min(dated)) if dated else None,
            last_date=int_to_date(max(dated)) if dated else None,
            top_tags=counts["tag"][:top],
            top_sources=counts["source"][:top],
            size_bytes=store.index_size(path),
            built_at=_when(info.get("built_at")),
            updated_at=_when(info.get("updated_at")),
            path=str(self.index_dir),
        )


def _toc_generation(gen: Path) -> int:
    """The newest commit of a generation folder (Whoosh writes _MAIN_<n>.toc last)."""
    newest = -1
    for p in gen.glob("_MAIN_*.toc"):
        with contextlib.suppress(ValueError):
            newest = max(newest, int(p.stem.rsplit("_", 1)[1]))
    return newest


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


__all__ = ["Engine", "IndexIncompatible"]
