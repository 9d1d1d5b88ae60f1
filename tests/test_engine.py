"""The search engine as a user meets it: ranking, query language, facets, spelling."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from searchkit.engine import Engine, IndexIncompatible, store, update_index
from searchkit.errors import IndexMissing, QueryError, UnknownDocument
from searchkit.model import SearchRequest
from tests.factory import Story, copy_repo_corpus, write

MISSING = "news/2014/01/1/a-story-that-is-not-in-this-archive.md"

AIRSTRIKES = Story(
    date(2015, 3, 10), "Russian airstrikes hit rebel positions near Aleppo", sources=["Reuters"]
)
QUAKE = Story(
    date(2016, 6, 1),
    "Earthquake of magnitude 6.1 strikes central Italy",
    body="Rescue teams search the rubble of Amatrice for survivors.",
    sources=["BBC", "AP via Yahoo News"],
)
RUBBLE = Story(
    date(2016, 6, 3),
    "Rubble is cleared from the streets of Amatrice",
    sources=["BBC"],
    related=[(QUAKE.id, QUAKE.headline, ["Earthquakes", "Italy"])],
)
AFTERSHOCK = Story(
    date(2016, 6, 2),
    "Aftershocks strike Italy after the earthquake",
    sources=["AP via Yahoo News"],
    related=[
        (QUAKE.id, QUAKE.headline, ["Earthquakes", "Italy"]),
        (MISSING, "A story that is not in this archive", ["Italy"]),
    ],
)
UNSC = Story(
    date(2017, 1, 5),
    "The UN Security Council adopts a resolution on a Syrian ceasefire",
    body="UNSC [UN Security Council] Resolution 2254 is cited. [bold]x[/] stays.",
    sources=["Al Jazeera"],
    related=[(AIRSTRIKES.id, AIRSTRIKES.headline, ["Syrian Civil War", "Russia"])],
)
IDLIB = Story(
    date(2018, 9, 9),
    "Government forces advance in Idlib province",
    sources=["Reuters"],
    related=[(UNSC.id, UNSC.headline, ["Syrian civil war"])],
)
BOMBERS = [
    Story(
        date(2019, 1, d),
        f"Russian bombers fly patrol number {d} over the Baltic Sea",
        sources=["TASS"],
        related=[(IDLIB.id, IDLIB.headline, ["Russia"])],
    )
    for d in range(1, 5)
]
ALL = [AIRSTRIKES, QUAKE, RUBBLE, AFTERSHOCK, UNSC, IDLIB, *BOMBERS]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = copy_repo_corpus(tmp_path_factory.mktemp("corpus"))
    write(root, *ALL)
    return root


@pytest.fixture(scope="module")
def engine(corpus, tmp_path_factory) -> Engine:
    index = tmp_path_factory.mktemp("index")
    report = update_index(corpus, index)
    assert report.rebuilt and not report.skipped
    eng = Engine(index)
    yield eng
    eng.close()


def ids(results) -> list[str]:
    return [h.id for h in results.hits]


def search(engine: Engine, query: str = "", **kw):
    kw.setdefault("limit", 50)
    return engine.search(SearchRequest(query=query, **kw))


def test_stemming_finds_other_forms(engine):
    assert AIRSTRIKES.id in ids(search(engine, "airstrike"))
    assert QUAKE.id in ids(search(engine, "earthquakes"))


def test_all_words_must_match_by_default(engine):
    # RUBBLE matches through its context tags (Earthquakes, Italy).
    assert set(ids(search(engine, "earthquake italy"))) == {QUAKE.id, AFTERSHOCK.id, RUBBLE.id}
    assert set(ids(search(engine, "earthquake amatrice"))) == {QUAKE.id, RUBBLE.id}


def test_title_outranks_body(engine):
    r = search(engine, "rubble")
    assert ids(r)[:2] == [RUBBLE.id, QUAKE.id]


def test_tags_are_searchable(engine):
    r = search(engine, "tag:earthquakes")
    assert set(ids(r)) == {RUBBLE.id, AFTERSHOCK.id}


def test_phrases_or_not_and_groups(engine):
    assert set(ids(search(engine, '"security council" kind:story'))) == {UNSC.id}
    assert ids(search(engine, '"council security"')) == []
    assert set(ids(search(engine, "amatrice OR idlib"))) == {QUAKE.id, RUBBLE.id, IDLIB.id}
    assert set(ids(search(engine, "italy NOT aftershocks"))) == {QUAKE.id, RUBBLE.id}
    assert set(ids(search(engine, "(idlib OR amatrice) government"))) == {IDLIB.id}


def test_fields(engine):
    assert ids(search(engine, "title:rubble")) == [RUBBLE.id]
    assert set(ids(search(engine, "source:tass"))) >= {b.id for b in BOMBERS}
    assert {h.kind for h in search(engine, "kind:article").hits} == {"article"}
    assert search(engine, "kind:article").total == 3


def test_date_terms_and_ranges(engine):
    r = search(engine, "date:2016-06")
    assert set(ids(r)) == {QUAKE.id, AFTERSHOCK.id, RUBBLE.id}
    assert search(engine, "date:2016").total == 4  # and seed 000, 2016-04-29
    r = search(engine, "italy date:2016-06-02..2016-06-30")
    assert set(ids(r)) == {AFTERSHOCK.id, RUBBLE.id}
    r = search(engine, "", date_from=date(2018, 1, 1), date_to=date(2018, 12, 31))
    assert ids(r) == [IDLIB.id]
    reversed_range = search(engine, "date:[2016-06-30 to 2016-06-02] italy")
    assert set(ids(reversed_range)) == {AFTERSHOCK.id, RUBBLE.id}
    assert any("reversed" in n for n in reversed_range.notices)


def test_prefix_and_fuzzy(engine):
    assert QUAKE.id in ids(search(engine, "earthqu*"))
    assert QUAKE.id in ids(search(engine, "earthqake~"))


def test_facets_count_the_whole_result_set(engine):
    r = search(engine, "bombers", limit=1)
    assert r.total == len(BOMBERS) + 2  # the bombers, seed 001, the TASS article
    assert len(r.hits) == 1
    assert dict(r.facets["source"]) == {"TASS": 5, "Reuters": 1}
    assert dict(r.facets["year"]) == {"2019": 4, "2017": 1, "undated": 1}
    assert dict(r.facets["kind"]) == {"story": 5, "article": 1}
    # Every document of the result is in some bucket of every facet.
    for facet in ("year", "source", "kind"):
        assert sum(n for _, n in r.facets[facet]) >= r.total


def test_tags_differing_by_case_are_one_facet_value(engine):
    tags = dict(search(engine, "").facets["tag"])
    assert tags.get("Syrian Civil War", 0) + tags.get("Syrian civil war", 0) in (
        tags.get("Syrian Civil War"),
        tags.get("Syrian civil war"),
    )


def test_filters_combine(engine):
    italy = search(engine, "", filters=(("tag", ("Italy",)),))
    assert set(ids(italy)) == {RUBBLE.id, AFTERSHOCK.id}
    both = search(engine, "kind:story", filters=(("source", ("BBC", "TASS")),))
    assert set(ids(both)) == {QUAKE.id, RUBBLE.id, *(b.id for b in BOMBERS)}
    narrowed = search(engine, "", filters=(("source", ("BBC", "TASS")), ("year", ("2016",))))
    assert set(ids(narrowed)) == {QUAKE.id, RUBBLE.id}
    # A facet's own counts ignore its selection, so another value can be added.
    assert dict(narrowed.facets["source"]) == {
        "BBC": 2,
        "AP via Yahoo News": 2,
        "Al Jazeera": 1,
        "Radio Free Europe/Radio Liberty": 1,
    }
    assert dict(narrowed.facets["year"]) == {"2016": 2, "2019": 4, "undated": 1}
    articles = search(engine, "", filters=(("kind", ("article",)),))
    assert articles.total == 3


def test_sort_and_paging(engine):
    newest = ids(search(engine, "", sort="newest", filters=(("kind", ("story",)),)))
    oldest = ids(search(engine, "", sort="oldest", filters=(("kind", ("story",)),)))
    assert newest == oldest[::-1] or newest[0] != oldest[0]
    assert newest[0] in {b.id for b in BOMBERS}
    assert oldest[0] == AIRSTRIKES.id
    page1 = ids(search(engine, "", sort="newest", limit=3))
    page2 = ids(search(engine, "", sort="newest", limit=3, offset=3))
    assert len(page1) == len(page2) == 3 and not set(page1) & set(page2)
    assert page1 + page2 == ids(search(engine, "", sort="newest", limit=6))


def test_highlight_spans_mark_the_query_words(engine):
    r = search(engine, "rescue survivors")
    hit = r.hits[0]
    marked = [hit.snippet[s:e].lower() for s, e in hit.highlights]
    assert marked == ["rescue", "survivors"]
    r = search(engine, "earthquake")
    titled = [h for h in r.hits if "earthquake" in h.title.lower()]
    assert titled
    for hit in titled:
        assert [hit.title[s:e].lower() for s, e in hit.title_highlights] == ["earthquake"]


def test_did_you_mean_runs_the_correction_when_nothing_matches(engine):
    r = search(engine, "bomberz")
    assert r.corrected_from == "bomberz" and r.suggestion == "bombers"
    assert r.total == len(BOMBERS) + 2  # and seed 001, the TASS article
    assert any("no results for bomberz" in n for n in r.notices)


def test_did_you_mean_offers_when_the_correction_finds_much_more(engine, corpus, tmp_path):
    # An unknown word in an OR group: the query finds something, the correction more.
    r = engine.search(SearchRequest("bomberz OR aftershocks"))
    assert r.total == 1 and r.suggestion == "bombers OR aftershocks"
    assert r.corrected_from is None
    # The app's second pass asks for the suggestion alone, without searching again.
    first = engine.search(SearchRequest("bomberz OR aftershocks", suggest=False))
    assert first.suggestion is None
    assert engine.suggestion(SearchRequest("bomberz OR aftershocks"), 1) == (
        "bombers OR aftershocks"
    )
    assert engine.suggestion(SearchRequest("bombers"), 4) is None


def test_did_you_mean_keeps_words_the_index_knows(engine, corpus, tmp_path):
    # One story misspells the word: searching that spelling finds it, and stays.
    import shutil

    shutil.copytree(corpus, tmp_path / "c")
    write(tmp_path / "c", Story(date(2020, 1, 1), "Bombars seen over the sea"))
    update_index(tmp_path / "c", tmp_path / "i")
    with Engine(tmp_path / "i") as eng:
        r = eng.search(SearchRequest("bombars"))
        assert r.total == 1 and r.suggestion is None
        # A known word is corrected only when the whole query finds nothing.
        r = eng.search(SearchRequest("bombars baltic"))
        assert r.corrected_from == "bombars baltic" and r.suggestion == "bombers baltic"


def test_queries_that_parse_alike_share_one_search_but_keep_their_text(engine):
    first = engine.search(SearchRequest("earthquake"))
    again = engine.search(SearchRequest("earthquakes "))  # the same stem
    assert again.query == "earthquakes " and first.query == "earthquake"
    assert [h.id for h in again.hits] == [h.id for h in first.hits]
    assert again.facets == first.facets and again.total == first.total
    again.hits.clear()  # a caller's copy: the next answer is whole
    assert engine.search(SearchRequest("earthquake")).hits
    # Another filter, sort or page is another search.
    newest = engine.search(SearchRequest("earthquake", sort="oldest", limit=1))
    assert len(newest.hits) == 1


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced italy',
        "italy AND",
        "(italy",
        "italy)",
        "OR",
        "a*",
        "x~9",
        ":",
        "\\",
        "foo:bar",
        "id:news/*",
    ],
)
def test_malformed_queries_degrade_with_a_notice(engine, query):
    r = search(engine, query)
    assert r.notices, f"no notice for {query!r}"


@pytest.mark.parametrize(
    "query", ["date:13-99", "date:2016-99", "date:banana", "date:", "x date:>"]
)
def test_a_malformed_date_is_an_error_not_a_wider_search(engine, query):
    with pytest.raises(QueryError, match="YYYY"):
        search(engine, query)


@pytest.mark.parametrize("query", ["italy \udcff", "\ud800", "\udcff\udcfe"])
def test_lone_surrogates_in_a_query_are_read_as_replacement_characters(engine, query):
    # Bytes that were not UTF-8 (a library caller's own argv or file name): the results,
    # the query they echo included, must still be writable as UTF-8 JSON.
    r = search(engine, query)
    json.dumps(r.to_json(), ensure_ascii=False).encode("utf-8")
    assert "\ufffd" in r.query
    if query.startswith("italy"):
        assert set(ids(r)) == set(ids(search(engine, "italy")))


def test_double_negation_is_the_word(engine):
    assert set(ids(search(engine, "NOT NOT italy"))) == set(ids(search(engine, "italy")))


def test_date_terms_combine_with_boolean_logic(engine):
    assert set(ids(search(engine, "italy NOT date:2016-06-02"))) == {QUAKE.id, RUBBLE.id}
    assert set(ids(search(engine, "italy -date:2016-06-02"))) == {QUAKE.id, RUBBLE.id}
    assert set(ids(search(engine, "amatrice OR date:2018"))) == {QUAKE.id, RUBBLE.id, IDLIB.id}
    r = search(engine, "(date:2015 OR date:2018) kind:story")
    assert set(ids(r)) == {AIRSTRIKES.id, IDLIB.id}
    assert ids(search(engine, "(idlib date:2018)")) == [IDLIB.id]
    assert not search(engine, "(idlib date:2018)").notices


def test_open_ended_date_ranges(engine):
    assert search(engine, "date:>=2019").total == len(BOMBERS)
    assert search(engine, "date:2019..").total == len(BOMBERS)
    assert set(ids(search(engine, "date:<2016"))) == {AIRSTRIKES.id}
    assert set(ids(search(engine, "date:..2015-12"))) == {AIRSTRIKES.id}
    assert search(engine, "date:>2019-01-03").total == 1


@pytest.mark.parametrize(
    "query",
    ["date:2016", "date:>=2017 kind:story", "italy NOT date:2016-06-02", "date:<2016 OR bombers"],
)
def test_dates_answer_the_same_once_the_facet_index_is_loaded(engine, corpus, query):
    cold = search(engine, query, limit=100)
    warm_engine = Engine(engine.index_dir)
    warm_engine.warm()  # loads every date: ranges then use the in-memory array
    warm = search(warm_engine, query, limit=100)
    assert (warm.total, ids(warm)) == (cold.total, ids(cold))
    warm_engine.close()


def test_a_date_only_query_lists_newest_first(engine):
    r = search(engine, "date:2016-06")
    assert ids(r) == [RUBBLE.id, AFTERSHOCK.id, QUAKE.id]


def test_hyphenated_words_are_not_negation(engine):
    r = search(engine, "deir ez-zor", filters=(("kind", ("story",)),))
    assert r.total >= 1 and not r.notices
    assert search(engine, "italy -rubble").total == search(engine, "italy NOT rubble").total


@pytest.mark.parametrize(
    "query", ["italy ANDNOT aftershocks", "bombers NOT russian", "syria OR italy", "date:2016"]
)
def test_total_and_facets_agree_with_the_hits(engine, query):
    r = search(engine, query, limit=1000)
    assert r.total == len(r.hits)
    assert sum(c for _, c in r.facets["kind"]) == r.total


def test_did_you_mean_respects_filters(engine):
    r = search(engine, "bomberz", filters=(("year", ("2016",)),))
    assert r.total == 0 and r.corrected_from is None and not r.hits


def test_month_counts(engine):
    req = SearchRequest("", filters=(("kind", ("story",)),))
    assert engine.month_counts(req, 2016) == [("2016-04", 1), ("2016-06", 3)]
    assert engine.month_counts(SearchRequest("italy"), 2016) == [("2016-06", 3)]


def test_malformed_query_searches_its_words(engine):
    r = search(engine, '"earthquake amatrice')
    assert set(ids(r)) == {QUAKE.id, RUBBLE.id}
    assert any("unbalanced quote" in n for n in r.notices)
    r = search(engine, "italy AND")
    assert r.total == 3 and any("AND" in n for n in r.notices)
    r = search(engine, "a*")
    assert r.total == 0 and any("wildcard" in n for n in r.notices)


def test_document_view_resolves_related_links(engine):
    view = engine.document(AFTERSHOCK.id)
    assert [(e.id, e.in_archive) for e in view.related] == [(QUAKE.id, True), (MISSING, False)]
    assert view.related[1].date == date(2014, 1, 1)
    assert view.related[1].tags == ("Italy",)


def test_every_document_gets_similar_documents_of_any_kind(engine):
    article = next(h for h in search(engine, "kind:article sputnik").hits)
    view = engine.document(article.id)
    assert view.similar and all(e.in_archive for e in view.similar)
    assert article.id not in [e.id for e in view.similar]
    assert any(e.id.startswith("articles/") for e in view.similar)
    story = engine.document(BOMBERS[0].id)
    assert {e.id for e in story.similar} >= {b.id for b in BOMBERS[1:]}
    # A story's own related links are not repeated as similar.
    assert not {e.id for e in story.similar} & {e.id for e in story.related}


def test_brackets_are_kept_literally(engine):
    view = engine.document(UNSC.id)
    assert "UNSC [UN Security Council] Resolution 2254" in view.document.body
    assert "[bold]x[/]" in view.document.body
    hit = search(engine, "resolution 2254").hits[0]
    assert "[UN Security Council]" in hit.snippet


def test_unknown_document(engine):
    with pytest.raises(UnknownDocument):
        engine.document("news/1999/01/1/nothing.md")


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match="searchkit index"):
        Engine(tmp_path / "nothing")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("schema_version", 0, "schema is from another version"),
        ("analysis_version", 0, "text analysis is from another version"),
        ("format", 0, "folder layout is from another version"),
    ],
)
def test_incompatible_index_is_detected_and_rebuilt(corpus, tmp_path, field, value, reason):
    index = tmp_path / "index"
    update_index(corpus, index)
    gen = store.live_generation(index)
    meta = store.read_meta(gen)
    meta[field] = value
    store.write_meta(gen, meta)
    if field == "format":  # write_meta stamps the current format: fake an old one
        raw = (gen / store.META).read_text().replace('"format": 2', '"format": 0')
        import json

        body = json.loads(raw)
        body.pop("checksum")
        text = json.dumps(body, sort_keys=True, indent=2)
        body["checksum"] = store.crc(text.encode())
        (gen / store.META).write_text(json.dumps(body, sort_keys=True, indent=2))
    with pytest.raises(IndexIncompatible, match="searchkit index"):
        Engine(index)
    report = update_index(corpus, index)
    assert report.rebuilt and reason in report.reason
    with Engine(index) as eng:
        assert eng.search(SearchRequest("italy")).total == 3


def test_stats(engine):
    s = engine.stats()
    assert s.documents == {"story": 2 + len(ALL), "article": 3}
    assert s.first_date == date(2015, 3, 10) and s.last_date == date(2019, 1, 4)
    assert s.size_bytes > 0 and s.built_at is not None


@pytest.mark.parametrize(
    "query", ["earthquake", "italy amatrice", '"security council"', "russian OR italy"]
)
def test_ranking_reads_what_whooshs_public_api_reads(engine, query):
    # The Whoosh backend ranks with flat loops over posting blocks read through Whoosh
    # internals; the same BM25 computed from Whoosh's public matcher and length API
    # is the reference for the scores and the order.
    from math import log

    from searchkit.engine.backend import FIELD_BOOSTS, Selection
    from searchkit.engine.backends.whoosh.ranking import K1, B
    from searchkit.engine.tree import scored_terms

    g = engine._gen
    _, tree, _ = engine._parse(g, query)
    found = g.searcher.search(Selection(tree), sort="relevance", offset=0, limit=10,
                              facet_limit=None)  # fmt: skip
    ws = g.searcher.searcher
    reader = ws.reader()
    n = ws.doc_count_all()
    hits = {ws.document_number(id=i) for i, _ in found.hits}
    scores: dict[int, float] = {}
    for (field, term), boost in scored_terms(tree).items():
        df = ws.doc_frequency(field, term)
        if not df:
            continue
        avg = reader.field_length(field) / n
        idf = (log(n / (df + 1)) + 1) * boost * FIELD_BOOSTS[field]
        m = reader.postings(field, term)
        while m.is_active():
            d = m.id()
            if d in hits:
                tf = m.weight()
                fl = reader.doc_field_length(d, field)
                scores[d] = scores.get(d, 0.0) + idf * tf * (K1 + 1) / (
                    tf + K1 * (1 - B) + K1 * B * fl / avg
                )
            m.next()
    expected = sorted(scores.items(), key=lambda kv: -kv[1])
    got = [(ws.document_number(id=i), s) for i, s in found.hits]
    assert [d for d, _ in got] == [d for d, _ in expected]
    for (_, s1), (_, s2) in zip(got, expected, strict=True):
        assert s1 == pytest.approx(s2, rel=1e-5)


def test_excluded_words_are_not_highlighted(engine):
    hit = search(engine, "rescue NOT rubble OR survivors").hits
    for h in hit:
        assert "rubble" not in [h.snippet[s:e].lower() for s, e in h.highlights]


def test_a_story_without_body_has_its_title_as_snippet(engine):
    (hit,) = search(engine, "title:rubble").hits
    assert hit.snippet_is_title and hit.snippet == RUBBLE.headline
    (hit,) = [h for h in search(engine, "rescue").hits if h.id == QUAKE.id]
    assert not hit.snippet_is_title


def test_results_say_which_order_they_are_in(engine):
    assert search(engine, "").order == "newest"
    assert search(engine, "date:2016").order == "newest"
    assert search(engine, "italy").order == "relevance"
    assert search(engine, "italy", sort="oldest").order == "oldest"


def test_accents_are_folded(tmp_path):
    write(tmp_path / "c", Story(date(2021, 3, 1), "President Erdoğan visits a café in Liège"))
    update_index(tmp_path / "c", tmp_path / "i")
    with Engine(tmp_path / "i") as eng:
        for query in ("erdogan", "Erdoğan", "cafe liege", "title:liege"):
            assert eng.search(SearchRequest(query)).total == 1, query
        hit = eng.search(SearchRequest("erdogan cafe")).hits[0]
        assert [hit.title[s:e] for s, e in hit.title_highlights] == ["Erdoğan", "café"]


def test_ids_with_prefix(engine):
    ids = engine.ids_with_prefix("news/", limit=100)
    assert ids and all(i.startswith("news/") for i in ids)
    assert ids == sorted(ids)
    assert engine.ids_with_prefix("news/", limit=1) == ids[:1]
    assert engine.ids_with_prefix("no-such-prefix/") == []


def test_an_index_from_before_the_engine_seam_is_rebuilt(corpus, tmp_path):
    """The layout of earlier versions: CURRENT holding a bare name, info.json."""
    index = tmp_path / "index"
    gen = index / "gen-20261121T000000000000-1"
    gen.mkdir(parents=True)
    (gen / "info.json").write_text('{"schema_version": 7}')
    (gen / "manifest.pickle").write_bytes(b"\x80\x04N.")
    (index / "CURRENT").write_text(gen.name + "\n")
    with pytest.raises(IndexIncompatible, match="older version.*searchkit index"):
        Engine(index)
    report = update_index(corpus, index)
    assert report.rebuilt and "older version" in report.reason
    assert not gen.exists()
    with Engine(index) as eng:
        assert eng.search(SearchRequest("italy")).total == 3


def test_similar_documents_of_a_tiny_archive(tmp_path):
    """Words in every document tell nothing apart (and must not divide by zero)."""
    for name in ("a", "b"):
        write(
            tmp_path / "c", Story(date(2020, 1, 1 + (name == "b")), f"Identical twin story {name}")
        )
    update_index(tmp_path / "c", tmp_path / "i")
    with Engine(tmp_path / "i") as eng:
        doc_id = eng.search(SearchRequest("twin")).hits[0].id
        assert eng.document(doc_id).similar == ()


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("query", ["", "syria OR italy OR earthquake", "NOT earthquake"])
def test_many_hits_sorted_by_date_through_the_years_come_in_the_same_order(
    engine, monkeypatch, sort, query
):
    # Whoosh gathers a large result's newest (oldest) years first instead of sorting all
    # its hits; every page must be what sorting them all gives, undated documents last.
    from searchkit.engine.backends.whoosh import backend as whoosh_backend

    def pages() -> list[list[str]]:
        engine._gen.results.clear()
        return [
            [h.id for h in engine.search(SearchRequest(query, sort=sort, limit=n, offset=o)).hits]
            for n, o in [(1, 0), (3, 0), (3, 2), (100, 0), (5, 7)]
        ]

    monkeypatch.setattr(whoosh_backend, "BY_YEAR_MIN", 10**9)
    expected = pages()
    monkeypatch.setattr(whoosh_backend, "BY_YEAR_MIN", 0)
    assert pages() == expected
    assert expected[3] and len(expected[3]) > 5
