"""Experiment 5: a hostile corpus, and every output of every command read on a pty.

The corpus holds what a careless or hostile source gives: files in odd encodings, an
empty and a binary file, a 1 GB file, a 5 MB line, 10,000 files in one folder, 50-deep
nesting, symlink loops, symlinks out of the corpus (to /etc/passwd and to a canary
folder), FIFOs, names with escape sequences, bidi overrides, rich markup and bytes that
are not UTF-8, and related links that climb out of the archive. Every command runs on
a pseudo-terminal with NO_COLOR=1 TERM=dumb, so any ESC at all is a leak.
"""

from __future__ import annotations

import codecs
import os
import random
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from faults_common import (
    Experiment,
    Outcome,
    _wait4,
    control_leaks,
    make_corpus,
    peak_rss_mb,
    run_pty,
    shell_line,
    wait_until,
)

if TYPE_CHECKING:
    from faults import Context

RSS_LIMIT_MB = 300
PASSWD = b"root:x:0:0"
GIB = 1 << 30

#: Hostile file names (bytes, as the OS allows them) and the word each file holds.
NAMES: list[tuple[bytes, str]] = [
    (b"esc-\x1b[2J-clear", "zqxnameesc"),
    (b"osc0-\x1b]0;pwned\x07-title", "zqxnameosctitle"),
    (b"osc52-\x1b]52;c;aGFja2Vk\x07-clip", "zqxnameoscclip"),
    ("rlo-\u202etxt.exe".encode(), "zqxnamerlo"),
    (b"[bold]bold-markup", "zqxnamebold"),
    (b"[link=https:evil.example]click", "zqxnamelink"),
    (b"new\nline", "zqxnamenewline"),
    (b"bell-\x07-tab\t", "zqxnamebell"),
    ("c1-\u009b31m-csi".encode(), "zqxnamecsi"),
    (b"bad-\xff\xfe-bytes", "zqxnameinvalid"),
]
INVALID_UTF8 = b"bad-\xff\xfe-bytes"


def article(word: str, extra: str = "") -> str:
    return (
        f"WHEAT PRICES RISE AGAIN\n\nGENEVA (Reuters) - Wheat prices rose on {word} news "
        f"today, traders said.{extra} The market expects more gains next week.\n"
    )


def story(word: str, related: str = "") -> str:
    return (
        "### [2016-01-15](/news/2016/01/15/index.md)\n\n"
        f"# Floods hit the valley {word} as rivers rise\n\n"
        "Officials say thousands were moved to safety.\n\n\n"
        "### Source:\n\n1. [Reuters](http://example.com/floods)\n"
        + (f"\n### Related:\n\n{related}" if related else "")
    )


# --- the corpus ---------------------------------------------------------------------------


