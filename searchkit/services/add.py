"""`searchkit add`: copy files into the corpus at the place their content names.

A story (``.md``) goes to ``news/YYYY/MM/D/<slug>.md`` from its date line and
headline. An article (``.txt``) named on the command line goes to
``articles/<name>``; the articles of a folder keep their sub-folders, under the
folder's own name (``bbc/business/001.txt`` → ``articles/bbc/business/001.txt``), or
under what follows an ``articles`` folder in their path (adding a whole corpus, or
its ``articles/`` folder, keeps its layout).

Within one run no two inputs go to the same place: the first one wins and the others
are reported (an identical copy counts as already there), so a file added earlier in
the run is never overwritten. Folders are walked like the corpus itself (no links
followed, special files reported); a file named on the command line is read through
a link (the user chose it), but only if it is a regular file within the size limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from searchkit.corpus import (
    decode_bytes,
    document_from_bytes,
    iter_files,
    read_bytes,
    read_path,
    story_path,
)
from searchkit.corpus.files import BAD_NAME, SUFFIXES, is_text_name
from searchkit.corpus.frontmatter import with_front_matter
from searchkit.model import FileReport

ARTICLES = "articles"


@dataclass(slots=True)
class AddReport:
    """What ``add_paths`` did with each input file (sources as given, ids in the corpus)."""

    copied: list[tuple[str, str]] = field(default_factory=list)  # written (new or replaced)
    replaced: set[str] = field(default_factory=set)  # ids of copied files that replaced one
    identical: list[tuple[str, str]] = field(default_factory=list)  # already in the corpus
    refused: list[tuple[str, str]] = field(default_factory=list)  # a different file is there
    clashes: list[tuple[str, str, str]] = field(default_factory=list)  # (src, id, earlier src)
    bad: list[FileReport] = field(default_factory=list)  # not read, not parsed, not written
    stories_with_metadata: int = 0  # stories given --outlet/--date (they carry their own)

    @property
    def added(self) -> int:
        return len(self.copied)

    @property
    def not_added(self) -> int:
        return len(self.refused) + len(self.clashes) + len(self.bad)


@dataclass(frozen=True, slots=True)
class _Input:
    source: str  # as the user can recognise it: the argument, or folder + relative path
    article_id: str | None  # where an article goes (None: see ``bad_name``)
    folder: str | None = None  # the added folder it was found in (None: named itself)
    rel: str = ""  # its path inside that folder

    def read(self) -> tuple[bytes | None, str | None]:
        if self.folder is None:  # named on the command line: read through a link
            return read_path(self.source)
        data, problem = read_bytes(self.folder, self.rel)  # no link below the folder
        return data, problem.reason if problem else None


def _article_id(parts: list[str]) -> str:
    """``articles/…`` for a path inside an added folder (its name first): what follows
    an ``articles`` folder in it, if any, else the whole path."""
    if ARTICLES in parts[:-1]:
        parts = parts[parts.index(ARTICLES) + 1 :]
    return "/".join([ARTICLES, *parts])


def _inputs(paths: list[Path], bad: list[FileReport]) -> list[_Input]:
    out: list[_Input] = []
    seen: set[str] = set()
    for p in paths:
        given = os.fspath(p)
        if os.path.isdir(given):
            name = os.path.basename(os.path.abspath(given))
            walk_reports: list[FileReport] = []
            found = sorted(rel for rel, _size, _mtime in iter_files(Path(given), walk_reports))
            for r in walk_reports:
                bad.append(FileReport(os.path.join(given, r.path), r.reason))
            for rel in found:
                path = os.path.join(given, rel)
                real = os.path.realpath(path)
                if real not in seen:
                    seen.add(real)
                    article_id = _article_id([name, *rel.split("/")])
                    out.append(_Input(path, article_id, given, rel))
            continue
        real = os.path.realpath(given)
        if real in seen:
            continue
        seen.add(real)
        name = os.path.basename(given)
        out.append(_Input(given, None if _bad_name(name) else f"{ARTICLES}/{name}"))
    return out


def _bad_name(name: str) -> str | None:
    """Why a file name cannot be an article's name in the corpus, or None."""
    if not is_text_name(name):
        return BAD_NAME
    if name.startswith("."):
        return "hidden file name (the index skips hidden files)"
    return None


def _first_bad(reports: list[FileReport], source: str) -> FileReport:
    reason = next((r.reason for r in reports if r.skipped), "cannot be parsed")
    return FileReport(source, reason)


