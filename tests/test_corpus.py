"""The corpus layer: the bundled seeds, story/article variants, decoding, discovery, slugs."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

from searchkit.corpus import (
    ParseError,
    decode_bytes,
    document_from_bytes,
    iter_files,
    normalize_text,
    parse_article,
    parse_document,
    parse_story,
    read_document,
    slugify,
    story_path,
)
from searchkit.model import Document, FileReport, Outlet, RelatedLink

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEED_000 = (
    "news/2016/04/29/according-to-russian-ambassador-to-the-united-nations-aleksi-borodavkin"
    "-the-syrian-army-is-preparing-to-launch-an-offensive-against-the-isil.md"
)
SEED_001 = (
    "news/2017/01/30/the-russian-defence-ministry-says-six-russian-bombers-hit-isil-positions"
    "-in-syria-s-deir-ez-zor-governorate.md"
)
SEED_002 = "articles/sputnik-syrian-army-plans-raqqa-deir-ez-zor-offensive.txt"
SEED_003 = "articles/russia-special-forces-helping-syria-win-key-city.txt"
SEED_004 = "articles/tass-syrian-forces-destroyed-4608-islamic-state-facilities.txt"


def read_ok(root: Path, rel_id: str) -> Document:
    doc, reports = read_document(root, rel_id)
    assert reports == []
    assert doc is not None
    return doc


def no_garbage(doc: Document) -> None:
    """Nothing a reader or a terminal should never see."""
    for text in (doc.title, doc.body, *doc.tags, *(o.name for o in doc.outlets)):
        assert "\ufffd" not in text
        assert "\u00a0" not in text
        assert "\x1b" not in text
        assert "\r" not in text
        assert "  " not in text


# --- the seeds ---------------------------------------------------------------------------


def test_seed_000_story_fields() -> None:
    doc = read_ok(CORPUS, SEED_000)
    assert doc.id == SEED_000
    assert doc.kind == "story"
    assert doc.date == date(2016, 4, 29)
    assert doc.title.startswith("According to Russian ambassador to the United Nations")
    assert doc.title.endswith("will be providing the ground campaign with air support.")
    assert doc.body == (
        "Sources in city say three clinics in rebel-held areas of Aleppo "
        "have been destroyed in bombardment."
    )
    assert doc.outlets == (
        Outlet(
            "Al Jazeera",
            "http://www.aljazeera.com/news/2016/04/hospital-syria-hit-air-strike-reports-160429103454466.html",
        ),
        Outlet(
            "Radio Free Europe/Radio Liberty",
            "http://www.rferl.org/content/russia-syria-offensive-raqqa-islamic-state/27706074.html",
        ),
    )
    assert len(doc.related) == 10
    first = doc.related[0]
    assert first.target == (
        "news/2016/03/19/airstrikes-by-syrian-or-russian-warplanes-on-isil-s-de-facto-capital"
        "-al-raqqah-in-northern-syria-leaves-at-least-39-people-dead-according.md"
    )
    assert first.headline.startswith("Airstrikes by Syrian or Russian warplanes")
    assert first.headline.endswith("as the Syrian Army advance on the city.")  # no trailing space
    assert first.date == date(2016, 3, 19)
    assert first.tags == (
        "Al-Raqqah",
        "ISIL",
        "Russian Air Force",
        "Syrian Army",
        "Syrian Civil War",
    )
    # day not zero-padded in the path
    assert doc.related[1].target.startswith("news/2017/09/5/the-syrian-army-lifts")
    assert doc.related[1].date == date(2017, 9, 5)
    assert doc.tags == (
        "Al-Raqqah",
        "ISIL",
        "Russian Air Force",
        "Syrian Army",
        "Syrian Civil War",
        "Deir ez-Zor",
        "Russia",
        "United Nations",
    )
    no_garbage(doc)


def test_seed_001_story_without_body() -> None:
    doc = read_ok(CORPUS, SEED_001)
    assert doc.date == date(2017, 1, 30)
    # leading, trailing and double spaces collapsed
    assert doc.title == (
        "The Russian Defence Ministry says six Russian bombers hit ISIL positions "
        "in Syria's Deir ez-Zor Governorate."
    )
    assert doc.body == ""
    assert doc.outlets == (
        Outlet(
            "Reuters",
            "http://www.reuters.com/article/us-mideast-crisis-syria-russia-bombers-idUSKBN15E1KN",
        ),
    )
    assert len(doc.related) == 10
    assert all(link.date is not None for link in doc.related)
    assert doc.tags[0] == "Islamic State of Iraq and the Levant"
    assert "Deir ez-Zor Governorate" in doc.tags
    no_garbage(doc)


def test_seed_story_paths_follow_the_slug_rule() -> None:
    for rel_id in (SEED_000, SEED_001):
        doc = read_ok(CORPUS, rel_id)
        assert doc.date is not None
        assert story_path(doc.date, doc.title) == rel_id


def test_seed_002_sputnik_replacement_characters() -> None:
    doc = read_ok(CORPUS, SEED_002)
    assert doc.kind == "article"
    assert doc.date is None
    assert doc.outlets == (Outlet("Sputnik"),)
    # the one-sentence standfirst is the title, and is not repeated in the body
    assert doc.title == (
        "The Syrian armed forces plan to retake the city of Raqqa from Daesh, and Russian "
        "aviation is expected to support the operation, according to Russia's UN Office envoy."
    )
    assert doc.title not in doc.body
    assert doc.body.startswith("GENEVA (Sputnik) \u2013 The Syrian army is planning to launch")
    assert "planning to launch an offensive on Deir Ez-Zor" in doc.body
    assert "UNSC [UN Security Council] Resolution 2254" in doc.body
    assert "[Russian air base in Syria]" in doc.body
    # sub-headings stay, as paragraphs of their own
    paragraphs = doc.body.split("\n\n")
    assert "Syria Ceasefire Mostly Holding but Some Forces Attempt to Disrupt It" in paragraphs
    assert "No Evidence Jaish al-Islam, Ahrar ash-Sham Join Truce" in paragraphs
    assert len(paragraphs) == 16
    no_garbage(doc)


def test_seed_003_debris_and_caption() -> None:
    doc = read_ok(CORPUS, SEED_003)
    assert doc.title == "Russia: Special Forces Helping Syria Win Key City"
    assert doc.outlets == ()
    assert "Accessibility links" not in doc.body
    assert "Breaking News" not in doc.body
    assert doc.title not in doc.body
    caption = (
        "A Russian soldier stands guard as a military helicopter takes off at an airport "
        "in Deir eI-Zor, Syria, Sept. 15, 2017."
    )
    assert doc.body.count(caption) == 1
    assert doc.body.startswith(caption + "\n\n")
    assert "President Bashar Assad's offensive" in doc.body  # curly apostrophe made straight
    assert "\n\nRussian-backed troops advance\n\n" in doc.body
    no_garbage(doc)


def test_seed_004_tass_dateline_and_debris() -> None:
    doc = read_ok(CORPUS, SEED_004)
    assert doc.outlets == (Outlet("TASS"),)
    assert ", , , ," not in doc.body
    assert "ALSO READ" not in doc.body
    assert "ISIS retakes Hayyan Gas Fields" not in doc.body
    assert doc.body.startswith("(TASS) The Syrian government forces have destroyed 4,608")
    assert "Lieutenant-General Sergey Rudskoi said" in doc.body  # no-break space
    assert '"The government troops supported by' in doc.body  # curly quotes
    assert "ISIL [the former name of the Islamic State]" in doc.body
    # no headline: the first sentence, without the dateline, shortened
    assert doc.title.startswith("The Syrian government forces have destroyed 4,608 facilities")
    assert doc.title.endswith("\u2026")
    assert len(doc.title) <= 100
    no_garbage(doc)


def test_bundled_corpus_is_discovered() -> None:
    found = {rel_id for rel_id, _size, _mtime in iter_files(CORPUS)}
    assert found == {SEED_000, SEED_001, SEED_002, SEED_003, SEED_004}


# --- story variants ------------------------------------------------------------------------

STORY = (
    "### [2016-04-29](/news/2016/04/29/index.md)\n\n"
    "# Headline of the story \n\n"
    "### Source:\n\n"
    "1. Reuters\n"
    "2. [Radio Free Europe/Radio Liberty](http://www.rferl.org/content/x.html)\n"
    "3. BBC News via Yahoo!, Inc.\n\n"
    "### Related:\n\n"
    "1. [Other story ](/news/2016/03/19/other-story.md) _Context: ISIL, Syrian Civil War_\n"
    "2. [Another one ](/news/2017/09/5/another-one.md) _Context: isil, Russia_\n"
)


def test_story_crlf_and_bom() -> None:
    plain = parse_story(STORY, "news/2016/04/29/x.md")
    crlf = parse_story("\ufeff" + STORY.replace("\n", "\r\n"), "news/2016/04/29/x.md")
    assert crlf == plain
    assert plain.title == "Headline of the story"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_story_body_with_crlf_or_cr(newline: str) -> None:
    text = "### [2016-04-29](/x)\n\n# H\n\nline one\nline two\n\npara\u00a0two \u201cq\u201d\n"
    doc = parse_story(text.replace("\n", newline), "x.md")
    assert doc.body == 'line one\nline two\n\npara two "q"'


def test_story_bare_outlet_names() -> None:
    doc = parse_story(STORY, "news/2016/04/29/x.md")
    assert doc.outlets == (
        Outlet("Reuters"),
        Outlet("Radio Free Europe/Radio Liberty", "http://www.rferl.org/content/x.html"),
        Outlet("BBC News via Yahoo!, Inc."),
    )


def test_story_tags_union_case_insensitive_first_form() -> None:
    doc = parse_story(STORY, "news/2016/04/29/x.md")
    assert doc.tags == ("ISIL", "Syrian Civil War", "Russia")
    assert doc.related[1].tags == ("isil", "Russia")


def test_story_without_source_and_related_sections() -> None:
    text = "### [2020-02-03](/news/2020/02/3/index.md)\n\n# Just a headline\n"
    doc = parse_story(text, "news/2020/02/3/just-a-headline.md")
    assert (doc.title, doc.body, doc.outlets, doc.related, doc.tags) == (
        "Just a headline",
        "",
        (),
        (),
        (),
    )
    empty_related = text + "\n### Source:\n\n1. AP\n\n### Related:\n\n"
    doc = parse_story(empty_related, "x.md")
    assert doc.outlets == (Outlet("AP"),)
    assert doc.related == ()


def test_story_related_without_context_and_odd_paths() -> None:
    text = (
        "### [2016-04-29](/news/2016/04/29/index.md)\n\n# H\n\n### Related:\n\n"
        "1. [No context here ](/news/2016/03/19/no-context-here.md)\n"
        "2. [Not under news ](/elsewhere/page.md) _Context: A_\n"
        "3. [No date in path ](/news/some-story.md)\n"
        "4. [Impossible date ](/news/2016/02/30/x.md)\n"
        "5. [Relative ](news/2015/1/2/relative.md)\n"
        "6. [External ](https://example.org/story.html)\n"
    )
    links = parse_story(text, "x.md").related
    assert links[0] == RelatedLink(
        "news/2016/03/19/no-context-here.md", "No context here", date(2016, 3, 19), ()
    )
    assert links[1] == RelatedLink("elsewhere/page.md", "Not under news", None, ("A",))
    assert links[2] == RelatedLink("news/some-story.md", "No date in path", None, ())
    assert links[3].date is None
    assert links[4].target == "news/2015/1/2/relative.md"
    assert links[4].date == date(2015, 1, 2)
    assert links[5].target == "https://example.org/story.html"
    assert len(links) == 6


def test_story_brackets_in_prose_and_markdown() -> None:
    text = (
        "### [2016-04-29](/news/2016/04/29/index.md)\n\n"
        "# UNSC [UN Security Council] votes on **Resolution** [bold] [/]\n\n"
        "The body cites [the] envoy.\n\nA second [paragraph], [see](https://x.org/a_(b)).\n\n"
        "### Related:\n\n"
        "1. [ISIL [the former name] strikes ](/news/2016/1/2/isil.md) _Context: A_\n"
    )
    doc = parse_story(text, "x.md")
    assert doc.title == "UNSC [UN Security Council] votes on **Resolution** [bold] [/]"
    # brackets are data; only an inline link is reduced to its text
    assert doc.body == "The body cites [the] envoy.\n\nA second [paragraph], see."
    assert doc.related[0].headline == "ISIL [the former name] strikes"
    assert doc.related[0].target == "news/2016/1/2/isil.md"


def test_story_ansi_escapes_removed() -> None:
    text = (
        "### [2016-04-29](/news/2016/04/29/index.md)\n\n"
        "# Red \x1b[31malert\x1b[0m \x1b]0;title\x07[bold]here\x07\n\n"
        "Body \x1b[2Jtext\x00 with\x08 controls\n"
    )
    doc = parse_story(text, "x.md")
    assert doc.title == "Red alert [bold]here"
    assert doc.body == "Body text with controls"


def test_story_missing_date_or_headline_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no date line"):
        parse_story("# Headline\n\n### Source:\n\n1. AP\n", "x.md")
    with pytest.raises(ParseError, match="no headline"):
        parse_story("### [2016-04-29](/news/2016/04/29/index.md)\n\nText only\n", "x.md")


# --- articles ------------------------------------------------------------------------------


def test_article_headline_dateline_and_date() -> None:
    text = (
        "Breaking News\n\nRebels Retake Border Town\n\n"
        "MOSCOW, March 2, 2016 (Reuters) - Rebels retook the town on Monday.\n\n"
        "Town in ruins\n\nResidents fled.\n"
    )
    doc = parse_article(text, "articles/a.txt")
    assert doc.title == "Rebels Retake Border Town"
    assert doc.outlets == (Outlet("Reuters"),)
    assert doc.date == date(2016, 3, 2)
    assert doc.body.split("\n\n") == [
        "MOSCOW, March 2, 2016 (Reuters) - Rebels retook the town on Monday.",
        "Town in ruins",
        "Residents fled.",
    ]


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        ("2016-08-05", date(2016, 8, 5)),
        ("Tuesday, August 5th, 2016 14:30 GMT", date(2016, 8, 5)),
        ("5 August 2016", date(2016, 8, 5)),
        ("Published in August 2016 by us", None),
    ],
)
def test_article_date_only_from_the_very_top(top: str, expected: date | None) -> None:
    doc = parse_article(f"{top}\n\nA Headline\n\nThe text.", "a.txt")
    assert doc.date == expected
    if expected is not None:
        assert doc.title == "A Headline"
        assert top not in doc.body


def test_article_title_never_empty() -> None:
    doc = parse_article("(AP) " + "word " * 60, "a.txt")
    assert doc.title
    assert len(doc.title) <= 100
    assert doc.outlets == (Outlet("AP"),)
    with pytest.raises(ParseError):
        parse_article("Accessibility links\n\n, , , ,\n", "a.txt")


# --- article metadata: front matter and sign-offs ---------------------------------------


FRONT = (
    "---\n"
    "title: Heatwave breaks records\n"
    "date: 2024-07-04\n"
    'outlet: "El Pa\u00eds"\n'
    "url: https://elpais.com/a/1\n"
    "author: ignored\n"
    "---\n"
    "\n"
    "Heatwave breaks records\n"
    "\n"
    "MADRID (Reuters) - Temperatures soared on Thursday.\n"
)


def test_article_front_matter_overrides_inference() -> None:
    doc = parse_article(FRONT, "articles/a.txt")
    assert doc.title == "Heatwave breaks records"
    assert doc.date == date(2024, 7, 4)
    assert doc.outlets == (Outlet("El Pa\u00eds", "https://elpais.com/a/1"),)
    # The title repeated as the first line is not body; the front matter is not text.
    assert doc.body == "MADRID (Reuters) - Temperatures soared on Thursday."


def test_article_front_matter_partial_and_crlf() -> None:
    text = (
        "\ufeff---\r\ndate: 2016-03-02T10:00:00\r\n---\r\n"
        "Some Headline\r\n\r\nGENEVA (Sputnik) Text.\r\n"
    )
    doc = parse_article(text, "a.txt")
    assert (doc.title, doc.date, doc.outlets) == (
        "Some Headline",
        date(2016, 3, 2),
        (Outlet("Sputnik"),),
    )
    url_only = parse_article(
        "---\nurl: https://www.bbc.co.uk/news/1\n---\nA Headline\n\nText.", "a.txt"
    )
    assert url_only.outlets == (Outlet("bbc.co.uk", "https://www.bbc.co.uk/news/1"),)


@pytest.mark.parametrize(
    "text",
    [
        "---\n\nA rule, then prose: not metadata.\n\nMore text.\n",
        "---\ntitle: never closed\n\nText.\n",
        "Headline\n\n---\ntitle: not at the top\n---\n",
    ],
)
def test_article_without_front_matter_block(text: str) -> None:
    doc = parse_article(text, "a.txt")
    assert doc.date is None and doc.outlets == ()


def test_article_front_matter_with_a_bad_date_is_reported() -> None:
    doc, reports = document_from_bytes(b"---\ndate: 2016-13-45\n---\nA Headline\n\nText.", "a.txt")
    assert doc is None
    assert reports[0].reason == "front matter: invalid date '2016-13-45' (use YYYY-MM-DD)"


def test_front_matter_written_by_add_is_read_back() -> None:
    from searchkit.corpus.frontmatter import split_front_matter, with_front_matter

    written = with_front_matter(
        "Plain Headline\n\nText.\n", {"outlet": "BBC", "date": "2024-01-02"}
    )
    assert written.startswith("---\noutlet: BBC\ndate: 2024-01-02\n---\n")
    doc = parse_article(written, "a.txt")
    assert (doc.title, doc.date, doc.outlets) == (
        "Plain Headline",
        date(2024, 1, 2),
        (Outlet("BBC"),),
    )
    # Fields given replace the same keys; other lines of the block stay.
    again = with_front_matter(
        written.replace("---\noutlet", "---\ntitle: T\noutlet"), {"outlet": "AP"}
    )
    fields, rest = split_front_matter(again)
    assert fields == {"title": "T", "date": "2024-01-02", "outlet": "AP"}
    assert rest == "\nPlain Headline\n\nText.\n"


REUTERS_1987 = (
    "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT\n\n"
    "CLEVELAND, Feb 26 - Standard Oil Co and BP North America\n"
    "Inc said they plan to form a venture to manage the money market\n"
    "borrowing and investment activities of both companies.\n"
    "    BP North America is a subsidiary of British Petroleum Co\n"
    "Plc <BP>, which also owns a 55 pct interest in Standard Oil.\n"
    "\n Reuter\n"
)


@pytest.mark.parametrize(
    ("ending", "outlet"),
    [
        ("\n Reuter\n", "Reuters"),
        ("\n REUTER...\n", "Reuters"),
        ("  Standard Oil said. Reuter\n", "Reuters"),
        ("\n\n(Reuters)\n", "Reuters"),
        ("\n\n(AP)\n", "AP"),
        ("\n\n(Updated)\n", None),
    ],
)
def test_article_signature_is_the_outlet(ending: str, outlet: str | None) -> None:
    doc = parse_article(REUTERS_1987.replace("\n Reuter\n", ending), "articles/reuters/00002.txt")
    assert doc.title == "STANDARD OIL <SRD> TO FORM FINANCIAL UNIT"
    assert doc.outlets == ((Outlet(outlet),) if outlet else ())
    if outlet:
        assert not doc.body.lower().rstrip(".").endswith(("reuter", "(reuters)", "(ap)"))
        assert doc.body.endswith(
            "interest in Standard Oil." if "said" not in ending else "Standard Oil said."
        )


def test_article_signature_beats_a_parenthesis_near_the_top() -> None:
    text = (
        "DIAMOND SHAMROCK (DIA) CUTS CRUDE PRICES\n\n"
        "NEW YORK, March 3 - Prices were cut.\n Reuter\n"
    )
    assert parse_article(text, "a.txt").outlets == (Outlet("Reuters"),)
    assert parse_article(text.replace(" Reuter\n", ""), "a.txt").outlets == (Outlet("DIA"),)


def test_parse_document_dispatches_on_extension() -> None:
    assert parse_document(STORY, "news/2016/04/29/x.md").kind == "story"
    assert parse_document("A Headline\n\nSome text.", "a.txt").kind == "article"
    with pytest.raises(ParseError):
        parse_document("whatever", "notes.csv")


# --- normalisation and decoding --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("don\u00e2\u20ac\u2122t", "don't"),  # classic mojibake
        ("\u201cquoted\u201d and \u2018single\u2019", "\"quoted\" and 'single'"),
        ("no\u00a0break  and\ttab", "no break and tab"),
        ("to\ufffdlaunch", "to launch"),
        ("(Sputnik) \ufffd The", "(Sputnik) \u2013 The"),
        ("groups\ufffd.", "groups."),
        ("zero\u200bwidth\u200e", "zerowidth"),
        ("cafe\u0301", "caf\u00e9"),  # NFC
        (
            "\x1b[1;31mred\x1b[0m [bold] [/] [UN Security Council]",
            "red [bold] [/] [UN Security Council]",
        ),
        ("a\r\nb\r\n\r\n\r\n\r\nc", "a\nb\n\nc"),
        ("bell\x07 and \x9b31mC1", "bell and C1"),
        ("line\u2028separator\ttab", "line\nseparator tab"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
    assert normalize_text(expected) == expected  # idempotent


def test_decode_bytes() -> None:
    assert decode_bytes("caf\u00e9".encode()) == ("caf\u00e9", None)
    assert decode_bytes(b"\xef\xbb\xbfplain") == ("plain", None)
    text, notice = decode_bytes("caf\u00e9 \u2013 don\u2019t".encode("cp1252"))
    assert text == "caf\u00e9 \u2013 don\u2019t"
    assert notice == "decoded as cp1252 (not UTF-8)"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_read_document_legacy_encoding_is_decoded_and_reported(
    tmp_path: Path, encoding: str
) -> None:
    text = "Caf\u00e9 Owners Protest\n\nPARIS (AFP) The caf\u00e9 closed, na\u00efvely."
    (tmp_path / "a.txt").write_bytes(text.encode(encoding))
    doc, reports = read_document(tmp_path, "a.txt")
    assert doc is not None
    assert doc.title == "Caf\u00e9 Owners Protest"
    assert doc.body == "PARIS (AFP) The caf\u00e9 closed, na\u00efvely."
    assert doc.outlets == (Outlet("AFP"),)
    assert reports == [FileReport("a.txt", "decoded as cp1252 (not UTF-8)", skipped=False)]


def test_read_document_mojibake_story(tmp_path: Path) -> None:
    story = STORY.replace("Headline of the story", "Officials don\u00e2\u20ac\u2122t agree")
    (tmp_path / "s.md").write_text(story, encoding="utf-8")
    doc = read_ok(tmp_path, "s.md")
    assert doc.title == "Officials don't agree"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("blank.txt", b"  \n\n\t\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        ("nodate.md", b"# A headline\n\n### Source:\n\n1. AP\n", "no date line"),
        ("debris.txt", b"Accessibility links\n\nBreaking News\n", "no text"),
    ],
)
def test_read_document_skips_bad_files(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    doc, reports = read_document(tmp_path, name)
    assert doc is None
    assert len(reports) == 1
    assert reports[0].path == name
    assert reports[0].skipped is True
    assert reason in reports[0].reason


def test_document_from_bytes_matches_read_document() -> None:
    data = (CORPUS / SEED_000).read_bytes()
    assert document_from_bytes(data, SEED_000) == read_document(CORPUS, SEED_000)
    assert document_from_bytes(b"", "x.md") == (None, [FileReport("x.md", "empty file")])


def test_read_document_missing_file(tmp_path: Path) -> None:
    doc, reports = read_document(tmp_path, "news/2016/04/29/gone.md")
    assert doc is None
    assert reports[0].skipped
    assert reports[0].reason.startswith("unreadable")


# --- discovery -------------------------------------------------------------------------------


def test_iter_files(tmp_path: Path) -> None:
    (tmp_path / "news" / "2016" / "04" / "29").mkdir(parents=True)
    (tmp_path / "news" / "2016" / "04" / "29" / "a.md").write_text("x")
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "b.txt").write_text("yy")
    (tmp_path / "articles" / "c.pdf").write_text("no")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.md").write_text("no")
    (tmp_path / "articles" / ".e.txt").write_text("no")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "f.md").write_text("no")
    os.symlink(outside, tmp_path / "linked", target_is_directory=True)

    found = {rel_id: (size, mtime) for rel_id, size, mtime in iter_files(tmp_path)}
    assert set(found) == {"news/2016/04/29/a.md", "articles/b.txt"}
    assert found["articles/b.txt"][0] == 2
    assert found["articles/b.txt"][1] == (tmp_path / "articles" / "b.txt").stat().st_mtime_ns


def test_iter_files_yields_ids_in_the_order_the_catalog_sorts_them(tmp_path: Path) -> None:
    # Folder names that sort differently as names and as path prefixes ("a" < "a-b" but
    # "a-b/x" < "a/x"), digits, case, accents and a non-BMP character.
    names = [
        "a/x.md",
        "a-b/x.md",
        "a.b/x.md",
        "a/b/c.md",
        "a/b-c.md",
        "a/b.md",
        "a0/x.md",
        "A/x.md",
        "Z.md",
        "b.txt",
        "é/x.md",
        "e/x.md",
        "\U0001f600/x.md",
        "news/2016/1/x.md",
        "news/2016/10/x.md",
        "news/2016/1-2/x.md",
        "a/b/c/d/e.md",
        "a/b c.md",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    walked = [rel for rel, _, _ in iter_files(tmp_path)]
    assert walked == sorted(names)
    # ... the order in which the catalog lists them, which an update merges with it.
    from searchkit.engine.catalog import Catalog, FileState

    (tmp_path / "gen").mkdir()
    catalog = Catalog(tmp_path / "gen", write=True, create=True)
    with catalog.transaction() as db:
        Catalog.put_files(db, [(n, FileState(1, 1, "", False, "")) for n in reversed(names)])
    assert [row[0] for row in catalog.iter_stats()] == walked
    catalog.close()


def test_iter_files_is_fast(tmp_path: Path) -> None:
    for d in range(20):
        folder = tmp_path / "news" / "2016" / "04" / str(d + 1)
        folder.mkdir(parents=True)
        for i in range(100):
            (folder / f"s{i}.md").write_bytes(b"")
    start = time.perf_counter()
    assert sum(1 for _ in iter_files(tmp_path)) == 2000
    assert time.perf_counter() - start < 0.5


# --- slugs ---------------------------------------------------------------------------------

# Headline -> file path pairs copied from the real 113,470-story corpus.
REAL_PATHS = [
    (
        date(2019, 3, 3),
        "Roger Federer wins the 2019 Dubai Tennis Championships, his 100th ATP singles title "
        "overall, defeating Stefanos Tsitsipas, 6\u20134, 6\u20134, in the final. Federer became "
        "the second male tennis player in the Open Era after Jimmy Connors to win 100 ATP "
        "singles titles. ",
        "news/2019/03/3/roger-federer-wins-the-2019-dubai-tennis-championships-his-100th-atp"
        "-singles-title-overall-defeating-stefanos-tsitsipas-6-4-6-4-in-the-final.md",
    ),
    (
        date(2010, 8, 6),
        "Reykjav\u00edk's mayor, J\u00f3n Gnarr of the Best Party, dresses in drag for the opening "
        "of the city's gay pride festival. ",
        "news/2010/08/6/reykjav-k-s-mayor-j-n-gnarr-of-the-best-party-dresses-in-drag-for-the"
        "-opening-of-the-city-s-gay-pride-festival.md",
    ),
    (
        date(2010, 8, 6),
        "An explosion at Zamboanga International Airport in the southern Philippines kills two "
        "people and injures 24. ",
        "news/2010/08/6/an-explosion-at-zamboanga-international-airport-in-the-southern"
        "-philippines-kills-two-people-and-injures-24.md",
    ),
    (
        date(2017, 1, 30),
        " The Russian Defence Ministry says six Russian bombers  hit ISIL positions in Syria's "
        "Deir ez-Zor Governorate. ",
        SEED_001,
    ),
]


@pytest.mark.parametrize(("day", "headline", "path"), REAL_PATHS)
def test_story_path_matches_real_corpus(day: date, headline: str, path: str) -> None:
    assert story_path(day, headline) == path


def test_slugify_rule() -> None:
    assert slugify("  Hello,  World!  ") == "hello-world"
    assert slugify("ISIL's de facto capital") == "isil-s-de-facto-capital"
    long = slugify("word " * 100)
    assert len(long) <= 140
    assert not long.endswith("-")
    assert slugify("!!!") == "untitled"


def test_bench_parse_all_runs_on_the_bundled_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy

    bench = runpy.run_path(str(CORPUS.parent / "bench" / "parse_all.py"))
    assert bench["main"]([str(CORPUS), "--slugs"]) == 0
    out = capsys.readouterr().out
    assert "parsed: 5 (2 stories, 3 articles)" in out
    assert "failed: 0" in out
    assert "slug match: 2/2 (100.000 %)" in out


def test_bench_parse_all_compares_with_a_git_revision(capsys: pytest.CaptureFixture[str]) -> None:
    import runpy
    import subprocess

    inside = subprocess.run(
        ["git", "-C", str(CORPUS.parent), "rev-parse", "HEAD"], capture_output=True
    )
    if inside.returncode != 0:
        pytest.skip("not a git checkout")
    bench = runpy.run_path(str(CORPUS.parent / "bench" / "parse_all.py"))
    status = bench["main"]([str(CORPUS), "--compare", "HEAD", "--rounds", "2"])
    out = capsys.readouterr().out
    assert "5 files" in out and "docs per CPU-second (median of 2" in out
    # Exit status 1 exactly when some document differs (none, unless the working
    # tree's parser was changed and not committed).
    differing = int(out.split("differing from HEAD: ", 1)[1].split()[0])
    assert status == (differing > 0)
