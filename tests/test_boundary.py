"""The corpus is a boundary: links, special files, hostile names, sizes, NULs (issue 13).

What a user relies on: nothing outside the corpus folder is ever read into the index,
no file name or file type stops a build or hangs it, and a huge file costs a stat.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import date
from pathlib import Path

import pytest

import searchkit.corpus.files as files
from searchkit.corpus import MAX_FILE_BYTES, iter_files, read_bytes, read_document
from searchkit.engine import Engine, update_index
from tests.factory import Story, total, write

SECRET = "Zanzibar secret credentials line\n\nThe token is hunter2 and it must never be indexed.\n"


def walk(root: Path, **kwargs) -> tuple[set[str], dict[str, str]]:
    reports: list = []
    found = {rel for rel, _size, _mtime in iter_files(root, reports, **kwargs)}
    return found, {r.path: r.reason for r in reports}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET)
    return folder


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    write(root, Story(date(2016, 4, 29), "Volcano erupts near the coast", "Lava flows."))
    (root / "articles").mkdir()
    (root / "articles" / "plain.txt").write_text("Plain headline\n\nA plain article body.\n")
    return root


# --- links ---------------------------------------------------------------------------------


def test_links_out_of_the_corpus_are_reported_and_never_read(corpus, outside, tmp_path):
    os.symlink(outside / "secret.txt", corpus / "articles" / "notes.txt")
    os.symlink(outside, corpus / "articles" / "linked", target_is_directory=True)
    os.symlink(outside, corpus / "elsewhere")  # a folder link without a .txt name

    found, reports = walk(corpus)
    assert found == {
        Story(date(2016, 4, 29), "Volcano erupts near the coast").id,
        "articles/plain.txt",
    }
    outside_reason = "link outside the corpus (not followed)"
    assert reports == {
        "articles/notes.txt": outside_reason,
        "articles/linked": outside_reason,
        "elsewhere": outside_reason,
    }
    # Read directly (an id from an old manifest, a watcher event): still refused.
    assert read_bytes(corpus, "articles/notes.txt") == (
        None,
        files.FileReport("articles/notes.txt", outside_reason),
    )
    data, report = read_bytes(corpus, "articles/linked/secret.txt")
    assert data is None and report.reason == outside_reason

    index = tmp_path / "index"
    r = update_index(corpus, index)
    assert r.documents == 2
    assert {x.path for x in r.skipped} == set(reports)
    assert total(index, "hunter2") == 0 and total(index, "zanzibar") == 0


@pytest.mark.parametrize("use_proc", [True, False], ids=["proc", "walking"])
def test_read_bytes_refuses_every_link_on_the_way(corpus, outside, monkeypatch, use_proc):
    monkeypatch.setattr(files, "_USE_PROC", use_proc)
    os.symlink(outside, corpus / "news" / "out", target_is_directory=True)
    os.symlink(corpus / "articles", corpus / "news" / "in", target_is_directory=True)
    os.symlink("plain.txt", corpus / "articles" / "alias.txt")

    assert (
        read_bytes(corpus, "articles/plain.txt")[0] == b"Plain headline\n\nA plain article body.\n"
    )
    assert read_bytes(corpus, "news/out/secret.txt")[1].reason == files.LINK_OUTSIDE
    assert read_bytes(corpus, "news/in/plain.txt")[1].reason == files.LINK_INSIDE
    assert read_bytes(corpus, "articles/alias.txt")[1].reason == files.LINK_INSIDE
    assert read_bytes(corpus, "articles/gone.txt")[1].reason.startswith("unreadable")
    assert read_bytes(corpus, "../outside/secret.txt")[1].reason == "not a path inside the corpus"


def test_links_inside_are_skipped_silently_and_loops_cannot_hang(corpus):
    os.symlink("plain.txt", corpus / "articles" / "alias.txt")  # target indexed as itself
    os.symlink(".", corpus / "articles" / "self", target_is_directory=True)
    os.symlink(corpus, corpus / "articles" / "root", target_is_directory=True)
    os.symlink("b.txt", corpus / "articles" / "a.txt")
    os.symlink("a.txt", corpus / "articles" / "b.txt")
    os.symlink("missing.md", corpus / "news" / "dangling.md")

    found, reports = walk(corpus)
    assert "articles/plain.txt" in found and len(found) == 2
    assert reports == {
        "articles/a.txt": files.BROKEN_LINK,
        "articles/b.txt": files.BROKEN_LINK,
        "news/dangling.md": files.BROKEN_LINK,
    }


def test_a_relative_root_means_the_current_folder_each_time(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / name / "corpus").mkdir(parents=True)
        (tmp_path / name / "corpus" / "f.txt").write_text(name)
        monkeypatch.chdir(tmp_path / name)
        assert read_bytes("corpus", "f.txt") == (name.encode(), None)


def test_the_corpus_folder_itself_may_be_a_link(corpus, tmp_path):
    link = tmp_path / "corpus-link"
    os.symlink(corpus, link, target_is_directory=True)
    found, reports = walk(link)
    assert len(found) == 2 and not reports
    assert read_bytes(link, "articles/plain.txt")[0] is not None


# --- special files, names, folders ---------------------------------------------------------


def test_pipes_and_sockets_are_reported_and_never_opened(corpus, tmp_path, monkeypatch):
    os.mkfifo(corpus / "articles" / "pipe.txt")
    monkeypatch.chdir(corpus / "news")  # AF_UNIX paths are short: bind a relative one
    sock = socket.socket(socket.AF_UNIX)
    sock.bind("sock.md")
    try:
        found, reports = walk(corpus)
        assert reports == {
            "articles/pipe.txt": "named pipe (not a regular file)",
            "news/sock.md": "socket (not a regular file)",
        }
        assert len(found) == 2

        done = threading.Event()
        result = []
        threading.Thread(
            target=lambda: (result.append(read_bytes(corpus, "articles/pipe.txt")), done.set()),
            daemon=True,
        ).start()
        assert done.wait(5), "reading a named pipe hung"
        assert result[0][1].reason == "named pipe (not a regular file)"
        assert (
            files.read_path(corpus / "articles" / "pipe.txt")[1]
            == "named pipe (not a regular file)"
        )
        assert files.read_path("sock.md") == (None, "socket (not a regular file)")
        r = update_index(corpus, tmp_path / "index")
    finally:
        sock.close()
    assert r.documents == 2 and {"articles/pipe.txt", "news/sock.md"} <= {x.path for x in r.skipped}


def test_any_name_the_os_allows_is_indexed_or_reported(corpus, tmp_path):
    hostile = [
        "articles/esc\x1b[2Jclear\x1b]52;c;aGk=\x07.txt",
        "articles/new\nline.txt",
        "articles/rtl\u202etxt.exe.txt",
        "articles/[bold red]markup[reset].txt",
    ]
    for rel in hostile:
        (corpus / rel).write_text("Hostile name headline\n\nQuokka body text.\n")
    bad = os.path.join(os.fsencode(corpus), b"articles", b"latin\xe9\xff.txt")
    with open(bad, "wb") as fh:
        fh.write(b"Bad bytes headline\n\nQuokka in a file with a bad name.\n")
    os.mkdir(os.path.join(os.fsencode(corpus), b"dir\xff"))
    with open(os.path.join(os.fsencode(corpus), b"dir\xff", b"x.txt"), "wb") as fh:
        fh.write(b"Under a bad folder\n\nQuokka.\n")

    found, reports = walk(corpus)
    assert set(hostile) <= found
    bad_rel = "articles/" + os.fsdecode(b"latin\xe9\xff.txt")
    assert reports == {bad_rel: files.BAD_NAME, os.fsdecode(b"dir\xff"): files.BAD_FOLDER_NAME}
    assert read_bytes(corpus, bad_rel) == (None, files.FileReport(bad_rel, files.BAD_NAME))

    index = tmp_path / "index"
    r = update_index(corpus, index)  # a build with such names completes
    assert r.rebuilt and r.documents == 2 + len(hostile)
    assert total(index, "quokka") == len(hostile)
    with Engine(index) as engine:
        assert all(engine.has(rel) for rel in hostile)
    again = update_index(corpus, index)  # and so does every incremental update
    assert not (again.added or again.changed or again.removed)


def test_an_unreadable_folder_is_reported(corpus, monkeypatch):
    locked = corpus / "articles" / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("Locked\n\nbody.\n")
    real = os.scandir

    def scandir(path):
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, reports = walk(corpus)
    assert reports == {"articles/locked": "cannot read folder: Permission denied"}
    assert len(found) == 2


def test_excluded_folders_are_not_walked(corpus, tmp_path):
    inside = corpus / "index"
    inside.mkdir()
    (inside / "stray.md").write_text("### [2016-01-01]\n\n# x\n")
    found, _ = walk(corpus, exclude=[inside])
    assert not any(rel.startswith("index/") for rel in found)
    # The same folder named through a link is excluded too.
    link = tmp_path / "index-link"
    os.symlink(inside, link, target_is_directory=True)
    found, _ = walk(corpus, exclude=[link])
    assert not any(rel.startswith("index/") for rel in found)


# --- sizes and NULs -------------------------------------------------------------------------


def test_a_huge_file_is_skipped_after_a_stat(corpus, tmp_path, monkeypatch):
    huge = corpus / "articles" / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 30)  # sparse: 1 GB without the disk space
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    assert read_bytes(corpus, "articles/huge.txt")[1].reason == files.TOO_LARGE
    assert files.read_path(huge) == (None, files.TOO_LARGE)
    assert reads == []  # not one byte read
    doc, reports = read_document(corpus, "articles/huge.txt")
    assert doc is None and reports[0].reason == "too large (over 16 MiB)"


def test_a_huge_file_is_reported_once_until_it_changes(corpus, tmp_path):
    huge = corpus / "articles" / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(1 << 30)
    index = tmp_path / "index"
    first = update_index(corpus, index)
    assert [r.path for r in first.skipped] == ["articles/huge.txt"]
    assert not update_index(corpus, index).skipped  # unchanged: not told again
    huge.write_text("Now a small article\n\nWith a body.\n")
    assert "articles/huge.txt" in update_index(corpus, index).added


def test_reads_are_bounded_at_the_limit(tmp_path):
    for size, ok in ((MAX_FILE_BYTES, True), (MAX_FILE_BYTES + 1, False)):
        path = tmp_path / f"f{size}.txt"
        with open(path, "wb") as fh:
            fh.truncate(size)
        data, report = read_bytes(tmp_path, path.name)
        assert (data is not None and len(data) == size) if ok else report.reason == files.TOO_LARGE


def test_a_file_growing_past_the_limit_while_read_is_not_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 100)
    real_lstat, real_fstat = os.lstat, os.fstat

    class Small:  # the stats saw the file when it was small; it has grown since
        def __init__(self, st):
            self.st_mode, self.st_size = st.st_mode, 100

    with open(path, "ab") as fh:
        fh.truncate(MAX_FILE_BYTES + 4096)
    monkeypatch.setattr(os, "lstat", lambda p: Small(real_lstat(p)))
    monkeypatch.setattr(os, "fstat", lambda fd: Small(real_fstat(fd)))
    reads = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    data, report = read_bytes(tmp_path, "growing.txt")
    assert data is None and report.reason == files.TOO_LARGE
    assert sum(reads) <= MAX_FILE_BYTES + 1  # it stopped at the limit


def test_stray_nuls_are_dropped_with_a_notice_and_binary_is_skipped(corpus, tmp_path):
    text = b"Nul headline\n\nBody text \x00with a few\x00 stray NULs, which is a real article.\n"
    (corpus / "articles" / "nul.txt").write_bytes(text)
    (corpus / "articles" / "bin.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "articles" / "zeros.txt").write_bytes(b"Some text\n" + b"\x00" * 500)
    doc, reports = read_document(corpus, "articles/nul.txt")
    assert doc is not None and doc.title == "Nul headline"
    assert "\x00" not in doc.body and "with a few stray NULs" in doc.body
    assert [(r.reason, r.skipped) for r in reports] == [("2 stray NUL bytes dropped", False)]
    for rel in ("articles/bin.txt", "articles/zeros.txt"):
        doc, reports = read_document(corpus, rel)
        assert doc is None and reports[0].reason == "binary file (not text)"
    r = update_index(corpus, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        assert engine.has("articles/nul.txt") and not engine.has("articles/bin.txt")
    assert [n.reason for n in r.notices] == ["2 stray NUL bytes dropped"]
