"""Experiment 4: ``searchkit watch`` under bursts, folder moves, editor saves and signals,
and with its index folder inside the corpus."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from faults_common import (
    NEWS,
    Experiment,
    _wait4,
    answer,
    build,
    copy_tree,
    corpus_files,
    make_corpus,
    mark_story,
    shell_line,
    stories,
    temp_files,
    wait_until,
)

if TYPE_CHECKING:
    from faults import Context

SETTLE = 120  # seconds a watch may take to catch up with a change


class Watch:
    """One ``searchkit watch`` process, its output in a log file."""

    def __init__(self, ctx: Context, corpus: Path, index: Path, log: Path) -> None:
        self.ctx, self.corpus, self.index, self.log = ctx, corpus, index, log
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.argv = ctx.runner.argv(corpus, index, ["watch"])
        self.proc = ctx.runner.spawn(self.argv, stdout=self._out, stderr=subprocess.STDOUT)
        self.code: int | None = None

    def ready(self, timeout: float = 60) -> bool:
        """Watching, and done with its first catch-up (it prints nothing when idle)."""
        ok = wait_until(lambda: b"Watching" in self.text(), timeout, every=0.05) is not None
        time.sleep(2.0)
        return ok and self.running()

    def text(self) -> bytes:
        return self.log.read_bytes()

    def running(self) -> bool:
        try:
            return os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def cpu_seconds(self) -> float:
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return 0.0

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> float | None:
        """Send ``sig``; seconds until it exited, or None (then it is killed)."""
        started = time.perf_counter()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, sig)
        status, _ = _wait4(self.proc, timeout)
        took: float | None = time.perf_counter() - started
        if status is None:
            took = None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            status, _ = _wait4(self.proc, 10)
        self.code = None if status is None else os.waitstatus_to_exitcode(status)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._out.close()
        self.ctx.runner.forget(self.proc)
        return took


def _ids_match(ctx: Context, index: Path, corpus: Path, markers: dict[str, int]) -> list[str]:
    """How the index differs from the folder ([] when it holds exactly its files)."""
    want = set(corpus_files(corpus))
    a = answer(ctx.runner, index, "")
    if a.error:
        return [f"index does not answer: {a.error}"]
    got = set(a.ids)
    problems = []
    # Exact duplicates are listed once with their number: a file missing from the list
    # is fine when the copies listed and the total both account for every file.
    folded = a.total == len(want) == a.listed
    if (got - want) or (got != want and not folded) or len(a.ids) != len(got):
        extra, missing = sorted(got - want), sorted(want - got)
        problems.append(
            f"{len(extra)} stale ids (e.g. {extra[:2]}), {len(missing)} missing "
            f"(e.g. {missing[:2]}), {len(a.ids) - len(got)} duplicates"
        )
    for word, n in markers.items():
        m = answer(ctx.runner, index, word)
        if m.total != n:
            problems.append(f"{word!r} finds {m.total}, want {n}")
    return problems


def _settle(ctx: Context, index: Path, corpus: Path, markers: dict[str, int]) -> list[str]:
    """Wait until the index holds what the folder holds; the last difference if never."""
    last: list[str] = []

    def test() -> bool:
        nonlocal last
        last = _ids_match(ctx, index, corpus, markers)
        return not last

    took = wait_until(test, SETTLE, every=1.0)
    return [] if took is not None else last


class _Bare:
    """Where an action works: the corpus, and a folder outside it (same file system)."""

    def __init__(self, corpus: Path, work: Path) -> None:
        self.corpus = corpus
        self.outside = work / "outside"
        self.outside.mkdir(exist_ok=True)


class _Scenario(_Bare):
    """A fresh corpus and index, a watch on them, then ``action``; checks at the end."""

    def __init__(self, ctx: Context, ex: Experiment, start: tuple[Path, Path], name: str):
        self.ctx, self.ex, self.name = ctx, ex, name
        self.work = ctx.folder(f"watch/{name}")
        super().__init__(copy_tree(start[0], self.work / "corpus"), self.work)
        self.index = copy_tree(start[1], self.work / "index")

    def run(self, action: Callable[[_Bare], dict[str, int]]) -> None:
        ex = self.ex
        ex.take_failed()
        watch = Watch(self.ctx, self.corpus, self.index, self.work / "watch.log")
        where = {"scenario": self.name, "watch": shell_line(watch.argv)}
        ok = ex.check("watch starts", watch.ready(), {**where, "log": _tail(watch.text())})
        markers = action(self) if ok else {}
        if ok:
            problems = _settle(self.ctx, self.index, self.corpus, markers)
            ok &= ex.check(
                f"index = folder after {self.name.rstrip('0123456789-')}",
                not problems,
                {**where, "diff": problems, "log": _tail(watch.text())},
            )
        took = watch.stop(signal.SIGINT)
        ok &= ex.check("Ctrl-C stops it, printing Stopped.", _stopped(watch, took), where)
        debris = temp_files(self.index, self.corpus)
        ok &= ex.check("no temporary files left", not debris, {**where, "files": debris[:5]})
        ex.check("scenarios", ok, {**where, "failed": ex.take_failed()})
        if ok:
            shutil.rmtree(self.work, ignore_errors=True)


def _stopped(watch: Watch, took: float | None) -> bool:
    return took is not None and b"Stopped." in watch.text() and watch.code in (0, 130)


def _tail(data: bytes, n: int = 400) -> str:
    return data.decode("utf-8", "backslashreplace")[-n:]


# --- actions ----------------------------------------------------------------------------


def _burst_add(n: int) -> Callable[[_Bare], dict[str, int]]:
    def action(s: _Bare) -> dict[str, int]:
        pool = sorted((NEWS / "news" / "2017").glob("*/*/*.md"))[:n]
        for src in pool:
            dst = s.corpus / src.relative_to(NEWS)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        return {}

    return action


def _burst_delete(n: int) -> Callable[[_Bare], dict[str, int]]:
    def action(s: _Bare) -> dict[str, int]:
        for path in stories(s.corpus)[::3][:n]:
            path.unlink()
        return {}

    return action


def _move_in(s: _Bare) -> dict[str, int]:
    staged = s.outside / "2018-03"
    shutil.copytree(NEWS / "news" / "2018" / "03", staged)
    (s.corpus / "news" / "2018").mkdir(parents=True, exist_ok=True)
    os.rename(staged, s.corpus / "news" / "2018" / "03")
    return {}


def _move_out(s: _Bare) -> dict[str, int]:
    folder = sorted(p for p in (s.corpus / "news" / "2016").iterdir() if p.is_dir())[1]
    os.rename(folder, s.outside / folder.name)
    return {}


def _move_within(s: _Bare) -> dict[str, int]:
    folder = sorted(p for p in (s.corpus / "news" / "2016").iterdir() if p.is_dir())[2]
    os.rename(folder, folder.with_name(f"moved-{folder.name}"))
    return {}


def _editor_saves(s: _Bare) -> dict[str, int]:
    """Four ways editors save: temp + rename, truncate then write, backup + new file,
    delete then re-create a moment later."""
    files = stories(s.corpus)[5:9]
    texts = [p.read_text(encoding="utf-8") for p in files]

    def marked(text: str, word: str) -> str:
        return text.replace("\n# ", f"\n# {word} ", 1)

    # vim/sublime: write a temp file next to it, rename over it
    tmp = files[0].with_name(f".{files[0].name}.swp")
    tmp.write_text(marked(texts[0], "zqxsaveone"), encoding="utf-8")
    os.replace(tmp, files[0])
    # truncate, then the new content a moment later
    with open(files[1], "w", encoding="utf-8") as f:
        f.flush()
        os.fsync(f.fileno())
        time.sleep(0.3)
        f.write(marked(texts[1], "zqxsavetwo"))
    # keep a backup: rename away, write the new file
    os.rename(files[2], files[2].with_name(files[2].name + "~"))
    files[2].write_text(marked(texts[2], "zqxsavethree"), encoding="utf-8")
    # delete, re-create after the watcher's quiet period
    files[3].unlink()
    time.sleep(1.2)
    files[3].write_text(marked(texts[3], "zqxsavefour"), encoding="utf-8")
    # and an in-place edit of the headline
    mark_story(stories(s.corpus)[20], "zqxsavefive")
    return {w: 1 for w in ("zqxsaveone", "zqxsavetwo", "zqxsavethree", "zqxsavefour")} | {
        "zqxsavefive": 1
    }


# --- signals and the index inside the corpus -------------------------------------------------


def _signal_case(ctx: Context, ex: Experiment, start, sig: int, busy: bool, n: int) -> None:
    name = f"{signal.Signals(sig).name}-{'burst' if busy else 'idle'}-{n}"
    ex.take_failed()
    work = ctx.folder(f"watch/{name}")
    corpus = copy_tree(start[0], work / "corpus")
    index = copy_tree(start[1], work / "index")
    watch = Watch(ctx, corpus, index, work / "watch.log")
    where = {"case": name, "watch": shell_line(watch.argv)}
    ok = ex.check("watch starts", watch.ready(), {**where, "log": _tail(watch.text())})
    if busy:
        _burst_add(ctx.size(300, 1000))(_Bare(corpus, work))
        time.sleep(ctx.rng(name).uniform(0.3, 2.5))
    took = watch.stop(sig)
    where["log"] = _tail(watch.text())
    sig_name = signal.Signals(sig).name
    ok &= ex.check(f"{sig_name} stops it within 15 s", took is not None, where)
    ok &= ex.check(
        f"{sig_name}: prints Stopped., exit 0/130, no traceback",
        b"Stopped." in watch.text() and watch.code in (0, 130) and b"Traceback" not in watch.text(),
        {**where, "exit": watch.code},
    )
    debris = temp_files(index, corpus)
    ok &= ex.check(
        f"{sig_name}: no temporary files left", not debris, {**where, "files": debris[:5]}
    )
    after = ctx.runner.sk(corpus, index, "index", timeout=300)
    ok &= ex.check(
        f"{sig_name}: lock released, next index succeeds", after.code == 0, after.summary()
    )
    problems = _ids_match(ctx, index, corpus, {})
    ok &= ex.check(f"{sig_name}: index = folder after the next index", not problems, where)
    ex.check("scenarios", ok, {**where, "failed": ex.take_failed()})
    if ok:
        shutil.rmtree(work, ignore_errors=True)


def _index_inside(ctx: Context, ex: Experiment, start) -> None:
    """The index folder inside the corpus: watch must not trigger itself."""
    ex.take_failed()
    work = ctx.folder("watch/index-inside")
    corpus = copy_tree(start[0], work / "corpus")
    index = corpus / "search-index"
    build(ctx.runner, corpus, index)
    watch = Watch(ctx, corpus, index, work / "watch.log")
    where = {"watch": shell_line(watch.argv)}
    ok = ex.check("watch starts", watch.ready(), where)
    lock = index / "writer.lock"
    cpu0, lock0 = watch.cpu_seconds(), _mtime(lock)
    time.sleep(8)
    cpu = watch.cpu_seconds() - cpu0
    looped = _mtime(lock) != lock0 or cpu > 1.5
    ok &= ex.check(
        "index inside the corpus: idle watch stays idle (no update loop)",
        not looped,
        {**where, "cpu_s_in_8s_idle": round(cpu, 2), "lock_touched": _mtime(lock) != lock0},
    )
    mark_story(stories(corpus)[3], "zqxinside")
    problems = _settle(ctx, index, corpus, {"zqxinside": 1})
    ok &= ex.check("index inside the corpus: changes still indexed", not problems, where)
    took = watch.stop(signal.SIGINT)
    ok &= ex.check("Ctrl-C stops it, printing Stopped.", _stopped(watch, took), where)
    ex.check("scenarios", ok, {**where, "failed": ex.take_failed()})
    if ok:
        shutil.rmtree(work, ignore_errors=True)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def run_watch(ctx: Context, ex: Experiment) -> None:
    ex.headline = "scenarios"
    months = ("01", "02", "03") if ctx.quick else ("01", "02", "03", "04", "05", "06")
    corpus = make_corpus(
        ctx.root / "watch" / "start" / "corpus",
        news=tuple(f"2016/{m}" for m in months),
        articles=0,
    )
    index = ctx.root / "watch" / "start" / "index"
    build(ctx.runner, corpus, index)
    start = (corpus, index)
    scenarios: list[tuple[str, Callable[[_Bare], dict[str, int]]]] = [
        (f"burst-add-{ctx.size(300, 2000)}", _burst_add(ctx.size(300, 2000))),
        ("burst-delete-500", _burst_delete(500)),
        ("move-in", _move_in),
        ("move-out", _move_out),
        ("move-within", _move_within),
        ("editor-saves", _editor_saves),
    ]
    for name, action in scenarios:
        _Scenario(ctx, ex, start, name).run(action)
        print(f"    watch: {name}", flush=True)
    signals = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    cases = [(s, b) for s in signals for b in (False, True)]
    if ctx.quick:
        cases = [(signal.SIGTERM, False), (signal.SIGHUP, True), (signal.SIGINT, True)]
    for n in range(ctx.size(1, 3)):
        for sig, busy in cases:
            _signal_case(ctx, ex, start, sig, busy, n)
        print(f"    watch: signals, round {n + 1}", flush=True)
    _index_inside(ctx, ex, start)


__all__ = ["run_watch"]
