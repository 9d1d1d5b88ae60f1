"""`searchkit add`: copy files into the corpus at the place their content names."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from searchkit.model import FileReport


@dataclass(slots=True)
class AddReport:
    copied: list[tuple[str, str]] = field(default_factory=list)  # (source, corpus id)
    identical: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # exists and differs
    bad: list[FileReport] = field(default_factory=list)


def _candidates(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    q
                    for q in p.rglob("*")
                    if q.suffix in (".md", ".txt")
                    and q.is_file()
                    and not any(part.startswith(".") for part in q.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


def destination(source: Path, data: bytes) -> tuple[str | None, FileReport | None]:
    """The corpus id ``source`` belongs at, or the reason it cannot be added."""
    from searchkit.corpus import document_from_bytes, story_path

    name = source.name
    if source.suffix == ".md":
        doc, reports = document_from_bytes(data, f"news/{name}")
        if doc is None:
            return None, _first_bad(reports, str(source))
        if doc.date is None:
            return None, FileReport(str(source), "a story needs a date line")
        return story_path(doc.date, doc.title), None
    if source.suffix == ".txt":
        doc, reports = document_from_bytes(data, f"articles/{name}")
        if doc is None:
            return None, _first_bad(reports, str(source))
        return f"articles/{name}", None
    return None, FileReport(str(source), "not a story (.md) or an article (.txt)")


def _first_bad(reports: list[FileReport], path: str) -> FileReport:
    reason = next((r.reason for r in reports if r.skipped), "unreadable")
    return FileReport(path, reason)


def add_paths(paths: list[Path], corpus: Path, *, force: bool = False) -> AddReport:
    """Copy each file (folders: their .md/.txt files) into ``corpus``.

    An existing different file is not overwritten unless ``force``; identical files
    are skipped; files that cannot be read or parsed are reported and not copied.
    """
    report = AddReport()
    for source in _candidates(paths):
        try:
            data = source.read_bytes()
        except OSError as exc:
            report.bad.append(FileReport(str(source), f"cannot read: {exc.strerror or exc}"))
            continue
        dest_id, problem = destination(source, data)
        if problem is not None or dest_id is None:
            report.bad.append(problem or FileReport(str(source), "cannot be added"))
            continue
        dest = corpus / dest_id
        if dest.exists():
            try:
                same = dest.read_bytes() == data
            except OSError:
                same = False
            if same:
                report.identical.append((str(source), dest_id))
                continue
            if not force:
                report.refused.append((str(source), dest_id))
                continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)
        report.copied.append((str(source), dest_id))
    return report
