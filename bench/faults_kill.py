"""Experiments 1-3: kill -9 at random moments, readers during updates and rebuild
switches, two writers at once."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from faults_common import (
    WRONG_ADVICE,
    Experiment,
    Fingerprint,
    _wait4,
    base,
    copy_tree,
    corpus_files,
    diff,
    duplicates,
    expected_for,
    fingerprint,
    group_alive,
    group_members,
    kill_group,
    label_case_diff,
    make_corpus,
    mutate,
    shell_line,
    staging_stories,
    temp_files,
    wait_until,
)

if TYPE_CHECKING:
    from faults import Context

COMMANDS = ("index", "rebuild", "add", "watch")
_CHANGE = "150 stories changed, 150 deleted, 300 of 2017 added (faults_common.mutate)"
SETUP = {
    "index": f"indexed news/2016 + 10 articles; then {_CHANGE}",
    "rebuild": f"indexed news/2016 + 10 articles; then {_CHANGE}",
    "add": "indexed news/2016 + 10 articles; add a folder of stories of 2018",
    "watch": f"indexed news/2016 + 10 articles; watch started, then {_CHANGE}",
}


# --- 1. kill -9 -------------------------------------------------------------------------


class _Setup:
    """Per command: how to start it on a fresh copy of the base, and what it should
    end with (``after``) when it is not interrupted."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.corpus_a, self.index_a, self.before = base(ctx)
        self.addsrc = staging_stories(ctx.root / "kill" / "addsrc", ctx.size(120, 300))
        self.after: dict[str, Fingerprint] = {}
        self.after_files: dict[str, frozenset] = {}
        self.duration: dict[str, float] = {}
        self.late = 0  # trials whose command had ended before the kill

    def fresh(self, trial: Path) -> tuple[Path, Path]:
        corpus = copy_tree(self.corpus_a, trial / "corpus")
        index = copy_tree(self.index_a, trial / "index")
        return corpus, index

    def argv(self, command: str) -> list[str]:
        return {
            "index": ["index"],
            "rebuild": ["index", "--rebuild"],
            "add": ["add", str(self.addsrc)],
            "watch": ["watch"],
        }[command]


def _start(
    ctx: Context, setup: _Setup, command: str, corpus: Path, index: Path, log: Path
) -> tuple[subprocess.Popen, float]:
    """Start ``command`` on a fresh copy; return (process, moment its work began)."""
    runner = ctx.runner
    if command in ("index", "rebuild"):
        mutate(corpus)
    out = open(log, "wb")  # noqa: SIM115 - closed by the caller through proc.stdout_file
    proc = runner.spawn(
        runner.argv(corpus, index, setup.argv(command)), stdout=out, stderr=subprocess.STDOUT
    )
    proc.stdout_file = out  # type: ignore[attr-defined]
    if command == "watch":
        # Wait until it watches and has caught up, then change the corpus under it.
        wait_until(lambda: b"Watching" in log.read_bytes(), 30, every=0.05)
        time.sleep(1.5)
        mutate(corpus)
    return proc, time.perf_counter()


def _settled(ctx: Context, index: Path, want: Fingerprint) -> bool:
    got = fingerprint(ctx.runner, index, ("", "zqxmodified"))
    return not diff(got, {q: want[q] for q in ("", "zqxmodified")})


def _calibrate(ctx: Context, ex: Experiment, setup: _Setup, command: str) -> None:
    """One uninterrupted run: how long the command works, and what it ends with."""
    trial = ctx.folder(f"kill/{command}-control")
    corpus, index = setup.fresh(trial)
    proc, began = _start(ctx, setup, command, corpus, index, trial / "log")
    if command == "watch":
        want = expected_for(ctx, corpus)
        took = wait_until(lambda: _settled(ctx, index, want), 120, every=0.3)
        kill_group(proc.pid, signal.SIGKILL)
        _wait4(proc, 10)
        ex.check("control runs end as a fresh rebuild", took is not None, {"command": command})
        setup.duration[command] = took or 10.0
    else:
        status, _ = _wait4(proc, 600)
        took = time.perf_counter() - began
        setup.duration[command] = took
        code = None if status is None else os.waitstatus_to_exitcode(status)
        want = expected_for(ctx, corpus)
        got = fingerprint(ctx.runner, index)
        problems = diff(got, want)
        ex.check(
            "control runs end as a fresh rebuild",
            code == 0 and not problems,
            {"command": command, "exit": code, "diff": problems[:3]},
        )
    proc.stdout_file.close()
    ctx.runner.forget(proc)
    setup.after[command] = want
    setup.after_files[command] = frozenset(corpus_files(corpus))
    ex.note(f"{command}: uninterrupted run takes {setup.duration[command]:.1f} s")
    shutil.rmtree(trial, ignore_errors=True)


