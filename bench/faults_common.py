"""Shared machinery of the fault suite (``bench/faults.py``).

Everything here drives searchkit as a user does: the ``searchkit`` command in a
subprocess (``python -m searchkit``), with timeouts, its own session (so a command
and any workers it starts can be killed together) and its peak RSS. Results are
kept in ``Experiment`` objects: named checks, each with tried / passed counts and
a few failing examples.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

SK = [sys.executable, "-m", "searchkit"]
TRACEBACK = b"Traceback (most recent call last)"
#: Advice that is wrong while an index exists (it only fits a missing index).
WRONG_ADVICE = b"run `searchkit index`"
EXAMPLES_KEPT = 8

#: Corpora this suite reads (never writes).
NEWS = Path(os.environ.get("FAULTS_NEWS", "/tmp/corpora/news113k"))
REUTERS = Path(os.environ.get("FAULTS_REUTERS", "/tmp/corpora/reuters/articles/reuters"))


# --- results ------------------------------------------------------------------------


@dataclass
class Check:
    """One kind of check of an experiment: how often tried, how often it held."""

    name: str
    tried: int = 0
    passed: int = 0
    examples: list[dict] = field(default_factory=list)
    note: str = ""

    @property
    def failed(self) -> int:
        return self.tried - self.passed


@dataclass
class Experiment:
    """The checks of one experiment, in the order they were first used."""

    key: str
    title: str
    headline: str = "trials"  # the check the summary table shows for the experiment
    checks: dict[str, Check] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    status: str = "ran"  # "ran", "interrupted", "suite error: ..."
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _recent: list[str] = field(default_factory=list, repr=False)

    def check(self, name: str, ok: bool, example: dict | str | None = None) -> bool:
        """Count one try of ``name``; keep ``example`` (what failed) when it did not hold."""
        with self._lock:
            c = self.checks.setdefault(name, Check(name))
            c.tried += 1
            if ok:
                c.passed += 1
            else:
                self._recent.append(name)
            if not ok and len(c.examples) < EXAMPLES_KEPT:
                c.examples.append(example if isinstance(example, dict) else {"what": example})
        return ok

    def take_failed(self) -> list[str]:
        """Names of the checks that failed since the last call (what broke in a trial)."""
        with self._lock:
            names, self._recent = list(dict.fromkeys(self._recent)), []
        return names

    def na(self, name: str, why: str) -> None:
        """A check that could not run (e.g. a command that does not exist yet)."""
        c = self.checks.setdefault(name, Check(name))
        c.note = why

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"    [{self.key}] {text}", flush=True)

    @property
    def tried(self) -> int:
        return sum(c.tried for c in self.checks.values())

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks.values())

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "status": self.status,
            "seconds": round(self.seconds, 1),
            "tried": self.tried,
            "passed": self.passed,
            "notes": self.notes,
            "checks": [
                {
                    "name": c.name,
                    "tried": c.tried,
                    "passed": c.passed,
                    "note": c.note,
                    "examples": c.examples,
                }
                for c in self.checks.values()
            ],
        }


# --- running searchkit ----------------------------------------------------------------


@dataclass
class Outcome:
    """What one command did."""

    argv: list[str]
    code: int | None  # None: timed out (and was killed)
    out: bytes = b""
    err: bytes = b""
    seconds: float = 0.0
    maxrss_mb: float = 0.0
    pid: int = 0

    @property
    def timed_out(self) -> bool:
        return self.code is None

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.err or TRACEBACK in self.out

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.decode("utf-8", "replace").splitlines() if ln.strip()]

    def summary(self, limit: int = 600) -> dict:
        """A failing example: the command, its status and the tail of what it said."""
        err = self.err.decode("utf-8", "backslashreplace")
        out = self.out.decode("utf-8", "backslashreplace")
        return {
            "cmd": shell_line(self.argv),
            "exit": "timeout" if self.timed_out else self.code,
            "seconds": round(self.seconds, 2),
            "stderr": err[-limit:],
            "stdout": out[-limit // 2 :] if not err.strip() else out[: limit // 4],
        }

    def json(self) -> dict | None:
        """stdout parsed as UTF-8 JSON, or None when it is not."""
        try:
            return json.loads(self.out.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None


def shell_line(argv: Sequence[str]) -> str:
    """A command line one can paste (the python -m prefix shown as ``searchkit``)."""
    import shlex

    args = list(argv)
    if args[: len(SK)] == SK:
        args = ["searchkit", *args[len(SK) :]]
    shown = []
    for a in args:
        text = a if isinstance(a, str) else os.fsdecode(a)
        if any(not ch.isprintable() for ch in text):
            shown.append("$'" + text.encode("unicode_escape", "backslashreplace").decode() + "'")
        else:
            shown.append(shlex.quote(text))
    return " ".join(shown)


class Runner:
    """Starts searchkit commands for the suite and cleans up after them."""

    def __init__(self, engine: str | None, *, verbose: bool = False) -> None:
        self.env = dict(os.environ)
        self.env.pop("SEARCHKIT_CORPUS", None)
        self.env.pop("SEARCHKIT_INDEX", None)
        self.env["PYTHONUNBUFFERED"] = "1"
        # Plain, predictable output: no colour, no terminal queries.
        self.env.update(NO_COLOR="1", TERM="dumb", COLUMNS="100")
        # `show` pages on a terminal: through cat, whatever searchkit writes still shows.
        self.env["SEARCHKIT_PAGER"] = "cat"
        if engine:
            self.env["SEARCHKIT_ENGINE"] = engine
        self.verbose = verbose
        self._live: dict[int, subprocess.Popen] = {}
        self._lock = threading.Lock()

    # -- plumbing --

    def argv(self, corpus: Path | None, index: Path | None, args: Sequence[str]) -> list[str]:
        loc: list[str] = []
        if corpus is not None:
            loc += ["--corpus", str(corpus)]
        if index is not None:
            loc += ["--index", str(index)]
        return [*SK, *loc, *args]

    def spawn(
        self,
        argv: Sequence[str | bytes],
        *,
        env: dict | None = None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd: Path | None = None,
        stdin=subprocess.DEVNULL,
        text: bool = False,
    ) -> subprocess.Popen:
        """Start a command in its own session (the suite can kill it and its children)."""
        proc = subprocess.Popen(
            list(argv),
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            env={**self.env, **(env or {})},
            cwd=cwd,
            start_new_session=True,
            text=text,
        )
        with self._lock:
            self._live[proc.pid] = proc
        return proc

    def forget(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._live.pop(proc.pid, None)

    def kill_all(self) -> None:
        """Kill every process group this runner started that may still run."""
        with self._lock:
            procs = list(self._live.values())
            self._live.clear()
        for proc in procs:
            kill_group(proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                proc.wait(timeout=5)

    # -- one command, waited for --

    def run(
        self,
        args: Sequence[str | bytes],
        *,
        corpus: Path | None = None,
        index: Path | None = None,
        timeout: float = 120,
        env: dict | None = None,
        cwd: Path | None = None,
        raw: bool = False,
        sample_rss: bool = False,
    ) -> Outcome:
        """Run ``searchkit ARGS`` (or ``ARGS`` as is with ``raw``) and wait, at most
        ``timeout`` seconds (then its whole process group is killed). ``sample_rss``
        samples the peak RSS of its workers too (otherwise: the command's own)."""
        argv = list(args) if raw else self.argv(corpus, index, args)  # type: ignore[arg-type]
        started = time.perf_counter()
        proc = self.spawn(argv, env=env, cwd=cwd)
        sampler = PeakRss(proc.pid) if sample_rss else None
        out_chunks: list[bytes] = []
        err_chunks: list[bytes] = []
        readers = [
            threading.Thread(target=_drain, args=(proc.stdout, out_chunks), daemon=True),
            threading.Thread(target=_drain, args=(proc.stderr, err_chunks), daemon=True),
        ]
        for t in readers:
            t.start()
        status, rss_kb = _wait4(proc, timeout)
        seconds = time.perf_counter() - started
        if status is None:
            kill_group(proc.pid, signal.SIGKILL)
            status, rss_kb = _wait4(proc, 10)
            code = None
        else:
            code = os.waitstatus_to_exitcode(status)
            # Children still holding the pipes (e.g. workers): give them a moment.
        for t in readers:
            t.join(timeout=5)
        if sampler is not None:
            rss_kb = max(rss_kb, int(sampler.stop() * 1024))
        kill_group(proc.pid, signal.SIGKILL)  # leftovers of this command
        for t in readers:
            t.join(timeout=2)
        self.forget(proc)
        outcome = Outcome(
            [shell_text(a) for a in argv],
            code,
            b"".join(out_chunks),
            b"".join(err_chunks),
            seconds,
            rss_kb / 1024,
            proc.pid,
        )
        if self.verbose:
            print(f"      $ {shell_line(outcome.argv)} -> {code} ({seconds:.2f} s)", flush=True)
        return outcome

    def sk(self, corpus: Path | None, index: Path | None, *args: str, **kw) -> Outcome:
        return self.run(list(args), corpus=corpus, index=index, **kw)


def shell_text(arg: str | bytes) -> str:
    return os.fsdecode(arg) if isinstance(arg, bytes) else arg


def _drain(stream, chunks: list[bytes]) -> None:
    try:
        while True:
            data = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not data:
                break
            chunks.append(data)
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _wait4(proc: subprocess.Popen, timeout: float) -> tuple[int | None, int]:
    """Wait for ``proc``: (raw wait status or None on timeout, its peak RSS in KiB)."""
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: rebuild a status from its code
            rc = proc.returncode or 0
            return (rc << 8 if rc >= 0 else -rc), 0
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return status, usage.ru_maxrss
        if time.monotonic() >= deadline:
            return None, 0
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _exited(pid: int) -> bool:
    """Whether a child has exited, without reaping it (its rusage stays readable)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def kill_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still exists (zombies of ours aside)."""
    return bool(group_members(pgid))


def peak_rss_mb(pid: int) -> float:
    """VmHWM of a running process (MiB), 0 when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


# --- running under a terminal ---------------------------------------------------------


def run_pty(
    runner: Runner,
    argv: Sequence[str | bytes],
    *,
    timeout: float = 60,
    env: dict | None = None,
    stop_after: float | None = None,
    stop_signal: int = signal.SIGINT,
    during: Callable[[], None] | None = None,
    sample_rss: bool = False,
) -> Outcome:
    """Run ``argv`` with stdout and stderr on a pseudo-terminal; all it wrote, raw.

    ``stop_after``: send ``stop_signal`` after that many seconds (for ``watch``);
    ``during`` is started in a thread once the command has run for a second (to make
    changes while it runs).
    """
    import fcntl
    import select
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    started = time.perf_counter()
    proc = runner.spawn(argv, env=env, stdout=slave, stderr=slave)
    os.close(slave)
    sampler = PeakRss(proc.pid) if sample_rss else None
    chunks: list[bytes] = []
    deadline = started + timeout
    signalled = did = False
    while True:
        now = time.perf_counter()
        if during is not None and not did and now - started >= 1.0:
            did = True
            threading.Thread(target=during, daemon=True).start()
        if stop_after is not None and not signalled and now - started >= stop_after:
            signalled = True
            kill_group(proc.pid, stop_signal)
        if now >= deadline:
            break
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                data = b""
            if not data:
                break
            chunks.append(data)
        elif _exited(proc.pid) and not select.select([master], [], [], 0.2)[0]:
            break
    status, rss_kb = _wait4(proc, max(0.0, deadline - time.perf_counter()) + 0.5)
    if sampler is not None:
        rss_kb = max(rss_kb, int(sampler.stop() * 1024))
    code = None if status is None else os.waitstatus_to_exitcode(status)
    kill_group(proc.pid, signal.SIGKILL)
    if status is None:
        _wait4(proc, 5)
    runner.forget(proc)
    os.close(master)
    return Outcome(
        [shell_text(a) for a in argv],
        code,
        b"".join(chunks),
        b"",
        time.perf_counter() - started,
        rss_kb / 1024,
    )


#: Bidirectional formatting characters: they make one id look like another.
BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def control_leaks(data: bytes) -> list[str]:
    """Raw control characters in terminal output (run with NO_COLOR=1 TERM=dumb, so
    searchkit's own styling emits none): ESC, BEL, other C0 controls, DEL, C1
    controls, bidi overrides, and bytes that are not UTF-8. A short description of
    each kind found, with some context."""
    text = data.decode("utf-8", "surrogateescape")
    found: dict[str, str] = {}
    for i, ch in enumerate(text):
        cp = ord(ch)
        if ch in "\t\n\r\b":
            continue
        if cp == 0x1B:
            kind = "ESC"
        elif cp == 0x07:
            kind = "BEL"
        elif cp < 0x20 or cp == 0x7F:
            kind = f"C0 control U+{cp:04X}"
        elif 0x80 <= cp <= 0x9F:
            kind = f"C1 control U+{cp:04X}"
        elif cp in BIDI:
            kind = f"bidi control U+{cp:04X}"
        elif 0xDC80 <= cp <= 0xDCFF:
            kind = "byte that is not UTF-8"
        else:
            continue
        if kind not in found:
            ctx = text[max(0, i - 30) : i + 30]
            found[kind] = ctx.encode("unicode_escape", "backslashreplace").decode()
    return [f"{k}: …{v}…" for k, v in found.items()]


# --- corpora and indexes ------------------------------------------------------------


def copy_tree(src: Path, dst: Path) -> Path:
    """Copy a folder keeping modification times to the nanosecond (as cp -a)."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    return dst


def make_corpus(
    dst: Path,
    *,
    news: Iterable[str] = ("2016",),
    articles: int = 10,
    news_root: Path = NEWS,
) -> Path:
    """A corpus folder of the chosen slices of news (e.g. "2016", "2016/01") plus a few
    articles from the Reuters set."""
    if dst.exists():
        shutil.rmtree(dst)
    for part in news:
        src = news_root / "news" / part
        target = dst / "news" / part
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, target)
    if articles:
        (dst / "articles").mkdir(parents=True, exist_ok=True)
        for path in sorted(REUTERS.glob("*.txt"))[:articles]:
            shutil.copy2(path, dst / "articles" / path.name)
    return dst


def corpus_files(corpus: Path) -> dict[str, tuple[int, int]]:
    """rel path -> (size, mtime_ns) of every visible .md/.txt file (what a user would
    expect the index to hold, bad files aside)."""
    out = {}
    for root, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") or not name.lower().endswith((".md", ".txt")):
                continue
            path = Path(root, name)
            with contextlib.suppress(OSError):
                st = path.lstat()
                out[path.relative_to(corpus).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def temp_files(*folders: Path) -> list[str]:
    """Leftover temporary files or folders (``*.tmp``, Whoosh's ``*.tmp`` spill dirs)."""
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for root, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                if name.endswith(".tmp") or ".tmp." in name:
                    found.append(str(Path(root, name)))
    return found


# --- fingerprints: what an index answers ------------------------------------------------

#: Queries whose answers stand for "what the index holds" on a news/2016 slice.
QUERY_SET = (
    "",
    "syria",
    '"prime minister"',
    "tag:ISIL",
    "source:reuters",
    "date:2016-04",
    "obama OR trump",
    "elect*",
    "kind:article",
    "zqxmodified",
    "syrai",
)


@dataclass
class Answer:
    """One query's answer: status, total, all matching ids, the top ten in order,
    the facets (or the error)."""

    code: int | None
    total: int = 0
    ids: tuple[str, ...] = ()
    top: tuple[str, ...] = ()
    facets: str = ""
    error: str = ""
    #: Documents the hits stand for: exact duplicates are listed once, with their number.
    listed: int = 0

    def key(self, exact: bool) -> tuple:
        ids = self.ids if exact else tuple(sorted(self.ids))
        return (self.code, self.total, ids, self.top if exact else (), self.facets)


def answer(runner: Runner, index: Path, query: str, *, timeout: float = 60) -> Answer:
    """``searchkit search QUERY --json`` with every hit (ids in rank order)."""
    out = runner.sk(None, index, "search", query, "--json", "--limit", "1000000", timeout=timeout)
    if out.code not in (0, 1) or out.traceback:
        first = out.err_lines[-1] if out.err_lines else ""
        return Answer(out.code, error=("traceback: " if out.traceback else "") + first)
    data = out.json()
    if data is None:
        return Answer(out.code, error="stdout is not UTF-8 JSON")
    hits = data.get("hits", ())
    ids = tuple(h["id"] for h in hits)
    facets = json.dumps(data.get("facets"), sort_keys=True, ensure_ascii=False)
    listed = sum(int(h.get("copies", 1)) for h in hits)
    return Answer(out.code, int(data.get("total", -1)), ids, ids[:10], facets, listed=listed)


Fingerprint = dict[str, Answer]


def fingerprint(
    runner: Runner, index: Path, queries: Sequence[str] = QUERY_SET, workers: int = 2
) -> Fingerprint:
    """The answers of an index to a query set (two commands at a time)."""
    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(lambda q: answer(runner, index, q), queries))
    return dict(zip(queries, answers, strict=True))


def all_ids(runner: Runner, index: Path) -> list[str] | None:
    """Every id the index lists (empty query), or None when it does not answer."""
    a = answer(runner, index, "")
    return None if a.error else list(a.ids)


def wait_until(test: Callable[[], bool], timeout: float, every: float = 0.5) -> float | None:
    """Seconds until ``test()`` held, or None when it did not within ``timeout``."""
    started = time.perf_counter()
    while True:
        if test():
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            return None
        time.sleep(every)


def duplicates(fp: Fingerprint) -> list[str]:
    """Ids listed twice in any answer (an index holding a document twice)."""
    dup: set[str] = set()
    for a in fp.values():
        seen: set[str] = set()
        for i in a.ids:
            if i in seen:
                dup.add(i)
            seen.add(i)
    return sorted(dup)


def diff(got: Fingerprint, want: Fingerprint, *, exact: bool = False) -> list[str]:
    """How two fingerprints differ, one line per query ([] when they agree).

    Without ``exact``, ids are compared as sets (ranking ties may order differently
    in an index that has seen updates) and facet labels differing only in case are
    ignored (they are a separate check)."""
    lines = []
    for q, w in want.items():
        g = got.get(q)
        if g is None:
            lines.append(f"{q!r}: not asked")
            continue
        if g.error or w.error:
            if (g.error, g.code) != (w.error, w.code):
                lines.append(f"{q!r}: exit {g.code} {g.error!r} (want exit {w.code} {w.error!r})")
            continue
        if g.code != w.code or g.total != w.total:
            lines.append(f"{q!r}: exit {g.code} total {g.total} (want exit {w.code} {w.total})")
            continue
        gs, ws = set(g.ids), set(w.ids)
        if gs != ws or len(g.ids) != len(w.ids):
            extra, missing = sorted(gs - ws)[:2], sorted(ws - gs)[:2]
            lines.append(f"{q!r}: ids differ; extra {extra} missing {missing}")
            continue
        if exact and g.top != w.top:
            lines.append(f"{q!r}: top hits differ")
            continue
        gf, wf = (g.facets, w.facets) if exact else (g.facets.lower(), w.facets.lower())
        if gf != wf:
            lines.append(f"{q!r}: facets differ")
    return lines


def label_case_diff(got: Fingerprint, want: Fingerprint) -> list[str]:
    """Queries whose facet labels differ only in letter case."""
    return [
        q
        for q, w in want.items()
        if q in got and got[q].facets != w.facets and got[q].facets.lower() == w.facets.lower()
    ]


def fresh_fingerprint(
    runner: Runner, corpus: Path, scratch: Path, queries: Sequence[str] = QUERY_SET
) -> Fingerprint:
    """The fingerprint of a fresh build of ``corpus`` (into ``scratch``, then removed)."""
    if scratch.exists():
        shutil.rmtree(scratch)
    out = runner.sk(corpus, scratch, "index", "--rebuild", timeout=600)
    if out.code != 0:
        raise RuntimeError(f"fresh build failed: {out.summary()}")
    try:
        return fingerprint(runner, scratch, queries)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def build(runner: Runner, corpus: Path, index: Path, *extra: str, timeout: float = 900) -> Outcome:
    """Build an index from scratch; raise when that fails (the suite needs it)."""
    out = runner.sk(corpus, index, "index", "--rebuild", *extra, timeout=timeout)
    if out.code != 0 or out.traceback:
        raise RuntimeError(f"building {index} failed: {out.summary()}")
    return out


def has_command(runner: Runner, name: str) -> bool:
    """Whether this searchkit has the subcommand ``name`` (e.g. ``check``)."""
    out = runner.run([name, "--help"], timeout=30)
    return out.code == 0 and b"invalid choice" not in out.err


# --- corpus edits -----------------------------------------------------------------------


def stories(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("news/**/*.md"))


def mark_story(path: Path, word: str = "zqxmodified") -> None:
    """Change a story's headline (adds ``word``), keeping it a valid story."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("# "):
            lines[i] = f"# {word} {line[2:]}"
            break
    path.write_text("".join(lines), encoding="utf-8")


def pick(rng: random.Random, items: Sequence, n: int) -> list:
    return rng.sample(list(items), min(n, len(items)))


def json_line(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


# --- what several experiments share ---------------------------------------------------


def corpus_signature(corpus: Path) -> frozenset:
    """The corpus as (path, size) pairs: equal corpora (content aside) compare equal."""
    return frozenset((k, v[0]) for k, v in corpus_files(corpus).items())


def expected_for(ctx, corpus: Path, queries: Sequence[str] = QUERY_SET) -> Fingerprint:
    """What a fresh rebuild of ``corpus`` answers (cached by the corpus's files and sizes)."""
    key = ("expected", corpus_signature(corpus), tuple(queries))
    cache = ctx.cache.setdefault("expected", {})
    if key not in cache:
        cache[key] = fresh_fingerprint(ctx.runner, corpus, ctx.root / "fresh-index", queries)
    return cache[key]


def base(ctx) -> tuple[Path, Path, Fingerprint]:
    """The shared starting point: news/2016 + 10 articles (5,261 files, enough for a
    parallel build), its index, and that index's fingerprint. Copy before changing."""
    if "base" not in ctx.cache:
        corpus = make_corpus(ctx.root / "base" / "corpus", news=("2016",), articles=10)
        index = ctx.root / "base" / "index"
        build(ctx.runner, corpus, index)
        ctx.cache["base"] = (corpus, index, fingerprint(ctx.runner, index))
    return ctx.cache["base"]


def mutate(
    corpus: Path, *, seed: int = 7, add: int = 300, change: int = 150, drop: int = 150
) -> None:
    """A deterministic update: ``change`` stories get a new headline word
    ("zqxmodified"), ``drop`` are deleted, ``add`` stories of 2017 appear."""
    rng = random.Random(seed)
    existing = stories(corpus)
    chosen = rng.sample(existing, min(len(existing), change + drop))
    for path in chosen[:change]:
        mark_story(path)
    for path in chosen[change:]:
        path.unlink()
    extra = sorted((NEWS / "news" / "2017").glob("*/*/*.md"))
    for src in rng.sample(extra, add):
        dst = corpus / src.relative_to(NEWS)
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)


def staging_stories(folder: Path, n: int, *, year: str = "2018", seed: int = 3) -> Path:
    """``n`` stories of ``year`` copied flat into ``folder`` (what a user would `add`)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = sorted((NEWS / "news" / year).glob("*/*/*.md"))
    for i, src in enumerate(rng.sample(pool, n)):
        shutil.copy2(src, folder / f"{i:04d}-{src.name[:80]}")
    return folder


class PeakRss:
    """Samples the peak RSS (VmHWM) of every process in a process group while it runs:
    a build's workers read files too. ``peak_mb`` is the largest seen in one process."""

    def __init__(self, pgid: int, every: float = 0.02) -> None:
        self.pgid, self.every = pgid, every
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for pid in group_members(self.pgid):
                self.peak_mb = max(self.peak_mb, peak_rss_mb(pid))
            self._stop.wait(self.every)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak_mb


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
    return pids