def article_bytes(data: bytes, *, outlet: str | None = None, day: date | None = None) -> bytes:
    """An article's bytes with ``outlet``/``date`` written into its front-matter block.

    Without either, the bytes are returned as they are. Otherwise the text (decoded as
    the indexer would: a legacy encoding is converted) is written back as UTF-8.
    """
    values = {}
    if outlet:
        values["outlet"] = outlet
    if day:
        values["date"] = day.isoformat()
    if not values:
        return data
    text, _notice = decode_bytes(data)
    return with_front_matter(text, values).encode("utf-8")


def destination(
    source: str, data: bytes, article_id: str | None
) -> tuple[str | None, FileReport | None]:
    """The corpus id ``source`` belongs at, or the reason it cannot be added."""
    lower = source.lower()
    if lower.endswith(".md"):
        doc, reports = document_from_bytes(data, "news/x.md")
        if doc is None:
            return None, _first_bad(reports, source)
        if doc.date is None:
            return None, FileReport(source, "a story needs a date line")
        return story_path(doc.date, doc.title), None
    if lower.endswith(".txt"):
        if article_id is None:
            reason = _bad_name(os.path.basename(source)) or "not a usable file name"
            return None, FileReport(source, reason)
        doc, reports = document_from_bytes(data, article_id)
        if doc is None:
            return None, _first_bad(reports, source)
        return article_id, None
    return None, FileReport(source, "not a story (.md) or an article (.txt)")


def _link_on_the_way(corpus: Path, dest_id: str) -> bool:
    """Does the folder ``dest_id`` goes into cross a link (that would lead the copy out
    of the corpus)? Checked before folders are created, and again after."""
    path = os.fspath(corpus)
    for part in dest_id.split("/")[:-1]:
        path = os.path.join(path, part)
        if os.path.islink(path):
            return True
    folder = os.path.dirname(os.path.join(os.fspath(corpus), *dest_id.split("/")))
    if os.path.isdir(folder):
        want = os.path.join(os.path.realpath(corpus), *dest_id.split("/")[:-1])
        return os.path.realpath(folder) != want
    return False


def add_paths(
    paths: list[Path],
    corpus: Path,
    *,
    force: bool = False,
    outlet: str | None = None,
    day: date | None = None,
) -> AddReport:
    """Copy each file (folders: their .md/.txt files) into ``corpus``.

    An existing different file is not overwritten unless ``force``; identical files
    are skipped; files that cannot be read or parsed are reported and not copied; two
    inputs never go to the same place in one run. ``outlet`` and ``day`` are written
    into each article's front-matter block (stories carry their own).
    """
    report = AddReport()
    claimed: dict[str, tuple[str, bytes]] = {}  # id -> (source, bytes) in this run
    for item in _inputs(paths, report.bad):
        if not item.source.lower().endswith(SUFFIXES):
            report.bad.append(FileReport(item.source, "not a story (.md) or an article (.txt)"))
            continue
        data, reason = item.read()
        if data is None:
            report.bad.append(FileReport(item.source, reason or "unreadable"))
            continue
        is_article = item.source.lower().endswith(".txt")
        if is_article:
            data = article_bytes(data, outlet=outlet, day=day)
        elif outlet or day:
            report.stories_with_metadata += 1
        dest_id, problem = destination(item.source, data, item.article_id)
        if problem is not None or dest_id is None:
            report.bad.append(problem or FileReport(item.source, "cannot be added"))
            continue
        if dest_id in claimed:
            earlier, earlier_data = claimed[dest_id]
            if earlier_data == data:
                report.identical.append((item.source, dest_id))
            else:
                report.clashes.append((item.source, dest_id, earlier))
            continue
        claimed[dest_id] = (item.source, data)
        _place(report, corpus, item.source, dest_id, data, force)
    return report


def _place(
    report: AddReport, corpus: Path, source: str, dest_id: str, data: bytes, force: bool
) -> None:
    dest = corpus.joinpath(*dest_id.split("/"))
    existing = os.path.lexists(dest)
    if existing:
        # read_bytes: an existing link, pipe or huge file at the target is never read.
        old, _problem = read_bytes(corpus, dest_id)
        if old == data:
            report.identical.append((source, dest_id))
            return
        if not force:
            report.refused.append((source, dest_id))
            return
    try:
        if not _link_on_the_way(corpus, dest_id):
            dest.parent.mkdir(parents=True, exist_ok=True)
        if _link_on_the_way(corpus, dest_id):
            report.bad.append(FileReport(source, f"not written: {dest_id} is behind a link"))
            return
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        report.bad.append(FileReport(source, f"cannot write {dest_id}: {exc.strerror or exc}"))
        return
    report.copied.append((source, dest_id))
    if existing:
        report.replaced.add(dest_id)
