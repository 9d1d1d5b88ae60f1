"""A damaged index is found before it answers wrongly, and `searchkit index` rebuilds it."""

from __future__ import annotations

import pytest

from searchkit.cli import main
from searchkit.engine import Engine, check_index, integrity, store, update_index
from searchkit.engine.catalog import Catalog
from searchkit.errors import IndexDamaged
from searchkit.model import SearchRequest
from tests.backends.conftest import ALL_IDS, write_corpus


def damage(path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        data = data[: len(data) // 2]
    elif how == "zero":
        data = bytearray(len(data))
    else:  # flip one bit in the middle
        data[len(data) // 2] ^= 0x04
    path.write_bytes(bytes(data))


def backend_files(index) -> list[str]:
    gen = store.live_generation(index)
    return integrity.backend_files(gen)


@pytest.fixture
def built(engine_name, tmp_path):
    root = write_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    update_index(root, index, engine=engine_name)
    return root, index


def test_every_backend_file_is_recorded(built):
    _, index = built
    gen = store.live_generation(index)
    catalog = Catalog(gen)
    try:
        assert set(catalog.backend_files()) == set(integrity.backend_files(gen))
    finally:
        catalog.close()
    assert len(backend_files(index)) >= 5


@pytest.mark.parametrize("how", ["truncate", "zero", "flip"])
def test_any_damaged_backend_file_is_detected_and_rebuilt(built, how, capsys):
    root, index = built
    for i in range(len(backend_files(index))):
        name = backend_files(index)[i]  # each rebuild names its files anew
        gen = store.live_generation(index)
        damage(gen / name, how)
        with pytest.raises(IndexDamaged, match="searchkit index"):
            Engine(index)
        assert main(["--index", str(index), "search", "aleppo"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "damaged" in err
        report = check_index(root, index)
        assert not report.sound and any(name in p for p in report.problems)
        r = update_index(root, index)
        assert r.rebuilt and name in r.reason, name
        with Engine(index) as eng:
            assert eng.search(SearchRequest("")).total == len(ALL_IDS)


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage\n", b"/etc\n", b"../outside abc\n", b"gen-1-2 00000000\n", b"\xff\xfe\x00"],
)
def test_a_damaged_current_pointer_never_points_outside(built, tmp_path, content):
    root, index = built
    canary = tmp_path / "outside"
    canary.mkdir()
    (canary / "keep.txt").write_text("keep")
    (index / store.CURRENT).write_bytes(content)
    with pytest.raises(IndexDamaged):
        Engine(index)
    r = update_index(root, index)
    assert r.rebuilt
    assert (canary / "keep.txt").read_text() == "keep"
    with Engine(index) as eng:
        assert eng.search(SearchRequest("aleppo")).total == 2


@pytest.mark.parametrize("how", ["truncate", "flip"])
def test_damaged_meta_is_detected(built, how):
    root, index = built
    damage(store.live_generation(index) / store.META, how)
    with pytest.raises(IndexDamaged):
        Engine(index)
    assert update_index(root, index).rebuilt


def test_check_reports_an_index_behind_its_corpus_and_repairs(built):
    root, index = built
    (root / "articles" / "new.txt").write_text("A new article\n\nAbout volcanoes in Iceland.\n")
    report = check_index(root, index)
    assert report.sound and report.behind == {"added": 1, "changed": 0, "removed": 0}
    assert main(["--corpus", str(root), "--index", str(index), "check"]) == 1
    report = check_index(root, index, repair=True)
    assert report.repaired == "updated"
    assert check_index(root, index).current
    assert main(["--corpus", str(root), "--index", str(index), "check"]) == 0
