"""The tantivy backend: a Rust engine for large archives, behind the same seam.

A generation folder holds a tantivy index in ``tantivy/``. Text fields receive the
neutral engine's terms (``engine.analysis``) joined by spaces and are split on spaces
only (a whitespace tokenizer with no filters), so tantivy indexes exactly the terms
Whoosh indexes. Plans are compiled to tantivy query objects (``compile``); facets are
terms aggregations on fast fields, one per facet when filters are active so each
facet's counts ignore its own selection.

Known differences from Whoosh, by design of the engines: scores (tantivy's BM25 per
field with the same field boosts; rankings are close, not equal), and the order of
documents that tie.
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import tantivy
from tantivy import FieldType, Occur, Query

from searchkit.engine.backend import (
    FACET_NAMES,
    FIELD_BOOSTS,
    Capabilities,
    Found,
    IndexedDocument,
    Selection,
    Sort,
)
from searchkit.engine.facetkeys import NONE
from searchkit.engine.tree import (
    And,
    DateRange,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Phrase,
    Term,
)
from searchkit.errors import IndexDamaged

SCHEMA_VERSION = 1
FOLDER = "tantivy"
TOKENIZER = "searchkit_terms"
TEXT_FIELDS = ("title", "body", "tags", "source")
#: Heap of a build's writer (split between its threads); an update's is smaller.
BUILD_HEAP = 192_000_000
UPDATE_HEAP = 64_000_000
#: Undated documents sort last when oldest come first.
UNDATED_LAST = 99_999_999
_FACET_FIELDS = {"tag": "tag_key", "source": "source_key", "kind": "kind", "year": "year"}
_OPEN_ATTEMPTS = 3


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("kind", tokenizer_name="raw", fast=True, index_option="basic")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    sb.add_text_field("tag_key", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field("source_key", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_unsigned_field("date", indexed=True, fast=True)
    sb.add_unsigned_field("date_asc", fast=True)
    sb.add_unsigned_field("year", indexed=True, fast=True)
    sb.add_unsigned_field("month", fast=True)
    sb.add_bytes_field("doc", stored=True)
    return sb.build()


SCHEMA = _schema()


def _analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _folder(gen: Path) -> Path:
    return gen / FOLDER


def _open(gen: Path) -> tantivy.Index:
    folder = _folder(gen)
    if not (folder / "meta.json").is_file():
        raise IndexDamaged(str(gen.parent), f"{gen.name} holds no tantivy index")
    try:
        index = tantivy.Index.open(str(folder))
    except (ValueError, OSError) as exc:
        raise IndexDamaged(str(gen.parent), f"{gen.name}: tantivy: {exc}") from exc
    index.register_tokenizer(TOKENIZER, _analyzer())
    return index


def opstamp(gen: Path) -> str:
    """The commit tantivy's meta.json names: its opstamp and segments (a merge changes
    the segments without a new opstamp)."""
    try:
        raw = (_folder(gen) / "meta.json").read_bytes()
        meta = json.loads(raw)
    except (OSError, ValueError):
        return ""
    segments = ",".join(sorted(str(s.get("segment_id")) for s in meta.get("segments", [])))
    return f"{meta.get('opstamp', '')}-{zlib.crc32(segments.encode()) & 0xFFFFFFFF:08x}"


# --- compiling plans ---------------------------------------------------------------------


def _boosted(q: Query, boost: float) -> Query:
    return q if boost == 1.0 else Query.boost_query(q, boost)


def compile_plan(node: Node) -> Query:
    """A tantivy query for a plan (see ``backend`` for the semantics)."""
    if isinstance(node, Term):
        if node.field in ("kind", "id"):
            return Query.term_query(SCHEMA, node.field, node.text)
        q = Query.term_query(SCHEMA, node.field, node.text)
        return _boosted(q, FIELD_BOOSTS.get(node.field, 1.0) * node.boost)
    if isinstance(node, Phrase):
        if len(node.terms) == 1:
            q = Query.term_query(SCHEMA, node.field, node.terms[0])
        else:
            q = Query.phrase_query(SCHEMA, node.field, list(node.terms))
        return _boosted(q, FIELD_BOOSTS.get(node.field, 1.0))
    if isinstance(node, DateRange):
        return Query.range_query(SCHEMA, "date", FieldType.Unsigned, node.lo, node.hi)
    if isinstance(node, MatchAll):
        return Query.all_query()
    if isinstance(node, MatchNone):
        return Query.empty_query()
    if isinstance(node, Not):
        return Query.boolean_query(
            [(Occur.Must, Query.all_query()), (Occur.MustNot, compile_plan(node.item))]
        )
    if isinstance(node, Or):
        return Query.boolean_query([(Occur.Should, compile_plan(i)) for i in node.items])
    if isinstance(node, And):
        clauses = []
        for item in node.items:
            if isinstance(item, Not):
                clauses.append((Occur.MustNot, compile_plan(item.item)))
            else:
                clauses.append((Occur.Must, compile_plan(item)))
        if not any(occur == Occur.Must for occur, _ in clauses):
            clauses.append((Occur.Must, Query.all_query()))
        clauses += [(Occur.Should, compile_plan(o)) for o in node.optional]
        return Query.boolean_query(clauses)
    raise TypeError(f"cannot compile {node!r}")


def _filter(facet: str, keys: tuple[str, ...]) -> Query:
    field = _FACET_FIELDS[facet]
    terms = []
    for key in keys:
        if facet == "year":
            terms.append(Query.term_query(SCHEMA, field, 0 if key == NONE else int(key)))
        else:
            terms.append(Query.term_query(SCHEMA, field, key))
    return Query.boolean_query([(Occur.Should, t) for t in terms])


def _restrict(base: Query, parts: Iterable[Query]) -> Query:
    extra = list(parts)
    if not extra:
        return base
    return Query.boolean_query([(Occur.Must, base), *((Occur.Must, q) for q in extra)])


def _year_key(value: int) -> str:
    return NONE if not value else f"{value:04d}"


# --- reading -------------------------------------------------------------------------------


class TantivySearcher:
    def __init__(self, gen: Path) -> None:
        self.gen = gen
        self._open()

    def _open(self) -> None:
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                self.key = opstamp(self.gen)
                self.index = _open(self.gen)
                self.index.config_reader(reload_policy="manual")
                self.searcher = self.index.searcher()
                self._browse: dict[int, dict] = {}
                return
            except IndexDamaged:
                # A writer may have cleaned up files of an older commit meanwhile.
                if attempt + 1 == _OPEN_ATTEMPTS:
                    raise
                time.sleep(0.05)

    def generation_key(self) -> str:
        return self.key

    def changed(self) -> bool:
        return opstamp(self.gen) != self.key

    def refresh(self) -> bool:
        if not self.changed():
            return False
        self.key = opstamp(self.gen)
        self.index.reload()
        self.searcher = self.index.searcher()
        self._browse = {}
        return True

    def close(self) -> None:
        self.searcher = None  # tantivy closes its files when the objects go
        self.index = None

    def warm(self) -> None:
        self._browse_facets(10)

    # --- search ----------------------------------------------------------------------------

    def _base(self, sel: Selection) -> Query:
        q = compile_plan(sel.tree)
        if sel.dates is not None:
            window = Query.range_query(SCHEMA, "date", FieldType.Unsigned, *sel.dates)
            q = _restrict(q, [window])
        return q

    def search(
        self, sel: Selection, *, sort: Sort, offset: int, limit: int, facet_limit: int | None
    ) -> Found:
        base = self._base(sel)
        filters = {f: _filter(f, keys) for f, keys in sel.filters if keys}
        query = _restrict(base, filters.values())
        want = max(limit, 1)  # tantivy needs a limit of at least one
        if sort == "relevance":
            result = self.searcher.search(query, limit=want, offset=offset, count=True)
        else:
            field, order = (
                ("date", tantivy.Order.Desc) if sort == "newest" else
                ("date_asc", tantivy.Order.Asc)
            )  # fmt: skip
            result = self.searcher.search(
                query, limit=want, offset=offset, count=True, order_by_field=field, order=order
            )
        page, stored = [], {}
        for score, addr in [] if limit <= 0 else result.hits:
            doc = self.searcher.doc(addr)
            doc_id = doc["id"][0]
            page.append((doc_id, float(score) if sort == "relevance" else 0.0))
            stored[doc_id] = doc["doc"][0].decode("utf-8")
        facets = {}
        if facet_limit is not None:
            if isinstance(sel.tree, MatchAll) and not filters and sel.dates is None:
                facets = self._browse_facets(facet_limit)
            else:
                facets = self._facets(base, filters, facet_limit)
        return Found(result.count or 0, page, facets, stored)

    def _browse_facets(self, limit: int) -> dict:
        """Counts over the whole index: the same until the next commit, so kept."""
        cached = self._browse.get(limit)
        if cached is None:
            cached = self._browse[limit] = self._facets(Query.all_query(), {}, limit)
        return cached

    @staticmethod
    def _aggs(facets: Iterable[str], limit: int) -> dict:
        aggs = {}
        for f in facets:
            size = 10_000 if f == "year" else (limit * 3 + 20)
            aggs[f] = {"terms": {"field": _FACET_FIELDS[f], "size": size, "segment_size": 65_000}}
        return aggs

    def _facets(self, base: Query, filters: dict[str, Query], limit: int) -> dict:
        if not filters:
            raw = self.searcher.aggregate(base, self._aggs(FACET_NAMES, limit))
        else:
            raw = {}
            for f in FACET_NAMES:
                q = _restrict(base, [q for other, q in filters.items() if other != f])
                raw.update(self.searcher.aggregate(q, self._aggs([f], limit)))
        out: dict[str, list[tuple[str, int]]] = {}
        for f in FACET_NAMES:
            buckets = raw.get(f, {}).get("buckets", [])
            if f == "year":
                pairs = [(_year_key(int(b["key"])), b["doc_count"]) for b in buckets]
                pairs.sort(key=lambda kv: (kv[0] == NONE, -int(kv[0]) if kv[0] != NONE else 0))
                out[f] = pairs
            else:
                pairs = [(str(b["key"]), b["doc_count"]) for b in buckets]
                pairs.sort(key=lambda kv: (-kv[1], kv[0]))
                out[f] = pairs[:limit]
        return out

    def month_counts(self, sel: Selection, year: int) -> dict[int, int]:
        filters = [_filter(f, keys) for f, keys in sel.filters if keys]
        within = Query.range_query(
            SCHEMA, "date", FieldType.Unsigned, year * 10000 + 101, year * 10000 + 1231
        )
        query = _restrict(self._base(sel), [*filters, within])
        raw = self.searcher.aggregate(
            query, {"m": {"terms": {"field": "month", "size": 12, "segment_size": 100}}}
        )
        return {int(b["key"]) % 100: b["doc_count"] for b in raw["m"]["buckets"]}

    # --- documents and terms ---------------------------------------------------------------

    def stored(self, ids: Sequence[str]) -> dict[str, str]:
        out = {}
        for doc_id in ids:
            result = self.searcher.search(Query.term_query(SCHEMA, "id", doc_id), limit=1)
            if result.hits:
                doc = self.searcher.doc(result.hits[0][1])
                out[doc_id] = doc["doc"][0].decode("utf-8")
        return out

    def ids_with_prefix(self, prefix: str, limit: int) -> list[str]:
        out: list[str] = []
        # The term dictionary keeps the ids of deleted documents until a merge.
        for term, _ in self.searcher.terms_with_prefix("id", prefix, limit=limit * 4 + 16):
            if self.searcher.search(Query.term_query(SCHEMA, "id", term), limit=1).count:
                out.append(term)
                if len(out) >= limit:
                    break
        return sorted(out)

    def doc_count(self) -> int:
        return self.searcher.num_docs

    def doc_frequency(self, field: str, term: str) -> int:
        try:
            return self.searcher.doc_freq(field, term)
        except ValueError:
            return 0

    def date_bounds(self) -> tuple[int, int] | None:
        dated = Query.range_query(SCHEMA, "date", FieldType.Unsigned, 1, UNDATED_LAST)
        raw = self.searcher.aggregate(dated, {"d": {"stats": {"field": "date"}}})["d"]
        if not raw.get("count"):
            return None
        return int(raw["min"]), int(raw["max"])

    def files(self) -> list[str]:
        return sorted(f"{FOLDER}/{p.name}" for p in _folder(self.gen).iterdir() if p.is_file())


# --- writing -------------------------------------------------------------------------------


def encode(doc: IndexedDocument) -> str:
    """The document as the JSON tantivy's ``add_json`` parses (in Rust)."""
    return json.dumps(
        {
            "id": doc.id,
            "kind": doc.kind,
            "title": doc.title,
            "body": doc.body,
            "tags": doc.tags,
            "source": doc.source,
            "tag_key": list(doc.tag_keys),
            "source_key": list(doc.source_keys),
            "date": doc.date,
            "date_asc": doc.date or UNDATED_LAST,
            "year": doc.date // 10000,
            "month": doc.date // 100,
            "doc": base64.b64encode(doc.stored.encode("utf-8")).decode("ascii"),
        },
        ensure_ascii=False,
    )


