"""The Whoosh backend: a generation folder is a Whoosh index of pre-analysed fields.

Matching is set algebra over posting blocks (``matchset``), ranking is Whoosh's BM25F
over the same blocks (``ranking``), facets come from a per-document column
(``facets``), builds write segments with a bulk writer (``segments``). These rely on
whoosh-reloaded 2.7.5 internals, pinned exactly in pyproject.toml, and are tested
against Whoosh's own results.
"""

from __future__ import annotations

import contextlib
import heapq
import pickle
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index

from searchkit.engine.backend import (
    FACET_NAMES,
    Capabilities,
    Found,
    IndexedDocument,
    Selection,
    Sort,
)
from searchkit.engine.backends.whoosh import toc
from searchkit.engine.backends.whoosh.facets import FacetIndex
from searchkit.engine.backends.whoosh.matchset import match_set
from searchkit.engine.backends.whoosh.postings import Postings
from searchkit.engine.backends.whoosh.ranking import Ranker
from searchkit.engine.backends.whoosh.schema import SCHEMA_VERSION, build_schema, to_fields
from searchkit.engine.backends.whoosh.segments import COMPOUND, segment_writer
from searchkit.engine.facetkeys import NONE
from searchkit.engine.tree import MatchAll, scored_terms
from searchkit.errors import IndexDamaged

#: An incremental update writes few documents: a smaller buffer is plenty.
UPDATE_LIMIT_MB = 256
#: Hits sorted by date above this many are gathered by year first (see ``_by_date``).
BY_YEAR_MIN = 5000
_KEY_PREFIX = {"tag": "t", "source": "s"}


def _damaged(gen: Path, exc: BaseException) -> IndexDamaged:
    return IndexDamaged(str(gen.parent), f"{gen.name}: {type(exc).__name__}: {exc}")


def _open_index(gen: Path):
    toc.install()
    try:
        return whoosh_index.open_dir(str(gen))
    except whoosh_index.EmptyIndexError as exc:
        raise IndexDamaged(str(gen.parent), f"{gen.name} holds no Whoosh index") from exc
    except (pickle.UnpicklingError, EOFError, ValueError, IndexError, OSError,
            AttributeError, TypeError, AssertionError) as exc:  # fmt: skip
        raise _damaged(gen, exc) from exc


def toc_generation(gen: Path) -> int:
    """The newest commit of a generation folder (Whoosh writes _MAIN_<n>.toc last)."""
    newest = -1
    for p in gen.glob("_MAIN_*.toc"):
        with contextlib.suppress(ValueError):
            newest = max(newest, int(p.stem.rsplit("_", 1)[1]))
    return newest