def _kill_trial(ctx: Context, ex: Experiment, setup: _Setup, command: str, n: int) -> None:
    rng = ctx.rng(f"kill:{command}:{n}")
    ex.take_failed()
    trial = ctx.folder(f"kill/{command}-{n}")
    corpus, index = setup.fresh(trial)
    log = trial / "log"
    proc, began = _start(ctx, setup, command, corpus, index, log)
    # From the end of Python's start-up (~0.15 s) to the end of the work.
    span = setup.duration[command]
    kill_at = rng.uniform(min(0.15, span / 2), span)
    while time.perf_counter() - began < kill_at and not _exited_now(proc):
        time.sleep(0.005)
    finished_first = _exited_now(proc)
    workers = [p for p in group_members(proc.pid) if p != proc.pid]
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)  # kill -9 of the command itself, as a user would
    _wait4(proc, 10)
    proc.stdout_file.close()
    ctx.runner.forget(proc)
    where = {
        "command": command,
        "trial": n,
        "killed_at_s": round(kill_at, 2),
        "of_s": round(setup.duration[command], 2),
        "repro": f"{shell_line(ctx.runner.argv(corpus, index, setup.argv(command)))} "
        f"& sleep {kill_at:.2f}; kill -9 $!",
        "setup": SETUP[command],
    }
    ok = True
    if workers and not finished_first:
        gone = wait_until(lambda: not group_alive(proc.pid), 1.0, every=0.05)
        ok &= ex.check("workers exit within 1 s of a kill", gone is not None, where)
    kill_group(proc.pid, signal.SIGKILL)

    # The index answers, as before or as after.
    probe = ctx.runner.sk(None, index, "search", "syria", timeout=60)
    ok &= ex.check(
        "answers after the kill (exit 0/1, no traceback)",
        probe.code in (0, 1) and not probe.traceback,
        {**where, **probe.summary()},
    )
    now = fingerprint(ctx.runner, index)
    after = setup.after[command]
    if command != "watch":  # watch commits batch by batch: anything in between is fair
        same = not diff(now, setup.before) or not diff(now, after)
        ok &= ex.check(
            "answers as before or as after", same, {**where, "vs_after": diff(now, after)[:3]}
        )

    # The next `searchkit index` converges to what a fresh rebuild gives.
    nxt = ctx.runner.sk(corpus, index, "index", timeout=300)
    ok &= ex.check(
        "next `searchkit index` succeeds",
        nxt.code == 0 and not nxt.traceback,
        {**where, **nxt.summary()},
    )
    if frozenset(corpus_files(corpus)) == setup.after_files[command]:
        want = after
    else:  # killed while `add` was copying: the corpus is somewhere in between
        want = expected_for(ctx, corpus)
    got = fingerprint(ctx.runner, index)
    problems = diff(got, want)
    ok &= ex.check("converges to a fresh rebuild", not problems, {**where, "diff": problems[:4]})
    dup = duplicates(got)
    ok &= ex.check("no duplicates", not dup, {**where, "duplicates": dup[:3]})
    cases = label_case_diff(got, want)
    ex.check("facet labels as a fresh rebuild's", not cases, {**where, "queries": cases[:3]})
    debris = temp_files(index, corpus)
    ok &= ex.check(
        "no temporary files left after the next run", not debris, {**where, "files": debris[:4]}
    )
    if finished_first:
        setup.late += 1
    ex.check("kill trials", ok, {**where, "failed": ex.take_failed()})
    if ok:
        shutil.rmtree(trial, ignore_errors=True)


def _exited_now(proc: subprocess.Popen) -> bool:
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def run_kill(ctx: Context, ex: Experiment) -> None:
    ex.headline = "kill trials"
    setup = _Setup(ctx)
    trials = ctx.size(2, 30)
    for command in COMMANDS:
        _calibrate(ctx, ex, setup, command)
    for n in range(trials):
        for command in COMMANDS:
            _kill_trial(ctx, ex, setup, command, n)
        print(f"    kill: round {n + 1}/{trials}", flush=True)
    if setup.late:
        ex.note(f"{setup.late} trial(s) ended before their kill: convergence checked only")


# --- 2. readers during updates and rebuilds ---------------------------------------------

READ_QUERIES = (
    "syria",
    "obama OR trump",
    '"prime minister"',
    "tag:ISIL",
    "date:2016-04",
    "elect*",
    "",
    "syrai",
    "source:reuters -syria",
)

