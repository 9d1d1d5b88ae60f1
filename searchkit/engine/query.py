"""Turning what the user typed into a Whoosh query, without ever raising.

The language (documented in README and ``searchkit search --help``): all words must
match by default; ``"phrases"``; ``OR``, ``NOT``, ``AND`` and parentheses; fields
``title:``, ``tag:``, ``source:``, ``kind:``; dates ``date:2016``, ``date:2016-04``,
``date:2016-01..2016-06``, ``date:>=2020``; prefixes ``syri*``; fuzzy ``syria~``.

Input the parser would misread (an unbalanced quote or parenthesis, a dangling
operator) or that it cannot parse is searched as its plain words, with a notice.
Terms that would take seconds to expand (``*``, ``a*``, ``x~9``) are bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema

DEFAULT_FIELDS = ("title", "body", "tags")
FIELD_ALIASES = {"tags": ["tag"], "source": ["sources", "outlet"], "title": ["headline"]}
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
UNPOSITIONED = {"tags", "source"}  # fields indexed without positions
MIN_PREFIX = 2  # characters before a wildcard
MAX_EDITS = 2

_DATE_TOKEN = re.compile(
    r"""(?ix) (?<!\S) date: (?:
        \[ \s* (?P<lo>[^\]\s]*) \s+ to \s+ (?P<hi>[^\]\s]*) \s* \]
      | (?P<op>[<>]=?) (?P<bound>\S+)
      | (?P<a>[^\s.]+) \.\. (?P<b>[^\s.]*)
      | \.\. (?P<upto>\S+)
      | (?P<one>\S+)
    )"""
)
_DATE_VALUE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
KNOWN_FIELDS = {
    "title",
    "body",
    "tags",
    "tag",
    "source",
    "sources",
    "outlet",
    "kind",
    "headline",
    "id",
}
_UNKNOWN_FIELD = re.compile(r"(?<![\w\"])(\w+):(?=\S)")
_WORD = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*")


@dataclass(slots=True)
class ParsedQuery:
    text: str  # what the user typed
    query: wq.Query  # the text part; Every() when there is none
    date_lo: int | None = None  # yyyymmdd bounds from date: terms, inclusive
    date_hi: int | None = None
    notices: list[str] = field(default_factory=list)
    degraded: bool = False

    @property
    def browse(self) -> bool:
        return isinstance(self.query, wq.Every)


def _period(value: str, end: bool) -> int | None:
    """yyyymmdd of the first (or last) day of 2016 / 2016-04 / 2016-04-29."""
    m = _DATE_VALUE.match(value)
    if not m:
        return None
    y, mo, d = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    try:
        if d:
            date(y, mo, d)
            return y * 10000 + mo * 100 + d
        if mo:
            if not 1 <= mo <= 12:
                return None
            return y * 10000 + mo * 100 + (31 if end else 1)
    except ValueError:
        return None
    return y * 10000 + (1231 if end else 101)


def parse_date(value: str, end: bool = False) -> date | None:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD (for --from/--to), or None."""
    n = _period(value, end)
    if n is None:
        return None
    y, m, d = n // 10000, n // 100 % 100, n % 100
    while d > 28:
        try:
            return date(y, m, d)
        except ValueError:
            d -= 1
    return date(y, m, d)


def _extract_dates(text: str, notices: list[str]) -> tuple[str, int | None, int | None]:
    lo: int | None = None
    hi: int | None = None

    def bound(value: str, end: bool, token: str) -> int | None:
        if value in ("", "*"):
            return None
        n = _period(value, end)
        if n is None:
            notices.append(f"ignored {token}: dates are YYYY, YYYY-MM or YYYY-MM-DD")
        return n

    def take(m: re.Match) -> str:
        nonlocal lo, hi
        token = m.group(0)
        if m["one"] is not None:
            a, b = bound(m["one"], False, token), bound(m["one"], True, token)
        elif m["op"]:
            op, n_lo, n_hi = m["op"], None, None
            a = b = None
            if op.startswith(">"):
                a = bound(m["bound"], op == ">", token)
                if a is not None and op == ">":
                    a += 1
            else:
                b = bound(m["bound"], op == "<=", token)
                if b is not None and op == "<":
                    b = _period(m["bound"], False)
                    b = b - 1 if b else None
            del n_lo, n_hi
        elif m["upto"] is not None:
            a, b = None, bound(m["upto"], True, token)
        else:
            first, second = (m["lo"], m["hi"]) if m["lo"] is not None else (m["a"], m["b"])
            a, b = bound(first, False, token), bound(second, True, token)
            if a is not None and b is not None and a > b:
                notices.append(f"{token}: the range was reversed; searched it the right way")
                a, b = bound(second, False, token), bound(first, True, token)
        if a is not None:
            lo = a if lo is None else max(lo, a)
        if b is not None:
            hi = b if hi is None else min(hi, b)
        return " "

    return _DATE_TOKEN.sub(take, text), lo, hi


