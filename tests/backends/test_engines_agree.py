"""Every engine indexes the same terms and finds the same documents."""

from __future__ import annotations

import pytest

from searchkit.engine import Engine, backends, update_index
from searchkit.model import SearchRequest
from tests.backends.conftest import write_corpus
from tests.factory import copy_repo_corpus

pytestmark = pytest.mark.skipif(
    len(backends.available()) < 2, reason="needs two engines (pip install searchkit[tantivy])"
)

QUERIES = [
    "syria", "russian", "army", "raqqa offensive", "hospital", "aleppo hospital", "the",
    "of the", "war in syria", '"syrian army"', '"prime minister"', "isil OR isis",
    "syria NOT russia", "syria -russia", "+syria army", "(raqqa OR aleppo) army",
    "title:russian", "body:facilities", "tag:isil", 'tag:"syrian civil war"',
    "source:sputnik", "source:tass", "source:al jazeera", "kind:article", "kind:story",
    "date:2016", "date:2017-01", "date:2016-04-29", "date:2016..2017", "date:>=2017",
    "date:<2017", "syri*", "def*", "offens*", "raqa~", "hopsital~", "erdogan", "北京",
    "M&S", "US", "U.S.", "ban", "plan", "al-nusra", "deir ez-zor", "4,608", "3.5",
    "special forces", "win key city", "helping", "destroyed facilities",
    "islamic state", "terrorist", "geneva", "moscow OR geneva", "NOT syria", "",
    "russia's", "the war", "a",
]  # fmt: skip


@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    root = copy_repo_corpus(tmp_path_factory.mktemp("corpus"))
    write_corpus(root)
    out = {}
    for name in backends.available():
        index = tmp_path_factory.mktemp(f"index-{name}")
        update_index(root, index, engine=name)
        out[name] = index
    return out


def test_at_least_fifty_queries_find_the_same_documents(indexes):
    assert len(QUERIES) >= 50
    answers = {}
    for name, index in indexes.items():
        with Engine(index) as eng:
            answers[name] = [
                (q, eng.search(SearchRequest(q, limit=100, suggest=False)).total,
                 sorted(h.id for h in eng.search(SearchRequest(q, limit=100)).hits))
                for q in QUERIES
            ]  # fmt: skip
    reference, *others = answers.values()
    assert sum(1 for _, total, _ in reference if total) >= 45  # the queries find things
    for other in others:
        assert other == reference


def _whoosh_terms(engine: Engine) -> dict:
    ws = engine._gen.searcher.searcher
    reader = ws.reader()
    out = {}
    for field in ("title", "body", "tags", "source"):
        for term in reader.lexicon(field):
            m = reader.postings(field, term)
            docs = set()
            while m.is_active():
                docs.add(ws.stored_fields(m.id())["id"])
                m.next()
            out[(field, term.decode("utf-8"))] = docs
    return out


def _tantivy_terms(engine: Engine) -> dict:
    from tantivy import Query

    from searchkit.engine.backends.tantivy.backend import SCHEMA

    s = engine._gen.searcher.searcher
    out = {}
    for field in ("title", "body", "tags", "source"):
        for term, _ in s.terms_with_prefix(field, "", limit=1_000_000):
            hits = s.search(Query.term_query(SCHEMA, field, term), limit=1000).hits
            out[(field, term)] = {s.doc(a)["id"][0] for _, a in hits}
    return out


def test_whoosh_and_tantivy_index_the_same_terms_of_every_document(indexes):
    with Engine(indexes["whoosh"]) as w, Engine(indexes["tantivy"]) as t:
        whoosh_terms = _whoosh_terms(w)
        tantivy_terms = _tantivy_terms(t)
    assert len(whoosh_terms) > 500
    assert whoosh_terms == tantivy_terms
