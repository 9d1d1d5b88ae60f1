"""`searchkit add` from the command line: placement, refusal, bad files, exit status."""

from __future__ import annotations

from datetime import date

from searchkit.cli import main
from tests.factory import Story, copy_repo_corpus


def test_add_then_search(tmp_path, capsys):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    story = Story(date(2024, 7, 4), "Heatwave [record] breaks records in Spain")
    src = tmp_path / "heat.md"
    src.write_text(story.text())
    args = ["--corpus", str(corpus), "--index", str(index)]
    assert main([*args, "index"]) == 0
    capsys.readouterr()

    assert main([*args, "add", str(src)]) == 0
    out = capsys.readouterr().out
    assert f"→ {story.id}" in out and "1 added" in out
    assert (corpus / story.id).read_text() == story.text()

    assert main([*args, "search", "heatwave", "--json"]) == 0
    assert '"Heatwave [record] breaks records in Spain"' in capsys.readouterr().out

    src.write_text(story.text().replace("Reuters", "El País"))
    assert main([*args, "add", str(src)]) == 2  # a different file is kept
    assert "use --force" in capsys.readouterr().out
    assert main([*args, "add", "--force", str(src)]) == 0
    assert "1 changed" in capsys.readouterr().out

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02")
    assert main([*args, "add", str(bad)]) == 2
    assert "binary" in capsys.readouterr().out
    assert not (corpus / "articles" / "bad.txt").exists()

    assert main([*args, "add", str(tmp_path / "nope.md")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_json_notices_go_to_stderr(tmp_path, capsys):
    import json

    corpus = copy_repo_corpus(tmp_path / "corpus")
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    assert main([*args, "index"]) == 0
    capsys.readouterr()
    main([*args, "search", "--json", '"russian bombers'])
    out, err = capsys.readouterr()
    assert set(json.loads(out)) == {"query", "total", "hits", "facets", "suggestion"}
    assert "unbalanced quote" in err
