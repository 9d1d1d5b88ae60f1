"""The bulk build path writes what Whoosh would write, and finds what Whoosh would find."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from searchkit.corpus import document_from_bytes, iter_files
from searchkit.engine import Engine, store, update_index
from searchkit.engine import update as update_module
from searchkit.engine.backends.whoosh import formats, segments
from searchkit.engine.backends.whoosh.schema import Pretokenized, build_schema, to_fields
from searchkit.engine.documents import prepare
from searchkit.model import SearchRequest
from tests.factory import Story, copy_repo_corpus, write
from tests.test_analysis import TEXTS

LONG = " ".join(f"word{i % 40} filler{i}" for i in range(700)) + " Aleppo " * 3
STORIES = [
    Story(
        date(2016, 4, 29),
        "Airstrikes hit Aleppo hospital",
        body=LONG,
        related=[("news/2016/04/28/x.md", "Earlier strike", ["Syrian Civil War", "Aleppo"])],
    ),
    Story(date(2016, 4, 30), "No tags here, nor body"),
    Story(
        date(2017, 1, 2),
        "Café owners in São Paulo protest",
        sources=["Folha", "Reuters"],
        related=[("news/2016/04/29/y.md", "Protest", ["Brazil"])],
    ),
    Story(
        date(2018, 3, 3),
        "Prime minister resigns; prime minister's party splits",
        body="The prime minister said the prime minister would go. " * 30,
    ),
]


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = copy_repo_corpus(tmp_path / "corpus")
    write(root, *STORIES)
    return root


def _documents(corpus: Path) -> list[dict]:
    out = []
    for rel, _, _ in sorted(iter_files(corpus)):
        doc, _ = document_from_bytes((corpus / rel).read_bytes(), rel)
        if doc is not None:
            out.append(to_fields(prepare(doc).indexed))
    return out


def _segment_files(folder: Path, make) -> dict[str, bytes]:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    w = make(ix)
    for fields in DOCS:
        w.add_document(**fields)
    seg = w._finalize_segment()
    w._finish()
    return {
        p.name.replace(seg.segid, "SEG"): p.read_bytes()
        for p in folder.iterdir()
        if seg.segid in p.name
    }


DOCS: list[dict] = []


def test_bulk_segment_is_byte_for_byte_whooshs(corpus, tmp_path):
    DOCS[:] = _documents(corpus)
    assert len(DOCS) == len(STORIES) + 5
    reference = _segment_files(
        tmp_path / "whoosh",
        lambda ix: SegmentWriter(
            ix, compound=False, codec=W3Codec(compression=segments.POSTINGS_ZLIB), _lk=False
        ),
    )
    bulk = _segment_files(tmp_path / "bulk", lambda ix: segments.segment_writer(ix, _lk=False))
    assert sorted(bulk) == sorted(reference)
    for name in reference:
        assert bulk[name] == reference[name], name


def test_positions_of_matches_the_token_stream():
    from searchkit.engine.analysis import analyzed

    analyzer = Pretokenized()
    for text in [*TEXTS, LONG]:
        value = analyzed(text)
        expected: dict[str, list[int]] = {}
        for t in analyzer(value, positions=True):
            expected.setdefault(t.text, []).append(t.pos)
        assert analyzer.positions_of(value) == expected, text[:40]


@pytest.mark.parametrize(
    "poses", [[0], [7], [255], [256], [3, 4, 300, 70000], list(range(0, 5000, 3))]
)
def test_positions_round_trip(poses):
    fmt = formats.Positions()
    encoded = fmt.encode(poses)
    assert fmt.decode_positions(encoded) == poses
    assert fmt.decode_frequency(encoded) == len(poses)


QUERIES = ["aleppo", '"prime minister"', "word7", "cafe", "syria OR brazil", "tag:aleppo", "*"]


def _answers(index: Path) -> list:
    with Engine(index) as engine:
        out = []
        for q in QUERIES:
            r = engine.search(SearchRequest(query="" if q == "*" else q, limit=50))
            # Equal scores may come in another order when documents are numbered
            # differently, so the hits are compared as a set.
            hits = sorted((h.id, round(h.score, 6)) for h in r.hits)
            out.append((q, r.total, hits, r.facets))
        return out


def test_parallel_and_rotated_builds_find_what_one_segment_finds(corpus, tmp_path, monkeypatch):
    single = tmp_path / "single"
    update_index(corpus, single, procs=1)
    expected = _answers(single)
    assert expected[0][1] >= 2 and expected[1][1] == 1

    # Many small segments from one process (the memory bound), then two workers.
    monkeypatch.setattr(segments, "MAX_BUFFERED_POSTINGS", 40)
    rotated = tmp_path / "rotated"
    update_index(corpus, rotated, procs=1)
    gen = store.live_generation(rotated)
    assert len(list(gen.glob("*.trm"))) > 3
    assert _answers(rotated) == expected

    monkeypatch.setattr(update_module, "PARALLEL_MIN_FILES", 1)
    parallel = tmp_path / "parallel"
    report = update_index(corpus, parallel, procs=2)
    assert report.documents == len(STORIES) + 5
    assert _answers(parallel) == expected


def test_the_date_column_is_read_in_one_slice_as_whoosh_reads_it(corpus, tmp_path):
    """The dates read a segment at a time equal Whoosh's own column reader."""
    from searchkit.engine.backends.whoosh.facets import read_numeric_column

    index = tmp_path / "index"
    update_index(corpus, index)
    gen = store.live_generation(index)
    ix = whoosh_index.open_dir(str(gen))
    with ix.reader() as reader:
        expected = [reader.column_reader("date")[d] for d in range(reader.doc_count_all())]
        assert list(read_numeric_column(reader, "date")) == expected
        assert any(expected) and 0 in expected  # dated stories, undated articles


