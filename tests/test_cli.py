"""The command line, end to end: main([...]) in-process over a small corpus."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from searchkit.cli import main
from searchkit.handles import id_candidates
from searchkit.model import Hit, Outlet, Results, SearchRequest
from searchkit.render import make_console, render_results

SEEDS = Path(__file__).parents[1] / "corpus"
BRACKETS = "UNSC [UN Security Council] Resolution [bold]x[/] on the Aleppo ceasefire"
BRACKET_ID = "news/2016/05/10/unsc-resolution-on-the-aleppo-ceasefire.md"
SEED_STORY = (
    "news/2016/04/29/according-to-russian-ambassador-to-the-united-nations-aleksi-borodavkin"
    "-the-syrian-army-is-preparing-to-launch-an-offensive-against-the-isil.md"
)
MISSING_ID = "news/2016/05/1/a-story-that-is-not-in-the-archive.md"
ZEBRA_ID = "news/2015/07/3/zebra-herds-cross-the-mara-river.md"
YEMEN_ID = "news/2018/02/14/a-ceasefire-is-declared-in-yemen.md"


def story(day: str, headline: str, body: str, sources: list[str], related: list[str]) -> str:
    lines = [f"### [{day}](/news/{day.replace('-', '/')}/index.md)", "", f"# {headline} ", ""]
    if body:
        lines += [body, ""]
    lines += ["", "### Source:", ""]
    lines += [f"{n}. {s}" for n, s in enumerate(sources, 1)]
    lines += ["", "### Related:", ""]
    lines += [f"{n}. {r}" for n, r in enumerate(related, 1)]
    return "\n".join(lines) + "\n"


SYNTHETIC = {
    BRACKET_ID: story(
        "2016-05-10",
        BRACKETS,
        "The council votes on a ceasefire for Aleppo. Delegates [bold]argue[/] about monitors.",
        ["[Reuters](http://www.reuters.com/article/unsc-aleppo)"],
        [
            f"[According to Russian ambassador to the United Nations ... ](/{SEED_STORY})"
            " _Context: Syrian Civil War, Aleppo_",
            f"[A story that is not in the archive ](/{MISSING_ID}) _Context: Aleppo_",
        ],
    ),
    ZEBRA_ID: story(
        "2015-07-03",
        "Zebra herds cross the Mara River in their annual migration.",
        "Thousands of zebras and wildebeest cross the river.",
        ["[BBC News](http://www.bbc.co.uk/news/zebra)"],
        ["[Wildebeest numbers rise ](/news/2014/06/2/wildebeest.md) _Context: Wildlife_"],
    ),
    YEMEN_ID: story(
        "2018-02-14",
        "A ceasefire is declared in Yemen after talks in Kuwait.",
        "",
        ["[Al Jazeera](http://www.aljazeera.com/yemen)"],
        ["[Talks open in Kuwait ](/news/2018/01/2/talks.md) _Context: Yemeni Civil War_"],
    ),
}
BAD_FILES = {"articles/empty.txt": b"", "articles/binary.txt": b"\x00\x01\x02\xff\xfe" * 200}


@dataclass
class Env:
    corpus: Path
    index: Path
    index_rc: int
    index_out: str
    index_err: str

    def run(self, *args: str) -> list[str]:
        return ["--corpus", str(self.corpus), "--index", str(self.index), *args]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    for rel, text in SYNTHETIC.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text, encoding="utf-8")
    for rel, data in BAD_FILES.items():
        (corpus / rel).write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["--corpus", str(corpus), "--index", str(root / "index"), "index"])
    return Env(corpus, root / "index", rc, out.getvalue(), err.getvalue())


def run_json(capsys: pytest.CaptureFixture[str], env: Env, *args: str) -> tuple[int, dict]:
    rc = main(env.run(*args, "--json"))
    out = capsys.readouterr().out
    assert out.count("\n") == 1, "one JSON object on one line, nothing else"
    return rc, json.loads(out)


def dates_of(data: dict) -> list[date | None]:
    return [date.fromisoformat(h["date"]) if h["date"] else None for h in data["hits"]]


# --- index -----------------------------------------------------------------------------------


def test_index_summary_reports_bad_files_and_indexes_the_rest(env: Env) -> None:
    assert env.index_rc == 0, env.index_err
    out = env.index_out
    good = 5 + len(SYNTHETIC)
    assert f"{good} added" in out
    assert f"{good} documents in the index" in out
    for rel in BAD_FILES:
        line = next(line for line in out.splitlines() if rel in line)
        assert line.strip().startswith(rel + ": ")
        assert len(line.split(": ", 1)[1].strip()) > 3  # a reason
    assert re.search(r"Done in \d+\.\d s", out)


def test_index_again_is_incremental(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(env.run("index")) == 0
    out = capsys.readouterr().out
    assert "0 added" in out and "0 removed" in out
    assert f"{5 + len(SYNTHETIC)} documents in the index" in out


def test_index_missing_corpus(env: Env, capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    rc = main(["--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "ix"), "index"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("searchkit: ") and err.count("\n") == 1
    assert "nope" in err


# --- search: JSON --------------------------------------------------------------------------


def test_search_json_shape(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, data = run_json(capsys, env, "search", "ceasefire")
    assert rc == 0
    assert set(data) == {"query", "total", "hits", "facets", "suggestion"}
    assert data["query"] == "ceasefire"
    assert isinstance(data["total"], int) and data["total"] >= 2
    assert set(data["facets"]) == {"tag", "year", "source", "kind"}
    for pairs in data["facets"].values():
        for value, count in pairs:
            assert isinstance(value, str) and isinstance(count, int)
    assert data["suggestion"] is None or isinstance(data["suggestion"], str)
    assert data["hits"]
    for hit in data["hits"]:
        assert set(hit) == {
            "id", "kind", "title", "date", "sources", "tags", "score", "snippet", "highlights",
            "copies",
        }  # fmt: skip
        assert isinstance(hit["id"], str) and hit["kind"] in ("story", "article")
        assert hit["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["date"])
        assert all(isinstance(s, str) for s in hit["sources"])
        assert all(isinstance(t, str) for t in hit["tags"])
        assert isinstance(hit["score"], (int, float))
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["snippet"])
            assert hit["snippet"][start:end].lower().startswith("ceasefire")
    # Every hit whose snippet shows the word marks it.
    for hit in data["hits"]:
        if "ceasefire" in hit["snippet"].lower():
            assert hit["highlights"], hit


def test_search_words_are_joined(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, data = run_json(capsys, env, "search", "zebra", "migration")
    assert rc == 0 and data["query"] == "zebra migration"
    assert [h["id"] for h in data["hits"]] == [ZEBRA_ID]
    # Words may also follow the options.
    rc, data = run_json(capsys, env, "search", "zebra", "--limit", "5", "migration")
    assert data["query"] == "zebra migration" and data["total"] == 1


def test_brackets_are_literal_in_json(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, data = run_json(capsys, env, "search", "monitors")
    assert rc == 0
    assert data["hits"][0]["title"] == BRACKETS
    assert "[bold]argue[/]" in data["hits"][0]["snippet"]
    rc, doc = run_json(capsys, env, "show", BRACKET_ID)
    assert rc == 0 and doc["title"] == BRACKETS and "[bold]argue[/]" in doc["body"]


# --- search: exit status and errors -----------------------------------------------------------


def test_exit_status_none_found(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, data = run_json(capsys, env, "search", "xylophonequartzite")
    assert rc == 1 and data["total"] == 0 and data["hits"] == []
    assert main(env.run("search", "xylophonequartzite")) == 1


def test_missing_index(env: Env, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc = main(["--index", str(tmp_path / "none"), "search", "syria"])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == ""
    assert cap.err.startswith("searchkit: ") and cap.err.count("\n") == 1
    assert "run `searchkit index`" in cap.err


def test_unknown_document(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(env.run("show", "news/1999/01/1/nothing.md")) == 2
    err = capsys.readouterr().err
    assert err.startswith("searchkit: ") and "news/1999/01/1/nothing.md" in err


@pytest.mark.parametrize("value", ["2016-13", "yesterday", "16", "2016-02-30"])
def test_bad_from_date(env: Env, capsys: pytest.CaptureFixture[str], value: str) -> None:
    assert main(env.run("search", "syria", "--from", value)) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert cap.err.startswith("searchkit: --from") and "YYYY-MM-DD" in cap.err
    assert cap.err.count("\n") == 1


def test_usage_error_is_one_line(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(env.run("search", "--sort", "random")) == 2
    err = capsys.readouterr().err
    assert err.startswith("searchkit: ") and err.count("\n") == 1


# --- search: filters, order, paging --------------------------------------------------------


def test_tag_filter(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    _, everything = run_json(capsys, env, "search", "--limit", "50")
    rc, data = run_json(capsys, env, "search", "--tag", "Wildlife")
    assert rc == 0 and 0 < data["total"] < everything["total"]
    assert all("Wildlife" in h["tags"] for h in data["hits"])


def test_kind_filter(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, data = run_json(capsys, env, "search", "syria", "--kind", "article")
    assert rc == 0 and data["hits"]
    assert {h["kind"] for h in data["hits"]} == {"article"}
    _, stories = run_json(capsys, env, "search", "syria", "--kind", "story")
    assert {h["kind"] for h in stories["hits"]} == {"story"}


def test_source_filter(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, data = run_json(capsys, env, "search", "--source", "BBC News")
    assert rc == 0 and [h["id"] for h in data["hits"]] == [ZEBRA_ID]


def test_date_filters(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    _, everything = run_json(capsys, env, "search", "--limit", "50")
    _, later = run_json(capsys, env, "search", "--from", "2017", "--limit", "50")
    assert 0 < later["total"] < everything["total"]
    assert all(d and d >= date(2017, 1, 1) for d in dates_of(later))
    _, earlier = run_json(capsys, env, "search", "--to", "2016", "--limit", "50")
    assert all(d and d <= date(2016, 12, 31) for d in dates_of(earlier))
    assert BRACKET_ID in [h["id"] for h in earlier["hits"]]  # --to 2016 = end of 2016
    _, month = run_json(capsys, env, "search", "--from", "2016-05", "--to", "2016-05-10")
    assert [h["id"] for h in month["hits"]] == [BRACKET_ID]


def test_sort(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    _, newest = run_json(capsys, env, "search", "--sort", "newest", "--kind", "story")
    got = dates_of(newest)
    assert len(got) >= 4 and got == sorted(got, reverse=True)
    _, oldest = run_json(capsys, env, "search", "--sort", "oldest", "--kind", "story")
    got = dates_of(oldest)
    assert got == sorted(got) and got[0] == date(2015, 7, 3)


def test_limit_and_offset(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    _, full = run_json(capsys, env, "search", "--sort", "oldest", "--limit", "50")
    _, page = run_json(capsys, env, "search", "--sort", "oldest", "--limit", "2", "--offset", "1")
    assert page["total"] == full["total"]
    assert [h["id"] for h in page["hits"]] == [h["id"] for h in full["hits"][1:3]]


# --- search: human output --------------------------------------------------------------------


def test_search_human_output(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(env.run("search", "delegates"))
    out = capsys.readouterr().out
    assert rc == 0
    assert out.splitlines()[0].startswith("1 result for delegates (")
    assert BRACKETS in out  # brackets printed literally, not read as markup
    assert "Delegates [bold]argue[/] about monitors." in out
    assert BRACKET_ID in out and "2016-05-10" in out and "Reuters" in out
    assert "\x1b[" not in out  # no colour codes off a terminal
    assert re.search(r"^tag\s+.*Aleppo", out, re.M)
    assert re.search(r"^kind\s+story 1", out, re.M)


def test_search_global_options_after_subcommand(env: Env, capsys) -> None:
    rc = main(["search", "zebra", "--index", str(env.index), "--json"])
    assert rc == 0 and json.loads(capsys.readouterr().out)["total"] == 1


def test_search_index_from_environment(env: Env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SEARCHKIT_INDEX", str(env.index))
    assert main(["search", "zebra", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1


def test_search_help_documents_the_query_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--help"]) == 0
    out = capsys.readouterr().out
    for example in ('"', " OR ", "NOT", "title:", "tag:", "source:", "kind:", "date:2016-04",
                    "date:2016-01..2016-06", "date:>=2020", "syri*", "syria~2"):  # fmt: skip
        assert example in out


# --- show ----------------------------------------------------------------------------------


def test_show_human(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(env.run("show", BRACKET_ID)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == BRACKETS
    assert "Delegates [bold]argue[/] about monitors." in out
    assert "http://www.reuters.com/article/unsc-aleppo" in out
    related = out[out.index("Related stories") :]
    first = related.index("According to Russian ambassador")
    second = related.index("A story that is not in the archive")
    assert first < second  # in the story's order
    assert "in archive" in related[first:second] and "not in archive" not in related[first:second]
    assert "not in archive" in related[second:]
    assert MISSING_ID in related and "2016-05-01" in related


def test_show_json_related(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, doc = run_json(capsys, env, "show", BRACKET_ID)
    assert rc == 0
    assert set(doc) == {
        "id", "kind", "title", "date", "sources", "tags", "body", "related", "similar",
    }  # fmt: skip
    assert doc["date"] == "2016-05-10" and doc["kind"] == "story"
    assert doc["sources"] == [
        {"name": "Reuters", "url": "http://www.reuters.com/article/unsc-aleppo"}
    ]
    assert [(e["id"], e["in_archive"]) for e in doc["related"]] == [
        (SEED_STORY, True),
        (MISSING_ID, False),
    ]
    assert doc["related"][0]["tags"] == ["Syrian Civil War", "Aleppo"]


def test_show_article_lists_similar_stories(env: Env, capsys) -> None:
    _, data = run_json(capsys, env, "search", "--kind", "article", "--limit", "1")
    article = data["hits"][0]["id"]
    assert main(env.run("show", article)) == 0
    assert "Similar stories" in capsys.readouterr().out


@pytest.mark.parametrize("prefix", ["./", "/", "corpus/", "./corpus/"])
def test_show_tolerates_prefixes(env: Env, capsys, prefix: str) -> None:
    rc, doc = run_json(capsys, env, "show", prefix + BRACKET_ID)
    assert rc == 0 and doc["id"] == BRACKET_ID


def test_show_accepts_a_file_path(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    rc, doc = run_json(capsys, env, "show", str(env.corpus / BRACKET_ID))
    assert rc == 0 and doc["id"] == BRACKET_ID


def test_id_candidates() -> None:
    assert id_candidates("./corpus/news/a.md")[-1] == "news/a.md"
    assert id_candidates("news/a.md") == ["news/a.md"]


# --- stats ---------------------------------------------------------------------------------


def test_stats(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(env.run("stats")) == 0
    out = capsys.readouterr().out
    assert re.search(r"Documents\s+8 \(3 articles, 5 stories\)", out)
    assert "2015-07-03 – 2018-02-14" in out
    assert re.search(r"\d+\.\d (KB|MB)", out)
    assert re.search(r"\((just now|\d+ \w+ ago)\)", out)
    rc, data = run_json(capsys, env, "stats")
    assert rc == 0
    assert data["documents"] == {"story": 5, "article": 3} and data["total"] == 8
    assert data["first_date"] == "2015-07-03" and data["last_date"] == "2018-02-14"
    assert data["size_bytes"] > 0 and data["built_at"]


# --- the interactive app -------------------------------------------------------------------


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    calls: list[dict] = []
    module = types.ModuleType("searchkit.tui.app")
    module.run_app = lambda **kw: calls.append(kw) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "searchkit.tui.app", module)
    return calls


def test_no_subcommand_starts_the_app(fake_app: list[dict], tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()  # a corpus to build the index from
    assert main(["--corpus", str(tmp_path / "c"), "--index", str(tmp_path / "i")]) == 0
    assert fake_app == [
        {"corpus": tmp_path / "c", "index": tmp_path / "i", "query": "", "debug": False}
    ]


def test_tui_with_query(fake_app: list[dict], tmp_path: Path) -> None:
    assert main(["tui", "syria", "war", "--index", str(tmp_path)]) == 0
    assert fake_app[0]["query"] == "syria war" and fake_app[0]["index"] == tmp_path


def test_tui_import_failure(monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "searchkit.tui.app", None)  # import raises ImportError
    assert main(["tui"]) == 2
    assert capsys.readouterr().err.startswith("searchkit: cannot start the interactive app")


# --- startup ---------------------------------------------------------------------------------


def test_search_imports_no_ui_or_corpus_code(env: Env) -> None:
    code = (
        "import sys, io, contextlib\n"
        "from searchkit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['--index', {str(env.index)!r}, 'search', 'syria'])\n"
        "assert rc == 0, rc\n"
        "bad = [m for m in ('textual', 'ftfy', 'charset_normalizer', 'searchkit.corpus',\n"
        "       'searchkit.tui') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}
    )
    assert proc.returncode == 0, proc.stderr


# --- rendering details ------------------------------------------------------------------------


def _hit(**changes) -> Hit:
    fields = dict(
        id="news/2016/05/10/x.md",
        kind="story",
        title=BRACKETS,
        date=date(2016, 5, 10),
        outlets=(Outlet("Reuters", "http://r.example"),),
        tags=("Aleppo",),
        score=1.0,
        snippet="A vote on the [b]Aleppo[/b] ceasefire.\n\nMonitors are sent.",
        highlights=((28, 37),),
        title_highlights=((0, 4),),
    )
    fields.update(changes)
    return Hit(**fields)


def _render(results: Results, request: SearchRequest | None = None, *, terminal: bool) -> str:
    buf = io.StringIO()
    colour = {"force_terminal": True, "color_system": "standard"} if terminal else {}
    console = make_console(file=buf, width=100, **colour)
    render_results(console, results, request)
    return buf.getvalue()


def test_highlights_are_styled_and_text_stays_literal() -> None:
    results = Results("ceasefire", 1, [_hit()], {"tag": [("Aleppo", 1)]})
    out = _render(results, terminal=True)
    assert "\x1b[1;7mceasefire\x1b[0m" in out  # the snippet span, bold reverse
    assert "\x1b[1;7mUNSC\x1b[0m" in out  # the title span
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "UNSC [UN Security Council] Resolution [bold]x[/]" in plain
    # The snippet is one line; its break became a space and the span moved with it.
    assert "A vote on the [b]Aleppo[/b] ceasefire. Monitors are sent." in plain


def test_plain_output_has_no_escape_codes() -> None:
    out = _render(Results("ceasefire", 1, [_hit()], {}), terminal=False)
    assert "\x1b" not in out and BRACKETS in out


def test_snippet_from_the_title_is_left_out() -> None:
    hit = _hit(snippet=BRACKETS, highlights=(), snippet_is_title=True)
    out = _render(Results("x", 1, [hit], {}), terminal=False)
    assert out.count(BRACKETS) == 1


def test_corrected_query_and_suggestion_notices() -> None:
    corrected = Results(
        "ceasfire",
        1,
        [_hit()],
        {},
        suggestion="ceasefire",
        corrected_from="ceasfire",
        notices=["no results for ceasfire — showing ceasefire"],
    )
    out = _render(corrected, terminal=False)
    lines = out.splitlines()
    assert lines[0].startswith("1 result for ceasefire (")
    assert lines[1] == "no results for ceasfire — showing ceasefire"
    assert "Did you mean" not in out
    suggested = Results("aleppo", 1, [_hit()], {}, suggestion="Aleppo ceasefire")
    assert "Did you mean: Aleppo ceasefire?" in _render(suggested, terminal=False)


def test_degraded_query_notice_is_shown(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    from searchkit.engine import Engine

    notices = Engine(env.index).search(SearchRequest(query='"aleppo ceasefire')).notices
    assert notices
    assert main(env.run("search", '"aleppo ceasefire')) == 0
    out = capsys.readouterr().out
    assert all(n in out for n in notices)


def test_browse_header_and_paging(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(env.run("search", "--limit", "2", "--offset", "2")) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert re.match(r"8 documents, newest first \(.* ms\) — showing 3–4$", first)


# --- handles: numbered hits, id prefixes -------------------------------------------------------


def test_show_takes_the_number_of_a_hit_of_the_last_search(env: Env, capsys) -> None:
    _, data = run_json(capsys, env, "search", "ceasefire", "--limit", "3")
    assert main(env.run("search", "ceasefire", "--limit", "3")) == 0
    out = capsys.readouterr().out
    numbered = re.findall(r"^\s*(\d+)\. ", out, re.M)
    assert numbered == [str(n) for n in range(1, len(data["hits"]) + 1)]
    for n, hit in enumerate(data["hits"], 1):
        rc, doc = run_json(capsys, env, "show", str(n))
        assert rc == 0 and doc["id"] == hit["id"]
    # Out of range: one line that says which numbers there are.
    assert main(env.run("show", "9")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"printed hits 1–{len(data['hits'])}" in err


def test_numbers_follow_the_page_printed(env: Env, capsys) -> None:
    _, full = run_json(capsys, env, "search", "--sort", "oldest", "--limit", "5")
    assert main(env.run("search", "--sort", "oldest", "--limit", "2", "--offset", "2")) == 0
    out = capsys.readouterr().out
    assert re.findall(r"^\s*(\d+)\. ", out, re.M) == ["3", "4"]
    rc, doc = run_json(capsys, env, "show", "4")
    assert rc == 0 and doc["id"] == full["hits"][3]["id"]
    assert main(env.run("show", "1")) == 2
    assert "printed hits 3–4" in capsys.readouterr().err


def test_machine_formats_leave_the_numbers_alone(env: Env, capsys) -> None:
    assert main(env.run("search", "zebra")) == 0
    assert main(env.run("search", "ceasefire", "--format", "ids")) == 0
    capsys.readouterr()
    rc, doc = run_json(capsys, env, "show", "1")
    assert rc == 0 and doc["id"] == ZEBRA_ID


def test_numbers_are_remembered_per_index(env: Env, capsys, tmp_path: Path) -> None:
    other = tmp_path / "index"
    assert main(["--corpus", str(env.corpus), "--index", str(other), "index"]) == 0
    assert main(env.run("search", "zebra")) == 0
    capsys.readouterr()
    assert main(["--corpus", str(env.corpus), "--index", str(other), "show", "1"]) == 2
    err = capsys.readouterr().err
    assert "no hit 1" in err and "none yet" in err and err.count("\n") == 1
    rc, doc = run_json(capsys, env, "show", "1")
    assert rc == 0 and doc["id"] == ZEBRA_ID


@pytest.mark.parametrize(
    "handle",
    [
        "news/2015/07/3/zebra",  # a unique start
        "2015/07/3/zebra-herds-cross-the-mara-river",  # without news/ and .md
        "news/2015/07/3/zebra-herds-cross-the-mara-river",  # without .md
        "2015/07",  # unique although short
    ],
)
def test_show_accepts_short_handles(env: Env, capsys, handle: str) -> None:
    rc, doc = run_json(capsys, env, "show", handle)
    assert rc == 0 and doc["id"] == ZEBRA_ID


def test_ambiguous_handle_lists_the_candidates(env: Env, capsys) -> None:
    assert main(env.run("show", "2016/0")) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].startswith("searchkit: 2016/0 could be any of 2 documents")
    assert sorted(line.strip() for line in lines[1:]) == sorted([BRACKET_ID, SEED_STORY])


def test_ids_are_printed_unbroken(env: Env) -> None:
    long_id = "news/2016/04/29/" + "a-very-long-slug-" * 12 + "end.md"
    hit = _hit(id=long_id)
    for terminal in (True, False):
        out = _render(Results("x", 1, [hit], {}), terminal=terminal)
        lines = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()
        assert any(line.strip() == long_id for line in lines)  # one line, never folded


# --- output formats ------------------------------------------------------------------------------


def test_format_ids_paths_and_jsonl(env: Env, capsys) -> None:
    _, data = run_json(capsys, env, "search", "ceasefire", "--limit", "5")
    ids = [h["id"] for h in data["hits"]]
    assert main(env.run("search", "ceasefire", "--limit", "5", "--format", "ids")) == 0
    assert capsys.readouterr().out.splitlines() == ids
    for flag in (["-l"], ["--files-with-matches"], ["--format", "paths"]):
        assert main(env.run("search", "ceasefire", "--limit", "5", *flag)) == 0
        paths = capsys.readouterr().out.splitlines()
        assert paths == [str(env.corpus / i) for i in ids]
        assert all(Path(p).is_file() for p in paths)
    assert main(env.run("search", "ceasefire", "--limit", "5", "--jsonl")) == 0
    lines = capsys.readouterr().out.splitlines()
    hits = [json.loads(line) for line in lines]
    assert [h["id"] for h in hits] == ids and [h["rank"] for h in hits] == [1, 2, 3][: len(ids)]
    assert {k for k in hits[0] if k != "rank"} == set(data["hits"][0])
    # Nothing found: nothing printed, exit status 1.
    assert main(env.run("search", "xylophonequartzite", "--format", "ids")) == 1
    assert capsys.readouterr().out == ""


# --- untrusted text: escapes, invalid bytes ------------------------------------------------------


def test_query_echo_is_visible_never_raw(env: Env, capsys) -> None:
    assert main(env.run("search", "\x1b[2J\x1b]0;pwned\x07zebra\u202e")) in (0, 1)
    cap = capsys.readouterr()
    assert "\x1b" not in cap.out + cap.err and "\u202e" not in cap.out + cap.err
    assert "\\x1b[2J" in cap.out.splitlines()[0]


def test_json_is_valid_utf8_whatever_the_strings_hold() -> None:
    from searchkit.cli import json_text

    data = {"id": "news/\udcff\u202e\x1b[2J\u200b.md", "title": "Erdoğan 習近平 \U0001f600"}
    text = json_text(data)
    assert text.isprintable()
    text.encode("utf-8")  # no lone surrogates left
    assert json.loads(text) == data
    assert "Erdoğan 習近平 \U0001f600" in text  # printable text stays as it is


def _run_cli(*args: str | bytes, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **kwargs.pop("env", {})}
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "searchkit", *args], env=env, **kwargs)


def test_invalid_bytes_in_arguments(env: Env) -> None:
    where = [b"--corpus", bytes(env.corpus), b"--index", bytes(env.index)]
    proc = _run_cli(*where, b"search", b"zebra\xff", b"--json")
    data = json.loads(proc.stdout.decode("utf-8"))  # strict: valid UTF-8
    assert data["query"] == "zebra\ufffd"
    err = proc.stderr.decode("utf-8")
    assert "not UTF-8" in err and "U+FFFD" in err and "Traceback" not in err
    proc = _run_cli(*where, b"show", b"news/2016/\xff\x1b[2J.md")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2 and proc.stdout == b""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "\\xff\\x1b[2J" in err and "\x1b" not in err


# --- exit status ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [[], ["--format", "ids"], ["--json"], ["--jsonl"]])
def test_broken_pipe_exits_0_quietly(env: Env, fmt: list[str]) -> None:
    """The reader of a real pipe is gone before searchkit writes (`| head -0`)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = _run_cli(*env.run("search", "ceasefire", *fmt), stdout=write_end)
    finally:
        os.close(write_end)
    assert proc.returncode == 0 and proc.stderr == b""


