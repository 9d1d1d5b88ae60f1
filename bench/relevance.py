"""Relevance on real news text (issue 10): known-item search, did-you-mean, "similar".

    python bench/relevance.py [--engine NAME] [--out FILE] [--limit-docs N]
                              [--sample N] [--seed S] [--workdir DIR]

Two corpora: the 113k stories (``--news``, default /tmp/corpora/news113k) and the
Reuters-21578 articles (``--reuters``, default /tmp/corpora/reuters). The Reuters
articles are copied (plain copies, not links: nothing this project runs may ever write
through to the originals) into ``WORKDIR/reuters-corpus/articles/reuters/``, because its
folder also holds ABOUT.txt, which searchkit would index as an article. Indexes live in
``WORKDIR/index-<corpus>-<engine>`` and are brought up to date incrementally (built the
first time). Nothing is written inside the repository.

Every document is parsed once with ``searchkit.corpus.read_document``; the parsed
title, body and (stories) context tags feed both the script's own statistics and the
SQLite FTS5 baseline (porter tokenizer, bm25 with title x2, body x1, tags x1.5), so
both systems see exactly the same text and the same queries, in the same run.

Known-item queries. Words are runs of letters (``[^\\W\\d_]+``), lower-cased; document
frequency (df) counts the documents whose title or body holds the word. Eligible
documents have a title that no other document shares (a known-item query cannot tell
identical titles apart) and at least two title words of 3+ letters that are not stop
words. A fixed-seed sample of them (``--sample``, 1,000 per corpus) gets three queries:

- exact: the 2 or 3 (seeded coin) rarest such title words, in title order;
- inflected: one of those words replaced by another English form of it: plural <->
  singular (-s, -es, -ies/-y), verb forms (-s, -ed/-d/-ied, -ing with e-drop and
  consonant doubling, and back to the base), -ion nouns <-> verbs (-ate/-ation,
  -ise/-isation, -ct/-ction, -ss/-ssion). A form is kept only when it occurs in some
  other document of the corpus and PyStemmer's Snowball English gives it the same stem
  as the original word; that second check removes false pairs the rules make
  (news/new, planes/planned, formation/formed) and means this variant measures
  the inflections Snowball conflates, which is the analysis issue 10 asks for. Forms
  absent from the target document are preferred (they test stemming, not the literal
  word); among them the most frequent one is used. Documents with no such form get no
  inflected query (the counts say how many).
- one typo: one word of 5+ letters gets one edit (swap two neighbours, drop, insert or
  substitute a letter; the first letter is kept, as typists rarely miss it), retried
  until the result is not a word of the corpus vocabulary.

Metrics per variant and corpus: success@10 (the document is in the top 10) and MRR@10.
searchkit's hits count as found even when they answer an automatic correction (that is
what the user sees). Did-you-mean rate: the share of exact queries, and of 2,500 Reuters
headlines typed as queries (``--headlines``), that get a suggestion or an automatic
correction although every word is spelled as in the corpus.

Similar: for Reuters articles with at least one topic (``--similar-sample``), the share
of the top 5 ``Engine.document(id).similar`` entries that share a topic with the
source (reuters-meta.jsonl). FTS5's baseline is a more-like-this query: the article's
12 highest tf-idf words OR-ed, bm25, the article itself left out.

A fixed list of user queries from issue 10 is run on both corpora and printed with
total, suggestion and notices, so the behaviour shows at a glance.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing import Pool
from pathlib import Path

import Stemmer

REPO = Path(__file__).resolve().parents[1]
DEFAULT_NEWS = Path("/tmp/corpora/news113k")
DEFAULT_REUTERS = Path("/tmp/corpora/reuters")
DEFAULT_WORKDIR = Path("/tmp/relevance")

TARGETS = {
    "exact": 0.99,
    "inflected": 0.99,
    "typo": 0.90,
    "suggestions": 0.005,  # at most, on correctly spelled queries
    "similar_precision": 0.75,
}
VARIANTS = ("exact", "inflected", "typo")

USER_QUERIES = [
    "US",
    "US interest rates",
    "May election",
    "M&S",
    "AT&T",
    "J&J",
    "Q&A",
    "M&S sales",
    "syria +russia",
    "syria russia",
    "banned",
    "planned",
    "nominated",
    "Krispy Kreme shraes",
    "Wipro",
    "sexist taunts reveal",
    "puinsh",
    "Gudiant agrees deal",
    "date:2016-99",
    "date:banana",
    "tsunami",
]

# Not chosen as query words: a user looking for a story does not type these.
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be been before
    being below between both but by can did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own
    said same says she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while
    who whom why will with would you your""".split()  # noqa: SIM905 (a list would be 120 lines)
)
WORD = re.compile(r"[^\W\d_]+")
VOWELS = frozenset("aeiou")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
STEMMER = Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


