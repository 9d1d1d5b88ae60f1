"""The fused analyzer must yield exactly what Whoosh's accent-folding stemmer yields."""

from __future__ import annotations

import pytest
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.support.charset import accent_map

from searchkit.engine.analysis import FastStemmingAnalyzer
from tests.factory import REPO_CORPUS

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(REPO_CORPUS.rglob("*.*"))] + [
    "The U.S. and al-Nusra's fighters, 3.5 km away",
    "a",
    "",
    "  THE the The  ",
    "naïve café Über-Straße 2016-04-29 Erdoğan Liège Ærø São Paulo",
    "x.y.z a.b UNSC [UN Security Council] [bold]x[/]",
]
MODES = [
    {"positions": True},
    {"chars": True, "mode": "query"},
    {"positions": True, "chars": True, "removestops": False},
    {"tokenize": False},
    {"positions": True, "start_pos": 5, "start_char": 3, "chars": True},
]


def tokens(analyzer, text: str, **kw) -> list[tuple]:
    return [
        (
            t.text,
            getattr(t, "pos", None),
            getattr(t, "startchar", None),
            getattr(t, "endchar", None),
            t.stopped,
            t.boost,
        )
        for t in analyzer(text, **kw)
    ]


@pytest.mark.parametrize("kw", MODES)
def test_same_tokens_as_whoosh(kw):
    reference = StemmingAnalyzer() | CharsetFilter(accent_map)
    fast = FastStemmingAnalyzer()
    for text in TEXTS:
        assert tokens(fast, text, **kw) == tokens(reference, text, **kw), text[:40]
