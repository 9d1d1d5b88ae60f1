"""The analysis specification: what a text's terms are, on every engine."""

from __future__ import annotations

import pytest

from searchkit.engine import analysis
from tests.factory import REPO_CORPUS

TEXTS = [p.read_text(encoding="utf-8") for p in sorted(REPO_CORPUS.rglob("*.*"))] + [
    "The U.S. and al-Nusra's fighters, 3.5 km away",
    "a",
    "",
    "  THE the The  ",
    "naïve café Über-Straße 2016-04-29 Erdoğan Liège Ærø São Paulo",
    "x.y.z a.b UNSC [UN Security Council] [bold]x[/]",
    "M&S and AT&T: Q&A with J&J",
    "北京市政府 announced 東京 plans",
]


def terms(text: str) -> list[str]:
    return analysis.terms(text)


def test_no_word_is_dropped():
    assert terms("US WHO IT May the of") == ["us", "who", "it", "may", "the", "of"]


def test_names_with_ampersands_are_one_token():
    assert terms("M&S and AT&T, Q&A J&J") == ["m&s", "and", "at&t", "q&a", "j&j"]
    assert terms("rock & roll") == ["rock", "roll"]


def test_acronyms_with_dots_are_the_plain_acronym():
    assert terms("U.S.") == terms("US") == ["us"]
    assert terms("the U.N. and U.S.A") == ["the", "un", "and", "usa"]


def test_other_dotted_runs_are_their_parts_numbers_stay_whole():
    assert terms("3.5 1.2.3") == ["3.5", "1.2.3"]
    assert terms("Kulula.com bbc.co.uk") == ["kulula", "com", "bbc", "co", "uk"]
    assert terms("DOTRONIX <DOTX.O> BRS.A.") == ["dotronix", "dotx", "o", "brs", "a"]
    toks = list(analysis.tokens("see Kulula.com now"))
    assert [t for t, _, _ in toks] == ["see", "kulula", "com", "now"]
    assert [("see Kulula.com now")[s:e] for _, s, e in toks] == ["see", "Kulula", "com", "now"]


def test_an_apostrophe_separates():
    assert terms("O'Higgins N'Djamena") == ["o", "higgin", "n", "djamena"]
    assert terms("Russia's")[0] == terms("Russia")[0]
    assert terms("Yar'Adua") == terms("Yar Adua")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("banned", "ban"),
        ("planned", "plan"),
        ("nominated", "nominate"),
        ("nominations", "nomination"),
        ("airstrikes", "airstrike"),
        ("cities", "city"),
    ],
)
def test_snowball_english_stems_common_forms_alike(a, b):
    assert terms(a) == terms(b)


def test_accents_fold_to_ascii_other_scripts_stay():
    assert terms("Erdoğan café Liège Straße Ærø") == terms("erdogan cafe liege strasse aero")
    assert terms("Москва") == ["москва"]


def test_han_characters_are_tokens_of_their_own():
    assert terms("北京市 plans") == ["北", "京", "市", "plan"]


def test_words_with_digits_are_not_stemmed():
    assert terms("1990s G20s") == ["1990s", "g20s"]


@pytest.mark.parametrize("text", TEXTS)
def test_tokens_terms_and_analyzed_agree(text):
    toks = list(analysis.tokens(text))
    assert [t for t, _, _ in toks] == analysis.terms(text)
    assert analysis.analyzed(text) == " ".join(analysis.terms(text))
    for term, start, end in toks:
        assert analysis.term(text[start:end]) == term
        assert " " not in term and term


def test_function_words_are_not_news_words():
    for word in ("the", "of", "in", "a", "I"):
        assert analysis.is_function_word(word)
    for word in ("US", "us", "WHO", "it", "May", "will", "can", "syria"):
        assert not analysis.is_function_word(word), word


def test_a_huge_token_is_one_short_term():
    text = "x" * 100_000 + " end"
    assert [len(t) for t in terms(text)] == [analysis.MAX_TERM, 3]
