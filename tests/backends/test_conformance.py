"""What every backend must answer alike: the query language, facets, dates, sorts,
paging, highlights, updates and crash safety. Runs once per importable backend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from searchkit.engine import Engine, store, update_index
from searchkit.model import SearchRequest
from tests.backends.conftest import (
    ALEPPO,
    ALL_IDS,
    ANCIENT,
    ARTICLES,
    CEASEFIRE,
    EDGE_1600,
    EDGE_1677,
    ERDOGAN,
    FAR,
    MARKETS,
    STORIES,
)
from tests.factory import Story, write

SPUTNIK, NO_DATELINE = sorted(ARTICLES)[1], sorted(ARTICLES)[0]
assert SPUTNIK.endswith("sputnik-raqqa.txt")


def found(engine: Engine, query: str, **kw) -> set[str]:
    kw.setdefault("limit", 100)
    return {h.id for h in engine.search(SearchRequest(query, **kw)).hits}


QUERIES = [
    ("aleppo", {ALEPPO.id, NO_DATELINE}),
    ("hospital aleppo", {ALEPPO.id, NO_DATELINE}),
    ('"prime minister of the UK"', {ALEPPO.id}),
    ('"minister the prime"', set()),
    ("war syria", {CEASEFIRE.id}),
    ("the war in syria", {CEASEFIRE.id}),
    ("syria OR turkish", {CEASEFIRE.id, ERDOGAN.id}),
    ("hospital NOT bombing", {ALEPPO.id}),
    ("hospital -bombing", {ALEPPO.id}),
    ("(aleppo OR raqqa) hospital", {ALEPPO.id, NO_DATELINE}),
    ("+aleppo hospital", {ALEPPO.id, NO_DATELINE}),
    ("ceasefire +syria", {CEASEFIRE.id}),
    ("NOT NOT ceasefire", {CEASEFIRE.id}),
    ("title:hospital", {ALEPPO.id, NO_DATELINE}),
    ("body:doctors", {ALEPPO.id, NO_DATELINE}),
    ("tag:aleppo", {ALEPPO.id}),
    ('tag:"syrian civil war"', {ALEPPO.id, CEASEFIRE.id}),
    ("source:reuters", {ALEPPO.id}),
    ("source:sputnik", {SPUTNIK}),
    ("kind:article", set(ARTICLES)),
    ("kind:story date:2016", {ALEPPO.id, CEASEFIRE.id}),
    ("date:2016", {ALEPPO.id, CEASEFIRE.id}),
    ("date:2016-04", {ALEPPO.id}),
    ("date:2016-04-29", {ALEPPO.id}),
    ("date:2016-01..2016-03", {CEASEFIRE.id}),
    ("date:>=2017", {ERDOGAN.id, MARKETS.id, FAR.id}),
    ("date:>1677", {ALEPPO.id, CEASEFIRE.id, ERDOGAN.id, MARKETS.id, FAR.id}),
    ("date:<1000", {ANCIENT.id}),
    ("date:..1600", {ANCIENT.id, EDGE_1600.id}),
    ("date:[0001 to 1600]", {ANCIENT.id, EDGE_1600.id}),
    ("date:0001-01-01", {ANCIENT.id}),
    ("date:1677", {EDGE_1677.id}),
    ("date:9999-12-31", {FAR.id}),
    ("date:2017..2016", {ALEPPO.id, CEASEFIRE.id, ERDOGAN.id}),
    ("hospital OR date:2019", {ALEPPO.id, NO_DATELINE, MARKETS.id}),
    ("syri*", {ALEPPO.id, CEASEFIRE.id, SPUTNIK}),
    ("aleppp~", {ALEPPO.id, NO_DATELINE}),
    ("hopsital~", {ALEPPO.id, NO_DATELINE}),
    ("erdogan", {ERDOGAN.id}),
    ("Erdoğan", {ERDOGAN.id}),
    ("北京", {ERDOGAN.id}),
    ("москва", {ERDOGAN.id}),
    ("M&S", {MARKETS.id}),
    ("AT&T shares", {MARKETS.id}),
    ("US", {MARKETS.id}),
    ("U.S.", {MARKETS.id}),
    ("ban", {MARKETS.id}),
    ("plan", {MARKETS.id, SPUTNIK}),
    ("al-nusra", {CEASEFIRE.id}),
    ("", ALL_IDS),
    ("nosuchword", set()),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q or "<empty>" for q, _ in QUERIES])
def test_query_language(engine, query, expected):
    results = engine.search(SearchRequest(query, limit=100))
    assert {h.id for h in results.hits} == expected
    assert results.total == len(expected)


def test_tag_and_outlet_variants_are_one_facet_value(engine):
    facets = engine.search(SearchRequest("", facet_limit=100)).facets
    tags = dict(facets["tag"])
    assert tags.get("Syrian Civil War", 0) + tags.get("Syrian civil war", 0) == 2
    assert ("Syrian Civil War" in tags) != ("Syrian civil war" in tags)
    israeli = [t for t in tags if t.startswith("Israeli")]
    assert len(israeli) == 1 and tags[israeli[0]] == 2
    sources = dict(facets["source"])
    assert sum(n for s, n in sources.items() if s in ("Al Jazeera", "Aljazeera")) == 2
    assert len([s for s in sources if s.startswith("AFP via Yahoo")]) == 1


def test_every_document_is_in_a_bucket_of_every_facet(engine):
    r = engine.search(SearchRequest("", facet_limit=100))
    assert r.total == len(ALL_IDS)
    years = dict(r.facets["year"])
    assert years["undated"] == len(ARTICLES)
    assert sum(years.values()) == r.total
    assert sum(dict(r.facets["kind"]).values()) == r.total
    assert dict(r.facets["source"])["(unknown outlet)"] == 1  # the article with no dateline
    assert sum(n for _, n in r.facets["source"]) >= r.total
    assert dict(r.facets["tag"])["(no tag)"] == len(ALL_IDS) - 4


def test_facet_counts_ignore_their_own_selection(engine):
    r = engine.search(
        SearchRequest("", filters=(("year", ("2016",)), ("source", ("Reuters",))), limit=100)
    )
    assert {h.id for h in r.hits} == {ALEPPO.id}
    # year counts respect the outlet filter but not the year filter, and vice versa.
    assert dict(r.facets["year"]) == {"2016": 1}
    assert dict(r.facets["source"]) == {"Al Jazeera": 2, "Reuters": 1}
    two = engine.search(SearchRequest("", filters=(("year", ("2016", "2017")),), limit=100))
    assert {h.id for h in two.hits} == {ALEPPO.id, CEASEFIRE.id, ERDOGAN.id}
    undated = engine.search(SearchRequest("", filters=(("year", ("undated",)),), limit=100))
    assert {h.id for h in undated.hits} == set(ARTICLES)
    none = engine.search(SearchRequest("", filters=(("source", ("(unknown outlet)",)),)))
    assert {h.id for h in none.hits} == {NO_DATELINE}
    variant = engine.search(SearchRequest("", filters=(("tag", ("syrian CIVIL war",)),)))
    assert {h.id for h in variant.hits} == {ALEPPO.id, CEASEFIRE.id}
    kinds = engine.search(SearchRequest("hospital", filters=(("kind", ("article",)),)))
    assert {h.id for h in kinds.hits} == {NO_DATELINE}
    assert dict(kinds.facets["kind"]) == {"story": 1, "article": 1}


def test_date_window(engine):
    r = engine.search(
        SearchRequest("", date_from=date(2016, 3, 1), date_to=date(2017, 12, 31), limit=100)
    )
    assert {h.id for h in r.hits} == {ALEPPO.id, ERDOGAN.id}
    edge = engine.search(SearchRequest("", date_from=date(1, 1, 1), date_to=date(1600, 12, 31)))
    assert {h.id for h in edge.hits} == {ANCIENT.id, EDGE_1600.id}


def test_month_counts(engine):
    assert engine.month_counts(SearchRequest(""), 2016) == [("2016-02", 1), ("2016-04", 1)]
    assert engine.month_counts(SearchRequest("aleppo"), 2016) == [("2016-04", 1)]


def test_sorts_and_paging(engine):
    dated = sorted(STORIES, key=lambda s: s.day)
    newest = [h.id for h in engine.search(SearchRequest("", sort="newest", limit=100)).hits]
    assert newest[: len(dated)] == [s.id for s in reversed(dated)]
    assert set(newest[len(dated) :]) == set(ARTICLES)  # undated last
    oldest = [h.id for h in engine.search(SearchRequest("", sort="oldest", limit=100)).hits]
    assert oldest[: len(dated)] == [s.id for s in dated]
    assert set(oldest[len(dated) :]) == set(ARTICLES)
    pages = []
    for offset in (0, 3, 6, 9):
        r = engine.search(SearchRequest("", sort="newest", limit=3, offset=offset))
        assert r.total == len(ALL_IDS)
        pages += [h.id for h in r.hits]
    assert pages == newest
    relevance = engine.search(SearchRequest("hospital", limit=1))
    assert relevance.total == 2 and len(relevance.hits) == 1
    assert relevance.hits[0].id in {ALEPPO.id, NO_DATELINE}
    # the title match outranks the body match
    title = engine.search(SearchRequest("ceasefire OR truce"))
    assert title.hits[0].id == CEASEFIRE.id


def test_relevance_ranks_the_title_match_first(engine):
    r = engine.search(SearchRequest("referendum", limit=10))
    assert [h.id for h in r.hits] == [ERDOGAN.id]
    assert r.hits[0].score > 0


def test_highlight_spans_are_character_offsets_on_non_ascii_text(engine):
    (hit,) = engine.search(SearchRequest("erdogan")).hits
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["Erdoğan"]
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["Erdoğan"]
    (hit,) = engine.search(SearchRequest("北京 москва")).hits
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert marked == ["北", "京", "Москва"]
    (hit,) = engine.search(SearchRequest('"prime minister"')).hits
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["prime", "minister"]


def test_document_view(engine):
    view = engine.document(CEASEFIRE.id)
    assert view.document.title == CEASEFIRE.headline
    assert [(e.id, e.in_archive) for e in view.related] == [(ALEPPO.id, True)]
    assert engine.has(ALEPPO.id) and not engine.has("news/2000/01/1/none.md")
    assert engine.ids_with_prefix("articles/") == sorted(ARTICLES)
    article = engine.document(NO_DATELINE)
    assert ALEPPO.id in [e.id for e in article.similar]


def test_stats(engine, engine_name):
    s = engine.stats()
    assert s.engine == engine_name
    assert s.documents == {"story": len(STORIES), "article": len(ARTICLES)}
    assert s.first_date == date(1, 1, 1) and s.last_date == date(9999, 12, 31)


def test_did_you_mean(engine):
    r = engine.search(SearchRequest("hospitl"))
    assert r.corrected_from == "hospitl" and r.suggestion == "hospital" and r.total == 2


# --- changes ---------------------------------------------------------------------------


def test_upserts_and_deletes_are_visible_after_commit(fresh):
    root, index = fresh
    with Engine(index) as eng:
        assert found(eng, "referendum") == {ERDOGAN.id}
        path = root / ERDOGAN.id
        path.write_text(path.read_text().replace("referendum", "plebiscite"))
        (root / CEASEFIRE.id).unlink()
        (added,) = write(root, Story(date(2020, 1, 2), "Volcano erupts in Iceland"))
        r = update_index(root, index)
        assert (r.added, r.changed, r.removed) == ([added], [ERDOGAN.id], [CEASEFIRE.id])
        assert eng.refresh()
        assert found(eng, "referendum") == set()
        assert found(eng, "plebiscite") == {ERDOGAN.id}
        assert found(eng, "ceasefire") == set()
        assert found(eng, "volcano") == {added}
        assert eng.search(SearchRequest("")).total == len(ALL_IDS)
        # The vocabulary follows: the old word is gone, the new one correctable.
        assert eng.search(SearchRequest("plebiscyte")).suggestion == "plebiscite"
        assert eng.search(SearchRequest("referendun")).suggestion is None


def test_a_reader_keeps_answering_while_a_writer_commits(fresh):
    root, index = fresh
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            with Engine(index) as eng:
                while not stop.is_set():
                    assert eng.search(SearchRequest("aleppo")).total >= 2
                    eng.refresh()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(4):
            write(root, Story(date(2021, 1, 1 + i), f"Aleppo market reopens, part {i}"))
            update_index(root, index, rebuild=(i == 2))
    finally:
        stop.set()
        reader.join(30)
    assert not errors, errors
    with Engine(index) as eng:
        assert eng.search(SearchRequest("aleppo")).total == 6


@pytest.mark.parametrize("point", ["update:indexed", "update:committed"])
def test_kill_between_write_and_commit(fresh, tmp_path, point):
    from searchkit.engine.update import FAULT_MARKER, FAULT_POINT

    root, index = fresh
    (new,) = write(root, Story(date(2022, 2, 2), "Glacier collapses in the Alps"))
    (root / MARKETS.id).unlink()
    marker = tmp_path / "at-checkpoint"
    code = (
        "import sys; from pathlib import Path; from searchkit.engine import update_index;"
        "update_index(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    env = {**os.environ, FAULT_POINT: point, FAULT_MARKER: str(marker)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(root), str(index)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the writer ended before its checkpoint"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with Engine(index) as eng:  # answers as before or after, never fails
        assert found(eng, "glacier") in (set(), {new})
    report = update_index(root, index)
    assert not report.rebuilt
    with Engine(index) as eng:
        assert found(eng, "glacier") == {new}
        assert found(eng, "M&S") == set()
        assert eng.search(SearchRequest("")).total == len(ALL_IDS)
        # Word counts stayed exact: the removed story's words are gone.
        assert eng.search(SearchRequest("glaciar")).suggestion == "glacier"
        assert eng.search(SearchRequest("sharez")).suggestion is None


def test_many_small_updates_keep_the_index_folder_bounded(fresh):
    root, index = fresh
    write(
        root,
        *[Story(date(2015, 1, 1 + i % 28), f"Filler story {i} about rivers") for i in range(150)],
    )
    update_index(root, index, rebuild=True)
    gen = store.live_generation(index)
    fresh_size = store.folder_size(gen)
    path = root / ALEPPO.id
    for i in range(50):
        path.write_text(path.read_text().replace(f"edit {i - 1}", "") + f"\nedit {i}\n")
        update_index(root, index)
    assert store.folder_size(store.live_generation(index)) <= 1.5 * fresh_size


def test_exact_duplicates_are_shown_once_with_their_number(fresh):
    root, index = fresh
    text = "Flood warning\n\nRivers rise across the valley after a week of storms.\n"
    for name in ("a.txt", "b.txt", "copy/c.txt"):
        path = root / "articles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    update_index(root, index)
    with Engine(index) as eng:
        r = eng.search(SearchRequest("rivers storms"))
        assert r.total == 3  # every copy matches ...
        assert len(r.hits) == 1 and r.hits[0].copies == 3  # ... and is shown once
        assert r.to_json()["hits"][0]["copies"] == 3
        (root / "articles" / "b.txt").unlink()
        update_index(root, index)
        eng.refresh()
        assert eng.search(SearchRequest("rivers storms")).hits[0].copies == 2
        assert eng.search(SearchRequest("aleppo")).hits[0].copies == 1


def test_browse_counts_kept_by_the_catalog_equal_the_backends(fresh):
    root, index = fresh

    def both(eng):
        browse = eng.search(SearchRequest("", facet_limit=100)).facets
        counted = eng.search(SearchRequest("NOT nosuchword", facet_limit=100)).facets
        return browse, counted

    with Engine(index) as eng:
        browse, counted = both(eng)
        assert browse == counted
    path = root / CEASEFIRE.id
    path.write_text(path.read_text().replace("Syrian civil war", "Truce"))
    (root / MARKETS.id).unlink()
    write(root, Story(date(2003, 3, 3), "New story", sources=["BBC News"]))
    update_index(root, index)
    with Engine(index) as eng:
        browse, counted = both(eng)
        assert browse == counted
        assert dict(browse["year"])["2003"] == 1


def test_an_archive_without_documents_answers_nothing(engine_name, tmp_path):
    (tmp_path / "corpus" / "news").mkdir(parents=True)
    report = update_index(tmp_path / "corpus", tmp_path / "index", engine=engine_name)
    assert report.rebuilt and report.documents == 0
    with Engine(tmp_path / "index") as eng:
        assert eng.search(SearchRequest("syria")).total == 0
        assert eng.search(SearchRequest("")).total == 0
        assert eng.stats().documents == {} and eng.stats().first_date is None
    (tmp_path / "corpus" / "articles").mkdir()
    (tmp_path / "corpus" / "articles" / "a.txt").write_text("First article\n\nAbout Syria.\n")
    update_index(tmp_path / "corpus", tmp_path / "index")
    with Engine(tmp_path / "index") as eng:
        assert eng.search(SearchRequest("syria")).total == 1


def test_facet_labels_do_not_depend_on_history(engine_name, tmp_path):
    """Two spellings of one outlet, one document each: the label is the same whichever
    arrived first (ties go to the first in code-point order), and follows deletions."""

    def label(order: list[str]) -> str:
        root, index = tmp_path / f"c-{''.join(order)}", tmp_path / f"i-{''.join(order)}"
        for i, outlet in enumerate(order):
            write(root, Story(date(2020, 1, 1 + i), f"Story number {i}", sources=[outlet]))
            update_index(root, index, engine=engine_name)
        with Engine(index) as eng:
            sources = dict(eng.search(SearchRequest("", facet_limit=10)).facets["source"])
        assert sum(sources.values()) == 2 and len(sources) == 1
        return next(iter(sources))

    assert label(["teleSUR", "Telesur"]) == label(["Telesur", "teleSUR"]) == "Telesur"
