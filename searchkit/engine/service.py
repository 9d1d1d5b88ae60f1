"""The engine the front ends talk to: ``Engine.search`` returns ``Results``.

Backend-neutral: it parses and plans the query (``query``, ``plan``), asks the
index's backend (``backend.Searcher``) for matches, totals, pages and facet counts,
and builds everything a person sees itself — facet labels, snippets and highlight
spans (``analysis``, ``highlight``), did-you-mean (``suggest``), related-link
resolution and similar documents — so every backend answers alike.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from searchkit.engine import analysis, backends, facetkeys, integrity, store
from searchkit.engine.backend import FACET_NAMES, BackendType, Found, Searcher, Selection
from searchkit.engine.catalog import Catalog
from searchkit.engine.documents import date_to_int, from_json, int_to_date, text_digest
from searchkit.engine.highlight import snippet, term_spans
from searchkit.engine.plan import plan
from searchkit.engine.query import ParsedQuery, parse
from searchkit.engine.suggest import MUCH_MORE, RARE, Speller, query_words, replace_word
from searchkit.engine.tree import (
    MatchAll,
    Node,
    Or,
    Term,
    describe,
    is_textless,
    positive_terms,
)
from searchkit.errors import (
    EngineUnavailable,
    IndexDamaged,
    IndexIncompatible,
    IndexMissing,
    QueryError,
    SearchkitError,
    UnknownDocument,
)
from searchkit.model import (
    DocumentView,
    Hit,
    IndexStats,
    RelatedEntry,
    Results,
    SearchRequest,
)

log = logging.getLogger(__name__)

#: Results kept per opened generation for requests that plan to the same query: as
#: one types, "unit", "unite" and "united" (one stem) are one search.
RESULTS_CACHE = 32
#: Similar documents: candidates fetched with the document's strongest words, kept
#: when the cosine of their word weights with the document's reaches the cutoff.
SIMILAR_MAX = 8
SIMILAR_TERMS = 20
SIMILAR_CANDIDATES = 30
SIMILAR_CUTOFF = 0.3
SIMILAR_COMMON = 20
#: Hits asked for beyond a page, so that exact duplicates folded away leave it full.
DUPLICATE_SLACK = 5
_OPEN_ATTEMPTS = 4
_DIGIT = re.compile(r"\d")


class EngineClosed(SearchkitError):
    def __init__(self, path: str) -> None:
        super().__init__(f"the index at {path} was closed")


class _Retired(Exception):
    """The generation was retired between reading CURRENT and opening it."""


def check_versions(index_dir: Path, meta: dict) -> BackendType:
    """The backend a generation's meta.json names, if this version can read it."""
    if meta.get("format") != store.FORMAT_VERSION:
        raise IndexIncompatible(str(index_dir), "its folder layout is from another version")
    name = meta.get("backend")
    if not isinstance(name, str):
        raise IndexDamaged(str(index_dir), "meta.json names no engine")
    backend = backends.load(name)
    if meta.get("schema_version") != backend.schema_version:
        raise IndexIncompatible(str(index_dir), f"its {name} schema is from another version")
    if meta.get("analysis_version") != analysis.ANALYSIS_VERSION:
        raise IndexIncompatible(str(index_dir), "its text analysis is from another version")
    return backend


