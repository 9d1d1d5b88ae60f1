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
    r"""(?ix) (?<![\w:]) date: (?:
        \[ \s* (?P<lo>[^\]\s]*) \s+ to \s+ (?P<hi>[^\]\s]*) \s* \]
      | (?P<op>[<>]=?) (?P<bound>[^\s()]+)
      | (?P<a>[^\s.()]+) \.\. (?P<b>[^\s.()]*)
      | \.\. (?P<upto>[^\s()]+)
      | (?P<one>[^\s()]+)
    )"""
)
#: What a date term becomes before Whoosh parses it: a range on the numeric field.
_DATE_RANGE = re.compile(r"date:\[(?:\d+ )?TO(?: \d+)?\]")
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
    "date",
}
_UNKNOWN_FIELD = re.compile(r"(?<![\w\"])(\w+):(?=\S)")
_WORD = re.compile(r"[^\W_]+(?:['.\-][^\W_]+)*")


@dataclass(slots=True)
class ParsedQuery:
    text: str  # what the user typed
    query: wq.Query  # Every() when there is nothing to search for
    notices: list[str] = field(default_factory=list)

    @property
    def browse(self) -> bool:
        """Nothing to search for: everything matches."""
        return isinstance(self.query, wq.Every)

    @property
    def textless(self) -> bool:
        """No words, at most date ranges: relevance means nothing, date order does."""
        leaves = [self.query] if self.query.is_leaf() else list(self.query.leaves())
        return all(isinstance(q, (wq.Every, wq.NumericRange)) for q in leaves)


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


def _rewrite_dates(text: str, notices: list[str]) -> str:
    """Turn each date term into ``date:[yyyymmdd TO yyyymmdd]`` where it stands, so
    boolean operators and parentheses apply to it like to any other term."""

    def bound(value: str, end: bool, token: str) -> int | None:
        if value in ("", "*"):
            return None
        n = _period(value, end)
        if n is None:
            raise ValueError(token)
        return n

    def take(m: re.Match) -> str:
        token = m.group(0)
        try:
            if m["one"] is not None:
                a, b = bound(m["one"], False, token), bound(m["one"], True, token)
            elif m["op"]:
                op, value = m["op"], m["bound"]
                a = b = None
                if op == ">=":
                    a = bound(value, False, token)
                elif op == ">":
                    a = bound(value, True, token) + 1  # type: ignore[operator]
                elif op == "<=":
                    b = bound(value, True, token)
                else:
                    b = bound(value, False, token) - 1  # type: ignore[operator]
            elif m["upto"] is not None:
                a, b = None, bound(m["upto"], True, token)
            else:
                first, second = (m["lo"], m["hi"]) if m["lo"] is not None else (m["a"], m["b"])
                a, b = bound(first, False, token), bound(second, True, token)
                if a is not None and b is not None and a > b:
                    notices.append(f"{token}: the range was reversed; searched it the right way")
                    a, b = bound(second, False, token), bound(first, True, token)
        except ValueError:
            notices.append(f"ignored {token}: dates are YYYY, YYYY-MM or YYYY-MM-DD")
            return " "
        if a is None and b is None:
            return " "
        if a is None:
            a = 1  # undated documents (0) are in no date range
        # (Whoosh reads "[a TO]" and "[TO b]" but not "[a TO ]".)
        return f"date:[{'' if a is None else f'{a} '}TO{'' if b is None else f' {b}'}]"

    return _DATE_TOKEN.sub(take, text)


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
        parser.add_plugin(qparser.FuzzyTermPlugin())
        # -word excludes, +word requires; only at the start of a term ("al-Nusra").
        parser.add_plugin(
            qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-")
        )
        parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
        self.parser = parser

    def parse(self, text: str) -> ParsedQuery:
        notices: list[str] = []
        rest = _rewrite_dates(text, notices)
        parts = rest.split('"')  # fields are read outside quotes only
        parts[::2] = [
            _UNKNOWN_FIELD.sub(lambda m: self._unknown_field(m, notices), p) for p in parts[::2]
        ]
        rest = '"'.join(parts)
        if rest.strip() == "*":
            rest = ""
        degraded = False
        problem = _problem(_DATE_RANGE.sub("x", rest))
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
        if q is wq.NullQuery and not degraded and not notices:
            notices.append("nothing to search for: the query has only common words or symbols")
        return ParsedQuery(text, q, list(dict.fromkeys(notices)))

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
        dates = _DATE_RANGE.findall(text)
        words = plain_words(_DATE_RANGE.sub(" ", text))
        shown = words or "(nothing)"
        notices.append(f"could not read the query ({problem}); searched for the words: {shown}")
        return " ".join([words, *dates]).strip()

    def _bound(self, node: wq.Query, notices: list[str]) -> wq.Query:
        if isinstance(node, wq.AndNot):
            # Whoosh's AndNot matcher disagrees with NOT inside AND on some documents:
            # one form everywhere keeps totals, facets and hits consistent.
            return wq.And([node.a, wq.Not(node.b)])
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
        if isinstance(node, wq.TermRange):
            # Ranges are for dates; over words they expand to huge term lists.
            notices.append("ignored a range: ranges work on dates, e.g. date:2016..2017")
            return wq.NullQuery
        if isinstance(node, wq.Phrase) and node.fieldname in UNPOSITIONED:
            return wq.And([wq.Term(node.fieldname, w) for w in node.words])
        if isinstance(node, wq.Every) and node.fieldname:
            return wq.NullQuery  # `*` beside other terms adds nothing
        if isinstance(node, wq.Term) and node.fieldname == "kind":
            node.text = str(node.text).lower()
        return node