_APP_READER = r"""
import json, sys, time, traceback
from pathlib import Path
from searchkit.engine import Engine
from searchkit.model import SearchRequest
index, stop, queries = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
engine = Engine(index)
i = 0
while not stop.exists():
    q = queries[i % len(queries)]
    i += 1
    try:
        engine.refresh()
        r = engine.search(SearchRequest(query=q))
        print(json.dumps({"q": q, "total": r.total}), flush=True)
    except Exception as exc:
        print(json.dumps({"q": q, "error": f"{type(exc).__name__}: {exc}",
                          "tb": traceback.format_exc()[-600:]}), flush=True)
"""


def _reader(ctx: Context, ex: Experiment, index: Path, allowed, stop, seed: int) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        q = rng.choice(READ_QUERIES)
        as_json = rng.random() < 0.5
        out = ctx.runner.sk(None, index, "search", q, *(["--json"] if as_json else []), timeout=60)
        example = out.summary()
        checks = {
            "exit 0/1 (no error)": out.code in (0, 1),
            "no traceback": not out.traceback,
            "no wrong advice (run `searchkit index`)": WRONG_ADVICE not in out.err,
        }
        if as_json and out.code in (0, 1):
            data = out.json()
            checks["valid JSON"] = data is not None
            if data is not None:
                total = data.get("total")
                checks["total is one the index had"] = total in allowed[q]
                example["total"] = total
        for name, held in checks.items():
            ex.check(name, held, example)
        ex.check("searches", all(checks.values()), example)


def run_readers(ctx: Context, ex: Experiment) -> None:
    ex.headline = "searches"
    runner = ctx.runner
    work = ctx.folder("readers")
    news = ("2016/01", "2016/02", "2016/03", "2016/04") if ctx.quick else ("2016",)
    corpus = make_corpus(work / "corpus", news=news, articles=10)
    index = work / "index"
    batch = staging_stories(work / "batch", 100, year="2017")
    runner.sk(corpus, index, "index", "--rebuild", timeout=600)
    # Totals each query may have: without and with the batch of 100 stories.
    allowed: dict[str, set[int]] = {q: set() for q in READ_QUERIES}
    for with_batch in (True, False):
        _toggle_batch(corpus, batch, with_batch)
        runner.sk(corpus, index, "index", timeout=300)
        for q, a in fingerprint(runner, index, READ_QUERIES).items():
            allowed[q].add(a.total)

    stop = threading.Event()
    readers = [
        threading.Thread(target=_reader, args=(ctx, ex, index, allowed, stop, i), daemon=True)
        for i in range(3)
    ]
    stop_file = work / "stop-app-reader"
    app = runner.spawn(
        [sys.executable, "-c", _APP_READER, str(index), str(stop_file), json.dumps(READ_QUERIES)]
    )
    app_lines: list[bytes] = []
    app_reader = threading.Thread(
        target=lambda: app_lines.extend(app.stdout),
        daemon=True,  # type: ignore[arg-type]
    )
    app_reader.start()
    for t in readers:
        t.start()
    updates, rebuilds = ctx.size(3, 10), ctx.size(5, 25)
    started = time.perf_counter()
    try:
        for i in range(updates):
            _toggle_batch(corpus, batch, i % 2 == 0)
            out = runner.sk(corpus, index, "index", timeout=300)
            ex.check("writer commands succeed", out.code == 0, out.summary())
            time.sleep(0.3)
        _toggle_batch(corpus, batch, False)
        runner.sk(corpus, index, "index", timeout=300)
        for _ in range(rebuilds):
            out = runner.sk(corpus, index, "index", "--rebuild", timeout=600)
            ex.check("writer commands succeed", out.code == 0, out.summary())
            time.sleep(0.3)
    finally:
        stop.set()
        stop_file.touch()
        for t in readers:
            t.join(timeout=90)
        _wait4(app, 30)
        app_reader.join(timeout=10)
        runner.forget(app)
    ex.note(
        f"{updates} updates + {rebuilds} rebuilds in {time.perf_counter() - started:.0f} s, "
        "3 CLI readers + 1 app-style reader (Engine.refresh)"
    )
    err = app.stderr.read().decode("utf-8", "replace") if app.stderr else ""
    if not app_lines and "Error" in err:
        ex.na("app-style reader (Engine.refresh + search)", "n/a: " + err.strip()[-120:])
        return
    for raw in app_lines:
        with contextlib.suppress(ValueError):
            rec = json.loads(raw)
            good = "error" not in rec and rec.get("total") in allowed.get(rec["q"], ())
            ex.check("app-style reader (Engine.refresh + search)", good, rec)


