"""`searchkit watch`: folders moved out, the index folder inside the corpus, signals."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from searchkit.engine.update import FAULT_MARKER, FAULT_POINT
from tests.factory import (
    Story,
    copy_repo_corpus,
    searchkit_command,
    total,
    wait_for,
    watching,
    write,
)

REPO = Path(__file__).resolve().parents[1]


def temp_files(*folders: Path) -> list[Path]:
    return [
        p for f in folders for p in f.rglob("*") if p.name.endswith(".tmp") or "spill" in p.name
    ]


def test_a_folder_moved_out_of_the_corpus_takes_its_documents_along(tmp_path):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    batch = corpus / "articles" / "batch"
    batch.mkdir()
    for i in range(3):
        (batch / f"{i}.txt").write_text(f"Glacier report {i}\n\nThe glacier melted.\n")
    index = tmp_path / "index"
    with watching(corpus, index):
        assert total(index, "glacier") == 3
        shutil.move(batch, tmp_path / "moved-out")
        assert wait_for(lambda: total(index, "glacier") == 0)
        shutil.move(tmp_path / "moved-out", batch)  # and back in
        assert wait_for(lambda: total(index, "glacier") == 3)


def test_the_index_folder_inside_the_corpus_is_ignored(tmp_path):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    index = corpus / "index"  # created by the watch's first update: not an event either
    with watching(corpus, index) as updates:
        time.sleep(1.0)  # a batch of events from the first update would be indexed now
        (index / "stray.md").write_text(Story(date(2020, 1, 1), "Stray story in index").text())
        (sid,) = write(corpus, Story(date(2025, 1, 1), "Avalanche blocks mountain pass"))
        assert wait_for(lambda: total(index, "avalanche") == 1)
        time.sleep(1.2)  # an update touches the index: that must not start another
        assert [u.added for u in updates] == [[sid]]
    assert total(index, "stray") == 0


def start_watch(corpus: Path, index: Path, env: dict | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(
        searchkit_command(corpus, index, "watch"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("Watching ")
    return proc


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_stop_it_like_ctrl_c(tmp_path, sig):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    proc = start_watch(corpus, index)
    try:
        assert proc.stdout.readline()  # the catch-up build's line: it is running
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.strip().endswith("Stopped.") and "Traceback" not in err
    assert not temp_files(corpus, index)


def test_a_signal_during_an_update_abandons_it_atomically(tmp_path):
    corpus = copy_repo_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    assert (
        subprocess.run(
            searchkit_command(corpus, index, "index"),
            cwd=REPO,
            capture_output=True,
        ).returncode
        == 0
    )
    marker = tmp_path / "marker"
    env = {**os.environ, FAULT_POINT: "update:indexed", FAULT_MARKER: str(marker)}
    proc = start_watch(corpus, index, env)
    try:
        write(corpus, Story(date(2025, 2, 2), "Comet seen over the desert"))
        assert wait_for(marker.exists)  # the update has indexed, not committed
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 0 and out.strip().endswith("Stopped."), err
    assert total(index, "comet") == 0 and total(index, "syria") > 0  # as before
    assert not temp_files(corpus, index)
