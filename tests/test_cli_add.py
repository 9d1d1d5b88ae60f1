"""`searchkit add` from the command line: placement, refusal, bad files, output, exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from searchkit.cli import main
from searchkit.engine import store
from tests.factory import Story, copy_repo_corpus


@pytest.fixture
def env(tmp_path):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    assert main([*args, "index"]) == 0
    return corpus, args


def article(headline: str, body: str = "Some text of the article.") -> str:
    return f"{headline}\n\n{body}\n"


def test_add_then_search(env, tmp_path, capsys):
    corpus, args = env
    capsys.readouterr()
    story = Story(date(2024, 7, 4), "Heatwave [record] breaks records in Spain")
    src = tmp_path / "heat.md"
    src.write_text(story.text())

    assert main([*args, "add", str(src)]) == 0
    out, err = capsys.readouterr()
    assert f"added    {story.id} ← {src}" in out
    assert out.splitlines()[-1].startswith("1 added; index updated: 6 documents")
    assert err == ""
    assert (corpus / story.id).read_text() == story.text()

    assert main([*args, "search", "heatwave", "--json"]) == 0
    assert '"Heatwave [record] breaks records in Spain"' in capsys.readouterr().out

    assert main([*args, "add", str(src)]) == 0  # identical: already there, nothing to do
    assert "(already there)" in capsys.readouterr().out

    src.write_text(story.text().replace("Reuters", "El País"))
    assert main([*args, "add", str(src)]) == 1  # a different file is kept: nothing added
    out, err = capsys.readouterr()
    assert "kept" in err and "--force replaces it" in err
    assert out.splitlines()[-1].startswith("0 added, 1 not added")
    assert main([*args, "add", "--force", str(src)]) == 0
    assert f"replaced {story.id}" in capsys.readouterr().out
    assert "El País" in (corpus / story.id).read_text()

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    assert main([*args, "add", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert f"skipped {bad}: binary file (not text)" in err
    assert not (corpus / "articles" / "bad.txt").exists()

    assert main([*args, "add", str(tmp_path / "nope.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_add_prints_one_line_per_file_a_summary_and_exits_0_when_some_went_in(
    env, tmp_path, capsys, monkeypatch
):
    corpus, args = env
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for i in range(14):
        (incoming / f"{i:03d}.txt").write_text(article(f"Headline number {i}"))
    (incoming / "broken.txt").write_bytes(b"\x89PNG\x00\x00" + bytes(range(256)))
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)

    assert main([*args, "add", "incoming"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 15  # 14 files, then the summary
    assert lines[0] == "  added    articles/incoming/000.txt"  # the place says where from
    assert lines[-1].startswith("14 added, 1 not added; index updated: 19 documents")
    assert err.splitlines() == ["  skipped incoming/broken.txt: binary file (not text)"]


def test_add_keeps_sub_folders_and_never_maps_two_inputs_to_one_place(env, tmp_path, capsys):
    corpus, args = env
    bbc = tmp_path / "bbc"
    for section in ("business", "sport"):
        (bbc / section).mkdir(parents=True)
        (bbc / section / "001.txt").write_text(article(f"{section} headline", f"{section} news."))
    other = tmp_path / "other" / "articles" / "wire"
    other.mkdir(parents=True)
    (other / "1.txt").write_text(article("Wire headline"))
    one, two = tmp_path / "a" / "001.txt", tmp_path / "b" / "001.txt"
    for path, text in ((one, "First one"), (two, "Second one")):
        path.parent.mkdir()
        path.write_text(article(text))
    capsys.readouterr()

    assert (
        main([*args, "add", "--force", str(bbc), str(tmp_path / "other"), str(one), str(two)]) == 0
    )
    out, err = capsys.readouterr()
    assert (corpus / "articles/bbc/business/001.txt").read_text().startswith("business")
    assert (corpus / "articles/bbc/sport/001.txt").read_text().startswith("sport")
    assert (corpus / "articles/wire/1.txt").exists()  # what follows "articles/" is kept
    # Both named files want articles/001.txt: the first wins, even with --force.
    assert (corpus / "articles/001.txt").read_text() == article("First one")
    assert f"skipped {two}: articles/001.txt is where {one} went in this run" in err
    assert out.splitlines()[-1].startswith("4 added, 1 not added")


def test_add_writes_the_outlet_and_date_into_front_matter(env, tmp_path, capsys):
    corpus, args = env
    src = tmp_path / "note.txt"
    src.write_text(article("Quiet Harbour Reopens", "The harbour reopened to ships."))
    story = tmp_path / "s.md"
    story.write_text(Story(date(2024, 7, 4), "Storm hits the coast").text())
    capsys.readouterr()

    assert (
        main(
            [
                *args,
                "add",
                "--outlet",
                "Harbour Gazette",
                "--date",
                "2024-05-06",
                str(src),
                str(story),
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    assert (
        (corpus / "articles/note.txt")
        .read_text()
        .startswith("---\noutlet: Harbour Gazette\ndate: 2024-05-06\n---\n")
    )
    assert "1 story kept their own date line and sources" in err
    assert main([*args, "search", "harbour", "--json"]) == 0
    (hit,) = json.loads(capsys.readouterr().out)["hits"]
    assert (hit["title"], hit["date"], hit["sources"]) == (
        "Quiet Harbour Reopens",
        "2024-05-06",
        ["Harbour Gazette"],
    )

    assert main([*args, "add", "--date", "2024-13-01", str(src)]) == 2
    assert "is not a date YYYY-MM-DD" in capsys.readouterr().err


def test_add_of_hostile_inputs_returns_and_reports_each(env, tmp_path, capsys):
    corpus, args = env
    incoming = tmp_path / "in"
    incoming.mkdir()
    os.mkfifo(incoming / "pipe.txt")
    (tmp_path / "secret.txt").write_text(article("Secret", "hunter2"))
    os.symlink(tmp_path / "secret.txt", incoming / "link.txt")
    (incoming / "esc\x1b]52;c;aGk=\x07.txt").write_text(article("Escape name"))
    bad_name = os.path.join(os.fsencode(incoming), b"bad\xff.txt")
    with open(bad_name, "wb") as fh:
        fh.write(article("Bad name").encode())
    capsys.readouterr()

    pipe = incoming / "pipe.txt"
    done = threading.Event()
    status = []
    threading.Thread(
        target=lambda: (status.append(main([*args, "add", str(pipe)])), done.set()), daemon=True
    ).start()
    assert done.wait(10), "add of a named pipe hung"
    assert status == [1] and "named pipe (not a regular file)" in capsys.readouterr().err

    assert main([*args, "add", str(incoming)]) == 0
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "esc\\x1b]52;c;aGk=\\x07.txt" in out
    assert f"{incoming}/link.txt: link outside the corpus (not followed)" in err
    assert "bad\\xff.txt: file name is not valid UTF-8" in err
    assert f"{incoming}/pipe.txt: named pipe" in err
    assert not (corpus / "articles/in/link.txt").exists()


def test_add_while_the_index_is_busy_says_the_files_wait_for_the_next_update(env, tmp_path, capsys):
    corpus, args = env
    src = tmp_path / "late.txt"
    src.write_text(article("Late Arrival Headline"))
    capsys.readouterr()
    with store.writer_lock(tmp_path / "index"):
        assert main([*args, "add", str(src)]) == 0
    out, err = capsys.readouterr()
    assert (corpus / "articles/late.txt").exists()
    assert out.splitlines()[-1] == "1 added"
    assert f"The index is being updated by PID {os.getpid()}: the 1 file copied" in err
    assert "will be indexed by the next update" in err
    assert main([*args, "index"]) == 0
    assert main([*args, "search", "arrival"]) == 0


def test_a_1gb_file_costs_index_and_add_no_memory(tmp_path):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    for path in (corpus / "articles" / "huge.txt", tmp_path / "huge.txt"):
        with open(path, "wb") as fh:
            fh.truncate(1 << 30)
    # The peak of this process image: VmHWM starts afresh at exec (ru_maxrss would carry
    # the forking test process's own memory over into the child).
    script = (
        "import sys\n"
        "from searchkit.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(hwm.split()[1])\n"
        "sys.exit(status)\n"
    )
    base = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    for command in (["index"], ["add", str(tmp_path / "huge.txt")]):
        run = subprocess.run(
            [sys.executable, "-c", script, *base, *command],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            timeout=180,
        )
        assert "too large (over 16 MiB)" in run.stdout + run.stderr
        peak_kb = int(run.stdout.splitlines()[-1])
        assert peak_kb < 300 * 1024, f"{command[0]}: peak RSS {peak_kb} KB"
