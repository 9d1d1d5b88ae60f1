"""Keeping the index current: incremental updates, add, watch, and the faults they survive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from searchkit.engine import Engine, store
from searchkit.engine.update import FAULT_MARKER, FAULT_POINT, update_index
from searchkit.errors import IndexBusy
from searchkit.model import SearchRequest
from searchkit.services.add import add_paths
from tests.factory import Story, copy_repo_corpus, total, wait_for, watching, write

STORIES = [
    Story(
        date(2010 + i % 10, 1 + i % 12, 1 + i % 28),
        f"Volcano number {i} erupts near the coast",
        sources=["AP"],
    )
    for i in range(40)
]


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = copy_repo_corpus(tmp_path / "corpus")
    write(root, *STORIES)
    return root


@pytest.fixture
def index(corpus, tmp_path) -> Path:
    idx = tmp_path / "index"
    update_index(corpus, idx)
    return idx


def test_no_change_reports_nothing(corpus, index):
    r = update_index(corpus, index)
    assert not r.rebuilt and not (r.added or r.changed or r.removed)
    assert r.unchanged == len(STORIES) + 5


def test_new_changed_and_deleted_files_are_applied(corpus, index):
    (new,) = write(corpus, Story(date(2021, 5, 5), "Glacier collapse in the Alps"))
    changed = corpus / STORIES[0].id
    changed.write_text(changed.read_text().replace("Volcano number 0", "Geyser number 0"))
    (corpus / STORIES[1].id).unlink()
    r = update_index(corpus, index)
    assert (r.added, r.changed, r.removed) == ([new], [STORIES[0].id], [STORIES[1].id])
    assert total(index, "glacier") == 1
    assert total(index, "geyser") == 1
    assert total(index, "volcano") == len(STORIES) - 2


@pytest.mark.parametrize("order", ["sorted", "reversed"])
def test_changes_are_found_whatever_order_the_walk_gives(corpus, index, monkeypatch, order):
    # The walk is merged with the catalog's sorted listing; a walk out of that order
    # (never expected) falls back to comparing against the whole table, same answer.
    import searchkit.corpus

    if order == "reversed":
        walk = searchkit.corpus.iter_files
        monkeypatch.setattr(
            searchkit.corpus, "iter_files", lambda *a, **k: reversed(list(walk(*a, **k)))
        )
    (new,) = write(corpus, Story(date(2021, 5, 5), "Glacier collapse in the Alps"))
    changed = corpus / STORIES[4].id
    changed.write_text(changed.read_text().replace("Volcano number 4", "Geyser number 4"))
    touched = corpus / STORIES[6].id
    os.utime(touched, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    (corpus / STORIES[5].id).unlink()
    r = update_index(corpus, index)
    assert (r.added, r.changed, r.removed) == ([new], [STORIES[4].id], [STORIES[5].id])
    assert r.unchanged == len(STORIES) + 5 - 2
    assert total(index, "glacier") == 1 and total(index, "geyser") == 1
    assert not update_index(corpus, index).changed  # the touched file's time was recorded


def test_touched_but_identical_file_is_not_reindexed(corpus, index):
    path = corpus / STORIES[2].id
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    r = update_index(corpus, index)
    assert not (r.added or r.changed or r.removed)
    assert not update_index(corpus, index).changed  # the new mtime was recorded


def test_a_file_that_becomes_bad_is_removed_and_reported(corpus, index):
    (corpus / STORIES[3].id).write_bytes(b"")
    r = update_index(corpus, index)
    assert r.removed == [STORIES[3].id]
    assert [(x.path, x.reason) for x in r.skipped] == [(STORIES[3].id, "empty file")]
    # An unchanged bad file is not read and reported again.
    assert not update_index(corpus, index).reports


def test_rebuild_replaces_the_generation(corpus, index):
    before = store.live_generation(index)
    r = update_index(corpus, index, rebuild=True)
    after = store.live_generation(index)
    assert r.rebuilt and after != before and not before.exists()
    assert total(index, "volcano") == len(STORIES)


def test_an_open_engine_keeps_answering_through_a_rebuild(corpus, index):
    engine = Engine(index)
    assert engine.search(SearchRequest("volcano")).total == len(STORIES)
    write(corpus, Story(date(2021, 7, 7), "Volcano ash closes airports"))
    update_index(corpus, index, rebuild=True)  # removes the generation the engine has open
    assert engine.search(SearchRequest("volcano")).total == len(STORIES)
    assert engine.document(STORIES[0].id).document.title == STORIES[0].headline
    assert engine.refresh()
    assert engine.search(SearchRequest("volcano")).total == len(STORIES) + 1
    engine.close()


def test_searches_during_refreshes_never_fail(corpus, index):
    engine = Engine(index)
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching():
        while not stop.is_set():
            try:
                engine.search(SearchRequest("volcano coast"))
                engine.document(STORIES[0].id)
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)
                return

    threads = [threading.Thread(target=searching) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(6):
            write(corpus, Story(date(2022, 1, 1 + i), f"Lava flow number {i} reaches the sea"))
            update_index(corpus, index, rebuild=i % 2 == 1)
            assert engine.refresh()
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert not errors, errors
    assert engine.search(SearchRequest("lava")).total == 6


@pytest.mark.parametrize("damage", ["delete", "garbage", "truncate"])
def test_a_missing_or_unreadable_record_of_indexed_files_means_a_rebuild(corpus, index, damage):
    from searchkit.engine import catalog

    path = store.live_generation(index) / catalog.NAME
    if damage == "delete":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    else:
        path.write_bytes(path.read_bytes()[:100])
    (corpus / STORIES[6].id).unlink()  # deleted meanwhile: must not stay searchable
    r = update_index(corpus, index)
    assert r.rebuilt and "record of indexed files" in r.reason
    assert total(index, "volcano") == len(STORIES) - 1


def test_vanished_and_changing_files_are_not_fatal(corpus, index, monkeypatch):
    import searchkit.corpus as corpus_pkg

    real = corpus_pkg.iter_files
    ghost = "news/2020/01/1/a-file-that-vanished.md"
    moving = STORIES[4].id

    def racing(root, *args, **kwargs):
        for rel, size, mtime in real(root, *args, **kwargs):
            # The walk saw an older version of `moving` than the one read.
            yield rel, size, mtime - 10**9 if rel == moving else mtime
        yield ghost, 100, 1

    path = corpus / moving
    path.write_text(path.read_text().replace("Volcano number 4", "Tornado number 4"))
    monkeypatch.setattr(corpus_pkg, "iter_files", racing)
    r = update_index(corpus, index)
    assert [x.path for x in r.skipped] == [ghost]
    assert moving in r.changed
    monkeypatch.setattr(corpus_pkg, "iter_files", real)
    # Next time the real mtime differs from the recorded one, but the content is what
    # was indexed (same digest): nothing to redo, and nothing was lost.
    again = update_index(corpus, index)
    assert not (again.changed or again.added or again.removed)
    assert total(index, "tornado") == 1


def test_related_link_resolves_when_its_target_arrives_later(corpus, index):
    target = Story(date(2022, 2, 2), "Bridge reopens after repairs")
    linker = Story(
        date(2022, 3, 3),
        "Traffic returns to the bridge",
        related=[(target.id, target.headline, ["Bridges"])],
    )
    write(corpus, linker)
    update_index(corpus, index)
    assert [e.in_archive for e in Engine(index).document(linker.id).related] == [False]
    write(corpus, target)
    r = update_index(corpus, index)
    assert r.added == [target.id] and not r.changed  # the linker is not re-indexed
    assert [e.in_archive for e in Engine(index).document(linker.id).related] == [True]


# --- crashes, locks and concurrent readers -------------------------------------------

UPDATE = (
    "import sys; from pathlib import Path; from searchkit.engine import update_index;"
    "update_index(Path(sys.argv[1]), Path(sys.argv[2]), rebuild=sys.argv[3] == 'rebuild')"
)


def start_writer(corpus: Path, index: Path, point: str, tmp_path: Path, rebuild=False):
    marker = tmp_path / f"at-{point.replace(':', '-')}"
    env = {**os.environ, FAULT_POINT: point, FAULT_MARKER: str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-c", UPDATE, str(corpus), str(index), "rebuild" if rebuild else "-"],
        env=env,
    )
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert proc.poll() is None, "the writer ended before its checkpoint"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return proc


def kill(proc) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize(
    ("point", "rebuild"),
    [
        ("update:indexed", False),
        ("update:committed", False),
        ("build:indexed", True),
        ("build:committed", True),
        ("build:before-publish", True),
    ],
)
def test_sigkill_leaves_a_working_index_and_the_next_run_completes(
    corpus, index, tmp_path, point, rebuild
):
    write(corpus, Story(date(2021, 6, 6), "Meteor lights up the night sky"))
    (corpus / STORIES[5].id).unlink()
    proc = start_writer(corpus, index, point, tmp_path, rebuild)
    # While it runs, searches answer from the index as it was (or, once an incremental
    # commit is written, as it is now).
    committed = point == "update:committed"
    assert total(index, "volcano") == len(STORIES) - committed
    kill(proc)
    # Killed: the index opens and answers — as before, or with the committed change.
    assert total(index, "meteor") in (0, 1)
    assert total(index, "volcano") in (len(STORIES), len(STORIES) - 1)
    r = update_index(corpus, index)  # the lock of the dead writer is no obstacle
    assert not r.rebuilt or "rebuild" not in r.reason
    assert total(index, "meteor") == 1
    assert total(index, "volcano") == len(STORIES) - 1
    assert [p.name for p in index.glob("gen-*")] == [store.live_generation(index).name]


def test_random_kills_never_break_the_index(corpus, index, tmp_path):
    write(
        corpus,
        *[
            Story(date(2023, 1, 1 + i), f"Flood warning {i} for the river valley")
            for i in range(20)
        ],
    )
    for delay in (0.3, 0.6, 0.9, 1.2):
        proc = subprocess.Popen([sys.executable, "-c", UPDATE, str(corpus), str(index), "rebuild"])
        time.sleep(delay)
        kill(proc)
        assert total(index, "volcano") == len(STORIES)
        assert total(index, "flood") in (0, 20)
    update_index(corpus, index)
    assert total(index, "flood") == 20


def test_a_second_live_writer_is_told_who_holds_the_lock(corpus, index, tmp_path):
    proc = start_writer(corpus, index, "build:indexed", tmp_path, rebuild=True)
    try:
        with pytest.raises(IndexBusy, match=f"PID {proc.pid}"):
            update_index(corpus, index)
        done = threading.Event()
        waiter = threading.Thread(
            target=lambda: (update_index(corpus, index, wait=True), done.set())
        )
        waiter.start()
        time.sleep(0.5)
        assert not done.is_set()  # --wait waits for the holder
    finally:
        kill(proc)
    waiter.join(30)
    assert done.is_set()


# --- searchkit add ---------------------------------------------------------------------


def test_add_places_files_and_refuses_to_overwrite(corpus, index, tmp_path):
    outside = tmp_path / "incoming"
    outside.mkdir()
    story = Story(date(2024, 7, 4), "Heatwave breaks records in Spain")
    (outside / "heat.md").write_text(story.text())
    (outside / "report.txt").write_text("Heat Report\n\nTemperatures soar across Spain.\n")
    (outside / "junk.md").write_bytes(b"\x00\x01\x02binary")

    r = add_paths([outside], corpus)
    # A folder's articles keep their place under the folder's name (issue 10).
    assert sorted(dest for _, dest in r.copied) == ["articles/incoming/report.txt", story.id]
    assert [b.path for b in r.bad] == [str(outside / "junk.md")]
    assert not (corpus / "news" / "junk.md").exists()
    assert (corpus / story.id).read_text() == story.text()

    again = add_paths([outside / "heat.md"], corpus)
    assert again.identical and not again.copied

    (outside / "heat.md").write_text(story.text().replace("1. Reuters", "1. El País"))
    refused = add_paths([outside / "heat.md"], corpus)
    assert refused.refused == [(str(outside / "heat.md"), story.id)] and not refused.copied
    forced = add_paths([outside / "heat.md"], corpus, force=True)
    assert forced.copied and "El País" in (corpus / story.id).read_text()

    r = update_index(corpus, index)
    assert sorted(r.added) == ["articles/incoming/report.txt", story.id]
    assert total(index, "heatwave") == 1


# --- searchkit watch ---------------------------------------------------------------------


def test_watch_indexes_changes_as_they_happen(corpus, index):
    with watching(corpus, index) as updates:
        (sid,) = write(corpus, Story(date(2025, 1, 1), "Avalanche blocks mountain pass"))
        assert wait_for(lambda: total(index, "avalanche") == 1)
        (corpus / sid).unlink()
        assert wait_for(lambda: total(index, "avalanche") == 0)
    assert any(sid in u.added for u in updates) and any(sid in u.removed for u in updates)


def test_a_closed_engine_refuses_instead_of_hanging(index):
    from searchkit.engine import EngineClosed

    engine = Engine(index)
    engine.close()
    with pytest.raises(EngineClosed):
        engine.search(SearchRequest("volcano"))


def _search_until(index: str, stop_file: str, out: str) -> None:
    """One-shot searches (open, search, close) until ``stop_file`` appears."""
    import json
    from pathlib import Path

    from searchkit.engine import Engine
    from searchkit.model import SearchRequest

    done = failed = 0
    errors = []
    while not Path(stop_file).exists():
        try:
            with Engine(Path(index)) as eng:
                assert eng.search(SearchRequest("volcano")).total >= 40
            done += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failed += 1
            errors.append(f"{type(exc).__name__}: {exc}")
    Path(out).write_text(json.dumps({"done": done, "failed": failed, "errors": errors[:5]}))


def test_one_shot_searches_in_other_processes_never_fail_across_rebuilds(corpus, index, tmp_path):
    import json
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    stop = tmp_path / "stop"
    outs = [tmp_path / f"out{i}" for i in range(2)]
    procs = [
        ctx.Process(target=_search_until, args=(str(index), str(stop), str(out))) for out in outs
    ]
    for p in procs:
        p.start()
    try:
        time.sleep(1.0)
        for _ in range(6):
            assert update_index(corpus, index, rebuild=True).rebuilt
    finally:
        stop.touch()
        for p in procs:
            p.join(30)
    results = [json.loads(out.read_text()) for out in outs]
    assert sum(r["done"] for r in results) > 10
    assert [r["failed"] for r in results] == [0, 0], results
    # A generation still read at a switch is kept; the next writer removes it.
    update_index(corpus, index)
    assert len(list(index.glob("gen-*"))) == 1


def test_a_writer_killed_in_the_middle_of_a_catalog_commit_leaves_an_index_that_answers(
    index, corpus
):
    """kill -9 while the catalog's pages were being written leaves SQLite's journal
    behind; the next search rolls it back and answers as before (a read-only connection
    alone could not, and the index was called damaged)."""
    catalog = store.live_generation(index) / "catalog.sqlite"
    before = total(index, "volcano")
    writer = (
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size=1')\n"  # pages spill into the file before commit
        "db.execute('BEGIN IMMEDIATE')\n"
        "db.execute('DELETE FROM files')\n"
        "db.executemany('INSERT INTO files VALUES (?, 1, 1, ?, 0, ?)',"
        " ((f'x/{i}.md', 'd' * 64, 't' * 64) for i in range(20000)))\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(catalog)], check=False)
    assert Path(f"{catalog}-journal").stat().st_size > 0  # a hot journal was left
    assert total(index, "volcano") == before
    r = update_index(corpus, index)
    assert not (r.added or r.changed or r.removed)