# --- the corpora --------------------------------------------------------------------


@dataclass(slots=True)
class Doc:
    id: str
    kind: str
    title: str
    body: str
    tags: tuple[str, ...]


@dataclass
class Corpus:
    name: str
    root: Path
    docs: list[Doc]
    df: Counter[str]  # word -> number of documents whose title or body has it
    skipped: int = 0
    topics: dict[str, list[str]] = field(default_factory=dict)  # Reuters only
    meta_titles: dict[str, str] = field(default_factory=dict)  # Reuters only

    @property
    def by_id(self) -> dict[str, Doc]:
        return {d.id: d for d in self.docs}


def assemble_reuters(source: Path, dest: Path) -> Path:
    """Copy the Reuters article files into a corpus folder of their own (once)."""
    marker = dest / ".complete"
    if marker.exists():
        return dest
    src_articles = source / "articles"
    if not src_articles.is_dir():
        sys.exit(f"no Reuters articles in {src_articles}")
    print(f"copying Reuters articles into {dest} …", flush=True)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src_articles, dest / "articles")
    marker.write_text("copied from " + str(source) + "\n")
    return dest


def _parse(args: tuple[str, str]) -> Doc | None:
    from searchkit.corpus import read_document

    root, rel = args
    doc, _ = read_document(Path(root), rel)
    if doc is None:
        return None
    return Doc(doc.id, doc.kind, doc.title, doc.body, tuple(doc.tags))


def load_corpus(name: str, root: Path, procs: int) -> Corpus:
    """Parse every file of the corpus (in ``procs`` processes) and count word df."""
    from searchkit.corpus import iter_files

    t = time.perf_counter()
    rels = sorted(rel for rel, _, _ in iter_files(root))
    docs: list[Doc] = []
    df: Counter[str] = Counter()
    skipped = 0
    with Pool(procs) as pool:
        for doc in pool.imap(_parse, ((str(root), rel) for rel in rels), chunksize=256):
            if doc is None:
                skipped += 1
                continue
            docs.append(doc)
            df.update(set(words(doc.title)) | set(words(doc.body)))
    print(
        f"{name}: parsed {len(docs):,} documents ({skipped} skipped) in "
        f"{time.perf_counter() - t:.0f} s; vocabulary {len(df):,} words",
        flush=True,
    )
    return Corpus(name, root, docs, df, skipped)


