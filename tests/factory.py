"""Writing small corpora for tests, in the real story format."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO_CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@dataclass
class Story:
    day: date
    headline: str
    body: str = ""
    sources: list[str] = field(default_factory=lambda: ["Reuters"])
    related: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (id, headline, tags)

    def text(self) -> str:
        lines = [
            f"### [{self.day.isoformat()}](/news/{self.day:%Y/%m/%d}/index.md)",
            "",
            f"# {self.headline} ",
            "",
        ]
        if self.body:
            lines += [self.body, ""]
        lines += ["", "### Source:", ""]
        lines += [f"{i}. {s}" for i, s in enumerate(self.sources, 1)]
        lines += ["", "### Related:", ""]
        for i, (target, headline, tags) in enumerate(self.related, 1):
            ctx = f" _Context: {', '.join(tags)}_" if tags else ""
            lines.append(f"{i}. [{headline} ](/{target}){ctx}")
        return "\n".join(lines) + "\n"

    @property
    def id(self) -> str:
        from searchkit.corpus import story_path

        return story_path(self.day, self.headline)


def write(root: Path, *stories: Story) -> list[str]:
    ids = []
    for s in stories:
        path = root / s.id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(s.text(), encoding="utf-8")
        ids.append(s.id)
    return ids


def searchkit_command(corpus: Path, index: Path, *args: str) -> list[str]:
    """The command line that runs searchkit on ``corpus`` and ``index`` in a new process."""
    return [
        sys.executable,
        "-m",
        "searchkit",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
        *args,
    ]


def copy_repo_corpus(dest: Path) -> Path:
    shutil.copytree(REPO_CORPUS, dest, dirs_exist_ok=True)
    return dest


def total(index: Path, query: str) -> int:
    """How many documents ``query`` finds as typed (no spelling correction)."""
    from searchkit.engine import Engine
    from searchkit.model import SearchRequest

    with Engine(index) as engine:
        return engine.search(SearchRequest(query, suggest=False)).total


def wait_for(predicate, timeout: float = 15.0) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@contextmanager
def watching(corpus: Path, index: Path) -> Iterator[list]:
    """``searchkit watch`` in a thread for the block; yields the list of its updates."""
    import threading

    from searchkit.services.watch import watch

    stop, ready, updates = threading.Event(), threading.Event(), []
    t = threading.Thread(
        target=watch,
        args=(corpus, index, updates.append, stop),
        kwargs={"on_ready": lambda _r: ready.set()},
    )
    t.start()
    try:
        assert ready.wait(15)
        yield updates
    finally:
        stop.set()
        t.join(10)
    assert not t.is_alive()
