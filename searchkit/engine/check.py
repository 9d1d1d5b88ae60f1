"""``searchkit check``: verify an index against its own records and its corpus (in the
spirit of Lucene's CheckIndex), and repair it on request."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from searchkit.engine import integrity, store
from searchkit.engine.catalog import Catalog
from searchkit.errors import SearchkitError


@dataclass(slots=True)
class CheckReport:
    index: str
    engine: str = ""
    documents: int = 0
    files_checked: int = 0
    #: What makes the index untrustworthy: it must be rebuilt.
    problems: list[str] = field(default_factory=list)
    #: How the corpus changed since the last update (the index is sound but behind).
    behind: dict[str, int] = field(default_factory=dict)
    #: What ``repair`` did: "rebuilt", "updated" or "".
    repaired: str = ""

    @property
    def sound(self) -> bool:
        return not self.problems

    @property
    def current(self) -> bool:
        return not any(self.behind.values())


def _deep(gen: Path, report: CheckReport) -> Catalog | None:
    """Verify one generation; returns its catalog when it can be read."""
    try:
        meta = store.read_meta(gen)
        from searchkit.engine.service import check_versions

        backend = check_versions(gen.parent, meta)
        report.engine = backend.name
    except SearchkitError as exc:
        report.problems.append(getattr(exc, "reason", str(exc)))
        return None
    try:
        catalog = Catalog(gen)
    except SearchkitError as exc:
        report.problems.append(getattr(exc, "reason", str(exc)))
        return None
    quick = catalog.quick_check()
    if quick != "ok":
        report.problems.append(f"catalog.sqlite: {quick}")
    records = catalog.backend_files()
    if catalog.info().get("backend_key") != backend.current_key(gen):
        report.problems.append("an update was interrupted; `searchkit index` completes it")
    else:
        report.files_checked = len(records)
        report.problems += [f"index file {p}" for p in integrity.verify(gen, records, full=True)]
    report.problems += backend.check(gen)
    report.documents = catalog.document_count()
    return catalog


def _behind(corpus: Path, catalog: Catalog) -> dict[str, int]:
    from searchkit.corpus import iter_files

    known = catalog.files()
    added = changed = 0
    seen = set()
    for rel, size, mtime in iter_files(corpus):
        seen.add(rel)
        old = known.get(rel)
        if old is None:
            added += 1
        elif old[:2] != (size, mtime):
            changed += 1
    removed = sum(1 for rel in known if rel not in seen)
    return {"added": added, "changed": changed, "removed": removed}


def check_index(corpus: Path | None, index_dir: Path, *, repair: bool = False) -> CheckReport:
    """Verify ``index_dir`` (every file's checksum, the catalog, a full read by the
    backend) and, when ``corpus`` is given, how far it is behind it. With ``repair``,
    rebuild a damaged index and update one that is behind."""
    from searchkit.engine.update import update_index

    report = CheckReport(index=str(index_dir))
    catalog = None
    try:
        gen = store.live_generation(index_dir)
        if gen is None:
            report.problems.append("there is no index")
        else:
            catalog = _deep(gen, report)
    except SearchkitError as exc:
        report.problems.append(getattr(exc, "reason", str(exc)))
    try:
        if catalog is not None and corpus is not None and corpus.is_dir() and report.sound:
            report.behind = _behind(corpus, catalog)
    finally:
        if catalog is not None:
            catalog.close()
    if repair and corpus is not None and (not report.sound or not report.current):
        result = update_index(corpus, index_dir, rebuild=not report.sound)
        report.repaired = "rebuilt" if result.rebuilt else "updated"
        report.documents = result.documents
        report.engine = result.engine
    return report


__all__ = ["CheckReport", "check_index"]
