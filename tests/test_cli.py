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

from searchkit.cli import id_candidates, main
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
    assert main(["--corpus", str(tmp_path / "c"), "--index", str(tmp_path / "i")]) == 0
    assert fake_app == [{"corpus": tmp_path / "c", "index": tmp_path / "i", "query": ""}]


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
