"""A ``Document`` as backends index it (``IndexedDocument``) and store it (JSON), and the
words and facet forms it adds to the catalog."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from searchkit.engine import analysis, facetkeys
from searchkit.engine.backend import IndexedDocument
from searchkit.model import Document, Outlet, RelatedLink


def date_to_int(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def int_to_date(n: int | None) -> date | None:
    if not n:
        return None
    try:
        return date(n // 10000, n // 100 % 100, n % 100)
    except ValueError:
        return None


def to_json(doc: Document) -> str:
    return json.dumps(
        {
            "id": doc.id,
            "kind": doc.kind,
            "title": doc.title,
            "body": doc.body,
            "date": doc.date.isoformat() if doc.date else None,
            "outlets": [[o.name, o.url] for o in doc.outlets],
            "tags": list(doc.tags),
            "related": [
                [r.target, r.headline, r.date.isoformat() if r.date else None, list(r.tags)]
                for r in doc.related
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def from_json(text: str) -> Document:
    d = json.loads(text)
    return Document(
        id=d["id"],
        kind=d["kind"],
        title=d.get("title", ""),
        body=d.get("body", ""),
        date=date.fromisoformat(d["date"]) if d.get("date") else None,
        outlets=tuple(Outlet(n, u) for n, u in d.get("outlets", [])),
        tags=tuple(d.get("tags", [])),
        related=tuple(
            RelatedLink(t, h, date.fromisoformat(day) if day else None, tuple(tags))
            for t, h, day, tags in d.get("related", [])
        ),
    )


def text_digest(doc: Document) -> str:
    """Equal for documents with the same normalised title and body (exact duplicates)."""
    text = f"{doc.title}\n{doc.body}".casefold().encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for a backend writer, with what it adds to the catalog."""

    indexed: IndexedDocument
    words: frozenset[str]  # distinct plain words (vocabulary)
    forms: tuple[tuple[str, str, str], ...]  # (facet, key, written form)
    keys: tuple[tuple[str, str], ...]  # (facet, key) of every facet, each once


def _keys(facet: str, values: tuple[str, ...]) -> tuple[str, ...]:
    keys = tuple(dict.fromkeys(facetkeys.key(facet, v) for v in values))
    return keys or (facetkeys.NONE,)


def prepare(doc: Document) -> Prepared:
    """Analyse ``doc`` for indexing (pure: the same document gives the same result)."""
    names = tuple(o.name for o in doc.outlets)
    tag_text = " ".join(doc.tags)
    source_text = " ".join(names)
    digest = text_digest(doc)
    words: set[str] = set()
    indexed = IndexedDocument(
        id=doc.id,
        kind=doc.kind,
        date=date_to_int(doc.date),
        title=analysis.analyzed_and_words(doc.title, words),
        body=analysis.analyzed_and_words(doc.body, words),
        tags=analysis.analyzed_and_words(tag_text, words),
        source=analysis.analyzed_and_words(source_text, words),
        tag_keys=_keys("tag", doc.tags),
        source_keys=_keys("source", names),
        digest=digest,
        stored=to_json(doc),
    )
    forms = [("tag", facetkeys.key("tag", t), t) for t in dict.fromkeys(doc.tags)]
    forms += [("source", facetkeys.key("source", n), n) for n in dict.fromkeys(names)]
    year = f"{indexed.date // 10000:04d}" if indexed.date else facetkeys.NONE
    keys = [
        *(("tag", k) for k in indexed.tag_keys),
        *(("source", k) for k in indexed.source_keys),
        ("year", year),
        ("kind", doc.kind),
    ]
    return Prepared(indexed, frozenset(words), tuple(forms), tuple(keys))
