"""The Textual front end, driven with Pilot over a tiny corpus built in a temp folder."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets import Input  # noqa: E402
from textual.worker import WorkerCancelled  # noqa: E402

from searchkit.engine import update_index  # noqa: E402
from searchkit.model import Hit, SearchRequest  # noqa: E402
from searchkit.tui.app import SearchkitApp  # noqa: E402
from searchkit.tui.screens import main as main_screen  # noqa: E402
from searchkit.tui.screens.help import HelpScreen  # noqa: E402
from searchkit.tui.screens.main import MainScreen  # noqa: E402
from searchkit.tui.widgets.detail_pane import (  # noqa: E402
    DetailPane,
    RelatedList,
    TagList,
    headline_query,
)
from searchkit.tui.widgets.facet_panel import FacetList  # noqa: E402
from searchkit.tui.widgets.filter_chips import Chip  # noqa: E402
from searchkit.tui.widgets.results_list import ResultsList, hit_content  # noqa: E402
from searchkit.tui.widgets.status_line import StatusLine  # noqa: E402
from searchkit.tui.widgets.text import plain  # noqa: E402
from searchkit.tui.widgets.timeline import Timeline  # noqa: E402


def aio(test):
    """Run an async test with asyncio (no pytest async plugin needed)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


SAMPLE = Path(__file__).parents[1] / "corpus"
SIZE = (120, 40)

#: The id of each synthetic story, by a short name.
IDS = {
    "alpha": "news/2016/04/29/the-velorian-army-prepares-an-offensive-on-quarrington.md",
    "beta": "news/2016/03/19/airstrikes-hit-quarrington-in-northern-veloria.md",
    "markup": "news/2017/05/2/council-resolution-with-brackets.md",
    "pirates1": "news/2015/07/14/pirates-strike-a-market.md",
    "pirates2": "news/2018/02/3/pirates-target-a-convoy.md",
    "pirates3": "news/2019/11/8/police-arrest-suspected-pirates.md",
    "election": "news/2014/05/25/voters-elect-a-new-parliament.md",
    "flight": "news/2018/09/30/an-airliner-lands-in-a-lagoon.md",
}
DANGLING = "news/2013/01/5/a-story-that-is-not-in-the-corpus.md"
DANGLING_HEADLINE = "Rebels seize the Menagh air base near Quarrington"
MARKUP_HEADLINE = "Delegates pass [bold]x[/] motion [/] on [UN Security Council] \x1b[31m red"


def _story(
    day: str, headline: str, body: str, sources: list[str], related: list[tuple[str, str, str]]
) -> str:
    y, m, d = day.split("-")
    lines = [
        f"### [{day}](/news/{y}/{m}/{int(d)}/index.md)",
        "",
        f"# {headline} ",
        "",
        body,
        "",
        "",
        "### Source:",
        "",
    ]
    lines += [f"{i}. {s}" for i, s in enumerate(sources, 1)]
    lines += ["", "### Related:", ""]
    for i, (target, title, tags) in enumerate(related, 1):
        lines.append(f"{i}. [{title} ](/{target}) _Context: {tags}_")
    return "\n".join(lines) + "\n"


