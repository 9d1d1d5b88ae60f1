"""The conformance suite runs once per backend that can be imported here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from searchkit.engine import Engine, backends, update_index
from tests.factory import Story, write

ENGINES = backends.available()


def pytest_generate_tests(metafunc):
    if "engine_name" in metafunc.fixturenames:
        metafunc.parametrize("engine_name", ENGINES, scope="module")


# --- the fixed corpus -------------------------------------------------------------------

ALEPPO = Story(
    date(2016, 4, 29),
    "Airstrikes hit a hospital in Aleppo",
    body="Doctors say the hospital was the last one in the city. The prime minister of "
    "the UK condemned the strikes.",
    sources=["Al Jazeera", "Reuters"],
    related=[("news/2016/04/20/earlier.md", "Earlier", ["Syrian Civil War", "Aleppo"])],
)
CEASEFIRE = Story(
    date(2016, 2, 27),
    "A ceasefire begins in Syria",
    body="The truce excludes ISIL and al-Nusra.",
    sources=["Aljazeera"],
    related=[(ALEPPO.id, ALEPPO.headline, ["Syrian civil war"])],
)
ERDOGAN = Story(
    date(2017, 4, 16),
    "Erdoğan wins the Turkish referendum",
    body="President Erdoğan claimed victory; 北京 and Москва reacted.",
    sources=["AFP via Yahoo! News"],
    related=[("news/2017/04/1/x.md", "X", ["Turkey", "Israeli–Palestinian conflict"])],
)
MARKETS = Story(
    date(2019, 5, 7),
    "M&S and AT&T shares fall in the US",
    body="Shares of M&S fell after the U.S. results; AT&T banned a planned deal.",
    sources=["AFP via Yahoo News"],
    related=[("news/2019/05/1/y.md", "Y", ["Israeli-Palestinian conflict", "Economy"])],
)
ANCIENT = Story(date(1, 1, 1), "The first day of the calendar", sources=["Chronicle"])
EDGE_1600 = Story(date(1600, 6, 15), "A comet over Prague", sources=["Chronicle"])
EDGE_1677 = Story(date(1677, 12, 31), "The last day of 1677", sources=["Chronicle"])
FAR = Story(date(9999, 12, 31), "The very last day of the calendar", sources=["Chronicle"])
STORIES = [ALEPPO, CEASEFIRE, ERDOGAN, MARKETS, ANCIENT, EDGE_1600, EDGE_1677, FAR]

ARTICLES = {
    "articles/sputnik-raqqa.txt": (
        "Syrian Army Plans Raqqa Offensive\n\n"
        "GENEVA (Sputnik) – The Syrian army plans an offensive on Raqqa, a general said.\n"
    ),
    "articles/no-dateline.txt": (
        "Hospital bombing condemned\n\nAid groups condemned the bombing of a hospital in "
        "Aleppo, saying the attack killed doctors.\n"
    ),
}


def write_corpus(root: Path) -> Path:
    write(root, *STORIES)
    for rel, text in ARTICLES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


ALL_IDS = {s.id for s in STORIES} | set(ARTICLES)


@pytest.fixture(scope="module")
def built(engine_name, tmp_path_factory) -> tuple[Path, Path]:
    root = write_corpus(tmp_path_factory.mktemp(f"corpus-{engine_name}"))
    index = tmp_path_factory.mktemp(f"index-{engine_name}")
    report = update_index(root, index, engine=engine_name)
    assert report.rebuilt and report.documents == len(ALL_IDS), report.reports
    return root, index


@pytest.fixture(scope="module")
def engine(built) -> Engine:
    eng = Engine(built[1])
    yield eng
    eng.close()


@pytest.fixture
def fresh(engine_name, tmp_path) -> tuple[Path, Path]:
    """A corpus and index of its own, for tests that change them."""
    root = write_corpus(tmp_path / "corpus")
    index = tmp_path / "index"
    update_index(root, index, engine=engine_name)
    return root, index