class Hostile:
    """Builds the corpus; knows which words must be found and which never."""

    def __init__(self, ctx: Context, work: Path) -> None:
        self.ctx, self.work = ctx, work
        self.corpus = make_corpus(work / "corpus", news=("2016/01",), articles=0)
        self.outside = work / "outside"
        self.found: dict[str, str] = {}  # word -> why it must be found (exactly once)
        self.absent: dict[str, str] = {}  # word -> why it must never be found
        self.ids: dict[str, bytes] = {}  # word -> id (bytes) of the file holding it
        self.many = ctx.size(1000, 10000)

    def write(self, rel: bytes | str, data: bytes, word: str | None = None, why: str = "") -> Path:
        rel_b = rel if isinstance(rel, bytes) else rel.encode()
        path = Path(os.fsdecode(os.path.join(os.fsencode(self.corpus), rel_b)))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if word:
            self.found[word] = why
            self.ids[word] = rel_b
        return path

    def populate(self) -> None:
        a = "articles/"
        # encodings: each must be indexed and decoded right
        text = article("zqxencnul").encode()
        self.write(
            a + "nul-sprinkled.txt",
            text[:30] + b"\x00" + text[30:60] + b"\x00\x00" + text[60:],
            "zqxencnul",
            "text with three stray NUL bytes",
        )
        self.write(
            a + "utf16le.txt",
            codecs.BOM_UTF16_LE + article("zqxencleft").encode("utf-16-le"),
            "zqxencleft",
            "UTF-16 LE with BOM",
        )
        self.write(
            a + "utf16be.txt",
            codecs.BOM_UTF16_BE + article("zqxencbig").encode("utf-16-be"),
            "zqxencbig",
            "UTF-16 BE with BOM",
        )
        self.write(
            a + "utf8bom.txt",
            codecs.BOM_UTF8 + article("zqxencbom").encode(),
            "zqxencbom",
            "UTF-8 with BOM",
        )
        self.write(
            a + "crlf.txt",
            article("zqxenccrlf").replace("\n", "\r\n").encode(),
            "zqxenccrlf",
            "CRLF line ends",
        )
        self.write(
            a + "latin1.txt",
            article("zqxenclatin", " Zürich café señor.").encode("latin-1"),
            "zqxenclatin",
            "latin-1",
        )
        self.write(
            a + "cp1252.txt",
            article("zqxenccp", " \u201cQuoted\u201d \u20ac5 \u2013 dash.").encode("cp1252"),
            "zqxenccp",
            "cp1252",
        )
        mojibake = article("zqxencmoji", " Café Zürich.").encode().decode("latin-1").encode()
        self.write(a + "mojibake.txt", mojibake, "zqxencmoji", "mojibake (UTF-8 read as latin-1)")
        # skipped, reported, never fatal
        self.write(a + "empty.txt", b"")
        self.write(a + "binary.txt", random.Random(5).randbytes(8192))
        big = self.corpus / "news/2016/01/1/huge-sparse-file.md"
        big.parent.mkdir(parents=True, exist_ok=True)
        with open(big, "wb") as f:
            f.truncate(GIB)
        line = ("zqxoneline " + "grain " * 900_000).encode()  # ~5.4 MB, one line
        self.write(a + "one-line.txt", b"WHEAT\n\n" + line, "zqxoneline", "a 5 MB line")
        for i in range(self.many):
            self.write(f"{a}many/item-{i:05d}.txt", article(f"zqxmany item{i}").encode())
        deep = "/".join(f"d{i}" for i in range(50))
        self.write(f"{a}{deep}/deep.txt", article("zqxdeep").encode(), "zqxdeep", "50 folders deep")
        # symlinks: loops and ways out of the corpus
        (self.corpus / "articles" / "loop").symlink_to("..")
        (self.corpus / "news/2016/01/self").symlink_to(".")
        self.outside.mkdir(parents=True, exist_ok=True)
        (self.outside / "secret.txt").write_text(article("zqxoutsidefile"))
        (self.outside / "news").mkdir()
        (self.outside / "news" / "secret-story.md").write_text(story("zqxoutsidedir"))
        (self.corpus / "articles" / "passwd.txt").symlink_to("/etc/passwd")
        (self.corpus / "articles" / "outside-secret.txt").symlink_to(self.outside / "secret.txt")
        (self.corpus / "news/2016/01/outside-dir").symlink_to(self.outside / "news")
        (self.corpus / "articles" / "etc").symlink_to("/etc")
        self.absent.update(
            zqxoutsidefile="file symlink out of the corpus",
            zqxoutsidedir="folder symlink out of the corpus",
        )
        # FIFOs
        os.mkfifo(self.corpus / "articles" / "fifo.txt")
        os.mkfifo(self.corpus / "news/2016/01/1/fifo.md")
        # related links that climb out
        related = (
            "1. [Passwords](../../../../../../../etc/passwd) _Context: Passwd_\n"
            "2. [Secret](/../../../outside/news/secret-story.md) _Context: Secret_\n"
            f"3. [Up]({'../' * 12}etc/passwd.md) _Context: Up_\n"
        )
        self.write(
            "news/2016/01/15/traversal-links.md",
            story("zqxtraversal", related).encode(),
            "zqxtraversal",
            "related links with ../",
        )
        # hostile names (the one with bytes that are not UTF-8 comes later, on its own)
        for name, word in NAMES:
            if name != INVALID_UTF8:
                self.write(b"articles/" + name + b".txt", article(word).encode(), word, "name")

    def late_names(self, suffix: str, *, exclude_invalid: bool = False) -> list[str]:
        folder = "articles/late/"
        words = []
        for name, word in NAMES:
            if exclude_invalid and name == INVALID_UTF8:
                continue
            w = f"{word}{suffix}"
            self.write(folder.encode() + name + b".txt", article(w).encode(), w, "name")
            words.append(w)
        return words


# --- checks -------------------------------------------------------------------------------