def _problem(text: str) -> str | None:
    """Why the parser would misread ``text``, or None when it is well formed."""
    if text.count('"') % 2:
        return "an unbalanced quote"
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return "an unbalanced parenthesis"
    if depth:
        return "an unbalanced parenthesis"
    tokens = re.sub(r'"[^"]*"', " x ", text).replace("(", " ( ").replace(")", " ) ").split()
    prev = "("
    for tok in [*tokens, ")"]:
        if tok in OPERATORS:
            if (prev in OPERATORS and not (prev != "NOT" and tok == "NOT")) or (
                prev == "(" and tok != "NOT"
            ):
                return f"a misplaced {tok}"
        elif tok == ")" and prev in OPERATORS:
            return f"a dangling {prev}"
        prev = tok
    return None


def plain_words(text: str) -> str:
    """The words of ``text`` with every operator and bit of syntax removed."""
    words = [w for w in _WORD.findall(text) if w not in OPERATORS]
    return " ".join(words)


class QueryBuilder:
    """Parses query strings for one schema. Cheap to keep, not thread-safe to share."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.BoostPlugin)
        parser.remove_plugin_class(qparser.RangePlugin)  # dates have their own syntax
        parser.add_plugin(qparser.FuzzyTermPlugin())
        parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
        self.parser = parser

    def parse(self, text: str) -> ParsedQuery:
        notices: list[str] = []
        rest, lo, hi = _extract_dates(text, notices)
        parts = rest.split('"')  # fields are read outside quotes only
        parts[::2] = [
            _UNKNOWN_FIELD.sub(lambda m: self._unknown_field(m, notices), p) for p in parts[::2]
        ]
        rest = '"'.join(parts)
        if rest.strip() == "*":
            rest = ""
        if lo is not None and hi is not None and lo > hi:
            notices.append("the date range matches no day")
        degraded = False
        problem = _problem(rest)
        if problem:
            rest = self._degrade(rest, problem, notices)
            degraded = True
        q = self._parse(rest, notices)
        if q is None:  # the parser raised
            rest = self._degrade(rest, "syntax it could not read", notices)
            degraded = True
            q = self._parse(rest, notices) or wq.NullQuery
        q = q.accept(lambda node: self._bound(node, notices))
        q = q.normalize()
        if q is wq.NullQuery and not degraded:
            notices.append("nothing to search for: the query has only common words or symbols")
        return ParsedQuery(text, q, lo, hi, list(dict.fromkeys(notices)), degraded)

    @staticmethod
    def _unknown_field(m: re.Match, notices: list[str]) -> str:
        if m[1].lower() in KNOWN_FIELDS:
            return m[0]
        notices.append(f"{m[1]}: is not a field; searched it as a word")
        return m[1] + " "

    def _parse(self, text: str, notices: list[str]) -> wq.Query | None:
        if not text.strip():
            return wq.Every()
        try:
            return self.parser.parse(text)
        except Exception:  # whoosh raises IndexError, AssertionError, … on odd input
            return None

    @staticmethod
    def _degrade(text: str, problem: str, notices: list[str]) -> str:
        words = plain_words(text)
        shown = words or "(nothing)"
        notices.append(f"could not read the query ({problem}); searched for the words: {shown}")
        return words

    def _bound(self, node: wq.Query, notices: list[str]) -> wq.Query:
        if isinstance(node, wq.FuzzyTerm):
            if node.maxdist > MAX_EDITS:
                notices.append(f"{node.text}~{node.maxdist}: at most {MAX_EDITS} edits are allowed")
                node.maxdist = MAX_EDITS
            node.prefixlength = max(node.prefixlength, 1)
            return node
        if isinstance(node, (wq.Prefix, wq.Wildcard)):
            fixed = (
                re.split(r"[*?]", node.text, maxsplit=1)[0]
                if isinstance(node, wq.Wildcard)
                else node.text
            )
            if len(fixed) < MIN_PREFIX:
                shown = node.text + ("*" if isinstance(node, wq.Prefix) else "")
                notices.append(
                    f"ignored {shown}: a wildcard needs at least {MIN_PREFIX} letters before it"
                )
                return wq.NullQuery
            return node
        if isinstance(node, wq.Phrase) and node.fieldname in UNPOSITIONED:
            return wq.And([wq.Term(node.fieldname, w) for w in node.words])
        if isinstance(node, wq.Every) and node.fieldname:
            return wq.NullQuery  # `*` beside other terms adds nothing
        if isinstance(node, wq.Term) and node.fieldname == "kind":
            node.text = str(node.text).lower()
        return node


def query_terms(q: wq.Query, reader) -> dict[str, set[str]]:
    """Field -> the indexed terms ``q`` matches (prefixes and fuzzy terms expanded).

    (Whoosh's ``existing_terms`` reuses its ``fieldname`` argument as a loop variable
    and so drops every field after the first: walk the leaves here instead.)
    """
    out: dict[str, set[str]] = {}
    for leaf in [q] if q.is_leaf() else q.leaves():
        try:
            terms = leaf.expanded_terms(reader, phrases=True)
        except Exception:
            continue
        for fieldname, text in terms:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            out.setdefault(fieldname, set()).add(text)
    return out
