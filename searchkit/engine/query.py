"""The query language: what the user typed → a parsed tree (``tree``) plus notices.

The language (README, ``searchkit search --help``): all words must match by default;
``"phrases"``; ``OR``, ``NOT``, ``AND`` and parentheses; ``-word`` leaves out,
``+word`` requires; fields ``title:``, ``body:``, ``tag:``, ``source:``, ``kind:``,
``id:``; dates ``date:2016``, ``date:2016-04``, ``date:2016-04-29``,
``date:2016-01..2016-06``, ``date:>=2020``, ``date:[2016 to 2017]``; prefixes ``syri*``;
fuzzy ``syria~`` and ``syria~2``.

Precedence, loosest first: words side by side (all must match), ``OR``, ``AND``,
``NOT``/``-``/``+``. So ``war OR bomb city`` is ``(war OR bomb) AND city`` and
``war AND bomb OR city`` is ``(war AND bomb) OR city``.

Parsing never raises. Input the grammar cannot read (an unbalanced quote or
parenthesis, a misplaced operator, nesting deeper than ``MAX_DEPTH``) is searched as
its plain words, with a notice. A malformed ``date:`` value is an *error* (like a bad
``--from``): ``ParsedQuery.error`` says what is wrong and the engine refuses to guess.
Over-long queries are cut to ``MAX_CHARS`` and ``MAX_WORDS`` with a notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from searchkit.engine.tree import (
    FIRST_DAY,
    LAST_DAY,
    And,
    DateRange,
    Fuzzy,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Prefix,
    Quoted,
    Require,
    Word,
    children,
)

OPERATORS = frozenset({"AND", "OR", "NOT"})
FIELD_NAMES = {
    "title": "title",
    "headline": "title",
    "body": "body",
    "tag": "tags",
    "tags": "tags",
    "source": "source",
    "sources": "source",
    "outlet": "source",
    "kind": "kind",
    "id": "id",
}
KINDS = {"story": "story", "stories": "story", "article": "article", "articles": "article"}
MIN_PREFIX = 2  # letters before a trailing *
MAX_EDITS = 2
#: Bounds on what one query may ask for (each over-limit part is dropped with a notice).
MAX_CHARS = 2000
MAX_WORDS = 64
MAX_FUZZY = 8
MAX_DEPTH = 20

_DATE = re.compile(
    r"""(?ix) date: (?:
        \[ \s* (?P<lo>[^\]\s]*) \s+ to \s+ (?P<hi>[^\]\s]*) \s* \]
      | (?P<op>[<>]=?) (?P<bound>[^\s()]*)
      | (?P<a>[^\s.()]+) \.\. (?P<b>[^\s.()]*)
      | \.\. (?P<upto>[^\s()]*)
      | (?P<one>[^\s()]*)
    )"""
)
_DATE_VALUE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FIELD = re.compile(r"([A-Za-z]+):(?=\S)")
_WORD_END = re.compile(r'[\s()"]')
DATE_HELP = "dates are YYYY, YYYY-MM or YYYY-MM-DD, from 0001 to 9999"


class QuerySyntaxError(ValueError):
    """Something the grammar cannot read: the query is searched as its plain words."""


class QueryValueError(ValueError):
    """A value that cannot mean anything (a malformed date): the query is refused."""


@dataclass(slots=True)
class ParsedQuery:
    text: str  # what the user typed
    tree: Node
    notices: list[str] = field(default_factory=list)
    error: str | None = None  # set: the query cannot be searched as typed


# --- dates -------------------------------------------------------------------------------


def _period(value: str, end: bool) -> int | None:
    """yyyymmdd of the first (or last) day of 2016 / 2016-04 / 2016-04-29, or None."""
    m = _DATE_VALUE.match(value)
    if not m:
        return None
    y, mo, d = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    if y < 1:
        return None
    try:
        if d:
            date(y, mo, d)
            return y * 10000 + mo * 100 + d
        if mo:
            if not 1 <= mo <= 12:
                return None
            last = _last_day(y, mo)
            return y * 10000 + mo * 100 + (last if end else 1)
    except ValueError:
        return None
    return y * 10000 + (1231 if end else 101)


def _last_day(y: int, mo: int) -> int:
    import calendar

    return calendar.monthrange(y, mo)[1]


def parse_date(value: str, end: bool = False) -> date | None:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD (for --from/--to), or None.

    With ``end``, the last day of the year or month: ``--to 2016`` is 2016-12-31.
    """
    n = _period(value.strip(), end)
    if n is None:
        return None
    return date(n // 10000, n // 100 % 100, n % 100)


def _day_after(n: int) -> int:
    d = date(n // 10000, n // 100 % 100, n % 100)
    return n if d == date.max else _as_int(date.fromordinal(d.toordinal() + 1))


def _day_before(n: int) -> int:
    d = date(n // 10000, n // 100 % 100, n % 100)
    return n if d == date.min else _as_int(date.fromordinal(d.toordinal() - 1))


def _as_int(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _date_range(m: re.Match, notices: list[str]) -> Node:
    token = m.group(0)

    def bound(value: str, end: bool) -> int | None:
        if value in ("", "*"):
            return None
        n = _period(value, end)
        if n is None:
            raise QueryValueError(f"{token}: {DATE_HELP}")
        return n

    lo = hi = None
    if m["one"] is not None:
        if not m["one"]:
            raise QueryValueError(f"{token}: a date is missing; {DATE_HELP}")
        lo, hi = bound(m["one"], False), bound(m["one"], True)
    elif m["op"]:
        op, value = m["op"], m["bound"]
        if not value:
            raise QueryValueError(f"{token}: a date is missing; {DATE_HELP}")
        if op == ">=":
            lo = bound(value, False)
        elif op == ">":
            lo = _day_after(bound(value, True))  # type: ignore[arg-type]
        elif op == "<=":
            hi = bound(value, True)
        else:
            hi = _day_before(bound(value, False))  # type: ignore[arg-type]
    elif m["upto"] is not None:
        hi = bound(m["upto"], True)
    else:
        first, second = (m["lo"], m["hi"]) if m["lo"] is not None else (m["a"], m["b"])
        lo, hi = bound(first, False), bound(second, True)
        if lo is not None and hi is not None and lo > hi:
            notices.append(f"{token}: the range was reversed; searched it the right way")
            lo, hi = bound(second, False), bound(first, True)
    if lo is None and hi is None:
        return MatchAll()
    return DateRange(lo if lo is not None else FIRST_DAY, hi if hi is not None else LAST_DAY)


# --- lexing ------------------------------------------------------------------------------

# A token: ("(", None) ("(", field) (")", None) ("OP", "AND") ("MOD", "+"/"-") ("LEAF", node)


def _lex(text: str, notices: list[str]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        at_start = i == 0 or text[i - 1].isspace() or text[i - 1] == "("
        if ch in "+-" and at_start and i + 1 < n and not text[i + 1].isspace():
            out.append(("MOD", ch))
            i += 1
            continue
        if ch == "(":
            out.append(("(", None))
            i += 1
            continue
        if ch == ")":
            out.append((")", None))
            i += 1
            continue
        fieldname = None
        if text[i : i + 5].lower() == "date:":
            m = _DATE.match(text, i)
            if m is not None:
                out.append(("LEAF", _date_range(m, notices)))
                i = m.end()
                continue
        m = _FIELD.match(text, i)
        if m is not None:
            name = m[1].lower()
            if name in FIELD_NAMES:
                fieldname = FIELD_NAMES[name]
                i = m.end()
                if text[i] == "(":
                    out.append(("(", fieldname))
                    i += 1
                    continue
            elif name != "date":
                notices.append(f"{m[1]}: is not a field; searched it as a word")
                out.append(("LEAF", Word(m[1])))
                i = m.end()
                continue
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QuerySyntaxError("an unbalanced quote")
            out.append(("LEAF", Quoted(text[i + 1 : close], fieldname)))
            i = close + 1
            continue
        end = _WORD_END.search(text, i)
        j = end.start() if end else n
        word = text[i:j]
        i = j
        if fieldname is None and word in OPERATORS:
            out.append(("OP", word))
            continue
        out.append(("LEAF", _leaf(word, fieldname, notices)))
    return out


def _leaf(word: str, fieldname: str | None, notices: list[str]) -> Node:
    if fieldname == "kind":
        kind = KINDS.get(word.lower())
        if kind is None:
            notices.append(f"kind:{word}: kinds are story and article")
            return MatchNone()
        return Word(kind, "kind")
    if fieldname == "id":
        if "*" in word or "?" in word:
            notices.append(f"id:{word}: an id is matched whole; wildcards are not supported")
            return MatchNone()
        return Word(word, "id")
    m = re.fullmatch(r"(.*?)~(\d*)", word)
    if m and m[1]:
        edits = int(m[2]) if m[2] else 1
        if edits > MAX_EDITS:
            notices.append(f"{word}: at most {MAX_EDITS} edits are allowed")
            edits = MAX_EDITS
        return Fuzzy(m[1], max(edits, 1), fieldname)
    if word.endswith("*") and "*" not in word[:-1] and "?" not in word:
        stem = word[:-1]
        letters = re.sub(r"\W", "", stem)
        if len(letters) < MIN_PREFIX:
            if word != "*":
                notices.append(
                    f"ignored {word}: a wildcard needs at least {MIN_PREFIX} letters before it"
                )
            return MatchAll() if word == "*" else MatchNone()
        return Prefix(stem, fieldname)
    if "*" in word or "?" in word:
        notices.append(f"{word}: wildcards work only at the end of a word; searched it as words")
        word = word.replace("*", " ").replace("?", " ")
    return Word(word, fieldname)


# --- parsing -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[tuple[str, object]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> tuple[str, object] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, object]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        items = self.sequence(0)
        if self.peek() is not None:
            raise QuerySyntaxError("an unbalanced parenthesis")
        return _group(items)

    def sequence(self, depth: int) -> list[Node]:
        if depth > MAX_DEPTH:
            raise QuerySyntaxError("nesting too deep")
        items: list[Node] = []
        while (tok := self.peek()) is not None and tok[0] != ")":
            items.append(self.disjunction(depth))
        return items

    def operand(self, op: str) -> None:
        """After an operator: something must follow it."""
        tok = self.peek()
        if tok is None or tok[0] == ")":
            raise QuerySyntaxError(f"a dangling {op}")

    def disjunction(self, depth: int) -> Node:
        items = [self.conjunction(depth)]
        while (tok := self.peek()) is not None and tok == ("OP", "OR"):
            self.take()
            self.operand("OR")
            items.append(self.conjunction(depth))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self, depth: int) -> Node:
        items = [self.unary(depth)]
        while (tok := self.peek()) is not None and tok == ("OP", "AND"):
            self.take()
            self.operand("AND")
            items.append(self.unary(depth))
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("a dangling operator")
        if tok == ("OP", "NOT") or tok == ("MOD", "-"):
            self.take()
            self.operand("NOT")
            return Not(self.unary(depth + 1))
        if tok == ("MOD", "+"):
            self.take()
            return Require(self.unary(depth + 1))
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        kind, value = self.take()
        if kind == "LEAF":
            return value  # type: ignore[return-value]
        if kind == "(":
            items = self.sequence(depth + 1)
            if self.peek() is None:
                raise QuerySyntaxError("an unbalanced parenthesis")
            self.take()
            if not items:
                return MatchNone()
            node = _group(items)
            return _with_field(node, value) if value else node  # type: ignore[arg-type]
        if kind == ")":
            raise QuerySyntaxError("an unbalanced parenthesis")
        raise QuerySyntaxError(f"a misplaced {value}")


def _group(items: list[Node]) -> Node:
    if not items:
        return MatchAll()
    return items[0] if len(items) == 1 else And(tuple(items))


def _with_field(node: Node, fieldname: str) -> Node:
    """``title:(a b)``: the field applies to every leaf without one of its own."""
    if isinstance(node, (Word, Quoted, Prefix)) and node.field is None:
        return type(node)(node.text, fieldname)
    if isinstance(node, Fuzzy) and node.field is None:
        return Fuzzy(node.text, node.edits, fieldname)
    if isinstance(node, And):
        return And(tuple(_with_field(i, fieldname) for i in node.items))
    if isinstance(node, Or):
        return Or(tuple(_with_field(i, fieldname) for i in node.items))
    if isinstance(node, Not):
        return Not(_with_field(node.item, fieldname))
    if isinstance(node, Require):
        return Require(_with_field(node.item, fieldname))
    return node


def plain_words(tokens: list[tuple[str, object]]) -> Node:
    """The words (and dates) of a query the grammar could not read, all required."""
    items: list[Node] = []
    for kind, value in tokens:
        if kind != "LEAF":
            continue
        node: Node = value  # type: ignore[assignment]
        if isinstance(node, Quoted):
            items.extend(Word(w, node.field) for w in node.text.split())
        elif not isinstance(node, (MatchAll, MatchNone)):
            items.append(node)
    return _group(items) if items else MatchNone()


def _fallback_tokens(text: str, notices: list[str]) -> list[tuple[str, object]]:
    """Leaves of ``text`` read without quotes, parentheses or operators."""
    cleaned = re.sub(r'["()]', " ", text)
    tokens = _lex(cleaned, notices)
    return [t for t in tokens if t[0] == "LEAF"]


def _shown(node: Node) -> str:
    from searchkit.engine.tree import describe

    if isinstance(node, And):
        return " ".join(_shown(i) for i in node.items)
    return describe(node)


def _bound(tree: Node, notices: list[str]) -> Node:
    """Drop words past ``MAX_WORDS`` and fuzzy terms past ``MAX_FUZZY``."""
    words = fuzzy = 0
    dropped_words = dropped_fuzzy = 0

    def visit(node: Node) -> Node | None:
        nonlocal words, fuzzy, dropped_words, dropped_fuzzy
        if isinstance(node, (Word, Quoted, Prefix, Fuzzy)):
            words += 1
            if words > MAX_WORDS:
                dropped_words += 1
                return None
            if isinstance(node, Fuzzy):
                fuzzy += 1
                if fuzzy > MAX_FUZZY:
                    dropped_fuzzy += 1
                    return Word(node.text, node.field)
            return node
        if isinstance(node, (And, Or)):
            kept = tuple(k for k in (visit(i) for i in node.items) if k is not None)
            if not kept:
                return None
            return And(kept) if isinstance(node, And) else Or(kept)
        if isinstance(node, (Not, Require)):
            inner = visit(node.item)
            return None if inner is None else type(node)(inner)
        return node

    out = visit(tree)
    if dropped_words:
        notices.append(f"the query has more than {MAX_WORDS} words; searched the first {MAX_WORDS}")
    if dropped_fuzzy:
        notices.append(
            f"at most {MAX_FUZZY} fuzzy words (~) are searched; the rest were searched exactly"
        )
    return out if out is not None else MatchNone()


def parse(text: str) -> ParsedQuery:
    """Parse a query. Never raises; see ``ParsedQuery.error`` and ``.notices``."""
    notices: list[str] = []
    source = text
    if len(source) > MAX_CHARS:
        cut = source.rfind(" ", 0, MAX_CHARS)
        source = source[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
        notices.append(f"the query is longer than {MAX_CHARS} characters; searched its start")
    try:
        try:
            tokens = _lex(source, notices)
            tree = _Parser(tokens).parse()
        except QuerySyntaxError as exc:
            tokens = _fallback_tokens(source, [])
            tree = plain_words(tokens)
            shown = _shown(tree) if not isinstance(tree, MatchNone) else "(nothing)"
            notices.append(f"could not read the query ({exc}); searched for the words: {shown}")
    except QueryValueError as exc:
        return ParsedQuery(text, MatchNone(), notices, str(exc))
    tree = _bound(tree, notices)
    return ParsedQuery(text, tree, list(dict.fromkeys(notices)))


def leaves(node: Node) -> list[Node]:
    """The leaves of a tree, in order."""
    kids = children(node)
    if not kids:
        return [node]
    out: list[Node] = []
    for k in kids:
        out.extend(leaves(k))
    return out