def _document(doc: IndexedDocument) -> tantivy.Document:
    d = tantivy.Document()
    d.add_text("id", doc.id)
    d.add_text("kind", doc.kind)
    d.add_text("title", doc.title)
    d.add_text("body", doc.body)
    d.add_text("tags", doc.tags)
    d.add_text("source", doc.source)
    for key in doc.tag_keys:
        d.add_text("tag_key", key)
    for key in doc.source_keys:
        d.add_text("source_key", key)
    d.add_unsigned("date", doc.date)
    d.add_unsigned("date_asc", doc.date or UNDATED_LAST)
    d.add_unsigned("year", doc.date // 10000)
    d.add_unsigned("month", doc.date // 100)
    d.add_bytes("doc", doc.stored.encode("utf-8"))
    return d


class TantivyWriter:
    def __init__(self, gen: Path, *, bulk: bool) -> None:
        self.gen = gen
        self.index = _open(gen)
        heap = BUILD_HEAP if bulk else UPDATE_HEAP
        # One indexing thread: the parse workers keep the other cores busy, and a build
        # of up to a few hundred thousand documents then commits one segment.
        self.writer = self.index.writer(heap_size=heap, num_threads=1)

    def add(self, doc: IndexedDocument) -> None:
        self.writer.add_document(_document(doc))

    def add_encoded(self, data: object) -> None:
        self.writer.add_json(data)

    def upsert(self, doc: IndexedDocument) -> None:
        # A delete applies to documents added before it, so the new one stays.
        self.writer.delete_documents_by_term("id", doc.id)
        self.writer.add_document(_document(doc))

    def delete(self, doc_id: str) -> None:
        self.writer.delete_documents_by_term("id", doc_id)

    def commit(self) -> str:
        self.writer.commit()
        self.writer.garbage_collect_files()
        # Let the merges this commit started finish, then drop the files they replaced:
        # the folder stays near its freshly built size however many updates it takes.
        self.writer.wait_merging_threads()
        writer = self.index.writer(heap_size=UPDATE_HEAP, num_threads=1)
        writer.garbage_collect_files()
        writer.rollback()
        del writer
        return opstamp(self.gen)

    def cancel(self) -> None:
        self.writer.rollback()


class TantivyBackend:
    name = "tantivy"
    capabilities = Capabilities(partitioned_build=False)
    schema_version = SCHEMA_VERSION

    def create(self, gen: Path) -> None:
        folder = _folder(gen)
        folder.mkdir()
        index = tantivy.Index(SCHEMA, path=str(folder), reuse=False)
        index.register_tokenizer(TOKENIZER, _analyzer())
        writer = index.writer(heap_size=UPDATE_HEAP, num_threads=1)
        writer.commit()
        writer.wait_merging_threads()

    def open(self, gen: Path) -> TantivySearcher:
        return TantivySearcher(gen)

    def current_key(self, gen: Path) -> str:
        return opstamp(gen)

    def writer(self, gen: Path, *, bulk: bool = False) -> TantivyWriter:
        return TantivyWriter(gen, bulk=bulk)

    def encode(self, doc: IndexedDocument) -> str:
        return encode(doc)

    def check(self, gen: Path) -> list[str]:
        from searchkit.engine.backends.tantivy.files import verify

        problems = verify(_folder(gen))
        if problems:
            return problems
        try:
            s = TantivySearcher(gen).searcher
            result = s.search(Query.all_query(), limit=max(s.num_docs, 1))
            for _, addr in result.hits:
                s.doc(addr)
        except Exception as exc:  # noqa: BLE001 - any failure reading the index is a finding
            return [f"{type(exc).__name__}: {exc}"]
        return []
