"""The corpus folder as a boundary: finding its files and reading one of them safely.

Nothing here follows a symbolic link, file or folder: a link that points out of the
corpus is reported ("link outside the corpus") and skipped; a link that stays inside
is skipped silently, because what it points to is found (and indexed) under its own
path. So ids are real paths below the corpus root, and link loops cannot occur.
Named pipes, sockets and devices are reported and never opened by the walk; a name
that is not valid UTF-8 is reported and skipped (an id must be text); a folder that
cannot be listed is reported. Sizes are checked with a stat before anything is read,
and a read is bounded, so a 1 GB file costs a stat, not a gigabyte of memory.

POSIX only (``O_NOFOLLOW``, ``O_NONBLOCK``, ``dir_fd``), like the index's lock.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from searchkit.model import FileReport

#: Files larger than this are skipped: no news document comes near it.
MAX_FILE_BYTES = 16 * 1024 * 1024
SUFFIXES = (".md", ".txt")

LINK_OUTSIDE = "link outside the corpus (not followed)"
LINK_INSIDE = "symbolic link (not followed)"
BROKEN_LINK = "broken symbolic link"
BAD_NAME = "file name is not valid UTF-8"
BAD_FOLDER_NAME = "folder name is not valid UTF-8 (its files are not indexed)"
TOO_LARGE = f"too large (over {MAX_FILE_BYTES >> 20} MiB)"

_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# Linux names the file an open descriptor really is: one readlink proves that a path
# crossed no link, where walking it component by component costs an open per folder.
_PROC_FD = "/proc/self/fd"
_USE_PROC = os.path.isdir(_PROC_FD)


def is_text_name(name: str) -> bool:
    """False for a name holding bytes that were not UTF-8 (kept as lone surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def special_kind(mode: int) -> str:
    """What a file that is not a regular file or a folder is, for a report."""
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def _not_regular(mode: int) -> str:
    return f"{special_kind(mode)} (not a regular file)"


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def link_reason(path: str, real_root: str) -> str:
    """Why a path that crosses a symbolic link is not read: its target is outside the
    corpus, inside it (indexed under its own path), or missing (or a loop)."""
    try:
        real = os.path.realpath(path, strict=True)
    except OSError:
        return BROKEN_LINK
    return LINK_INSIDE if _inside(real, real_root) else LINK_OUTSIDE


def iter_files(
    root: Path, reports: list[FileReport] | None = None, exclude: Iterable[Path] = ()
) -> Iterator[tuple[str, int, int]]:
    """Yield ``(rel_id, size, mtime_ns)`` for every regular ``*.md``/``*.txt`` file under root.

    ``rel_id`` is relative to root with "/" separators, and ids come in sorted order
    (Python's string order, which is SQLite's for the same text): a folder's entries are
    visited sorted by name, a folder's name with "/" after it, so the walk can be merged
    with a sorted listing of what the index holds instead of loaded beside it.
    Hidden files and folders (name starting with ".") are skipped silently, and so are
    the folders in ``exclude`` (e.g. the index folder inside the corpus), links that
    stay inside the corpus, and entries that vanish while walking. Appended to
    ``reports`` (when given), and skipped: links outside the corpus, broken ``.md``/
    ``.txt`` links, named pipes, sockets and devices with those suffixes, names that
    are not valid UTF-8, and folders that cannot be listed. The root itself may be a
    link: it is the user's choice of corpus.
    """
    top = os.fspath(root)
    real_top = os.path.realpath(top)
    skip = {os.path.realpath(os.fspath(p)) for p in exclude}

    def tell(rel: str, reason: str) -> None:
        if reports is not None:
            reports.append(FileReport(rel, reason))

    def listing(folder: str, prefix: str) -> Iterator[tuple[os.DirEntry, str]]:
        """A folder's visible entries with their sort keys, in sorted order."""
        try:
            with os.scandir(folder) as entries:
                keyed = []
                for entry in entries:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    keyed.append((name + "/" if is_dir else name, entry))
        except (FileNotFoundError, NotADirectoryError):
            return iter(())  # vanished (or replaced) since it was listed
        except OSError as exc:
            tell(prefix.rstrip("/") or ".", f"cannot read folder: {exc.strerror or exc}")
            return iter(())
        keyed.sort(key=lambda pair: pair[0])
        return iter(keyed)

    stack = [("", listing(top, ""))]
    while stack:
        prefix, entries = stack[-1]
        for key, entry in entries:
            name = entry.name
            if key[-1] == "/":
                rel = prefix + name
                if not is_text_name(name):
                    tell(rel, BAD_FOLDER_NAME)
                elif not (skip and os.path.join(real_top, rel) in skip):
                    stack.append((rel + "/", listing(entry.path, rel + "/")))
                    break  # its files come next, then the rest of this folder
                continue
            try:
                wanted = name.lower().endswith(SUFFIXES)
                if entry.is_symlink():
                    reason = link_reason(entry.path, real_top)
                    # A link to a folder matters whatever its name.
                    if reason != LINK_INSIDE and (wanted or os.path.isdir(entry.path)):
                        tell(prefix + name, reason)
                    continue
                if not wanted:
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                tell(prefix + name, _not_regular(st.st_mode))
            elif not is_text_name(name):
                tell(prefix + name, BAD_NAME)
            else:
                yield prefix + name, st.st_size, st.st_mtime_ns
        else:
            stack.pop()


def _read_open(fd: int, label: str) -> tuple[bytes | None, FileReport | None]:
    """Check an open descriptor (regular file, size within the limit) and read it,
    never more than the limit allows even if the file grows meanwhile."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return None, FileReport(label, _not_regular(st.st_mode))
    if st.st_size > MAX_FILE_BYTES:
        return None, FileReport(label, TOO_LARGE)
    cap = MAX_FILE_BYTES + 1
    want = min(st.st_size + 1, cap)
    first = os.read(fd, want)
    if len(first) < want:  # a short read of a regular file: its end (the usual case)
        return first, None
    chunks, got = [first], len(first)
    while chunks[-1] and got < cap:
        chunks.append(os.read(fd, min(1 << 20, cap - got)))
        got += len(chunks[-1])
    if got > MAX_FILE_BYTES:
        return None, FileReport(label, TOO_LARGE)
    return b"".join(chunks), None


@functools.lru_cache(maxsize=16)
def _real_root(top: str) -> str:
    """The corpus root with links resolved, remembered: were the root moved meanwhile,
    the check against it fails and the file is refused, never read from elsewhere."""
    return os.path.realpath(top)


def _unreadable(label: str, exc: OSError) -> FileReport:
    return FileReport(label, f"unreadable: {exc.strerror or exc}")


def read_bytes(root: str | Path, rel_id: str) -> tuple[bytes | None, FileReport | None]:
    """The bytes of the corpus file ``rel_id``, or why it was not read: ``(data, None)``
    or ``(None, report)``; never raises for a bad file.

    Only a regular file reached without crossing any symbolic link below ``root`` is
    read (a link out of the corpus is reported as such). Its type and size are checked
    with a stat before it is opened; it is opened non-blocking (a named pipe swapped in
    since cannot hang the read) and checked again on the open descriptor; the read is
    bounded by ``MAX_FILE_BYTES``.
    """
    parts = rel_id.split("/")
    if not rel_id or any(p in ("", ".", "..") for p in parts):
        return None, FileReport(rel_id, "not a path inside the corpus")
    if not is_text_name(rel_id):
        return None, FileReport(rel_id, BAD_NAME)
    top = os.fspath(root)
    if not _USE_PROC:
        return _read_walking(top, parts, rel_id)
    if top[:1] != "/":
        top = os.path.abspath(top)  # the root's real path is remembered by name
    path = f"{top.rstrip('/')}/{rel_id}"
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISLNK(st.st_mode):
                return None, FileReport(rel_id, link_reason(path, os.path.realpath(top)))
            return None, FileReport(rel_id, _not_regular(st.st_mode))
        if st.st_size > MAX_FILE_BYTES:
            return None, FileReport(rel_id, TOO_LARGE)
        fd = os.open(path, _OPEN_FILE)
    except OSError as exc:
        return None, _refused(top, parts, rel_id, exc)
    try:
        if os.readlink(f"{_PROC_FD}/{fd}") != f"{_real_root(top).rstrip('/')}/{rel_id}":
            # A folder on the way is a link, or the file was replaced meanwhile.
            return None, _refused(top, parts, rel_id, None)
        return _read_open(fd, rel_id)
    except OSError as exc:
        return None, _unreadable(rel_id, exc)
    finally:
        os.close(fd)


def _read_walking(
    top: str, parts: list[str], rel_id: str
) -> tuple[bytes | None, FileReport | None]:
    """``read_bytes`` without /proc: open folder by folder, refusing links on the way."""
    try:
        dir_fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        return None, _unreadable(rel_id, exc)
    try:
        for part in parts[:-1]:
            sub = os.open(part, _OPEN_DIR, dir_fd=dir_fd)
            os.close(dir_fd)
            dir_fd = sub
        st = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISLNK(st.st_mode):
                path = os.path.join(top, *parts)
                return None, FileReport(rel_id, link_reason(path, os.path.realpath(top)))
            return None, FileReport(rel_id, _not_regular(st.st_mode))
        if st.st_size > MAX_FILE_BYTES:
            return None, FileReport(rel_id, TOO_LARGE)
        fd = os.open(parts[-1], _OPEN_FILE, dir_fd=dir_fd)
    except OSError as exc:
        return None, _refused(top, parts, rel_id, exc)
    finally:
        os.close(dir_fd)
    try:
        return _read_open(fd, rel_id)
    except OSError as exc:
        return None, _unreadable(rel_id, exc)
    finally:
        os.close(fd)


def _refused(top: str, parts: list[str], rel_id: str, exc: OSError | None) -> FileReport:
    """Why a read failed: a link on the way (out of the corpus or not), else the error."""
    path = top
    for part in parts:
        path = os.path.join(path, part)
        if os.path.islink(path):
            return FileReport(rel_id, link_reason(path, os.path.realpath(top)))
    if exc is None:
        return FileReport(rel_id, "unreadable: it changed while being read")
    return _unreadable(rel_id, exc)


def read_path(path: str | Path) -> tuple[bytes | None, str | None]:
    """The bytes of a file outside the corpus that the user named (``searchkit add``),
    or why not: links are followed (the user chose the path), but only a regular file
    within the size limit is read, opened non-blocking so a named pipe cannot hang."""
    label = os.fspath(path)
    try:
        st = os.stat(label)
        if not stat.S_ISREG(st.st_mode):
            return None, _not_regular(st.st_mode)
        if st.st_size > MAX_FILE_BYTES:
            return None, TOO_LARGE
        fd = os.open(label, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    try:
        data, problem = _read_open(fd, label)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    finally:
        os.close(fd)
    return data, problem.reason if problem else None