class Pty:
    """Runs commands on a pty and checks what reached the terminal."""

    def __init__(self, ctx: Context, ex: Experiment, h: Hostile, index: Path) -> None:
        self.ctx, self.ex, self.h, self.index = ctx, ex, h, index
        self.outputs: list[Outcome] = []

    def argv(self, args: list) -> list:
        return self.ctx.runner.argv(self.h.corpus, self.index, args)

    def run(self, label: str, args: list, *, json_out: bool = False, **kw) -> Outcome:
        out = run_pty(self.ctx.runner, self.argv(args), **kw)
        self.outputs.append(out)
        where = {"cmd": shell_line(out.argv), "exit": out.code}
        ex = self.ex
        ex.check(
            "exit 0/1/2, no traceback, no hang",
            out.code in (0, 1, 2) and not out.traceback,
            {**where, "output": _text(out.out)[-500:]},
        )
        leaks = control_leaks(out.out)
        kind = "JSON" if json_out else "text"
        ex.check(
            f"no raw control/bidi chars on the terminal: {label}",
            not leaks,
            {**where, "leaks": leaks[:4]},
        )
        if json_out and out.code in (0, 1):
            # On a terminal stderr's notices (lines starting "searchkit:") mix with stdout.
            ex.check(f"valid UTF-8 {kind}: {label}", _json_ok(_stdout_part(out.out)), where)
        return out


def _text(data: bytes) -> str:
    return data.decode("utf-8", "backslashreplace")


def _stdout_part(data: bytes) -> bytes:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    return b"\n".join(line for line in lines if not line.startswith(b"searchkit: "))


def _json_ok(data: bytes) -> bool:
    import json

    try:
        json.loads(data.decode("utf-8"))
        return True
    except (UnicodeDecodeError, ValueError):
        return False


def _json(data: bytes) -> dict:
    import json

    try:
        return json.loads(data.decode("utf-8", "surrogateescape"))
    except ValueError:
        return {}


