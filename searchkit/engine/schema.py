"""The Whoosh schema and the mapping from a ``Document`` to index fields."""

from __future__ import annotations

import json
import re
from datetime import date

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from searchkit.engine import formats
from searchkit.engine.analysis import ExactValues, FastStemmingAnalyzer
from searchkit.engine.store import SCHEMA_VERSION  # noqa: F401 - re-exported
from searchkit.model import Document, Outlet, RelatedLink

#: Separates the values of a multi-valued exact field (tags and outlets may contain
#: commas and spaces, so neither can be the separator).
SEP = "\x1f"
#: Separates the tags from the outlets in the ``facets`` column.
GROUP_SEP = "\x1e"

TITLE_BOOST = 2.0
TAG_BOOST = 1.5


def _exact_values() -> KEYWORD:
    """Whole values (tags, outlet names) as terms, for filters and facets."""
    field = KEYWORD(analyzer=ExactValues())
    field.format = formats.Frequency()
    return field


def _text(analyzer, boost: float = 1.0, *, phrase: bool = True, stored: bool = False) -> TEXT:
    """Whoosh's TEXT field with our posting formats (the same data, written faster)."""
    field = TEXT(analyzer=analyzer, stored=stored, field_boost=boost, phrase=phrase)
    fmt = formats.Positions if phrase else formats.Frequency
    field.format = fmt(field_boost=boost)
    return field


def build_schema() -> Schema:
    # Whoosh's StemmingAnalyzer, token for token, in one loop (see analysis.py).
    stem = FastStemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        title=_text(stem, TITLE_BOOST, stored=True),
        body=_text(stem, stored=True),
        # Searchable words of the tags and outlets (tag:, source:). No positions:
        # they cost build time, and a phrase here is read as all of its words.
        tags=_text(stem, TAG_BOOST, phrase=False),
        source=_text(stem, phrase=False),
        # Exact display values, for filters and facets.
        tag_key=_exact_values(),
        source_key=_exact_values(),
        # Per-document facet values for counting: tags RS outlets RS kind RS yyyymmdd
        # (US between the values of a group). A column, so Whoosh keeps it through segment merges.
        facets=COLUMN(VarBytesColumn()),
        # yyyymmdd, 0 when the document has no date.
        date=NUMERIC(int, bits=32, sortable=True, stored=True, signed=False, shift_step=8),
        meta=STORED(),
    )


#: The words did-you-mean knows: unstemmed, lowercase, letters only.
WORD = re.compile(r"[^\W\d_]{2,}")


def vocabulary_of(fields: dict) -> set[str]:
    """The distinct spelling words of a document's title and body."""
    return set(WORD.findall(f"{fields['title']} {fields['body']}".lower()))


def date_to_int(d: date | None) -> int:
    return d.year * 10000 + d.month * 100 + d.day if d else 0


def int_to_date(n: int | None) -> date | None:
    if not n:
        return None
    try:
        return date(n // 10000, n // 100 % 100, n % 100)
    except ValueError:
        return None


def to_fields(doc: Document) -> dict:
    """The fields of ``doc`` as Whoosh's ``add_document`` takes them."""
    meta = {
        "outlets": [[o.name, o.url] for o in doc.outlets],
        "tags": list(doc.tags),
        "related": [
            [r.target, r.headline, r.date.isoformat() if r.date else None, list(r.tags)]
            for r in doc.related
        ],
    }
    names = [o.name for o in doc.outlets]
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "body": doc.body,
        "tags": " ".join(doc.tags),
        "source": " ".join(names),
        "tag_key": SEP.join(doc.tags),
        "source_key": SEP.join(names),
        "facets": GROUP_SEP.join(
            (SEP.join(doc.tags), SEP.join(names), doc.kind, str(date_to_int(doc.date)))
        ).encode(),
        "date": date_to_int(doc.date),
        "meta": json.dumps(meta, ensure_ascii=False, separators=(",", ":")),
    }


def from_stored(stored: dict) -> Document:
    """Rebuild a ``Document`` from a hit's stored fields."""
    meta = json.loads(stored.get("meta") or "{}")
    return Document(
        id=stored["id"],
        kind=stored["kind"],
        title=stored.get("title", ""),
        body=stored.get("body", ""),
        date=int_to_date(stored.get("date")),
        outlets=tuple(Outlet(n, u) for n, u in meta.get("outlets", [])),
        tags=tuple(meta.get("tags", [])),
        related=tuple(
            RelatedLink(t, h, date.fromisoformat(d) if d else None, tuple(tags))
            for t, h, d, tags in meta.get("related", [])
        ),
    )