def load_reuters_meta(corpus: Corpus, meta_path: Path) -> None:
    with open(meta_path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            corpus.topics[row["id"]] = row["topics"]
            if row.get("title"):
                corpus.meta_titles[row["id"]] = row["title"]


# --- queries ----------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """One known-item query: find ``doc_id`` with ``words``."""

    doc_id: str
    variant: str
    words: list[str]
    note: str = ""  # what changed: "banned->ban", "elections->electoins"

    @property
    def query(self) -> str:
        return " ".join(self.words)


def candidate_words(title: str) -> list[str]:
    seen: list[str] = []
    for w in words(title):
        if len(w) >= 3 and w not in STOP_WORDS and w not in seen:
            seen.append(w)
    return seen


def _doubles(base: str) -> bool:
    """Whether a final consonant doubles before -ed/-ing (ban -> banned)."""
    return (
        len(base) >= 3
        and base[-1] not in VOWELS | {"w", "x", "y"}
        and base[-2] in VOWELS
        and base[-3] not in VOWELS
    )


def _verb_forms(base: str) -> set[str]:
    forms = {base, base + "s"}
    if base.endswith("e"):
        forms |= {base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and len(base) > 2 and base[-2] not in VOWELS:
        forms |= {base[:-1] + "ied", base[:-1] + "ies", base + "ing"}
    else:
        forms |= {base + "ed", base + "ing"}
        if _doubles(base):
            forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    if base.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(base + "es")
    return forms


def inflections(w: str) -> set[str]:
    """Other English forms of ``w`` by simple suffix rules (over-generates on purpose:
    the caller keeps only forms of the corpus vocabulary that Snowball conflates)."""
    bases = {w}
    if w.endswith("ies"):
        bases.add(w[:-3] + "y")
    elif w.endswith("es"):
        bases |= {w[:-2], w[:-1]}
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        bases.add(w[:-1])
    if w.endswith("ied"):
        bases.add(w[:-3] + "y")
    elif w.endswith("ed"):
        bases |= {w[:-2], w[:-1]}
        if len(w) > 4 and w[-3] == w[-4]:
            bases.add(w[:-3])
    elif w.endswith("ing"):
        stem = w[:-3]
        bases |= {stem, stem + "e"}
        if len(stem) > 2 and stem[-1] == stem[-2]:
            bases.add(stem[:-1])
    for suffix in ("ions", "ion"):
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            bases |= {stem, stem + "e"}  # election -> elect, nomination -> nominate
            if stem.endswith("at"):
                bases.add(stem[:-2] + "e")  # organisation -> organise
            break
    forms: set[str] = set()
    for base in bases:
        forms |= _verb_forms(base)
        if base.endswith("ate"):
            forms |= {base[:-1] + "ion", base[:-1] + "ions"}
        elif base.endswith(("ise", "ize")):
            forms |= {base[:-1] + "ation", base[:-1] + "ations"}
        elif base.endswith(("ct", "ss", "pt")):
            forms |= {base + "ion", base + "ions"}
    forms.discard(w)
    return {f for f in forms if len(f) >= 2}


def typo(word: str, rng: random.Random, vocabulary: Counter[str]) -> str | None:
    """One edit of ``word`` (first letter kept) that is not a word of the vocabulary."""
    for _ in range(50):
        op = rng.choice(("swap", "drop", "insert", "substitute"))
        if op == "swap":
            i = rng.randrange(1, len(word) - 1)
            if word[i] == word[i + 1]:
                continue
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "drop":
            i = rng.randrange(1, len(word))
            out = word[:i] + word[i + 1 :]
        elif op == "insert":
            i = rng.randrange(1, len(word) + 1)
            out = word[:i] + rng.choice(LETTERS) + word[i:]
        else:
            i = rng.randrange(1, len(word))
            out = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
        if out != word and out not in vocabulary:
            return out
    return None


@dataclass
class QuerySet:
    items: list[Item]
    eligible: int
    sampled: int
    no_inflection: int
    no_typo: int
    inflected_form_in_doc: int
    rejected_by_stemmer: Counter[str]


def make_queries(corpus: Corpus, sample: int, seed: int) -> QuerySet:
    title_count = Counter(" ".join(words(d.title)) for d in corpus.docs)
    eligible = [
        d
        for d in corpus.docs
        if title_count[" ".join(words(d.title))] == 1 and len(candidate_words(d.title)) >= 2
    ]
    rng = random.Random(seed)
    chosen = rng.sample(eligible, min(sample, len(eligible)))
    items: list[Item] = []
    no_infl = no_typo = infl_in_doc = 0
    rejected: Counter[str] = Counter()
    for doc in chosen:
        cands = candidate_words(doc.title)
        k = min(len(cands), rng.choice((2, 3)))
        rarest = sorted(cands, key=lambda w: (corpus.df[w], cands.index(w)))[:k]
        exact = [w for w in cands if w in rarest]
        items.append(Item(doc.id, "exact", exact))
        doc_words = set(words(doc.title)) | set(words(doc.body))

        # inflected: the first word (in seeded order) with a usable other form
        found = None
        for i in rng.sample(range(len(exact)), len(exact)):
            w = exact[i]
            forms = []
            for f in sorted(inflections(w)):
                elsewhere = corpus.df[f] - (f in doc_words)
                if elsewhere < 1:
                    continue
                if STEMMER.stemWord(f) != STEMMER.stemWord(w):
                    rejected[f"{w}->{f}"] += 1
                    continue
                forms.append((f in doc_words, -corpus.df[f], f))
            if forms:
                in_doc, _, form = min(forms)
                found = (i, w, form, in_doc)
                break
        if found is None:
            no_infl += 1
        else:
            i, w, form, in_doc = found
            infl_in_doc += in_doc
            q = list(exact)
            q[i] = form
            items.append(Item(doc.id, "inflected", q, f"{w}->{form}"))

        # typo: a seeded word of 5+ letters
        long_ones = [i for i, w in enumerate(exact) if len(w) >= 5]
        made = None
        for i in rng.sample(long_ones, len(long_ones)):
            wrong = typo(exact[i], rng, corpus.df)
            if wrong:
                made = (i, wrong)
                break
        if made is None:
            no_typo += 1
        else:
            i, wrong = made
            q = list(exact)
            q[i] = wrong
            items.append(Item(doc.id, "typo", q, f"{exact[i]}->{wrong}"))
    return QuerySet(items, len(eligible), len(chosen), no_infl, no_typo, infl_in_doc, rejected)


def headline_queries(corpus: Corpus, n: int, seed: int) -> list[str]:
    """Reuters titles as a user would type them: lower case, without query syntax."""
    in_corpus = {d.id for d in corpus.docs}
    out = []
    for doc_id in sorted(corpus.meta_titles.keys() & in_corpus):
        tokens = []
        for tok in corpus.meta_titles[doc_id].lower().split():
            tok = tok.strip("\"'()<>[]{}:+*~?!^,;")
            if tok and not tok.startswith("-") and WORD.search(tok):
                tokens.append(tok)
        if len(tokens) >= 2:
            out.append(" ".join(tokens))
    out = sorted(set(out))
    return random.Random(seed).sample(out, min(n, len(out)))


# --- SQLite FTS5 -------------------------------------------------------------------


class Fts5:
    """The baseline: the same parsed documents in an FTS5 table."""

    def __init__(self, corpus: Corpus, path: Path) -> None:
        path.unlink(missing_ok=True)
        t = time.perf_counter()
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tags, "
            "tokenize='porter unicode61')"
        )
        self.db.executemany(
            "INSERT INTO docs(rowid, id, title, body, tags) VALUES (?,?,?,?,?)",
            ((n, d.id, d.title, d.body, " ; ".join(d.tags)) for n, d in enumerate(corpus.docs, 1)),
        )
        self.db.commit()
        self.build_s = time.perf_counter() - t
        self.n = len(corpus.docs)

    def search(self, match: str, limit: int = 10) -> list[str]:
        try:
            rows = self.db.execute(
                "SELECT id FROM docs WHERE docs MATCH ? "
                "ORDER BY bm25(docs, 0.0, 2.0, 1.0, 1.5) LIMIT ?",
                (match, limit),
            ).fetchall()
        except sqlite3.OperationalError:
            return []
        return [r[0] for r in rows]

    def total(self, match: str) -> int | None:
        try:
            return self.db.execute(
                "SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)
            ).fetchone()[0]
        except sqlite3.OperationalError:
            return None

    @staticmethod
    def all_words(ws: Iterable[str]) -> str:
        return " ".join(f'"{w}"' for w in ws) or '""'

    @staticmethod
    def from_user_query(q: str) -> str | None:
        """A user query as FTS5 would most plainly take it: its words, all required
        (None when nothing is left: FTS5 has no date syntax)."""
        toks = [t.strip('"+-()') for t in q.split()]
        toks = [t for t in toks if t and t not in ("AND", "OR", "NOT") and ":" not in t]
        return " ".join('"' + t.replace('"', "") + '"' for t in toks) or None

    def close(self) -> None:
        self.db.close()


def key_terms(doc: Doc, df: Counter[str], n_docs: int, n: int = 12) -> list[str]:
    tf = Counter(w for w in words(doc.title + " " + doc.body) if len(w) >= 3)
    scored = [
        (c * math.log(n_docs / df[w]), w) for w, c in tf.items() if w not in STOP_WORDS and df[w]
    ]
    return [w for _, w in sorted(scored, reverse=True)[:n]]


# --- evaluation -------------------------------------------------------------------


def reciprocal_rank(ids: Sequence[str], target: str) -> float:
    return 1.0 / (ids.index(target) + 1) if target in ids else 0.0


def summarise(rr: list[float]) -> dict:
    n = len(rr)
    return {
        "n": n,
        "success_at_10": sum(1 for r in rr if r > 0) / n if n else None,
        "mrr_at_10": sum(rr) / n if n else None,
    }


def run_known_items(engine, fts: Fts5, qs: QuerySet) -> dict:
    from searchkit.model import SearchRequest

    rr: dict[str, dict[str, list[float]]] = {s: {v: [] for v in VARIANTS} for s in ("sk", "fts")}
    suggested: list[str] = []
    auto_corrected = 0
    failures: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    times: list[float] = []
    for item in qs.items:
        t = time.perf_counter()
        try:
            res = engine.search(SearchRequest(query=item.query, limit=10))
            ids = [h.id for h in res.hits]
        except Exception as exc:  # a query that breaks the engine is a miss, and shown
            res, ids = None, []
            failures[item.variant].append({"query": item.query, "error": repr(exc)})
        times.append((time.perf_counter() - t) * 1000)
        r = reciprocal_rank(ids, item.doc_id)
        rr["sk"][item.variant].append(r)
        if r == 0 and res is not None and len(failures[item.variant]) < 25:
            failures[item.variant].append(
                {
                    "doc": item.doc_id,
                    "query": item.query,
                    "note": item.note,
                    "total": res.total,
                    "suggestion": res.suggestion,
                    "corrected_from": res.corrected_from,
                }
            )
        if item.variant == "exact" and res is not None:
            if res.suggestion or res.corrected_from:
                suggested.append(f"{item.query} -> {res.suggestion}")
            auto_corrected += bool(res.corrected_from)
        rr["fts"][item.variant].append(
            reciprocal_rank(fts.search(Fts5.all_words(item.words)), item.doc_id)
        )
    n_exact = len(rr["sk"]["exact"])
    return {
        "searchkit": {v: summarise(rr["sk"][v]) for v in VARIANTS},
        "fts5": {v: summarise(rr["fts"][v]) for v in VARIANTS},
        "suggestions_on_exact": {
            "n": n_exact,
            "suggested": len(suggested),
            "auto_corrected": auto_corrected,
            "rate": len(suggested) / n_exact if n_exact else None,
            "examples": suggested[:20],
        },
        "search_ms": {
            "p50": statistics.median(times) if times else None,
            "max": max(times) if times else None,
        },
        "failures": failures,
    }


def run_headlines(engine, queries: list[str]) -> dict:
    from searchkit.model import SearchRequest

    suggested = []
    found_nothing = 0
    for q in queries:
        res = engine.search(SearchRequest(query=q, limit=10))
        if res.suggestion or res.corrected_from:
            suggested.append(f"{q} -> {res.suggestion}")
        found_nothing += res.total == 0 and not res.corrected_from
    return {
        "n": len(queries),
        "suggested": len(suggested),
        "rate": len(suggested) / len(queries) if queries else None,
        "found_nothing": found_nothing,
        "examples": suggested[:20],
    }


def run_similar(engine, fts: Fts5, corpus: Corpus, n: int, seed: int) -> dict:
    ids = sorted(d.id for d in corpus.docs if corpus.topics.get(d.id))
    chosen = random.Random(seed).sample(ids, min(n, len(ids)))
    by_id = corpus.by_id

    def precision(source: str, shown: list[str]) -> tuple[int, int]:
        topics = set(corpus.topics.get(source, ()))
        return sum(1 for s in shown if topics & set(corpus.topics.get(s, ()))), len(shown)

    sk_share = sk_shown = sk_empty = 0
    fts_share = fts_shown = 0
    for doc_id in chosen:
        shown = [e.id for e in engine.document(doc_id).similar if e.id != doc_id][:5]
        a, b = precision(doc_id, shown)
        sk_share, sk_shown, sk_empty = sk_share + a, sk_shown + b, sk_empty + (b == 0)
        terms = key_terms(by_id[doc_id], corpus.df, len(corpus.docs))
        match = " OR ".join(f'"{w}"' for w in terms)
        shown = [i for i in fts.search(match, limit=6) if i != doc_id][:5] if terms else []
        a, b = precision(doc_id, shown)
        fts_share, fts_shown = fts_share + a, fts_shown + b
    return {
        "sources": len(chosen),
        "searchkit": {
            "shown": sk_shown,
            "sharing_topic": sk_share,
            "sources_with_none": sk_empty,
            "precision": sk_share / sk_shown if sk_shown else None,
        },
        "fts5": {
            "shown": fts_shown,
            "sharing_topic": fts_share,
            "precision": fts_share / fts_shown if fts_shown else None,
        },
    }


def run_user_queries(engine, fts: Fts5) -> list[dict]:
    from searchkit.model import SearchRequest

    out = []
    for q in USER_QUERIES:
        row: dict = {"query": q}
        try:
            res = engine.search(SearchRequest(query=q, limit=10))
            row |= {
                "total": res.total,
                "suggestion": res.suggestion,
                "corrected_from": res.corrected_from,
                "notices": list(res.notices),
            }
        except Exception as exc:  # an error is behaviour worth showing too
            row |= {"total": None, "error": f"{type(exc).__name__}: {exc}"}
        match = Fts5.from_user_query(q)
        row["fts5_total"] = fts.total(match) if match else None
        out.append(row)
    return out


# --- reporting ------------------------------------------------------------------------


def fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x * 100:.1f}%" if pct else f"{x:.3f}"