def synthetic_stories() -> dict[str, str]:
    """id -> file text: linked stories, a dangling link, markup-like text, several years."""
    war = "Velorian Civil War, Rebels"
    return {
        IDS["alpha"]: _story(
            "2016-04-29",
            "The Velorian Army prepares an offensive on Quarrington",
            "Allied aircraft will support the offensive against the rebels, officials say.",
            ["[Al Jazeera](http://www.aljazeera.com/news/quarrington.html)", "Reuters"],
            [
                (IDS["beta"], "Airstrikes hit Quarrington in northern Veloria", war),
                (DANGLING, DANGLING_HEADLINE, "Velorian Civil War"),
            ],
        ),
        IDS["beta"]: _story(
            "2016-03-19",
            "Airstrikes hit Quarrington in northern Veloria",
            "At least 39 people die in airstrikes on the city of Quarrington.",
            ["Reuters"],
            [(IDS["alpha"], "The Velorian Army prepares an offensive on Quarrington", war)],
        ),
        IDS["markup"]: _story(
            "2017-05-02",
            MARKUP_HEADLINE,
            "Delegates read [bold]x[/] aloud; a stray [/] closes nothing; "
            "the [UN Security Council] votes. Escape \x1b[31m stays text.",
            ["United Nations"],
            [(IDS["election"], "Voters elect a new parliament", "Diplomacy")],
        ),
        IDS["pirates1"]: _story(
            "2015-07-14",
            "Pirates strike a crowded market",
            "Two pirates rob twelve people at a market in the harbour.",
            ["BBC News"],
            [(IDS["pirates2"], "Pirates target a convoy", "Piracy")],
        ),
        IDS["pirates2"]: _story(
            "2018-02-03",
            "Pirates target a military convoy",
            "Pirates attack a convoy at sea; the navy says the pirates fled.",
            ["BBC News", "Reuters"],
            [(IDS["pirates1"], "Pirates strike a crowded market", "Piracy")],
        ),
        IDS["pirates3"]: _story(
            "2019-11-08",
            "Police arrest three suspected pirates",
            "The suspected pirates planned attacks on ferries, police say.",
            ["AP"],
            [(IDS["pirates2"], "Pirates target a convoy", "Piracy")],
        ),
        IDS["election"]: _story(
            "2014-05-25",
            "Voters elect a new parliament",
            "Turnout is high as voters elect a new parliament.",
            ["Reuters"],
            [(IDS["markup"], "Delegates pass a motion", "Diplomacy")],
        ),
        IDS["flight"]: _story(
            "2018-09-30",
            "An airliner lands in a lagoon short of the runway",
            "All passengers survive after the airliner lands in a lagoon.",
            ["AP"],
            [],
        ),
    } | {
        f"news/2012/01/{n}/smugglers-caught-in-harbour-raid-{n}.md": _story(
            f"2012-01-{n:02d}",
            f"Smugglers caught in harbour raid number {n}",
            "Customs officers catch smugglers in the harbour.",
            ["Harbour Gazette"],
            [],
        )
        for n in range(1, 22)  # the speller corrects only to words in 20+ documents
    }


def build_corpus(root: Path, *, sample: bool = True) -> Path:
    """The synthetic stories, plus the repository's sample corpus when ``sample``."""
    corpus = root / "corpus"
    if sample and SAMPLE.is_dir() and any(SAMPLE.iterdir()):
        shutil.copytree(SAMPLE, corpus)
    for rel, text in synthetic_stories().items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("tui")
    corpus = build_corpus(root)
    index = root / "index"
    update_index(corpus, index)
    return corpus, index


@pytest.fixture(autouse=True)
def quick_detail(monkeypatch) -> None:
    """The detail pane follows new results after a short pause, not a typing pause."""
    monkeypatch.setattr(main_screen, "DETAIL_AFTER_SEARCH", 0.02)


def make_app(built: tuple[Path, Path], query: str = "") -> SearchkitApp:
    corpus, index = built
    return SearchkitApp(corpus, index, query, show_timings=False, poll_seconds=None)


async def settle(pilot, app: SearchkitApp) -> None:
    """Wait until every worker is done and the messages they posted are handled."""
    for _ in range(5):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause(0.03)  # lets the detail pane's short follow-the-cursor timer fire


async def start(pilot, app: SearchkitApp) -> MainScreen:
    deadline = time.monotonic() + 10
    while app.main is None or app.main.results is None:
        assert time.monotonic() < deadline, "no results on screen"
        await pilot.pause(0.01)
    await settle(pilot, app)
    return app.main


def result_ids(screen: MainScreen) -> list[str]:
    return [o.id for o in screen.query_one(ResultsList).options]


def facet_counts(screen: MainScreen, facet: str) -> dict[str, int | None]:
    return dict(screen.query_one(f"#facet-{facet}", FacetList).values)


