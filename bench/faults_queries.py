"""Experiment 6: fuzzed queries against a big index.

Thousands of generated queries (operators, quotes, parentheses, deep nesting, huge
inputs, unicode, bytes that are not UTF-8, date junk and edge dates, wildcards, fuzzy
terms) run in-process through ``Engine.search`` (fast; ``faults_qworker.py``), and a
sample of them through the ``searchkit`` command: no traceback, valid UTF-8 JSON, exit
0/1/2, every query within 1 s; dates at the edges of 0001-9999 answer correctly.
"""

from __future__ import annotations

import json
import queue
import random
import re
import statistics
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from faults_common import NEWS, Experiment, Runner, base, build, kill_group, shell_line

if TYPE_CHECKING:
    from faults import Context

LIMIT_S = 1.0
WORKER = Path(__file__).with_name("faults_qworker.py")

WORDS = (  # noqa: SIM905 - a readable word list
    "syria obama trump election ceasefire aleppo russia iraq isil refugees hospital "
    "airstrike oil prices bank court president minister earthquake flood vote protest "
    "police china korea nuclear united nations reuters bbc europe africa the of and a in "
    "to is kill killed attack government army rebels"
).split()
FIELDS = (  # noqa: SIM905
    "title: tag: tags: source: sources: outlet: kind: date: id: body: headline: foo: TITLE: Title:"
).split()
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "or", "not", "&&", "||", "!")
ODD = (
    '"',
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "*",
    "?",
    "~",
    "^",
    ":",
    "\\",
    "/",
    "+",
    "-",
    "'",
    "..",
    "<",
    ">",
    "=",
    ">=",
    "<=",
    "TO",
    "to",
    "^2",
    "~2",
    "~9",
    "*:*",
    "''",
    '""',
    "()",
)
UNICODE = (
    "Erdoğan",
    "Ελλάδα",
    "Москва",
    "北京",
    "العربية",
    "עברית",
    "🙂",
    "e\u0301",
    "\u200b",
    "\ufeff",
    "\u202e",
    "ß",
    "ﬁ",
    "İstanbul",
    "\u2028",
    "\x00",
    "\x1b[2J",
    "\x7f",
    "\u0085",
    "\ud800",
    "\udcff",
    "𝔰𝔶𝔯𝔦𝔞",
    "Ｓｙｒｉａ",
    "ﷺ",
    "\U0010ffff",
)
DATE_JUNK = (
    "date:",
    "date:abc",
    "date:2016-13",
    "date:2016-02-30",
    "date:2016-00-01",
    "date:0000",
    "date:-1",
    "date:99999",
    "date:>=99999",
    "date:2016..",
    "date:..",
    "date:...",
    "date:>",
    "date:<",
    "date:>=",
    "date:[",
    "date:[2016",
    "date:[2016 to",
    "date:[ to ]",
    "date:[a to b]",
    "date:2017..2016",
    "date:2016-1-1",
    "date:16",
    "date:2016/04",
    "date:2016-04-29T10:00",
    "date:*",
    "date:[* TO *]",
    "date:{2016 TO 2017}",
    "date:2016^2",
    "date:2016~",
    "date:2016*",
    "date:\u0662\u0660\u0661\u0666",
    "date:２０１６",
    "date:1e4",
    "date:[0001 to 1600]",
    "date:<1000",
    "date:..1500",
    "date:9999-12-31",
    "date:0001-01-01",
    "date:1677",
    "date:1677-09-21",
    "date:1678",
    "date:>=0001",
    "date:<=9999-12-31",
)

#: Date queries with a known answer: 0 (before and after the archive) or "all dated".
ZERO_DATES = (
    "date:<1000",
    "date:..1500",
    "date:[0001 to 1600]",
    "date:9999-12-31",
    "date:>=9999",
    "date:0001-01-01",
    "date:<=1677",
    "date:1677",
    "date:[0001 to 1677]",
    "date:<1900",
    "date:9999",
    "date:>9000",
    "date:0001",
    "date:1600..1700",
)
ALL_DATES = ("date:>=0001", "date:0001..9999", "date:[0001 to 9999]", "date:>1600", "date:<=9999")
DATED = "date:1900..2100"