def print_corpus_report(name: str, r: dict) -> None:
    q = r["queries"]
    print(
        f"\n== {name}: {r['documents']:,} documents; {q['sampled']} sampled of "
        f"{q['eligible']:,} eligible; no inflected form for {q['no_inflection']}, "
        f"no typo for {q['no_typo']}; inflected form in the document itself: "
        f"{q['inflected_form_in_doc']}"
    )
    ki = r["known_item"]
    print(
        f"{'variant':<10} {'n':>5}  {'searchkit s@10':>14} {'MRR':>6}  "
        f"{'FTS5 s@10':>9} {'MRR':>6}  target s@10"
    )
    for v in VARIANTS:
        sk, f = ki["searchkit"][v], ki["fts5"][v]
        print(
            f"{v:<10} {sk['n']:>5}  {fmt(sk['success_at_10']):>14} {fmt(sk['mrr_at_10']):>6}  "
            f"{fmt(f['success_at_10']):>9} {fmt(f['mrr_at_10']):>6}  >= {TARGETS[v]:.2f}"
        )
    s = ki["suggestions_on_exact"]
    print(
        f"did-you-mean on exact (correctly spelled) queries: {s['suggested']} of {s['n']} "
        f"= {fmt(s['rate'], pct=True)} ({s['auto_corrected']} auto-corrected); "
        f"target <= {TARGETS['suggestions'] * 100:.1f}%"
    )
    print(
        f"searchkit search time: p50 {ki['search_ms']['p50']:.1f} ms, "
        f"max {ki['search_ms']['max']:.0f} ms"
    )
    if "headlines" in r:
        h = r["headlines"]
        print(
            f"did-you-mean on {h['n']:,} Reuters headlines: {h['suggested']} = "
            f"{fmt(h['rate'], pct=True)} (target <= 0.5%); {h['found_nothing']} found nothing"
        )
    if "similar" in r:
        s = r["similar"]
        sk, f = s["searchkit"], s["fts5"]
        print(
            f"similar top 5, share with a common topic ({s['sources']} articles with topics): "
            f"searchkit {fmt(sk['precision'])} ({sk['sharing_topic']}/{sk['shown']} shown, "
            f"{sk['sources_with_none']} with none); FTS5 more-like-this {fmt(f['precision'])} "
            f"({f['sharing_topic']}/{f['shown']}); target >= {TARGETS['similar_precision']}"
        )