def run_hostile(ctx: Context, ex: Experiment) -> None:
    ex.headline = "checks"
    work = ctx.folder("hostile")
    h = Hostile(ctx, work)
    h.populate()
    index = work / "index"
    pty = Pty(ctx, ex, h, index)
    runner = ctx.runner

    # 1. The build: finishes (FIFOs, loops), reports, bounded memory.
    built = pty.run("index report (build)", ["index", "--rebuild"], timeout=600, sample_rss=True)
    ex.check(
        "build of the hostile corpus succeeds",
        built.code == 0,
        {"cmd": shell_line(built.argv), "output": _text(built.out)[-600:]},
    )
    ex.check(
        f"peak RSS of index <= {RSS_LIMIT_MB} MB (1 GB file in the corpus)",
        built.maxrss_mb <= RSS_LIMIT_MB,
        {"cmd": shell_line(built.argv), "peak_rss_mb": round(built.maxrss_mb)},
    )
    ex.note(f"build with a 1 GB file: peak RSS {built.maxrss_mb:.0f} MB, {built.seconds:.1f} s")

    # 2. An incremental run that meets every hostile name; then the non-UTF-8 one alone.
    h.late_names("late", exclude_invalid=True)
    pty.run("index report (update)", ["index"], timeout=300)
    h.write(
        b"articles/" + INVALID_UTF8 + b".txt",
        article("zqxnameinvalid").encode(),
        "zqxnameinvalid",
        "name",
    )
    _survives_invalid_name(ctx, ex, h, pty.run("index report (update)", ["index"], timeout=300))

    # 3. Every file that must be found, is, exactly once; what must not, is not.
    for word, why in sorted(h.found.items()):
        res = runner.sk(None, index, "search", word, "--json", timeout=60)
        total = _json(res.out).get("total")
        ex.check(
            f"indexed and found: {_kind(why)}",
            total == 1,
            {
                "word": word,
                "why": why,
                "total": total,
                "cmd": shell_line(res.argv),
                "stderr": _text(res.err)[-200:],
            },
        )
    many = _json(runner.sk(None, index, "search", "zqxmany", "--json", timeout=60).out)
    ex.check(
        f"{h.many:,} files in one folder all indexed",
        many.get("total") == h.many,
        {"total": many.get("total")},
    )
    for word, why in h.absent.items():
        res = runner.sk(None, index, "search", word, "--json", timeout=60)
        ex.check(
            f"never indexed: {why}",
            _json(res.out).get("total") == 0,
            {"word": word, "cmd": shell_line(res.argv), "output": _text(res.out)[:300]},
        )
    _check_decoding(ctx, ex, h, index)

    # 4. Every output, on the terminal.
    for word in sorted(w for w, why in h.found.items() if why == "name"):
        pty.run("search", ["search", word])
        pty.run("search --json", ["search", word, "--json"], json_out=True)
        doc_id = h.ids[word]
        shown = pty.run("show", ["show", doc_id])
        if shown.code != 0:
            ex.check(
                "show ID works for every hostile name",
                False,
                {"cmd": shell_line(shown.argv), "output": _text(shown.out)[-300:]},
            )
        else:
            ex.check("show ID works for every hostile name", True)
        pty.run("show --json", ["show", doc_id, "--json"], json_out=True)
    for name, word in NAMES:
        # Names with control characters are shown escaped (checked above), not verbatim.
        if b"[" in name and not any(b < 0x20 or b == 0x7F for b in name):
            out = pty.run("search", ["search", word])
            ex.check(
                "rich markup in a name is shown literally",
                name in out.out.replace(b"\r", b""),
                {"name": _text(name), "output": _text(out.out)[:300]},
            )
    pty.run("search (query echo)", ["search", "\x1b[2J\x1b]52;c;aGk=\x07 zqxnameesc"])
    pty.run("search (query echo)", ["search", "zqx\u202egnp"])
    pty.run("search, invalid bytes in the query", ["search", b"zqxnameesc \xff\xfe"])
    pty.run(
        "search --json, invalid bytes in the query",
        ["search", b"zqx\xff\xfe", "--json"],
        json_out=True,
    )
    pty.run("show, invalid bytes in the id", ["show", b"articles/\xff\xfe.txt"])
    pty.run("stats", ["stats"])
    pty.run("stats --json", ["stats", "--json"], json_out=True)
    pty.run("show (traversal story)", ["show", "news/2016/01/15/traversal-links.md"])
    pty.run(
        "show --json (traversal story)",
        ["show", "news/2016/01/15/traversal-links.md", "--json"],
        json_out=True,
    )
    for bad_id in ("articles/passwd.txt", "../../../../../../etc/passwd", "/etc/passwd"):
        out = pty.run("show (ids out of the corpus)", ["show", bad_id])
        ex.check(
            "show of a path out of the corpus is refused (exit 2)",
            out.code == 2,
            {"cmd": shell_line(out.argv), "output": _text(out.out)[:300]},
        )
    pty.run("search", ["search", "root"])

    # 5. add and watch, on the terminal too (names that are not UTF-8: on their own).
    src = work / "to-add"
    src.mkdir()
    for name, word in NAMES:
        if name != INVALID_UTF8:
            target = Path(os.fsdecode(os.path.join(os.fsencode(src), name + b"-add.txt")))
            target.write_text(article(f"{word}add"))
    added = pty.run("add report", ["add", str(src)], timeout=120)
    ex.check(
        "add of hostile names succeeds",
        added.code == 0,
        {"cmd": shell_line(added.argv), "output": _text(added.out)[-500:]},
    )
    bad_src = work / "to-add-invalid"
    bad_src.mkdir()
    bad_file = os.path.join(os.fsencode(bad_src), INVALID_UTF8 + b"-add.txt")
    Path(os.fsdecode(bad_file)).write_text(article("zqxnameinvalidadd"))
    _survives_invalid_name(ctx, ex, h, pty.run("add report", ["add", bad_file], timeout=120))

    def make_changes(invalid: bool) -> None:
        # One file per batch (the watcher waits for 0.5 s of quiet), so each line names one.
        for name, word in NAMES:
            if (name == INVALID_UTF8) == invalid:
                h.write(b"articles/watched/" + name + b".txt", article(f"{word}watch").encode())
                time.sleep(1.2)

    for invalid in (False, True):
        watched = pty.run(
            "watch lines",
            ["watch"],
            timeout=60,
            stop_after=4 if invalid else 16,
            during=lambda invalid=invalid: make_changes(invalid),
        )
        ex.check(
            "watch meets hostile names and stops with Stopped."
            if not invalid
            else "watch survives a name that is not UTF-8 (Stopped. at the end)",
            b"Stopped." in watched.out and not watched.traceback,
            {"cmd": shell_line(watched.argv), "output": _text(watched.out)[-500:]},
        )
        _drop_invalid(ctx, h, index)

    # 6. /etc/passwd and the canary never reach any output.
    leaked = [shell_line(o.argv) for o in pty.outputs if PASSWD in o.out or b"zqxoutside" in o.out]
    for o in pty.outputs:
        ex.check(
            "no output shows /etc/passwd or the outside canary",
            PASSWD not in o.out and b"zqxoutsidefile" not in o.out,
            {"cmd": shell_line(o.argv), "output": _text(o.out)[:300]},
        )
    if leaked:
        ex.note(f"{len(leaked)} outputs showed /etc/passwd or the canary, e.g. {leaked[0]}")

    # 7. Memory of add and watch with a 1 GB file; FIFOs given to add.
    _bounded_add_watch(ctx, ex, h, index)


