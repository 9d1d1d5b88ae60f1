"""The app's search session as plain state: no Textual, no engine."""

from __future__ import annotations

import json
from datetime import date

from searchkit.model import Hit, Results, SearchRequest
from searchkit.state import QueryHistory, index_state_dir, load_last_search, save_last_search
from searchkit.tui.session import SearchSession


def results(query: str, total: int = 3, *, years: tuple[str, ...] = ("2016",)) -> Results:
    hits = [
        Hit(f"news/{i}.md", "story", f"t{i}", date(2016, 1, 1), (), (), 1.0, "")
        for i in range(min(total, 2))
    ]
    return Results(query, total, hits, {"year": [(y, 1) for y in years]})


def test_request_reflects_query_filters_dates_and_sort():
    s = SearchSession("syria", page_size=7, facet_limit=4)
    s.toggle("tag", "ISIL")
    s.toggle("source", "Reuters")
    s.toggle("tag", "Aleppo")
    s.choose_period(2016, 2)
    s.cycle_sort()
    req = s.build_request()
    assert req.query == "syria" and req.limit == 7 and req.facet_limit == 4
    # Facets in the canonical order, values in the order picked.
    assert req.filters == (
        ("tag", ("ISIL", "Aleppo")),
        ("year", ("2016",)),
        ("source", ("Reuters",)),
    )
    assert (req.date_from, req.date_to) == (date(2016, 2, 1), date(2016, 2, 29))
    assert req.sort == "newest" and not req.suggest


def test_toggle_is_case_blind_and_unpicking_a_year_drops_its_month():
    s = SearchSession()
    assert s.toggle("tag", "Syrian Civil War") is True
    assert s.toggle("tag", "syrian civil war") is False
    assert s.filters == {}
    s.choose_period(2016, 4)
    assert s.chips() == [("year", "2016", "2016"), ("date", "2016-04", "2016-04")]
    s.toggle("year", "2016")
    assert not s.has_filters


def test_remove_filter_and_clear():
    s = SearchSession()
    s.toggle("year", "2015")
    s.toggle("year", "2018")
    s.choose_period(2018, 2)
    s.remove_filter("date", "2018-02")
    assert s.date_range is None and s.filters == {"year": ["2018"]}
    s.remove_filter("year", "2018")
    assert s.filters == {}
    assert s.add_tag("ISIL") and not s.add_tag("isil")
    assert s.clear_filters() and not s.clear_filters()


def test_generations_drop_late_answers():
    s = SearchSession("a")
    g1, r1 = s.issue(typed=True)
    s.set_query("ab")
    g2, r2 = s.issue(typed=True)
    assert s.busy
    # The newer request answers first; the older one arrives late and is dropped.
    first = s.answer(g2, r2, results("ab"))
    assert first is not None and first.typed and not first.same_text
    assert s.answer(g1, r1, results("a")) is None
    assert s.results.query == "ab" and not s.busy
    # A failure of an old request is not worth showing; of the newest, it is.
    g3, _ = s.issue()
    assert s.failed(g1) is False
    assert s.failed(g3) is True and not s.busy


def test_same_text_keeps_the_cursor_and_did_you_mean_pass_only_for_the_newest():
    s = SearchSession("pirates")
    g1, r1 = s.issue()
    s.answer(g1, r1, results("pirates"))
    s.toggle("year", "2018")
    g2, r2 = s.issue()
    answer = s.answer(g2, r2, results("pirates"))
    assert answer.same_text and not answer.typed and s.wants_suggestion(answer)
    # A suggestion for an older request is dropped, for the newest shown.
    g3, r3 = s.issue()
    suggested = SearchRequest(query="pirates", suggest=True)
    assert s.answer(g2, suggested, results("pirates")) is None
    s.answer(g3, r3, results("pirates"))
    second = s.answer(g3, suggested, results("pirates"))
    assert second is not None and second.second_pass and not s.wants_suggestion(second)