def print_user_queries(name: str, rows: list[dict]) -> None:
    print(f"\n-- user queries on {name} (searchkit total | FTS5 total | suggestion | notices)")
    for row in rows:
        if "error" in row:
            print(f"  {row['query']!r:<26} ERROR {row['error']}")
            continue
        sugg = row["suggestion"] or "-"
        if row["corrected_from"]:
            sugg += " (auto)"
        fts = "-" if row["fts5_total"] is None else row["fts5_total"]
        notes = " / ".join(row["notices"]) or "-"
        print(f"  {row['query']!r:<26} {row['total']:>6} | {fts:>6} | {sugg} | {notes}")


def engine_name(engine) -> str:
    """The engine the index reports, when the API offers one."""
    for attr in ("engine_name", "backend", "kind"):
        value = getattr(engine, attr, None)
        if isinstance(value, str):
            return value
    return "whoosh (the API does not report an engine)"


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def evaluate(corpus: Corpus, args: argparse.Namespace, is_reuters: bool) -> dict:
    from searchkit.engine import Engine, update_index

    index = args.workdir / f"index-{corpus.name}-{args.engine}"
    t, c = time.perf_counter(), time.process_time()
    rep = update_index(corpus.root, index)
    print(
        f"{corpus.name}: index {index} up to date in {time.perf_counter() - t:.0f} s "
        f"(parent CPU {time.process_time() - c:.0f} s); {rep.documents:,} documents",
        flush=True,
    )
    fts = Fts5(corpus, args.workdir / f"fts5-{corpus.name}.sqlite")
    print(f"{corpus.name}: FTS5 built in {fts.build_s:.0f} s", flush=True)
    qs = make_queries(corpus, args.sample, args.seed)
    result: dict = {
        "documents": len(corpus.docs),
        "skipped_files": corpus.skipped,
        "index": str(index),
        "queries": {
            "eligible": qs.eligible,
            "sampled": qs.sampled,
            "no_inflection": qs.no_inflection,
            "no_typo": qs.no_typo,
            "inflected_form_in_doc": qs.inflected_form_in_doc,
            "stemmer_rejected_pairs": sum(qs.rejected_by_stemmer.values()),
            "stemmer_rejected_examples": [p for p, _ in qs.rejected_by_stemmer.most_common(15)],
            "examples": [asdict(i) for i in qs.items[:9]],
        },
    }
    with Engine(index) as engine:
        result["engine"] = engine_name(engine)
        t = time.perf_counter()
        result["known_item"] = run_known_items(engine, fts, qs)
        print(f"{corpus.name}: known-item queries in {time.perf_counter() - t:.0f} s", flush=True)
        if is_reuters:
            heads = headline_queries(corpus, args.headlines, args.seed)
            result["headlines"] = run_headlines(engine, heads)
            result["similar"] = run_similar(engine, fts, corpus, args.similar_sample, args.seed)
        result["user_queries"] = run_user_queries(engine, fts)
    fts.close()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--engine", default="whoosh", help="sets SEARCHKIT_ENGINE (default whoosh)")
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS, help="the 113k story corpus")
    ap.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS, help="unpacked Reuters")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--sample", type=int, default=1000, help="documents per corpus")
    ap.add_argument("--headlines", type=int, default=2500, help="Reuters headline queries")
    ap.add_argument("--similar-sample", type=int, default=500, help="Reuters articles")
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument(
        "--limit-docs",
        type=int,
        default=0,
        metavar="N",
        help="quick run: corpora of the first N files (copied into WORKDIR)",
    )
    ap.add_argument("--only", choices=["news", "reuters"], help="one corpus")
    ap.add_argument("--procs", type=int, default=2, help="parsing processes")
    args = ap.parse_args()

    os.environ["SEARCHKIT_ENGINE"] = args.engine  # for in-process use and any child
    for path in (args.workdir, args.out):
        if path is not None and (path.resolve() == REPO or REPO in path.resolve().parents):
            sys.exit(f"{path}: results and copies derived from the corpora stay outside the repo")
    args.workdir.mkdir(parents=True, exist_ok=True)

    corpora: list[tuple[str, Path, bool]] = []
    if args.only != "reuters":
        corpora.append(("news113k", args.news, False))
    if args.only != "news":
        root = assemble_reuters(args.reuters, args.workdir / "reuters-corpus")
        corpora.append(("reuters", root, True))
    if args.limit_docs:
        corpora = [
            (f"{name}-first{args.limit_docs}", limited(root, args), is_reuters)
            for name, root, is_reuters in corpora
        ]

    started = time.perf_counter()
    report: dict = {
        "commit": git_commit(),
        "engine_requested": args.engine,
        "seed": args.seed,
        "sample": args.sample,
        "targets": TARGETS,
        "corpora": {},
    }
    for name, root, is_reuters in corpora:
        corpus = load_corpus(name, root, args.procs)
        if is_reuters:
            load_reuters_meta(corpus, args.reuters / "reuters-meta.jsonl")
        report["corpora"][name] = evaluate(corpus, args, is_reuters)
    report["seconds"] = round(time.perf_counter() - started)

    print(f"\nsearchkit {report['commit']}, engine requested {args.engine!r}", end="")
    for name, r in report["corpora"].items():
        print(f"; {name} index reports {r['engine']!r}", end="")
    print()
    for name, r in report["corpora"].items():
        print_corpus_report(name, r)
    for name, r in report["corpora"].items():
        print_user_queries(name, r["user_queries"])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
        print(f"\nresults written to {args.out}")
    return 0


def limited(root: Path, args: argparse.Namespace) -> Path:
    """A corpus of the first N files of ``root`` (sorted ids), copied into WORKDIR."""
    from searchkit.corpus import iter_files

    dest = args.workdir / f"{root.name}-first{args.limit_docs}"
    if (dest / ".complete").exists():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    for rel in sorted(rel for rel, _, _ in iter_files(root))[: args.limit_docs]:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, target)
    (dest / ".complete").write_text(f"first {args.limit_docs} files of {root}\n")
    return dest


if __name__ == "__main__":
    raise SystemExit(main())