async def type_query(pilot, app: SearchkitApp, text: str, *, keys: bool = False) -> None:
    """Put ``text`` in the search box: typed key by key, or pasted at once (faster)."""
    box = app.main.query_one(Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    if keys:
        await pilot.press(*text)
    else:
        box.value = text
    await settle(pilot, app)


# --- tests ----------------------------------------------------------------------------


@aio
async def test_browse_then_typing_updates_results_and_facets(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        # Empty query: the newest stories first, facets over the whole archive.
        ids = result_ids(screen)
        assert ids[0] == IDS["pirates3"]
        total_all = screen.results.total
        assert sum(c for _, c in screen.results.facets["kind"]) == total_all
        all_years = len(screen.results.facets["year"])
        await type_query(pilot, app, "quarrington", keys=True)
        assert set(result_ids(screen)) == {IDS["alpha"], IDS["beta"]}
        assert screen.results.total == 2
        assert facet_counts(screen, "year") == {"2016": 2}
        assert facet_counts(screen, "tag")["Velorian Civil War"] == 2
        status = str(screen.query_one(StatusLine).render())
        assert status.startswith("2 results")
        # Fewer values keep the list's size (blank rows, so the screen needs no new
        # layout), and the blank rows cannot be picked.
        years = screen.query_one("#facet-year", FacetList)
        assert years.option_count == years.rows == all_years > 1
        years.focus()
        years.highlighted = 0
        await pilot.press("down", "enter")
        await settle(pilot, app)
        assert screen.filters == {"year": ["2016"]}


@aio
async def test_facet_filter_and_removal(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        before = set(result_ids(screen))
        assert len(before) == 3
        years = screen.query_one("#facet-year", FacetList)
        index = [v for v, _ in years.values].index("2018")
        years.focus()
        years.highlighted = index
        await pilot.press("enter")
        await settle(pilot, app)
        assert result_ids(screen) == [IDS["pirates2"]]
        # Years still list the others (a facet ignores its own selection): add a second.
        index = [v for v, _ in years.values].index("2015")
        years.highlighted = index
        await pilot.press("enter")
        await settle(pilot, app)
        assert set(result_ids(screen)) == {IDS["pirates1"], IDS["pirates2"]}
        chips = list(screen.query(Chip))
        assert [(c.facet, c.value) for c in chips] == [("year", "2018"), ("year", "2015")]
        await pilot.click(chips[0])
        await settle(pilot, app)
        assert result_ids(screen) == [IDS["pirates1"]]
        await pilot.press("ctrl+l")
        await settle(pilot, app)
        assert set(result_ids(screen)) == before
        assert not list(screen.query(Chip))


@aio
async def test_timeline_bars_filter_by_year_then_month(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        timeline = screen.query_one(Timeline)
        labels = [b.label for b in timeline.bars]
        assert labels[0] == "2012" and labels[-1] == "2019"
        assert len(labels) == 8  # years with no match are bars too
        timeline.focus()
        timeline.cursor = labels.index("2016")
        await pilot.press("enter")
        await settle(pilot, app)
        assert set(result_ids(screen)) >= {IDS["alpha"], IDS["beta"]}
        assert timeline.monthly
        counts = [b.count for b in timeline.bars]
        assert counts[2] >= 1 and counts[3] >= 1  # March and April 2016
        assert sum(counts) == screen.results.total
        timeline.cursor = 3  # April
        await pilot.press("enter")
        await settle(pilot, app)
        assert IDS["alpha"] in result_ids(screen)
        assert IDS["beta"] not in result_ids(screen)
        assert all(h.date.month == 4 for h in screen.results.hits)
        assert [(c.facet, c.value) for c in screen.query(Chip)] == [
            ("year", "2016"),
            ("date", "2016-04"),
        ]


@aio
async def test_detail_highlights_and_related_history(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington offensive")
        assert result_ids(screen) == [IDS["alpha"]]
        pane = screen.query_one(DetailPane)
        assert pane.view.document.id == IDS["alpha"]
        title = pane.title_content
        marked = {title.plain[s.start : s.end] for s in title.spans}
        assert marked == {"offensive", "Quarrington"}
        # Back is unavailable before any link was followed.
        assert screen.check_action("back", ()) is False
        related = screen.query_one(RelatedList)
        assert [e.in_archive for e in related.entries] == [True, False]
        await pilot.press("enter")  # open: the detail pane gets the keyboard
        assert pane.has_focus
        await pilot.press("tab", "tab")  # past the tags, to the related stories
        assert related.has_focus
        related.highlighted = 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert pane.view.document.id == IDS["beta"]
        assert screen.check_action("back", ()) is True
        assert screen.check_action("forward", ()) is False
        await pilot.press("ctrl+b")
        await settle(pilot, app)
        assert pane.view.document.id == IDS["alpha"]
        assert screen.check_action("forward", ()) is True
        await pilot.press("ctrl+f")
        await settle(pilot, app)
        assert pane.view.document.id == IDS["beta"]
        # A new visit drops the forward history.
        await pilot.press("ctrl+b")
        await settle(pilot, app)
        related.focus()
        related.highlighted = 0
        await pilot.press("enter")
        await settle(pilot, app)
        assert pane.view.document.id == IDS["beta"]
        assert screen.check_action("forward", ()) is False


@aio
async def test_detail_body_highlights(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington offensive")
        body = screen.query_one(DetailPane).body_content
        assert "offensive" in {body.plain[s.start : s.end] for s in body.spans}
        hit = screen.results.hits[0]
        assert hit.highlights, "the snippet's matches are not highlighted"


@aio
async def test_dangling_link_not_in_archive_and_headline_search(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington offensive")
        related = screen.query_one(RelatedList)
        text = related.get_option_at_index(1).prompt
        assert "not in archive" in text.plain
        assert DANGLING_HEADLINE in text.plain
        related.focus()
        related.highlighted = 1
        await pilot.press("enter")  # cannot be opened
        await settle(pilot, app)
        assert screen.query_one(DetailPane).view.document.id == IDS["alpha"]
        await pilot.press("s")
        await settle(pilot, app)
        # Any of the headline's words, ranked: the closest coverage comes first.
        expected = headline_query(DANGLING_HEADLINE)
        assert " OR " in expected
        assert screen.query_one(Input).value == expected
        assert screen.results.query == expected
        assert screen.results.total > 0


@aio
async def test_tag_from_detail_becomes_a_filter(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "quarrington offensive")
        tags = screen.query_one(TagList)
        assert "Rebels" in tags.tags
        tags.focus()
        tags.highlighted = tags.tags.index("Rebels")
        await pilot.press("enter")
        await settle(pilot, app)
        assert screen.request.filter_values("tag") == ("Rebels",)
        assert [(c.facet, c.value) for c in screen.query(Chip)] == [("tag", "Rebels")]


@aio
async def test_suggestion_accepted_with_key(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        screen.suggest_delay = 0.01  # did-you-mean waits for a pause in typing
        await type_query(pilot, app, "smugglerz")
        assert screen.results.suggestion == "smugglers"
        status = screen.query_one(StatusLine)
        assert status.suggestion == "smugglers"
        assert "smugglers" in str(status.render())
        await pilot.press("ctrl+y")
        await settle(pilot, app)
        assert screen.query_one(Input).value == "smugglers"
        assert screen.results.query == "smugglers"
        assert screen.results.total == 21


@aio
async def test_markup_and_escape_sequences_render_literally(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "delegates motion")
        assert result_ids(screen) == [IDS["markup"]]
        pane = screen.query_one(DetailPane)
        title = pane.title_content.plain
        assert "Delegates pass [bold]x[/] motion [/] on [UN Security Council]" in title
        assert "\x1b" not in title  # the corpus layer or the pane made it harmless
        body = pane.body_content.plain
        assert "read [bold]x[/] aloud; a stray [/] closes nothing" in body
        # No markup was interpreted: no span covers text that was not a query match.
        assert {
            pane.title_content.plain[s.start : s.end].lower() for s in pane.title_content.spans
        } == {"delegates", "motion"}
        # What reaches the terminal: the text verbatim, the escape as a visible stand-in.
        shown = screen_text(app)
        assert "[bold]x[/]" in shown
        assert "[UN Security Council]" in shown
        assert "\x1b" not in shown


def screen_text(app: SearchkitApp) -> str:
    """The plain text of every line on screen."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@aio
async def test_stale_results_are_dropped(built, monkeypatch):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        engine = app.engine
        real = engine.search
        slow_started = threading.Event()

        def search(req: SearchRequest):
            if req.query == "quarrington":
                slow_started.set()
                time.sleep(0.4)
            return real(req)

        monkeypatch.setattr(engine, "search", search)
        # The engine would serialise the two; let the fast one overtake the slow one.
        screen.session.query = "quarrington"
        screen.search_now()
        deadline = time.monotonic() + 2
        while not slow_started.is_set():
            assert time.monotonic() < deadline
            await pilot.pause(0.01)
        screen.session.query = "pirates"
        screen.search_now()
        await settle(pilot, app)
        deadline = time.monotonic() + 3
        while screen.busy:
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        await settle(pilot, app)
        assert screen.results.query == "pirates"
        assert len(result_ids(screen)) == 3


@aio
async def test_load_more_pages_the_results_on_screen_not_a_newer_request(built, monkeypatch):
    monkeypatch.setattr(main_screen, "RESULTS_LIMIT", 4)
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await pilot.press("ctrl+s")  # browse newest first
        await settle(pilot, app)
        assert screen.results.total > 8 and len(result_ids(screen)) == 4
        engine = app.engine
        real = engine.search
        release = threading.Event()

        def search(req: SearchRequest):
            if req.sort == "oldest" and req.offset == 0:
                release.wait(5)  # the newer request stays in flight
            return real(req)

        monkeypatch.setattr(engine, "search", search)
        try:
            await pilot.press("ctrl+s")  # now "oldest" is issued, not answered
            await pilot.pause()
            screen.load_more()  # the cursor reached the end of the (newest-first) list
            deadline = time.monotonic() + 3
            while len(screen.query_one(ResultsList).hits) == 4:
                assert time.monotonic() < deadline, "no next page"
                await pilot.pause(0.02)
            dates = [h.date for h in screen.query_one(ResultsList).hits]
            assert len(dates) == 8
            assert dates == sorted(dates, reverse=True), "the next page is another request's"
        finally:
            release.set()
            await settle(pilot, app)
        assert screen.shown_request.sort == "oldest"


@aio
async def test_overlapping_searches_do_not_leave_the_screen_busy(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        screen.session.query = "pirates"
        screen.search_now()
        screen.search_now()  # cancels the first worker before it could run
        await settle(pilot, app)
        assert screen.results.query == "pirates"
        # Idle, so the next keystroke searches at once instead of waiting the debounce.
        before = screen.generation
        screen.session.query = "pirates convoy"
        screen.schedule_search()
        assert screen.generation == before + 1
        await settle(pilot, app)
        assert result_ids(screen) == [IDS["pirates2"]]


@aio
async def test_timeline_months_come_from_one_engine_call(built, monkeypatch):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        engine = app.engine
        calls: list[tuple[str, object]] = []
        real_search, real_months = engine.search, engine.month_counts

        def search(req: SearchRequest):
            calls.append(("search", req))
            return real_search(req)

        def month_counts(req: SearchRequest, year: int):
            calls.append(("month_counts", year))
            return real_months(req, year)

        monkeypatch.setattr(engine, "search", search)
        monkeypatch.setattr(engine, "month_counts", month_counts)
        await type_query(pilot, app, "quarrington")  # both hits are from 2016
        timeline = screen.query_one(Timeline)
        assert timeline.monthly
        assert [b.count for b in timeline.bars] == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        assert [c for c in calls if c[0] == "month_counts"] == [("month_counts", 2016)]
        assert len([c for c in calls if c[0] == "search"]) == 1
        # With one month chosen, the timeline still shows the whole year.
        timeline.focus()
        timeline.cursor = 3  # April
        await pilot.press("enter")
        await settle(pilot, app)
        assert result_ids(screen) == [IDS["alpha"]]
        assert [b.count for b in timeline.bars][2:4] == [1, 1]


@aio
async def test_detail_highlights_the_corrected_query(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        screen.suggest_delay = 0.01
        await type_query(pilot, app, "smugglerz")
        assert screen.results.corrected_from == "smugglerz"  # the hits are for "smugglers"
        title = screen.query_one(DetailPane).title_content
        assert title.plain.startswith("Smugglers caught")
        assert {title.plain[s.start : s.end] for s in title.spans} == {"Smugglers"}


@aio
async def test_help_screen_and_keys(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # "?" is text while the search box has focus...
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one(Input).value == "?"
        # ...and help elsewhere.
        screen.query_one(ResultsList).focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@aio
async def test_sort_toggle(built):
    app = make_app(built)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        await type_query(pilot, app, "pirates")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert screen.request.sort == "newest"
        assert result_ids(screen) == [IDS["pirates3"], IDS["pirates2"], IDS["pirates1"]]
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert screen.request.sort == "oldest"
        assert result_ids(screen) == [IDS["pirates1"], IDS["pirates2"], IDS["pirates3"]]


@aio
async def test_builds_missing_index_with_progress(tmp_path):
    corpus = build_corpus(tmp_path, sample=False)
    app = SearchkitApp(
        corpus, tmp_path / "index", "quarrington", show_timings=False, poll_seconds=None
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert screen.results.total == 2
        assert (tmp_path / "index").is_dir()


@pytest.mark.parametrize("rebuild", [True, False])
@aio
async def test_index_change_on_disk_is_picked_up(tmp_path, rebuild):
    corpus = build_corpus(tmp_path, sample=False)
    index = tmp_path / "index"
    update_index(corpus, index)
    app = SearchkitApp(corpus, index, "lagoon", show_timings=False, poll_seconds=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, app)
        assert screen.results.total == 1
        extra = corpus / "news/2019/01/2/a-second-lagoon-story.md"
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_text(synthetic_stories()[IDS["flight"]].replace("runway", "runway again"))
        update_index(corpus, index, rebuild=rebuild)
        screen.poll_index()
        await settle(pilot, app)
        deadline = time.monotonic() + 2
        while screen.results.total != 2:
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        assert screen.query_one(Input).value == "lagoon"


def test_control_characters_become_visible_one_for_one():
    text = "red \x1b[31m alert\x07 [bold]x[/]\r\n"
    content = plain(text)
    assert content.plain == "red ␛[31m alert␇ [bold]x[/]  "
    assert len(content.plain) == len(text)  # engine spans still line up
    assert plain("a\nb", multiline=True).plain == "a\nb"
    hit = Hit(
        id="x.md",
        kind="story",
        title="[b]\x1b[0mTitle",
        date=None,
        outlets=(),
        tags=(),
        score=1.0,
        snippet="snip [/] pet",
        highlights=((0, 4),),
        title_highlights=((8, 13),),
    )
    shown = hit_content(hit)
    assert "[b]␛[0mTitle" in shown.plain and "snip [/] pet" in shown.plain
    assert "\x1b" not in shown.plain


@aio
async def test_a_timeline_of_centuries_draws_what_fits_and_follows_the_cursor():
    # 2,225 years (an archive with dates from 2002 to 4226): the chart draws the bars
    # that fit the width, keeps the cursor's bar in view, and a click picks that bar.
    from textual.app import App

    from searchkit.tui.messages import PeriodChosen
    from searchkit.tui.widgets.timeline import year_bars

    chosen: list[tuple[int, int | None]] = []

    class One(App):
        def compose(self):
            yield Timeline()

        def on_period_chosen(self, message: PeriodChosen) -> None:
            chosen.append((message.year, message.month))

    app = One()
    async with app.run_test(size=(60, 6)) as pilot:
        timeline = app.query_one(Timeline)
        timeline.show(year_bars([("2002", 5), ("2016", 9), ("4226", 3)]))
        await pilot.pause()
        width = timeline.content_region.width
        assert len(timeline.bars) == 2225 and timeline.bars[timeline.cursor].label == "4226"
        lines = [line.rstrip() for line in timeline.render().plain.split("\n")]
        assert all(len(line) <= width for line in lines)
        assert lines[-1].endswith("4226") and len(lines[2]) == width  # its bar, at the edge
        timeline.cursor = [b.label for b in timeline.bars].index("2016")
        await pilot.pause()
        lines = timeline.render().plain.split("\n")
        assert "2016: 9" in lines[0]
        left, right = int(lines[-1].split()[0]), int(lines[-1].split()[-1])
        assert left <= 2016 <= right and right - left + 1 == width
        await pilot.click(Timeline, offset=(1, 2))  # the first column drawn
        await pilot.pause()
        assert chosen == [(left, None)]