def generate(rng: random.Random, n: int) -> list[str]:
    """``n`` queries: fixed hard cases first, then random ones of every kind."""
    qs: list[str] = []
    qs += list(DATE_JUNK) + list(ZERO_DATES) + list(ALL_DATES) + [DATED]
    qs += ["*", "a*", "s*", "sy*", "*ria", "?", "??*", "s*a", "syr?a", "id:news/*", "id:*"]
    qs += ["id:news/2016*", "title:*", "tag:*", "source:*", "kind:*", "body:*", "*:*"]
    qs += ["syria~", "syria~1", "syria~2", "syria~9", "syria~-1", "a~2", "~", "~~", "syria~0.5"]
    vocab = corpus_words()
    _VOCAB[:] = vocab
    qs += [_paste(rng, vocab, "{}~2"), _paste(rng, vocab, "{}~1"), _paste(rng, vocab, "{}~")]
    qs += [_paste(rng, vocab, "{}*", cut=3), _paste(rng, vocab, "title:{}~2", size=3000)]
    qs += ["word~2 " * (10_000 // 7), "syria~2 " * 300, " ".join(f"{w}~2" for w in WORDS * 3)]
    qs += [" ".join(rng.choice(WORDS) for _ in range(2000)), "a " * 5000, "x" * 10_000]
    qs += ["(" * 5000, ")" * 5000, '"' * 10_000, " OR ".join(WORDS * 40), "NOT " * 1000]
    qs += [" ".join(rng.choice(WORDS) + "*" for _ in range(200)), "sy* " * 500]
    for depth in (5, 10, 50, 100, 200, 400, 1000):
        qs += ["(" * depth + "syria" + ")" * depth, "(" * depth + "syria OR iraq" + ")" * depth]
        qs += ["(" * depth + "syria", "NOT " * depth + "syria", "(syria OR " * depth + "x"]
        qs += [" AND ".join(["(a OR b)"] * depth)]
    qs += ["title:[a TO z]", "{a TO b}", "syria^2", "syria^-1", "title:syria^100", "id:"]
    qs += ['"prime minister"~3', '"', '""', '"syria', 'syria"', '"(syria OR iraq)"']
    qs += ["\udcff\udcfe", "syria \udcff", "\ud800", "caf\udce9"]
    while len(qs) < n:
        qs.append(_random_query(rng))
    return qs[:n] if n >= len(qs) else qs


_VOCAB: list[str] = []


def corpus_words(files: int = 300) -> list[str]:
    """Real words of the news corpus (fuzzy and prefix terms cost what they match)."""
    paths = sorted((NEWS / "news" / "2016").glob("*/*/*.md"))[::15][:files]
    words: set[str] = set()
    for path in paths:
        words.update(re.findall(r"[a-z]{3,12}", path.read_text(errors="replace").lower()))
    return sorted(words)


def _paste(rng: random.Random, vocab: list[str], form: str, *, size: int = 10_000, cut=0) -> str:
    """A pasted paragraph: ``size`` characters of distinct words, each as ``form``."""
    parts: list[str] = []
    length = 0
    for word in rng.sample(vocab, len(vocab)):
        term = form.format(word[:cut] if cut else word)
        parts.append(term)
        length += len(term) + 1
        if length >= size:
            break
    return " ".join(parts)


def _random_query(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:  # a huge paste
        return " ".join(_token(rng) for _ in range(rng.randint(200, 3000)))
    parts = []
    for _ in range(rng.randint(1, 12)):
        parts.append(_token(rng))
    sep = rng.choice((" ", " ", " ", "", "  ", "\t", "\n"))
    return sep.join(parts)


def _token(rng: random.Random) -> str:
    r = rng.random()
    word = rng.choice(WORDS if rng.random() < 0.5 or not _VOCAB else _VOCAB)
    if r < 0.35:
        return word
    if r < 0.45:
        return rng.choice(OPERATORS)
    if r < 0.55:
        return rng.choice(FIELDS) + rng.choice((word, f'"{word} {rng.choice(WORDS)}"', "", "*"))
    if r < 0.65:
        return rng.choice(ODD) + rng.choice(("", word))
    if r < 0.72:
        return word[: rng.randint(0, 3)] + rng.choice(("*", "?", "~", "~2", "~1"))
    if r < 0.80:
        return rng.choice(UNICODE) + rng.choice(("", word))
    if r < 0.86:
        return rng.choice(DATE_JUNK)
    if r < 0.92:
        return "(" * rng.randint(1, 4) + word + ")" * rng.randint(0, 4)
    if r < 0.96:
        return f'"{word} {rng.choice(WORDS)}'
    return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(1, 8)))


# --- the in-process runner -----------------------------------------------------------------


class Worker:
    """``faults_qworker.py`` in a subprocess: one query at a time, killed and restarted
    when one takes longer than the timeout."""

    def __init__(self, runner: Runner, index: Path, timeout: float) -> None:
        self.runner, self.index, self.timeout = runner, index, timeout
        self.unavailable = ""
        self.restarts = -1
        self._start()

    def _start(self) -> None:
        self.restarts += 1
        proc = self.runner.spawn(
            [sys.executable, str(WORKER), str(self.index)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(proc, self.lines), daemon=True).start()
        first = self._next(120)
        self.open_failure: dict | None = None
        if first is None or "unavailable" in first:
            self.unavailable = (first or {}).get("unavailable", "worker did not start")
        elif first.get("open_failed"):
            self.open_failure = first
        else:
            self.ask({"q": "syria"})  # load facets and caches before timing

    @staticmethod
    def _read(proc: subprocess.Popen, lines: queue.Queue) -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.put(line)
        lines.put("")

    def _next(self, timeout: float) -> dict | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return json.loads(line) if line else None

    def ask(self, request: dict) -> dict:
        if self.open_failure is not None:  # every search meets the same refusal
            return self.open_failure
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
            self.proc.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            self.close()
            self._start()
            return {"error": "worker died", "ms": 0}
        reply = self._next(self.timeout)
        if reply is None:
            self.close()
            self._start()
            return {"timeout": True, "ms": self.timeout * 1000}
        return reply

    def close(self) -> None:
        kill_group(self.proc.pid, 9)
        self.proc.wait(timeout=10)
        self.runner.forget(self.proc)


# --- the experiment ------------------------------------------------------------------------


def _big_index(ctx: Context) -> Path:
    if ctx.big_index:
        return ctx.big_index
    if ctx.quick:
        return base(ctx)[1]
    index = ctx.root / "big-index"
    out = build(ctx.runner, NEWS, index, timeout=3600)
    print(f"    built the 113k index in {out.seconds:.0f} s", flush=True)
    return index


def run_queries(ctx: Context, ex: Experiment) -> None:
    ex.headline = "queries"
    index = _big_index(ctx)
    rng = ctx.rng("queries")
    queries = generate(rng, ctx.size(400, 3200))
    worker = Worker(ctx.runner, index, timeout=ctx.size(15, 30))
    timings: list[tuple[float, str]] = []
    totals: dict[str, int] = {}
    if worker.unavailable:
        ex.na(
            "in-process: no exception but searchkit's own errors",
            f"n/a ({worker.unavailable[:60]})",
        )
    else:
        for i, q in enumerate(queries):
            reply = worker.ask({"q": q})
            seconds = reply.get("ms", 0) / 1000
            timings.append((seconds, q))
            shown = _shown(q)
            checks = {
                # A query that cannot be searched (a malformed date) is refused with
                # searchkit's own one-line error: that is an answer, not a crash.
                "in-process: no exception but searchkit's own errors": "error" not in reply
                or bool(reply.get("searchkit_error")),
                "in-process: results are valid UTF-8 JSON": reply.get("json_ok", True),
                f"in-process: within {LIMIT_S:.0f} s": not reply.get("timeout")
                and seconds <= LIMIT_S,
            }
            for name, held in checks.items():
                ex.check(
                    name,
                    held,
                    {
                        "query": shown,
                        "s": round(seconds, 2),
                        "error": reply.get("error", ""),
                        "tb": reply.get("tb", "")[-300:],
                        "timeout": bool(reply.get("timeout")),
                    },
                )
            ex.check("queries", all(checks.values()), {"query": shown, "s": round(seconds, 2)})
            if "total" in reply:
                totals[q] = reply["total"]
            if (i + 1) % 500 == 0:
                print(f"    queries: {i + 1}/{len(queries)} in-process", flush=True)
        _date_oracles(ex, worker, totals)
        worker.close()
        _report_timings(ex, timings, "in-process")
        if worker.restarts:
            ex.note(f"in-process worker restarted {worker.restarts} time(s) after timeouts")
    _cli_sample(ctx, ex, index, queries, rng, totals)


def _shown(q: str) -> str:
    text = q.encode("unicode_escape", "backslashreplace").decode()
    return text if len(text) <= 120 else f"{text[:100]}… ({len(q):,} chars)"


def _date_oracles(ex: Experiment, worker: Worker, totals: dict[str, int]) -> None:
    dated = totals.get(DATED)
    for q in ZERO_DATES:
        ex.check(
            "dates: before 1900 or after 2100 find nothing",
            totals.get(q) == 0,
            {"query": q, "total": totals.get(q)},
        )
    for q in ALL_DATES:
        ex.check(
            "dates: open ranges from 0001 / to 9999 find every dated document",
            totals.get(q) == dated,
            {"query": q, "total": totals.get(q), "want": dated},
        )
    year = worker.ask({"q": "", "filters": [["year", ["2016"]]]}).get("total")
    ex.check(
        "dates: date:2016 finds what the 2016 year filter does",
        totals.get("date:2016", worker.ask({"q": "date:2016"}).get("total")) == year,
        {"year_filter": year},
    )


def _report_timings(ex: Experiment, timings: list[tuple[float, str]], where: str) -> None:
    if not timings:
        return
    ordered = sorted(timings, reverse=True)
    secs = [t for t, _ in timings]
    ex.note(
        f"{where}: {len(secs)} queries, median {statistics.median(secs) * 1000:.0f} ms, "
        f"max {ordered[0][0]:.2f} s; over {LIMIT_S:.0f} s: {sum(t > LIMIT_S for t in secs)}"
    )
    for t, q in ordered[:5]:
        ex.note(f"  slowest ({where}): {t:.2f} s  {_shown(q)[:90]}")


def _cli_sample(
    ctx: Context, ex: Experiment, index: Path, queries: list[str], rng, totals: dict
) -> None:
    """A sample of the queries through the command itself: exit status, tracebacks,
    JSON, time over the command's own start-up; plus option and argv fuzz."""
    runner = ctx.runner
    startup = statistics.median(
        runner.sk(None, index, "search", "syria", "--json", timeout=60).seconds for _ in range(5)
    )
    ex.note(f"CLI: one-shot `search syria --json` takes {startup:.2f} s (median of 5)")
    # The fixed hard cases (the first 200 queries; in a quick run, a spread of them),
    # then random ones.
    special = queries[:200] if not ctx.quick else queries[:200:3]
    sample = special + rng.sample(queries[200:], min(len(queries) - 200, ctx.size(20, 200)))
    timings = []
    for q in sample:
        # Options first and "--": a query such as "--" or "-x" stays the query.
        argv: list = ["search", "--json", "--", _argv(q)]
        out = runner.sk(None, index, *argv, timeout=120)
        where = {
            "cmd": shell_line(out.argv)[:300],
            "exit": out.code,
            "s": round(out.seconds, 2),
            "stderr": out.err.decode("utf-8", "backslashreplace")[-300:],
        }
        timings.append((out.seconds - startup, q))
        checks = {
            "CLI: exit 0/1/2": out.code in (0, 1, 2),
            "CLI: no traceback": not out.traceback,
            "CLI: --json is valid UTF-8 JSON": out.code not in (0, 1) or out.json() is not None,
            f"CLI: within {LIMIT_S:.0f} s over start-up": out.code is not None
            and out.seconds - startup <= LIMIT_S,
            # The notice that undecodable bytes were read as U+FFFD comes before it.
            "CLI: an error is one line": out.code != 2
            or len([ln for ln in out.err_lines if "not UTF-8; read them" not in ln]) == 1,
        }
        for name, held in checks.items():
            ex.check(name, held, where)
        ex.check("queries", all(checks.values()), where)
        if q in ZERO_DATES + ALL_DATES and out.code in (0, 1):
            data = out.json() or {}
            ex.check(
                "dates: the CLI answers as the engine",
                data.get("total") == totals.get(q),
                {**where, "cli": data.get("total"), "engine": totals.get(q)},
            )
    _report_timings(ex, timings, "CLI, over start-up")
    for args in _option_fuzz():
        out = runner.sk(None, index, *args, timeout=120)
        where = {
            "cmd": shell_line(out.argv)[:300],
            "exit": out.code,
            "stderr": out.err.decode("utf-8", "backslashreplace")[-300:],
        }
        ok = out.code in (0, 1, 2) and not out.traceback
        ok &= ex.check("CLI options and ids: exit 0/1/2, no traceback", ok, where)
        # (After "--", "--json" is the query's words, not the option.)
        options = args[: args.index("--")] if "--" in args else args
        if "--json" in options and out.code in (0, 1):
            ok &= ex.check("CLI: --json is valid UTF-8 JSON", out.json() is not None, where)
        ex.check("queries", ok, where)


def _argv(q: str) -> str | bytes:
    """A query as argv: lone surrogates (bytes that are not UTF-8) as those bytes."""
    q = q.replace("\x00", "")  # argv cannot hold NUL
    try:
        q.encode("utf-8")
        return q
    except UnicodeEncodeError:
        try:
            return q.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a surrogate that is not an escaped byte
            return q.encode("utf-8", "surrogatepass")


def _option_fuzz() -> list[list]:
    return [
        ["search", "syria", "--from", "2016-13"],
        ["search", "syria", "--from", "0001", "--to", "1600", "--json"],
        ["search", "syria", "--from", "9999-12-31", "--json"],
        ["search", "syria", "--to", "0001-01-01", "--json"],
        ["search", "syria", "--from", "2017", "--to", "2016"],
        ["search", "syria", "--year", "16"],
        ["search", "syria", "--year", "0000", "--json"],
        ["search", "syria", "--tag", "\x1b[2J", "--json"],
        ["search", "syria", "--tag", b"\xff\xfe", "--json"],
        ["search", "syria", "--source", "", "--json"],
        ["search", "syria", "--limit", "1000000000000", "--json"],
        ["search", "syria", "--offset", "1000000000000000", "--json"],
        ["search", "syria", "--limit", "-1"],
        ["search", "syria", "--sort", "bogus"],
        ["search", "--", "--json"],
        ["search", "-"],
        ["show", ""],
        ["show", "/"],
        ["show", ".."],
        ["show", "news/*"],
        ["show", "news/2016/../../../etc/passwd"],
        ["show", b"news/\xff\xfe.md"],
        ["show", b"news/\xff\xfe.md", "--json"],
        ["show", "\x1b]52;c;aGk=\x07"],
        ["show", "x" * 5000],
        ["stats", "--json"],
    ]


__all__ = ["run_queries"]
