"""The Whoosh schema: fields for the neutral engine's already-analysed documents.

Text fields hold terms joined by single spaces (``engine.analysis``); their analyzer
only splits on spaces (``Pretokenized``), so Whoosh indexes exactly the terms every
backend indexes. The whole document is one stored JSON field; facet keys and dates
sit in columns read a block at a time.
"""

from __future__ import annotations

from whoosh.analysis import RegexTokenizer
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema

from searchkit.engine.backend import IndexedDocument
from searchkit.engine.backends.whoosh import formats

#: Separates the values of a multi-valued key group in the ``facets`` column.
SEP = "\x1f"
#: Separates the groups: tag keys RS source keys RS kind.
GROUP_SEP = "\x1e"
#: Bumped when this schema or the stored layout changes: such an index is rebuilt.
SCHEMA_VERSION = 8


class Pretokenized(RegexTokenizer):
    """Terms separated by single spaces, one per position; with a one-call path for
    the bulk writer (``positions_of``)."""

    def __init__(self) -> None:
        super().__init__(r"[^ ]+")

    def __reduce__(self):
        return (Pretokenized, ())  # pickled by name alone (see toc.py)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def positions_of(self, value: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, term in enumerate(value.split()):
            found = out.get(term)
            if found is None:
                out[term] = [i]
            else:
                found.append(i)
        return out


def _text(*, phrase: bool = True, scorable: bool = True) -> TEXT:
    # Postings hold plain term frequencies: field boosts multiply each field's score
    # at search time (FIELD_BOOSTS), as in every backend.
    field = TEXT(analyzer=Pretokenized(), phrase=phrase)
    fmt = formats.Positions if phrase else formats.Frequency
    field.format = fmt()
    field.scorable = scorable
    return field


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(),
        title=_text(),
        body=_text(),
        tags=_text(),
        source=_text(),
        # Facet filters by key: "t<key>" for each tag, "s<key>" for each outlet. Dates
        # as "y2016", "m201604" and "d20160429" terms: a date range is a union of whole
        # years, months and days (exact for any date from 0001 to 9999).
        keys=_text(phrase=False, scorable=False),
        # tag keys RS source keys RS kind, per document, for counting facets.
        facets=COLUMN(VarBytesColumn()),
        # yyyymmdd (0 when undated), a fixed-width column: read whole in one slice.
        date=COLUMN(NumericColumn("I", default=0)),
        doc=STORED(),
    )


def date_terms(day: int) -> str:
    if not day:
        return "ynone"
    return f"y{day // 10000:04d} m{day // 100:06d} d{day:08d}"


def to_fields(doc: IndexedDocument) -> dict:
    """The fields of ``doc`` as Whoosh's ``add_document`` takes them."""
    keys = " ".join([*(f"t{k}" for k in doc.tag_keys), *(f"s{k}" for k in doc.source_keys)])
    return {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "body": doc.body,
        "tags": doc.tags,
        "source": doc.source,
        "keys": f"{keys} {date_terms(doc.date)}",
        "facets": GROUP_SEP.join(
            (SEP.join(doc.tag_keys), SEP.join(doc.source_keys), doc.kind)
        ).encode(),
        "date": doc.date,
        "doc": doc.stored,
    }