def _survives_invalid_name(ctx: Context, ex: Experiment, h: Hostile, out: Outcome) -> None:
    """A name with bytes that are not UTF-8 is indexed, or reported with its reason and
    skipped (exit 1 when it was all an `add` was given); never fatal."""
    command = out.argv[out.argv.index("--index") + 2]
    reported = b"not valid UTF-8" in re.sub(rb"\s+", b" ", out.out)
    ex.check(
        f"{command}: a name that is not UTF-8 is indexed or reported, not fatal",
        not out.traceback and (out.code == 0 or (out.code == 1 and reported)),
        {"cmd": shell_line(out.argv), "exit": out.code, "output": _text(out.out)[-400:]},
    )
    if out.code != 0 or reported:  # go on without it, so the rest can be checked
        _drop_invalid(ctx, h, Path(out.argv[out.argv.index("--index") + 1]))


def _drop_invalid(ctx: Context, h: Hostile, index: Path) -> None:
    found = [p for p in h.corpus.rglob("*") if INVALID_UTF8 in os.fsencode(p.name)]
    for path in found:
        path.unlink()
    if found:
        ctx.runner.sk(h.corpus, index, "index", timeout=300)
    for word in [w for w in h.found if w.startswith("zqxnameinvalid")]:
        del h.found[word]


def _alive(pid: int) -> bool:
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


def _kind(why: str) -> str:
    return "hostile names" if why == "name" else why


def _check_decoding(ctx: Context, ex: Experiment, h: Hostile, index: Path) -> None:
    """Legacy encodings decoded to the right characters, mojibake repaired."""
    expect = {
        "zqxenclatin": "Zürich café señor",
        "zqxenccp": '"Quoted" €5',
        "zqxencmoji": "Café Zürich",
        "zqxencleft": "Wheat prices rose",
        "zqxencbig": "Wheat prices rose",
    }
    for word, text in expect.items():
        doc_id = h.ids[word]
        res = ctx.runner.sk(None, index, "show", doc_id, "--json", timeout=60)
        body = str(_json(res.out).get("body", ""))
        ex.check(
            "decoded text is right (encodings, mojibake)",
            text in body,
            {"word": word, "want": text, "body": body[:200], "cmd": shell_line(res.argv)},
        )


def _bounded_add_watch(ctx: Context, ex: Experiment, h: Hostile, index: Path) -> None:
    runner = ctx.runner
    outside = h.work / "big"
    outside.mkdir()
    big = outside / "huge-sparse-story.md"
    with open(big, "wb") as f:
        f.truncate(GIB)
    out = runner.sk(h.corpus, index, "add", str(big), timeout=300, sample_rss=True)
    ex.check(
        f"peak RSS of add <= {RSS_LIMIT_MB} MB (a 1 GB file)",
        out.maxrss_mb <= RSS_LIMIT_MB,
        {"cmd": shell_line(out.argv), "peak_rss_mb": round(out.maxrss_mb), "exit": out.code},
    )
    ex.note(f"add of a 1 GB file: peak RSS {out.maxrss_mb:.0f} MB, exit {out.code}")

    # watch: a 1 GB file appears in the corpus while it watches
    log = h.work / "watch-big.log"
    with open(log, "wb") as f:
        proc = runner.spawn(
            runner.argv(h.corpus, index, ["watch"]), stdout=f, stderr=subprocess.STDOUT
        )
        wait_until(lambda: b"Watching" in log.read_bytes(), 60, every=0.1)
        time.sleep(2)
        with open(h.corpus / "articles" / "huge-while-watching.txt", "wb") as g:
            g.truncate(GIB)
        time.sleep(6)
        alive = _alive(proc.pid)
        rss = peak_rss_mb(proc.pid) if alive else float("inf")
        os.kill(proc.pid, signal.SIGINT)
        _wait4(proc, 20)
        runner.forget(proc)
    ex.check(
        f"peak RSS of watch <= {RSS_LIMIT_MB} MB (a 1 GB file appears; still running)",
        rss <= RSS_LIMIT_MB,
        {
            "cmd": shell_line(runner.argv(h.corpus, index, ["watch"])),
            "peak_rss_mb": round(rss),
            "log": _text(log.read_bytes())[-300:],
        },
    )
    ex.note(f"watch meeting a 1 GB file: peak RSS {rss:.0f} MB")

    # add of a FIFO must not hang
    fifo = outside / "pipe-story.md"
    os.mkfifo(fifo)
    out = runner.sk(h.corpus, index, "add", str(fifo), timeout=20)
    ex.check(
        "add of a FIFO returns (no hang, 20 s)",
        not out.timed_out,
        {"cmd": shell_line(out.argv), "exit": "timeout" if out.timed_out else out.code},
    )


__all__ = ["run_hostile"]
