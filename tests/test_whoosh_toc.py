"""Whoosh's pickled table of contents is read without trusting module paths."""

from __future__ import annotations

import pickle

import pytest

from searchkit.engine import Engine, store, update_index
from searchkit.engine.backends.whoosh import formats, toc
from searchkit.errors import IndexDamaged
from searchkit.model import SearchRequest
from tests.factory import copy_repo_corpus


def _rewrite_toc(gen, old: bytes, new: bytes) -> None:
    (path,) = sorted(gen.glob("_MAIN_*.toc"))[-1:]
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new))


def test_an_index_opens_after_our_modules_moved(tmp_path, monkeypatch):
    """Pickles name `searchkit.engine.backends.whoosh.formats`: an index written when
    that module lived elsewhere still opens (classes are found by name)."""
    corpus = copy_repo_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    # Write the index as if the code lived in an old place.
    monkeypatch.setattr(formats.Positions, "__module__", "searchkit.engine.formats")
    monkeypatch.setattr(formats.Frequency, "__module__", "searchkit.engine.formats")
    import sys

    monkeypatch.setitem(sys.modules, "searchkit.engine.formats", formats)
    update_index(corpus, index)
    monkeypatch.undo()
    gen = store.live_generation(index)
    assert b"searchkit.engine.formats" in sorted(gen.glob("_MAIN_*.toc"))[-1].read_bytes()
    assert "searchkit.engine.formats" not in sys.modules
    with Engine(index) as eng:
        assert eng.search(SearchRequest("syria")).total == 4


def test_an_unknown_or_forbidden_class_means_rebuild_not_a_traceback(tmp_path):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    update_index(corpus, index)
    # A pickle naming os.system must never be executed.
    with pytest.raises(pickle.UnpicklingError, match="forbidden"):
        toc.loads(pickle.dumps(__import__("os").system))
    gone = pickle.dumps(formats.Positions()).replace(b"Positions", b"Goneaways")
    with pytest.raises(pickle.UnpicklingError, match="unknown class"):
        toc.loads(gone)
    gen = store.live_generation(index)
    _rewrite_toc(gen, b"Positions", b"Positionz")
    with pytest.raises(IndexDamaged, match="searchkit index"):
        Engine(index)
    report = update_index(corpus, index)
    assert report.rebuilt
    with Engine(index) as eng:
        assert eng.search(SearchRequest("syria")).total == 4