class _Generation:
    """One opened generation: its backend searcher, catalog and caches."""

    def __init__(self, index_dir: Path) -> None:
        gen = store.require_generation(index_dir)
        self.path = gen
        lease = store.ReaderLease(gen)
        if not lease.acquire():
            raise _Retired
        try:
            self.meta = store.read_meta(gen)
            self.backend = check_versions(index_dir, self.meta)
            self.catalog = Catalog(gen)
            self.verify(self.backend.current_key(gen))
            self.searcher: Searcher = _open_backend(self.backend, gen)
        except BaseException:
            lease.release()
            if (gen / store.RETIRED).exists() or not gen.exists():
                raise _Retired from None
            raise
        self.lease = lease
        self.lock = threading.RLock()  # held by every use: searches are serialised
        self.closed = False
        self.reset()

    def verify(self, key: str) -> None:
        """Raise ``IndexDamaged`` if a backend file changed since its commit ``key``
        (when the catalog describes that commit: a writer may be between the two)."""
        if self.catalog.info().get("backend_key") != key:
            return
        problems = integrity.verify(self.path, self.catalog.backend_files())
        if problems and self.backend.current_key(self.path) != key:
            return  # a writer committed meanwhile: the files it replaced are gone
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise IndexDamaged(str(self.path.parent), f"index file {problems[0]}{more}")

    def reset(self) -> None:
        """Forget what depends on the open commit (after a refresh)."""
        self.results: OrderedDict[tuple, Results] = OrderedDict()
        self.forms: dict[str, dict[str, str]] = {f: {} for f in ("tag", "source")}
        self._speller: Speller | None = None
        self._browse: dict[str, list[tuple[str, int]]] | None = None
        self.df_cache: dict[str, int] = {}  # document frequencies, for similar documents
        self.key = self.searcher.generation_key()

    @property
    def speller(self) -> Speller:
        if self._speller is None:
            self._speller = Speller(self.catalog)
        return self._speller

    def browse_facets(self, limit: int) -> dict[str, list[tuple[str, int]]]:
        """Facet counts of the whole archive (keys), as a backend gives them."""
        if self._browse is None:
            self._browse = self.catalog.facet_counts()
        out = {}
        for facet in FACET_NAMES:
            pairs = self._browse.get(facet, [])
            if facet == "year":  # every year, newest first, undated last
                out[facet] = sorted(
                    pairs,
                    key=lambda kv: (kv[0] == facetkeys.NONE, -int(kv[0]) if kv[0].isdigit() else 0),
                )
            else:
                out[facet] = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))[:limit]
        return out

    def display(self, facet: str, keys: list[str]) -> dict[str, str]:
        """key -> what a front end shows for it."""
        if facet not in self.forms:
            return {k: facetkeys.label(facet, k) for k in keys}
        cache = self.forms[facet]
        missing = [k for k in keys if k not in cache and k != facetkeys.NONE]
        if missing:
            cache.update(self.catalog.forms(facet, missing))
        return {k: cache.get(k) or facetkeys.label(facet, k) for k in keys}

    def close(self) -> None:
        self.closed = True
        try:
            self.searcher.close()
            self.catalog.close()
        finally:
            self.lease.release()