def _toggle_batch(corpus: Path, batch: Path, present: bool) -> None:
    folder = corpus / "news" / "2099" / "01" / "1"
    if present:
        folder.mkdir(parents=True, exist_ok=True)
        for src in batch.iterdir():
            shutil.copy2(src, folder / src.name)
    else:
        shutil.rmtree(corpus / "news" / "2099", ignore_errors=True)


# --- 3. two writers -------------------------------------------------------------------------

LOCK_MESSAGE = re.compile(rb"being updated by PID (\d+)")
SECOND = {
    "index": ["index"],
    "index --rebuild": ["index", "--rebuild"],
    "index --wait": ["index", "--wait"],
    "add": None,  # filled in: add a folder of stories
}


def run_writers(ctx: Context, ex: Experiment) -> None:
    ex.headline = "writer pairs"
    runner = ctx.runner
    corpus_a, index_a, _ = base(ctx)
    addsrc = staging_stories(ctx.root / "writers" / "addsrc", 20, year="2019")
    rounds = ctx.size(1, 8)
    t0 = time.perf_counter()
    runner.sk(corpus_a, ctx.root / "writers" / "timing", "index", "--rebuild", timeout=600)
    rebuild_s = time.perf_counter() - t0
    for n in range(rounds):
        for second in SECOND:
            rng = ctx.rng(f"writers:{second}:{n}")
            ex.take_failed()
            trial = ctx.folder(f"writers/{n}-{second.replace(' ', '')}")
            corpus = copy_tree(corpus_a, trial / "corpus")
            index = copy_tree(index_a, trial / "index")
            argv2 = SECOND[second] or ["add", str(addsrc)]
            delay = 0.0 if second == "index --rebuild" else rng.uniform(0.3, rebuild_s * 0.7)
            with open(trial / "first.out", "wb") as f1, open(trial / "first.err", "wb") as e1:
                first = runner.spawn(
                    runner.argv(corpus, index, ["index", "--rebuild"]), stdout=f1, stderr=e1
                )
                time.sleep(delay)
                two = runner.sk(corpus, index, *argv2, timeout=600)
                status, _ = _wait4(first, 600)
            out1, err1 = (trial / "first.out").read_bytes(), (trial / "first.err").read_bytes()
            runner.forget(first)
            code1 = None if status is None else os.waitstatus_to_exitcode(status)
            where = {
                "pair": f"{shell_line(first.args)} & sleep {delay:.2f}; {shell_line(two.argv)}",
                "first_exit": code1,
                "second": two.summary(),
            }
            ok = _judge_pair(ex, first.pid, code1, err1, two, where, second)
            # The index ends right: settle (the busy one retries), then compare.
            settle = runner.sk(corpus, index, "index", "--wait", timeout=600)
            got = fingerprint(runner, index)
            problems = diff(got, expected_for(ctx, corpus))
            ok &= ex.check(
                "index consistent afterwards",
                settle.code == 0 and not problems,
                {**where, "diff": problems[:3], "first_out": (out1 + err1)[-300:].decode()},
            )
            ex.check("writer pairs", ok, {**where, "failed": ex.take_failed()})
            if ok:
                shutil.rmtree(trial, ignore_errors=True)
        print(f"    writers: round {n + 1}/{rounds}", flush=True)


def _judge_pair(ex, pid1: int, code1, err1: bytes, two, where: dict, second: str) -> bool:
    ok = ex.check(
        "no traceback, exit 0 or 2",
        code1 in (0, 2) and two.code in (0, 2) and not two.traceback and b"Traceback" not in err1,
        where,
    )
    if second == "index --wait":
        return ok & ex.check("`--wait` waits and succeeds", two.code == 0 and code1 == 0, where)
    busy = [(c, e, other) for c, e, other in ((code1, err1, two.pid), (two.code, two.err, pid1))]
    told = [(e, other) for c, e, other in busy if c == 2]
    ok &= ex.check("one of the two succeeds", code1 == 0 or two.code == 0, where)
    for err, other in told:
        m = LOCK_MESSAGE.search(err)
        lines = [ln for ln in err.splitlines() if ln.strip()]
        ok &= ex.check(
            "the other is told who holds the lock (one line, right PID)",
            m is not None and int(m[1]) == other and len(lines) == 1,
            {**where, "stderr": err.decode("utf-8", "replace")[-300:], "holder": other},
        )
    if second == "add" and two.code == 2:
        text = (two.out + two.err).decode("utf-8", "replace")
        ok &= ex.check(
            "busy `add` says its files were copied and will be indexed",
            bool(re.search(r"copied|will be indexed|index(ed)? (them )?(next|later)", text)),
            {**where, "output": text[-400:]},
        )
    return ok


__all__ = ["run_kill", "run_readers", "run_writers"]