class WhooshSearcher:
    """One opened commit of a generation."""

    def __init__(self, gen: Path) -> None:
        self.gen = gen
        self._open()

    def _open(self) -> None:
        gen = self.gen
        ix = _open_index(gen)
        try:
            self.toc = ix.latest_generation()
            self.searcher = ix.searcher()
            self.reader = self.searcher.reader()
            # (FileIndex.schema re-reads the table of contents from disk on every access.)
            self.schema = self.searcher.schema
            self.facets = FacetIndex(self.reader)
            self.ranker = Ranker(self.searcher)
        except (OSError, EOFError, ValueError, IndexError, KeyError, TypeError) as exc:
            raise _damaged(gen, exc) from exc
        self._dated: tuple[int, int] | None | bool = False  # not looked at yet
        self._years: list[int] | None = None

    def _bounds(self) -> tuple[int, int] | None:
        """The first and last date stored (deleted documents' too), once asked for."""
        if self._dated is False:
            dated = [d for d in self.facets.dates if d]
            self._dated = (min(dated), max(dated)) if dated else None
        return self._dated  # type: ignore[return-value]

    # --- lifecycle ---------------------------------------------------------------------

    def generation_key(self) -> str:
        return str(self.toc)

    def changed(self) -> bool:
        return toc_generation(self.gen) != self.toc

    def refresh(self) -> bool:
        if not self.changed():
            return False
        old = self.searcher
        self._open()
        old.close()
        return True

    def close(self) -> None:
        self.searcher.close()

    def warm(self) -> None:
        self.facets.all_counts()

    # --- matching ----------------------------------------------------------------------

    def _filter(self, postings: Postings, facet: str, keys: tuple[str, ...]) -> set[int]:
        out: set[int] = set()
        for key in keys:
            if facet in _KEY_PREFIX:
                out |= postings.docs("keys", _KEY_PREFIX[facet] + key)
            elif facet == "kind":
                out |= postings.docs("kind", key)
            elif facet == "year":
                term = "ynone" if key == NONE else f"y{key}"
                out |= postings.docs("keys", term)
        return out

    def _select(self, sel: Selection, postings: Postings):
        """(matches before facet filters, each facet's selected docs, the hits)."""
        fx = self.facets
        if isinstance(sel.tree, MatchAll):
            base: set[int] | frozenset[int] = fx.live
        else:
            base = match_set(postings, sel.tree, lambda: fx.live, self._bounds, fx.deleted)
        if sel.dates is not None:
            lo, hi = sel.dates
            dates = fx.dates
            base = {d for d in base if lo <= dates[d] <= hi}
        selected = {f: self._filter(postings, f, keys) for f, keys in sel.filters if keys}
        hits = base
        for docs in selected.values():
            hits = hits & docs
        return base, selected, hits

    def search(
        self, sel: Selection, *, sort: Sort, offset: int, limit: int, facet_limit: int | None
    ) -> Found:
        postings = Postings(self.searcher)  # what this search reads, read once
        base, selected, hits = self._select(sel, postings)
        facets: dict[str, list[tuple[str, int]]] = {}
        if facet_limit is not None:
            fx = self.facets
            whole = isinstance(sel.tree, MatchAll) and sel.dates is None  # base is fx.live
            if whole and not selected:
                counts = fx.all_counts()
                facets = {f: v if f == "year" else v[:facet_limit] for f, v in counts.items()}
            else:
                for f in FACET_NAMES:
                    # A facet's counts ignore its own selection, so more values can be added.
                    docs = base
                    for other, chosen in selected.items():
                        if other != f:
                            docs = docs & chosen
                    facets[f] = fx.count(f, docs, facet_limit)
        page, stored = self._page(sel, postings, hits, sort, offset, limit)
        return Found(len(hits), page, facets, stored)

    def _page(
        self, sel: Selection, postings: Postings, hits, sort: Sort, offset: int, limit: int
    ) -> tuple[list[tuple[str, float]], dict[str, str]]:
        want = offset + limit
        if limit <= 0 or offset >= len(hits):
            return [], {}
        dates = self.facets.dates
        terms = scored_terms(sel.tree)
        if sort == "relevance" and terms:
            ranked = self.ranker.top(postings, terms, hits, want)
            if len(ranked) < want and len(ranked) < len(hits):
                # Matched without a scoring word (e.g. `x OR date:2016`): newest after.
                seen = {d for d, _ in ranked}
                rest = heapq.nlargest(
                    want - len(ranked), (d for d in hits if d not in seen), key=dates.__getitem__
                )
                ranked += [(d, 0.0) for d in rest]
        else:
            ranked = [(d, 0.0) for d in self._by_date(postings, hits, want, sort != "oldest")]
        page, stored = [], {}
        for d, score in ranked[offset:]:
            fields = self.searcher.stored_fields(d)
            page.append((fields["id"], score))
            stored[fields["id"]] = fields["doc"]
        return page, stored

    def _by_date(self, postings: Postings, hits, want: int, newest: bool) -> list[int]:
        """The first ``want`` hits by date (ties by docnum; undated last either way).

        Many hits (browsing a million stories) are not all sorted: the newest (oldest)
        years' documents are gathered, a year's posting list at a time, until there are
        enough; every hit of a later (earlier) year comes after them."""
        dates = self.facets.dates

        def key(d: int) -> tuple[int, int]:
            return (-dates[d], d) if newest else (dates[d] or 99999999, d)

        if len(hits) > BY_YEAR_MIN:
            if self._years is None:
                terms = self.reader.expand_prefix("keys", "y")
                self._years = sorted(int(t[1:]) for t in terms if t[1:].isdigit())
            pool: set[int] = set()
            for year in reversed(self._years) if newest else self._years:
                pool |= postings.docs("keys", f"y{year:04d}") & hits
                if len(pool) >= want:
                    return heapq.nsmallest(want, pool, key=key)
        return heapq.nsmallest(want, hits, key=key)

    def month_counts(self, sel: Selection, year: int) -> dict[int, int]:
        _, _, hits = self._select(sel, Postings(self.searcher))
        dates = self.facets.dates
        months = Counter(dates[d] // 100 for d in hits)
        return {ym % 100: n for ym, n in months.items() if ym // 100 == year}

    # --- documents and terms -----------------------------------------------------------

    def stored(self, ids: Sequence[str]) -> dict[str, str]:
        out = {}
        for doc_id in ids:
            docnum = self.searcher.document_number(id=doc_id)
            if docnum is not None:
                out[doc_id] = self.searcher.stored_fields(docnum)["doc"]
        return out

    def ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        out: list[str] = []
        for term in self.reader.expand_prefix("id", prefix):
            doc_id = term.decode("utf-8") if isinstance(term, bytes) else term
            if self.searcher.document_number(id=doc_id) is not None:
                out.append(doc_id)
                if len(out) >= limit:
                    break
        return out

    def doc_count(self) -> int:
        return self.reader.doc_count()

    def doc_frequency(self, field: str, term: str) -> int:
        try:
            return self.searcher.doc_frequency(field, term)
        except (KeyError, ValueError):
            return 0

    def date_bounds(self) -> tuple[int, int] | None:
        live = self.facets.live
        dates = self.facets.dates
        dated = [dates[d] for d in live if dates[d]]
        return (min(dated), max(dated)) if dated else None

    def files(self) -> list[str]:
        return sorted(p.name for p in self.gen.iterdir() if p.name.startswith("_MAIN"))


class WhooshWriter:
    """Upserts and deletes in one Whoosh commit; or a bulk build's segment."""

    def __init__(self, gen: Path, *, bulk: bool) -> None:
        self.gen = gen
        ix = _open_index(gen)
        self.ix = ix
        self.bulk = bulk
        if bulk:
            self.writer = segment_writer(ix, _lk=False)
            self.segments: list = []
        else:
            self.writer = ix.writer(limitmb=UPDATE_LIMIT_MB, compound=COMPOUND)

    def add(self, doc: IndexedDocument) -> None:
        self.writer.add_document(**to_fields(doc))
        if self.bulk and self.writer.full:  # bound memory: finish this segment, start another
            self.segments.append(_finish_segment(self.writer))
            self.writer = segment_writer(self.ix, _lk=False)

    def add_encoded(self, data: object) -> None:
        self.writer.add_document(**data)  # type: ignore[arg-type]

    def upsert(self, doc: IndexedDocument) -> None:
        self.writer.update_document(**to_fields(doc))

    def delete(self, doc_id: str) -> None:
        self.writer.delete_by_term("id", doc_id)

    def finish_segments(self) -> list:
        """(bulk) The segments written, the last one finished now."""
        if self.writer._added:
            self.segments.append(_finish_segment(self.writer))
        else:
            self.writer.cancel()
        return self.segments

    def commit(self) -> str:
        if self.bulk:
            segments = self.finish_segments()
            _commit_segments(self.gen, segments)
        else:
            self.writer.commit()
        return str(toc_generation(self.gen))

    def cancel(self) -> None:
        self.writer.cancel()


def _finish_segment(writer):
    segment = writer._finalize_segment()
    writer._finish()
    return segment


def _commit_segments(gen: Path, segments: list) -> None:
    ix = _open_index(gen)
    # The segments are written; the commit only names them in a new table of contents.
    ix.writer(compound=COMPOUND).commit(mergetype=lambda _w, existing: list(existing) + segments)


class WhooshBackend:
    name = "whoosh"
    capabilities = Capabilities(partitioned_build=True)
    schema_version = SCHEMA_VERSION

    def create(self, gen: Path) -> None:
        toc.install()
        whoosh_index.create_in(str(gen), build_schema())

    def open(self, gen: Path) -> WhooshSearcher:
        return WhooshSearcher(gen)

    def current_key(self, gen: Path) -> str:
        return str(toc_generation(gen))

    def writer(self, gen: Path, *, bulk: bool = False) -> WhooshWriter:
        return WhooshWriter(gen, bulk=bulk)

    def encode(self, doc: IndexedDocument) -> dict:
        return to_fields(doc)

    def build_part(self, gen: Path, part: int, docs: Iterable[IndexedDocument]) -> object:
        ix = _open_index(gen)
        # Whoosh names every writer's spill folder "MAIN.tmp" and deletes it when the
        # writer finishes: give each part its own so one cannot delete the other's.
        storage, shared = ix.storage, ix.storage.temp_storage
        storage.temp_storage = lambda name=None: shared(f"{name or 'spill'}-{part}")
        writer = WhooshWriter.__new__(WhooshWriter)
        writer.gen, writer.ix, writer.bulk, writer.segments = gen, ix, True, []
        writer.writer = segment_writer(ix, _lk=False)
        for doc in docs:
            writer.add(doc)
        return writer.finish_segments()

    def finish_build(self, gen: Path, parts: list[object]) -> str:
        segments = [s for part in parts for s in part]  # type: ignore[attr-defined]
        _commit_segments(gen, segments)
        return str(toc_generation(gen))

    def check(self, gen: Path) -> list[str]:
        """Open the index and read every stored document and every posting list."""
        try:
            searcher = WhooshSearcher(gen)
        except IndexDamaged as exc:
            return [exc.reason]
        except Exception as exc:  # noqa: BLE001 - any failure reading the index is a finding
            return [f"{type(exc).__name__}: {exc}"]
        try:
            reader = searcher.reader
            for docnum in searcher.facets.live:
                searcher.searcher.stored_fields(docnum)
            for fieldname in searcher.schema.names():
                if not searcher.schema[fieldname].indexed:
                    continue
                for term in reader.lexicon(fieldname):
                    for _ in reader.postings(fieldname, term).all_ids():
                        pass
            searcher.facets.load_all()
        except Exception as exc:  # noqa: BLE001 - any failure reading the index is a finding
            return [f"{type(exc).__name__}: {exc}"]
        finally:
            searcher.close()
        return []
