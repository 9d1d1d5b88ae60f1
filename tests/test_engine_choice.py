"""Which engine an index uses: chosen when built, recorded, kept, switched on request."""

from __future__ import annotations

import pytest

from searchkit.cli import main
from searchkit.engine import Engine, backends, update_index
from searchkit.errors import EngineUnavailable
from tests.factory import copy_repo_corpus

needs_tantivy = pytest.mark.skipif(
    "tantivy" not in backends.available(), reason="pip install searchkit[tantivy]"
)


@pytest.fixture
def corpus(tmp_path):
    return copy_repo_corpus(tmp_path / "corpus")


def engine_of(index) -> str:
    with Engine(index) as eng:
        return eng.stats().engine


@needs_tantivy
def test_the_index_keeps_the_engine_it_was_built_with(corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    update_index(corpus, index, engine="tantivy")
    assert engine_of(index) == "tantivy"
    r = update_index(corpus, index)  # no engine named: keep the index's
    assert not r.rebuilt and r.engine == "tantivy"
    monkeypatch.setenv(backends.ENV, "whoosh")
    r = update_index(corpus, index)
    assert r.rebuilt and "switching engine from tantivy to whoosh" in r.reason
    assert engine_of(index) == "whoosh"


def test_an_engine_that_is_not_installed_is_one_line_saying_how(
    corpus, tmp_path, monkeypatch, capsys
):
    entry = backends.REGISTRY["tantivy"]
    monkeypatch.setitem(
        backends.REGISTRY, "tantivy", backends.Entry(entry.module, "no_such_library", entry.install)
    )
    with pytest.raises(EngineUnavailable, match=r'pip install "searchkit\[tantivy\]"'):
        update_index(corpus, tmp_path / "index", engine="tantivy")
    status = main(
        ["--corpus", str(corpus), "--index", str(tmp_path / "i"), "index", "--engine", "tantivy"]
    )
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "searchkit[tantivy]" in err
    assert not (tmp_path / "i" / "CURRENT").exists()


def test_an_unknown_engine_name_is_refused(corpus, tmp_path):
    with pytest.raises(EngineUnavailable, match="the engines are: whoosh"):
        update_index(corpus, tmp_path / "index", engine="lucene")