def test_facet_values_read_in_one_slice_equal_whooshs_column(corpus, tmp_path):
    from searchkit.engine.backends.whoosh.facets import _column_values

    index = tmp_path / "index"
    update_index(corpus, index)
    ix = whoosh_index.open_dir(str(store.live_generation(index)))
    with ix.reader() as reader:
        expected = [reader.column_reader("facets")[d] for d in range(reader.doc_count_all())]
        assert list(_column_values(reader, "facets")) == expected


def test_a_parallel_build_records_every_file_its_workers_send_in_chunks(tmp_path, monkeypatch):
    """Workers hand their file states over a chunk at a time while they index: every file
    is in the catalog afterwards, so the next update finds nothing to do."""
    from searchkit.engine.catalog import Catalog

    root = tmp_path / "corpus"
    stories = [
        Story(
            date(2001 + i % 20, 1 + i % 12, 1 + i % 28), f"Story number {i} about harbour {i % 7}"
        )
        for i in range(1100)
    ]
    write(root, *stories)
    monkeypatch.setattr(update_module, "PARALLEL_MIN_FILES", 1)
    index = tmp_path / "index"
    report = update_index(root, index, procs=2)
    assert report.documents == 1100
    catalog = Catalog(store.live_generation(index))
    try:
        assert sorted(catalog.files()) == sorted(s.id for s in stories)
    finally:
        catalog.close()
    again = update_index(root, index)
    assert (again.added, again.changed, again.removed) == ([], [], [])
    assert again.unchanged == 1100


def test_postings_of_segments_with_deletions_are_read_in_blocks_and_match_whoosh(corpus, tmp_path):
    """Deleted documents make Whoosh filter postings one at a time; the backend reads
    the stored blocks instead and keeps the live documents itself: for every term, what
    it matches equals Whoosh's own answer, and phrases too."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.query import Phrase as WhooshPhrase
    from whoosh.query import Term as WhooshTerm

    from searchkit.engine.backends.whoosh.facets import FacetIndex, live_docs
    from searchkit.engine.backends.whoosh.matchset import match_set
    from searchkit.engine.backends.whoosh.postings import Postings, unfiltered
    from searchkit.engine.tree import Phrase

    index = tmp_path / "index"
    update_index(corpus, index, procs=1)
    (corpus / STORIES[1].id).unlink()  # deleted
    write(corpus, replace(STORIES[2], body="The prime minister visits."))
    update_index(corpus, index)  # STORIES[2] replaced: its old version is deleted too

    ix = whoosh_index.open_dir(str(store.live_generation(index)))
    with ix.searcher() as s:
        reader = s.reader()
        live = live_docs(reader)
        deleted = frozenset(range(reader.doc_count_all())) - live
        assert deleted and FacetIndex(reader).deleted == deleted
        leaves = [(sub.reader(), off) for sub, off in s.leaf_searchers()]
        assert any(r.has_deletions() for r, _ in leaves)
        postings = Postings(s)
        checked = 0
        for field, btext in reader.all_terms():
            text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            if field not in ("title", "body", "tags", "keys", "kind"):
                continue
            expected = set(s.docs_for_query(WhooshTerm(field, text)))
            assert postings.docs(field, text) & live == expected, (field, text)
            checked += 1
        assert checked > 100
        for r, _ in leaves:
            if r.has_deletions():
                field, btext = next(iter(r.all_terms()))
                assert type(unfiltered(r.postings(field, btext))) is W3LeafMatcher

        words = ["prime", "minist"]
        phrase = match_set(
            Postings(s), Phrase("body", tuple(words)), lambda: live, lambda: None, deleted
        )
        assert phrase == set(s.docs_for_query(WhooshPhrase("body", words)))
        assert phrase