def _open_backend(backend: BackendType, gen: Path) -> Searcher:
    """Open a generation's backend index; any failure to read it means it is damaged."""
    try:
        return backend.open(gen)
    except (SearchkitError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - a library's every way of failing on bad files
        raise IndexDamaged(str(gen.parent), f"{gen.name}: {type(exc).__name__}: {exc}") from exc


def _open_generation(index_dir: Path) -> _Generation:
    for _ in range(_OPEN_ATTEMPTS):
        try:
            return _Generation(index_dir)
        except _Retired:
            time.sleep(0.05)  # a rebuild switched generations: open the new one
    raise IndexDamaged(str(index_dir), "the index kept changing while it was opened")


class Engine:
    """Read access to one index folder. Thread-safe: searches are serialised."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._gen = _open_generation(self.index_dir)
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

    @property
    def engine_name(self) -> str:
        return self._gen.backend.name

    # --- keeping current ------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """Whether a newer index (a commit or a rebuild) is on disk than the one open."""
        try:
            name = store.read_current(self.index_dir)
        except SearchkitError:
            return False
        if name is None:
            return False
        if name != self._gen.path.name:
            return True
        with self._use() as g:
            return g.searcher.changed()

    def refresh(self) -> bool:
        """Open the newest index if it changed on disk; True when it did.

        Searches running meanwhile finish on the old one; later ones use the new.
        """
        with self._refreshing:
            if not self.changed_on_disk():
                return False
            name = store.read_current(self.index_dir)
            if name == self._gen.path.name:
                with self._use() as g:
                    if g.searcher.refresh():
                        g.reset()
                        g.verify(g.searcher.generation_key())
                return True
            new = _open_generation(self.index_dir)
            new.searcher.warm()
            old, self._gen = self._gen, new
            with old.lock:
                old.close()
            return True

    def close(self) -> None:
        """Close the index. A search still running finishes; later calls raise."""
        self._closed = True
        with self._gen.lock:
            if not self._gen.closed:
                self._gen.close()

    @property
    def generation(self) -> tuple[str, str]:
        return (self._gen.path.name, self._gen.key)

    def warm(self) -> None:
        """Build the per-index caches now (the app calls this in a worker at start)."""
        with self._use() as g:
            g.searcher.warm()

    # --- searching ------------------------------------------------------------------------

    @staticmethod
    def _parse(g: _Generation, text: str) -> tuple[ParsedQuery, Node, list[str]]:
        parsed = parse(text)
        if parsed.error:
            raise QueryError(parsed.error)
        tree, notices = plan(parsed.tree, g.catalog)
        notices = list(dict.fromkeys([*parsed.notices, *notices]))
        if not parsed.notices and not notices and _wordless(parsed.text, tree):
            notices.append("nothing to search for: the query has no words")
        return parsed, tree, notices

    @staticmethod
    def _selection(tree: Node, req: SearchRequest) -> Selection:
        filters = []
        for facet, values in req.filters:
            if values and facet in FACET_NAMES:
                keys = tuple(dict.fromkeys(facetkeys.key(facet, v) for v in values))
                filters.append((facet, keys))
        dates = None
        if req.date_from or req.date_to:
            lo = date_to_int(req.date_from) or 10101
            hi = date_to_int(req.date_to) or 99991231
            dates = (lo, hi)
        return Selection(tree, tuple(filters), dates)

    def search(self, req: SearchRequest) -> Results:
        started = time.perf_counter()
        with self._use() as g:
            _, tree, notices = self._parse(g, req.query)
            if req.suggest:  # corrections depend on the words as typed: never cached
                results = self._run(g, tree, notices, req)
                if not is_textless(tree):
                    self._did_you_mean(g, req, results)
            else:
                results = self._cached_run(g, tree, notices, req)
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _cached_run(
        self, g: _Generation, tree: Node, notices: list[str], req: SearchRequest
    ) -> Results:
        key = (describe(tree), tuple(notices), replace(req, query=""))
        cached = g.results.get(key)
        if cached is None:
            cached = g.results[key] = self._run(g, tree, notices, req)
            if len(g.results) > RESULTS_CACHE:
                g.results.popitem(last=False)
        else:
            g.results.move_to_end(key)
        # A copy: callers may change theirs.
        return replace(
            cached, query=req.query, hits=list(cached.hits), notices=list(cached.notices)
        )

    def _run(self, g: _Generation, tree: Node, notices: list[str], req: SearchRequest) -> Results:
        textless = is_textless(tree)
        sort = "newest" if textless and req.sort == "relevance" else req.sort
        sel = self._selection(tree, req)
        # Browsing the whole archive: its facet counts are the catalog's.
        browse = isinstance(tree, MatchAll) and not sel.filters and sel.dates is None
        found = g.searcher.search(
            sel,
            sort=sort,
            offset=req.offset,
            limit=req.limit + DUPLICATE_SLACK if req.limit > 0 else 0,
            facet_limit=None if browse else req.facet_limit,
        )
        if browse:
            found.facets = g.browse_facets(req.facet_limit)
        return Results(
            query=req.query,
            total=found.total,
            hits=self._hits(g, tree, found)[: max(req.limit, 0)],
            facets=self._facets(g, found),
            notices=list(notices),
            order=sort,
        )

    @staticmethod
    def _facets(g: _Generation, found: Found) -> dict[str, list[tuple[str, int]]]:
        out = {}
        for facet in FACET_NAMES:
            pairs = found.facets.get(facet, [])
            shown = g.display(facet, [k for k, _ in pairs])
            out[facet] = [(shown[k], n) for k, n in pairs]
        return out

    def _hits(self, g: _Generation, tree: Node, found: Found) -> list[Hit]:
        if not found.hits:
            return []
        missing = [doc_id for doc_id, _ in found.hits if doc_id not in found.stored]
        stored = {**found.stored, **(g.searcher.stored(missing) if missing else {})}
        terms = positive_terms(tree)
        title_terms = terms.get("title", set())
        body_terms = terms.get("body", set())
        out = []
        docs = {i: from_json(raw) for i, raw in stored.items()}
        digests = {i: text_digest(doc) for i, doc in docs.items()}
        copies = g.catalog.copies(digests.values())
        seen: set[str] = set()
        for doc_id, score in found.hits:
            doc = docs.get(doc_id)
            if doc is None or digests[doc_id] in seen:
                continue  # an exact duplicate of a document shown before it
            seen.add(digests[doc_id])
            title_spans = term_spans(doc.title, title_terms)
            if doc.body:
                text, spans = snippet(doc.body, term_spans(doc.body, body_terms))
            else:
                text, spans = snippet(doc.title, title_spans)
            out.append(
                Hit(
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
                    copies=copies.get(digests[doc_id], 1),
                )
            )
        return out

    def month_counts(self, req: SearchRequest, year: int) -> list[tuple[str, int]]:
        """Hits of ``req`` per month of ``year``, as ("YYYY-MM", count), in order."""
        with self._use() as g:
            _, tree, _ = self._parse(g, req.query)
            counts = g.searcher.month_counts(self._selection(tree, req), year)
        return [(f"{year:04d}-{m:02d}", n) for m, n in sorted(counts.items()) if n]

    def count(self, g: _Generation, tree: Node, req: SearchRequest) -> int:
        sel = self._selection(tree, req)
        return g.searcher.search(sel, sort="newest", offset=0, limit=0, facet_limit=None).total

    # --- did you mean ------------------------------------------------------------------------

    def _did_you_mean(self, g: _Generation, req: SearchRequest, results: Results) -> None:
        found = self._correction(g, req, results.total)
        if found is None:
            return
        corrected, tree, replace_results = found
        if results.total == 0 and replace_results:
            notices = [n for n in results.notices if not n.startswith("nothing to search")]
            fixed = self._run(g, tree, notices, replace(req, query=corrected))
            results.total, results.hits, results.facets = fixed.total, fixed.hits, fixed.facets
            results.order = fixed.order
            results.corrected_from = req.query
            results.notices.append(f"no results for {req.query} — showing {corrected}")
        results.suggestion = corrected

    def suggestion(self, req: SearchRequest, total: int) -> str | None:
        """Did-you-mean for a query already run (``total`` hits). What ``search`` with
        ``suggest=True`` adds, without running the search again."""
        with self._use() as g:
            try:
                _, tree, _ = self._parse(g, req.query)
            except QueryError:
                return None
            if is_textless(tree):
                return None
            found = self._correction(g, req, total)
        return found[0] if found is not None else None

    def _correction(
        self, g: _Generation, req: SearchRequest, total: int
    ) -> tuple[str, Node, bool] | None:
        """(corrected query, its plan, whether to show its results instead) or None.

        Words the index knows stay. With no results, unknown words (and, failing
        those, rare ones) are corrected, each to the closest candidate that makes the
        whole query find something; the corrected results replace the empty ones
        when every correction is one edit away (a typo), and are only offered when
        a word changed more. With results, an unknown word (in an OR group, say) or
        a very rare one is corrected only when that finds ``MUCH_MORE`` times as many.
        """
        words = query_words(req.query)
        if not words:
            return None
        speller = g.speller
        freq = {m.group(1): speller.frequency(m.group(1)) for m in words}
        unknown = [m for m in words if freq[m.group(1)] == 0]
        todo = unknown or [m for m in words if freq[m.group(1)] < RARE and total == 0]
        if not todo:
            return None
        text = req.query
        far = False
        # Correct from the last word back, so earlier matches keep their offsets.
        for m in sorted(todo, key=lambda m: m.start(), reverse=True):
            word = m.group(1)
            best = None
            for cand in speller.candidates(word, more_than=freq[word]):
                attempt = replace_word(text, m, cand.word)
                try:
                    _, tree, _ = self._parse(g, attempt)
                except QueryError:
                    continue
                n = self.count(g, tree, req)
                if n:
                    best = (attempt, cand)
                    break
            if best is None:
                continue
            text = best[0]
            far = far or best[1].distance > 1
        if text == req.query:
            return None
        _, tree, _ = self._parse(g, text)
        n = self.count(g, tree, req)
        if not n or (total and n < MUCH_MORE * total):
            return None
        return text, tree, not far

    # --- highlighting ------------------------------------------------------------------------

    def highlight(self, query: str, text: str, field: str = "body") -> list[tuple[int, int]]:
        """Spans of ``text`` that ``query`` matches, for the detail view."""
        with self._use() as g:
            try:
                _, tree, _ = self._parse(g, query)
            except QueryError:
                return []
        terms = positive_terms(tree)
        return term_spans(text, terms.get(field, set()) | terms.get("body", set()))

    # --- documents ---------------------------------------------------------------------------

    def document(self, doc_id: str) -> DocumentView:
        with self._use() as g:
            raw = g.searcher.stored([doc_id]).get(doc_id)
            if raw is None:
                raise UnknownDocument(doc_id)
            doc = from_json(raw)
            targets = [link.target for link in doc.related]
            present = set(g.searcher.stored(targets)) if targets else set()
            related = tuple(
                RelatedEntry(
                    link.target, link.headline, link.date, link.tags, link.target in present
                )
                for link in doc.related
            )
            similar = self._similar(g, doc)
        return DocumentView(doc, related, similar)

    def _similar(self, g: _Generation, doc) -> tuple[RelatedEntry, ...]:
        """Documents most like ``doc`` (any kind), best first; its own related links and
        weak matches left out.

        The document's strongest words fetch candidates from the backend; each is then
        scored by the cosine of its word weights with the document's — the same
        measure whatever the engine — and kept from ``SIMILAR_CUTOFF`` up. Weights are
        (1 + log tf) × √idf: a document's recurring subject words count most, and a
        one-off rare name does not crowd them out (Reuters topics: 0.65 of the top 5
        shared a topic with the backend's own scores, 0.83 so).
        """
        n_docs = max(g.searcher.doc_count(), 1)
        df_cache = g.df_cache
        weights = _word_weights(g, doc, n_docs, df_cache)
        # Candidates come from the strongest words that are not everywhere (a word in
        # a twentieth of the archive finds too many to rank); all words count below.
        common = max(n_docs / SIMILAR_COMMON, 100)
        ranked = sorted(((w, t) for t, w in weights.items()), reverse=True)
        strongest = [(w, t) for w, t in ranked if df_cache[t] <= common][:SIMILAR_TERMS]
        if not strongest:
            return ()
        top = strongest[0][0]
        tree = Or(
            tuple(
                Term(field, term, boost=round(w / top, 3))
                for w, term in strongest
                for field in ("title", "body")
            )
        )
        found = g.searcher.search(
            Selection(tree), sort="relevance", offset=0, limit=SIMILAR_CANDIDATES, facet_limit=None
        )
        own = {doc.id, *(link.target for link in doc.related)}
        ids = [i for i, _ in found.hits if i not in own]
        stored = {i: found.stored[i] for i in ids if i in found.stored}
        missing = [i for i in ids if i not in stored]
        if missing:
            stored.update(g.searcher.stored(missing))
        norm = math.sqrt(sum(w * w for w in weights.values()))
        scored = []
        for i in ids:
            if i not in stored:
                continue
            other = from_json(stored[i])
            theirs = _word_weights(g, other, n_docs, df_cache)
            dot = sum(w * theirs.get(t, 0.0) for t, w in weights.items())
            size = norm * math.sqrt(sum(w * w for w in theirs.values()))
            cosine = dot / size if size else 0.0
            if cosine >= SIMILAR_CUTOFF:
                scored.append((-cosine, i, other))
        scored.sort(key=lambda c: (c[0], c[1]))
        return tuple(
            RelatedEntry(i, other.title, other.date, other.tags, True)
            for _, i, other in scored[:SIMILAR_MAX]
        )

    def has(self, doc_id: str) -> bool:
        with self._use() as g:
            return bool(g.searcher.stored([doc_id]))

    def ids_with_prefix(self, prefix: str, limit: int = 20) -> list[str]:
        """Ids of documents in the index that start with ``prefix``, in id order, at
        most ``limit`` of them (for short handles: a unique prefix names a document)."""
        with self._use() as g:
            return g.searcher.ids_with_prefix(prefix, limit)

    # --- statistics --------------------------------------------------------------------------

    def stats(self, top: int = 10) -> IndexStats:
        with self._use() as g:
            found = Found(0, [], g.browse_facets(max(top, 10)))
            facets = self._facets(g, found)
            bounds = g.searcher.date_bounds()
            info = g.catalog.info()
            path = g.path
            name = g.backend.name
        return IndexStats(
            documents=dict(facets["kind"]),
            first_date=int_to_date(bounds[0]) if bounds else None,
            last_date=int_to_date(bounds[1]) if bounds else None,
            top_tags=[(v, n) for v, n in facets["tag"] if v != facetkeys.NONE_LABELS["tag"]][:top],
            top_sources=[
                (v, n) for v, n in facets["source"] if v != facetkeys.NONE_LABELS["source"]
            ][:top],
            size_bytes=store.folder_size(path),
            built_at=_when(info.get("built_at")),
            updated_at=_when(info.get("updated_at")),
            path=str(self.index_dir),
            engine=name,
        )


def _word_weights(g: _Generation, doc, n_docs: int, df: dict[str, int]) -> dict[str, float]:
    """A document's words (no function words, numbers or 1-2 letter words) weighted
    (1 + log tf) × √idf; words in one document only, or in every one, left out."""
    counts: dict[str, int] = {}
    for term in analysis.terms(f"{doc.title}\n{doc.body}"):
        if term in analysis.FUNCTION_WORDS or len(term) < 3 or _DIGIT.search(term):
            continue
        counts[term] = counts.get(term, 0) + 1
    out = {}
    for term, tf in counts.items():
        n = df.get(term)
        if n is None:
            n = df[term] = max(
                g.searcher.doc_frequency("body", term), g.searcher.doc_frequency("title", term)
            )
        if 1 < n < n_docs:
            out[term] = (1 + math.log(tf)) * math.sqrt(math.log(n_docs / n))
    return out


def _wordless(text: str, tree: Node) -> bool:
    return bool(text.strip()) and text.strip() != "*" and not analysis.raw_tokens(text)


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def open_engine(index_dir: Path) -> Engine:
    """An engine on ``index_dir``; ``IndexMissing`` when there is none."""
    return Engine(index_dir)


__all__ = [
    "Engine",
    "EngineClosed",
    "EngineUnavailable",
    "IndexIncompatible",
    "IndexMissing",
    "open_engine",
]