def test_broken_pipe_mid_output(env: Env) -> None:
    """`searchkit search … | head -1`: the reader leaves after the first line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "searchkit", *env.run("search", "--limit", "50")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait() == 0 and err == b""


def test_internal_error_is_one_line_and_exit_2(env: Env, capsys, monkeypatch) -> None:
    import searchkit.cli as cli

    def broken(args):
        raise ValueError("an unexpected \x1b[31m state")

    monkeypatch.setattr(cli, "_cmd_stats", broken)
    assert main(env.run("stats")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("searchkit: internal error: ValueError: an unexpected \\x1b[31m state")
    assert "please report it" in err and "--debug" in err
    assert main(env.run("stats", "--debug")) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith("please report it")
    monkeypatch.setenv("SEARCHKIT_DEBUG", "1")
    assert main(env.run("stats")) == 2
    assert "Traceback" in capsys.readouterr().err


# --- show: pager, links, highlights ---------------------------------------------------------


def test_show_pages_on_a_terminal_with_links_and_highlights(env: Env, tmp_path: Path) -> None:
    import pty

    paged = tmp_path / "paged.txt"
    pager = tmp_path / "pager.sh"
    pager.write_text(f"#!/bin/sh\ncat > {paged}\n")
    pager.chmod(0o755)
    main_fd, tty = pty.openpty()
    try:
        proc = _run_cli(
            *env.run("show", BRACKET_ID, "--query", "monitors"),
            stdout=tty,
            env={"PAGER": str(pager), "TERM": "xterm-256color", "COLUMNS": "100"},
        )
    finally:
        os.close(tty)
        os.close(main_fd)
    assert proc.returncode == 0, proc.stderr
    text = paged.read_text(encoding="utf-8")
    url = "http://www.reuters.com/article/unsc-aleppo"
    assert "\x1b]8;" in text and url in text  # an OSC 8 hyperlink to the source
    plain = re.sub(r"\x1b\]8;[^\x1b]*\x1b\\\\|\x1b\[[0-9;]*m", "", text)
    assert "Delegates [bold]argue[/] about monitors." in plain
    assert re.search(r"\x1b\[[0-9;]*7m(\x1b\[[0-9;]*m)*monitors", text)  # highlighted


def test_show_prints_without_pager_off_a_terminal(env: Env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PAGER", "false")
    assert main(env.run("show", BRACKET_ID)) == 0
    out = capsys.readouterr().out
    assert "Sources" in out and "http://www.reuters.com/article/unsc-aleppo" in out


# --- where the archive is: config, init, upward lookup ----------------------------------------


def test_messages_name_the_ways_to_find_the_archive(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["search", "syria"], ["index"], ["stats"], ["show", "1"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        for needle in ("--corpus", "SEARCHKIT_CORPUS", "searchkit init"):
            assert needle in err, (args, err)


def test_app_without_corpus_or_index_says_so_and_exits_2(fake_app, capsys, tmp_path) -> None:
    assert main(["--corpus", str(tmp_path / "c"), "--index", str(tmp_path / "i")]) == 2
    assert fake_app == []  # never started: no dead screen
    err = capsys.readouterr().err
    assert "searchkit init" in err and "--corpus" in err


def test_upward_lookup_finds_the_archive(env: Env, capsys, tmp_path, monkeypatch) -> None:
    home = tmp_path / "archive"
    (home / "deep" / "er").mkdir(parents=True)
    (home / "corpus").symlink_to(env.corpus)
    (home / "index").symlink_to(env.index)
    monkeypatch.chdir(home / "deep" / "er")
    assert main(["search", "zebra", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1


def test_init_writes_the_config_that_every_command_reads(
    env: Env, capsys, tmp_path, monkeypatch
) -> None:
    from searchkit.config import config_path, load_config

    home = tmp_path / "archive"
    home.mkdir()
    (home / "corpus").symlink_to(env.corpus)
    (home / "index").symlink_to(env.index)
    assert main(["init", str(home)]) == 0
    out = capsys.readouterr().out
    assert str(config_path()) in out
    assert load_config() == {"corpus": home / "corpus", "index": home / "index"}
    monkeypatch.chdir(tmp_path)  # no corpus/ or index/ here or above
    assert main(["search", "zebra", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1
    # The environment and options still win over the file.
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "elsewhere"))
    assert main(["search", "zebra"]) == 2
    assert "elsewhere" in capsys.readouterr().err


def test_init_on_a_corpus_folder_keeps_the_index_in_the_data_folder(
    env: Env, capsys, tmp_path
) -> None:
    from searchkit.config import data_home, load_config

    assert main(["init", str(env.corpus)]) == 0
    capsys.readouterr()
    cfg = load_config()
    assert cfg["corpus"] == env.corpus
    assert cfg["index"].parent == data_home() / "indexes"
    assert main(["init", str(tmp_path)]) == 2  # nothing like a corpus there
    err = capsys.readouterr().err
    assert "no corpus in" in err and "--corpus" in err


def test_broken_config_is_one_line(capsys, tmp_path) -> None:
    from searchkit.config import config_path

    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text('corpus = "unterminated\n')
    assert main(["search", "x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err
    assert main(["init", str(tmp_path)]) == 2  # init still runs (to replace it)
    assert "no corpus in" in capsys.readouterr().err


def test_config_paths_are_relative_to_the_file(tmp_path) -> None:
    from searchkit.config import load_config, resolve_locations

    cfg = tmp_path / "cfg" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text('corpus = "../news"\nindex = "~/ix"\n')
    assert load_config(cfg) == {"corpus": tmp_path / "news", "index": Path.home() / "ix"}
    where = resolve_locations(None, "x", environ={}, cwd=tmp_path, config=cfg)
    assert (where.corpus, where.index) == (tmp_path / "news", tmp_path / "x")
    assert where.corpus_from.startswith("config file")


# --- shell completion ----------------------------------------------------------------------------


def test_completion_lists_tags_and_sources(env: Env, capsys) -> None:
    assert main(env.run("completion", "--list", "tag")) == 0
    tags = capsys.readouterr().out.splitlines()
    assert "Syrian Civil War" in tags and "Wildlife" in tags
    assert main(env.run("completion", "--list", "source")) == 0
    assert "BBC News" in capsys.readouterr().out.splitlines()


def _bash_complete(env: Env, words: list[str]) -> list[str]:
    script = subprocess.run(
        [sys.executable, "-m", "searchkit", "completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    shim = Path(sys.executable).parent  # `searchkit` itself, as installed
    line = " ".join(shlex_quote(w) for w in words)
    code = (
        f"{script}\nCOMP_WORDS=({line})\nCOMP_CWORD={len(words) - 1}\n"
        '_searchkit\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", code],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
            "SEARCHKIT_CORPUS": str(env.corpus),
            "SEARCHKIT_INDEX": str(env.index),
        },
    )
    assert proc.returncode == 0, proc.stderr
    return [w for w in proc.stdout.splitlines() if w]


def shlex_quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion(env: Env) -> None:
    assert _bash_complete(env, ["searchkit", "se"]) == ["search"]
    assert "--tag" in _bash_complete(env, ["searchkit", "search", "--t"])
    tags = _bash_complete(env, ["searchkit", "search", "--tag", "syr"])  # any case
    assert "Syrian\\ Civil\\ War" in tags and all(t.startswith("Syria") for t in tags)
    assert set(_bash_complete(env, ["searchkit", "search", "--source", "b"])) == {"BBC\\ News"}
    assert _bash_complete(env, ["searchkit", "search", "--kind", ""]) == ["story", "article"]
    assert _bash_complete(env, ["searchkit", "completion", "z"]) == ["zsh"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts(capsys, shell: str) -> None:
    assert main(["completion", shell]) == 0
    text = capsys.readouterr().out
    options = ("--tag", "--source", "--format")
    if shell == "fish":
        options = tuple(f"-l {o[2:]}" for o in options)
    for word in ("search", "show", "init", "completion", *options):
        assert word in text
    assert "completion --list tag" in text and "completion --list source" in text
    if shutil.which(shell):
        check = ["zsh", "-n"] if shell == "zsh" else ["fish", "--no-execute"]
        subprocess.run([*check], input=text, text=True, check=True)


def test_hostile_file_names_are_shown_escaped_and_can_be_named_back(capsys, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    folder = corpus / "news/2016/05/10"
    folder.mkdir(parents=True)
    names = ["evil\x1b[2J\x1b]0;pwned\x07.md", "rtl\u202eevil.md"]
    for name in names:
        (folder / name).write_text(SYNTHETIC[BRACKET_ID], encoding="utf-8")
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    assert main([*where, "index"]) == 0
    assert main([*where, "search", "monitors"]) == 0
    assert main([*where, "search", "monitors", "--format", "ids"]) == 0
    cap = capsys.readouterr()
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in cap.out + cap.err
    shown = "news/2016/05/10/evil\\x1b[2J\\x1b]0;pwned\\x07.md"
    assert shown in cap.out.splitlines()
    # The escaped id, as printed, names the document.
    rc, doc = run_json(capsys, Env(corpus, tmp_path / "index", 0, "", ""), "show", shown)
    assert rc == 0 and doc["id"] == "news/2016/05/10/" + names[0]
    rc, doc = run_json(
        capsys, Env(corpus, tmp_path / "index", 0, "", ""), "show", "2016/05/10/rtl\\u202eevil"
    )
    assert rc == 0 and doc["id"] == "news/2016/05/10/" + names[1]


def test_unescaped_readings() -> None:
    from searchkit.handles import unescaped
    from searchkit.textsafe import visible

    for name in ["a\x1bb", "a\u202eb\u200b", "a\udcffb", "tab\there", "a\U000e0001b"]:
        assert name in unescaped(visible(name))
    assert unescaped("plain") == []