def test_correction_is_what_gets_highlighted_and_paged():
    s = SearchSession("smugglerz", page_size=2)
    g, r = s.issue()
    corrected = results("smugglerz", total=5)
    corrected.suggestion, corrected.corrected_from = "smugglers", "smugglerz"
    s.answer(g, r, corrected)
    assert s.highlight_query == "smugglers"
    generation, page = s.next_page(shown=2)
    assert generation == g and page.offset == 2 and page.query == "smugglers"
    assert s.next_page(shown=2) is None  # one page at a time
    assert s.page_arrived(g)
    assert s.next_page(shown=5) is None  # all shown
    assert not s.page_arrived(g - 1)


def test_paging_pages_the_results_on_screen_not_a_newer_request():
    s = SearchSession("x", page_size=2)
    g, r = s.issue()
    s.answer(g, r, results("x", total=9))
    s.cycle_sort()
    s.issue()  # newer, unanswered
    generation, page = s.next_page(shown=2)
    assert generation == g and page.sort == "relevance"


def test_one_year_for_the_timeline():
    picked = SearchRequest(filters=(("year", ("2016",)),))
    assert SearchSession.one_year(picked, results("", years=("2016", "2017"))) == 2016
    assert SearchSession.one_year(SearchRequest(), results("", years=("2019",))) == 2019
    assert SearchSession.one_year(SearchRequest(), results("", years=("2019", "2018"))) is None
    s = SearchSession()
    assert s.chosen_period() is None
    s.choose_period(2016, 4)
    assert s.chosen_period() == (2016, 4)


def test_visits_back_and_forward():
    s = SearchSession()
    assert s.visit("a", from_results=True)
    assert s.visit("b", from_results=True)  # moving in the list replaces the entry
    assert [v.doc_id for v in s.visits] == ["b"] and not s.can_go_back
    assert not s.visit("b", from_results=True)  # already shown
    assert s.visit("c", from_results=False)  # a related story: a new entry
    assert s.back() == "b" and s.can_go_forward
    assert s.forward() == "c" and s.forward() is None
    s.back()
    s.visit("d", from_results=False)  # a new visit drops the forward history
    assert [v.doc_id for v in s.visits] == ["b", "d"] and not s.can_go_forward


def test_query_history_per_index(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    s = SearchSession("syria")
    assert not s.remember_query()  # no index yet
    s.open_history(one)
    assert s.remember_query()
    assert not s.remember_query()  # the same query twice in a row is kept once
    for q in ("aleppo", "  ", "syria"):
        s.set_query(q)
        s.remember_query()
    assert s.recent_queries() == ["syria", "aleppo"]  # most recent first, each once
    other = SearchSession("gaza")
    other.open_history(two)
    other.remember_query()
    assert QueryHistory(one).recent() == ["syria", "aleppo"]
    assert QueryHistory(two).recent() == ["gaza"]


def test_query_history_is_bounded_and_survives_a_damaged_file(tmp_path):
    history = QueryHistory(tmp_path / "ix", limit=3)
    for q in "abcde":
        history.add(q)
    assert QueryHistory(tmp_path / "ix", limit=3).recent() == ["e", "d", "c"]
    history.path.write_text("{not json")
    assert QueryHistory(tmp_path / "ix").recent() == []
    assert history.add("f") and QueryHistory(tmp_path / "ix").recent() == ["f"]


def test_last_search_round_trips_any_id(tmp_path):
    ids = ["news/a.md", "news/\udcff\u202e.md"]
    assert save_last_search(tmp_path / "ix", "q", 10, ids)
    last = load_last_search(tmp_path / "ix")
    assert last.id_for(11) == ids[0] and last.id_for(12) == ids[1]
    assert last.id_for(10) is None and last.id_for(13) is None
    raw = (index_state_dir(tmp_path / "ix") / "last-search.json").read_bytes()
    json.loads(raw.decode("ascii"))  # plain ASCII JSON on disk
    (index_state_dir(tmp_path / "ix") / "last-search.json").write_text("[]")
    assert load_last_search(tmp_path / "ix") is None


def test_state_that_cannot_be_written_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # a file, not a folder
    assert save_last_search(tmp_path / "ix", "q", 0, ["a"]) is False
    assert QueryHistory(tmp_path / "ix").add("q")  # kept in memory, no exception
