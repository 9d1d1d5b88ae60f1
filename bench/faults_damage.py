"""Experiment 7: every file of an index truncated, zeroed and bit-flipped, and a CURRENT
holding garbage or a path out of the index folder.

Each damage must be detected (exit 2 and one line) or repaired (by ``searchkit index``
or ``searchkit check --repair``): never a traceback, never a silent wrong answer (the
answers are compared with the undamaged index), never "Updated" over a broken index,
and never anything touched outside the index folder (a canary folder checks that).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from faults_common import (
    NEWS,
    Experiment,
    Outcome,
    build,
    copy_tree,
    diff,
    expected_for,
    fingerprint,
    make_corpus,
    mark_story,
    shell_line,
    stories,
)
from faults_queries import Worker, corpus_words

if TYPE_CHECKING:
    from faults import Context

#: What each damaged index is asked through the command (compared exactly).
QUERIES = (
    "",
    "syria",
    '"prime minister"',
    "tag:ISIL",
    "source:reuters",
    "date:2016-02",
    "obama OR trump",
    "elect*",
    "kind:article",
    "syrai",
)
AFTER_INDEX = ("", "syria", "zqxmodified", "date:2016-02", "tag:ISIL", "kind:article")


@dataclass
class Damage:
    """One way to damage one file, and the shell line that does the same."""

    rel: str  # path inside the index folder
    kind: str
    seed: int = 0

    def apply(self, index: Path, canary: Path) -> str:
        path = index / self.rel
        size = path.stat().st_size
        rng = random.Random(f"{self.rel}:{self.kind}:{self.seed}")
        q = shell_quote(str(path))
        if self.kind == "truncate-0":
            os.truncate(path, 0)
            return f"truncate -s 0 {q}"
        if self.kind == "truncate-half":
            os.truncate(path, size // 2)
            return f"truncate -s {size // 2} {q}"
        if self.kind == "zero":
            path.write_bytes(bytes(size))
            return f"dd if=/dev/zero of={q} bs={max(size, 1)} count=1 conv=notrunc"
        if self.kind == "bitflip":
            data = bytearray(path.read_bytes())
            offset, bit = rng.randrange(size), rng.randrange(8)
            data[offset] ^= 1 << bit
            path.write_bytes(bytes(data))
            return (
                f"printf '\\x{data[offset]:02x}' | dd of={q} bs=1 seek={offset} conv=notrunc"
                f"  # bit {bit} of byte {offset}"
            )
        if self.kind == "garbage":
            text = rng.randbytes(40) + b"\n"
            path.write_bytes(text)
            return f"head -c 40 /dev/urandom > {q}"
        if self.kind in ("absolute-path", "dotdot-path"):
            gen = canary / "gen-canary"
            target = str(gen) if self.kind == "absolute-path" else f"../{canary.name}/{gen.name}"
            path.write_text(target + "\n")
            return f"echo {shell_quote(target)} > {q}"
        if self.kind == "missing-generation":
            path.write_text("gen-20990101T000000000000-1\n")
            return f"echo gen-20990101T000000000000-1 > {q}"
        raise ValueError(self.kind)

    def label(self) -> str:
        return f"{file_type(self.rel)} {self.kind}"


def shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def file_type(rel: str) -> str:
    """A file's kind: segment and generation names replaced by placeholders."""
    name = rel.split("/")[-1]
    name = re.sub(r"MAIN_[a-z0-9]{16}", "MAIN_<seg>", name)
    name = re.sub(r"_MAIN_\d+\.toc$", "_MAIN_<n>.toc", name)
    name = re.sub(r"facets-[\w.-]+\.json$", "facets-<n>.json", name)
    return ("gen/" if "/" in rel else "") + name


def _damages(ctx: Context, pristine: Path) -> list[Damage]:
    files = sorted(p.relative_to(pristine).as_posix() for p in pristine.rglob("*") if p.is_file())
    out: list[Damage] = []
    if ctx.quick:  # one file of each kind, one damage each (truncated or a bit flipped)
        seen: dict[str, str] = {}
        for rel in files:
            seen.setdefault(file_type(rel), rel)
        for n, rel in enumerate(sorted(seen.values())):
            empty = (pristine / rel).stat().st_size == 0
            out.append(Damage(rel, "garbage" if empty else ("truncate-half", "bitflip")[n % 2]))
    else:
        for rel in files:
            if (pristine / rel).stat().st_size == 0:
                out.append(Damage(rel, "garbage"))
                continue
            for kind in ("truncate-0", "truncate-half", "zero"):
                out.append(Damage(rel, kind))
            out += [Damage(rel, "bitflip", seed) for seed in range(5)]
    for kind in ("garbage", "absolute-path", "dotdot-path", "missing-generation"):
        out.append(Damage("CURRENT", kind))
    return out


# --- the set-up -----------------------------------------------------------------------------


class Bench:
    """The corpus, the undamaged index and its answers."""

    def __init__(self, ctx: Context, ex: Experiment) -> None:
        self.ctx, self.ex = ctx, ex
        work = ctx.folder("damage")
        self.work = work
        news = ("2016/01", "2016/02", "2016/03")
        self.corpus = make_corpus(work / "corpus", news=news, articles=10)
        self.pristine = work / "pristine"
        build(ctx.runner, self.corpus, self.pristine)
        # A second segment and commit, like an index that has seen updates.
        for src in sorted((NEWS / "news" / "2017" / "01").glob("*/*.md"))[:60]:
            dst = self.corpus / src.relative_to(NEWS)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        ctx.runner.sk(self.corpus, self.pristine, "index", timeout=300)
        ctx.runner.sk(None, self.pristine, "stats", timeout=60)  # writes the facet cache
        self.reference = self.ask(self.pristine)
        if ctx.has_check:
            ok = ctx.runner.sk(self.corpus, self.pristine, "check", timeout=600)
            ex.check("`searchkit check` passes an undamaged index", ok.code == 0, _brief(ok))
        # Changes made before `searchkit index` runs over a damaged index.
        self.victims = stories(self.corpus)[10:12]
        self.saved = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in self.victims}
        self.new_story = self.corpus / "news/2016/03/31/zqx-new-story-for-damage.md"
        self._mutate()
        self.expected = expected_for(ctx, self.corpus, AFTER_INDEX)
        self._restore()
        rng = ctx.rng("damage-queries")
        words = corpus_words(120)
        self.batch = [rng.choice(words) for _ in range(ctx.size(80, 300))]
        self.batch += [f"{rng.choice(words)} {rng.choice(words)}" for _ in range(ctx.size(20, 100))]
        self.batch += [f"{w[:4]}*" for w in rng.sample(words, ctx.size(10, 40))]
        self.batch += list(QUERIES)
        worker = Worker(ctx.runner, self.pristine, timeout=30)
        self.in_process = not worker.unavailable
        self.batch_totals = [worker.ask({"q": q}).get("total") for q in self.batch]
        worker.close()

    def ask(self, index: Path) -> dict[str, Outcome]:
        """The command outputs to compare: searches, stats, show (two at a time)."""
        from concurrent.futures import ThreadPoolExecutor

        runner = self.ctx.runner
        first_day = sorted(p.name for p in (self.corpus / "news/2016/01/1").iterdir())[0]
        commands = {f"search {q!r}": ["search", q, "--json", "--limit", "50"] for q in QUERIES}
        commands["stats --json"] = ["stats", "--json"]
        commands["show --json"] = ["show", f"news/2016/01/1/{first_day}", "--json"]
        with ThreadPoolExecutor(2) as pool:
            outs = pool.map(lambda args: runner.sk(None, index, *args), commands.values())
            return dict(zip(commands, outs, strict=True))

    def _mutate(self) -> None:
        mark_story(self.victims[0])
        self.victims[1].unlink()
        self.new_story.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sorted((NEWS / "news/2018/03").glob("*/*.md"))[0], self.new_story)

    def _restore(self) -> None:
        for path, (data, mtime) in self.saved.items():
            path.write_bytes(data)
            os.utime(path, ns=(mtime, mtime))
        self.new_story.unlink(missing_ok=True)


def _same(got: Outcome, want: Outcome) -> bool:
    if got.code != want.code:
        return False
    g, w = got.json(), want.json()
    if g is None or w is None:
        return got.out == want.out
    for volatile in ("elapsed_ms", "size_bytes", "updated_at", "built_at", "path"):
        g.pop(volatile, None)
        w.pop(volatile, None)
    return g == w


def _tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with its size, mtime and hash."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()
            out[path.relative_to(folder).as_posix()] = f"{st.st_size}:{st.st_mtime_ns}:{digest}"
    return out


# --- one trial ------------------------------------------------------------------------------


def _trial(ctx: Context, ex: Experiment, bench: Bench, damage: Damage, n: int, tally: dict) -> None:
    runner = ctx.runner
    ex.take_failed()
    trial = ctx.folder(f"damage/trial-{n}")
    index = copy_tree(bench.pristine, trial / "index")
    canary = trial / "canary"
    gen = next(p for p in bench.pristine.iterdir() if p.is_dir())
    copy_tree(gen, canary / "gen-canary")
    (canary / "keep-me.txt").write_text("canary\n")
    before = _tree(canary)
    how = damage.apply(index, canary)
    where = {"damage": damage.label(), "file": damage.rel, "repro": how}

    # A. What searches, stats and show say now.
    got = bench.ask(index)
    outcome = {"detected": 0, "same": 0, "wrong": 0, "crash": 0}
    crashes, long_errors, wrong = [], [], []
    for what, out in got.items():
        ref = bench.reference[what]
        seen = {"cmd": shell_line(out.argv), **_brief(out)}
        if out.traceback or out.code not in (0, 1, 2):
            outcome["crash"] += 1
            crashes.append(seen)
        elif out.code == 2 and ref.code != 2:
            outcome["detected"] += 1
            if len(out.err_lines) != 1:
                long_errors.append(seen)
        elif _same(out, ref):
            outcome["same"] += 1
        else:
            outcome["wrong"] += 1
            wrong.append({**seen, "want": ref.out[:150].decode("utf-8", "replace")})
    ok = ex.check("commands: no traceback, exit 0/1/2", not crashes, {**where, "e.g.": crashes[:2]})
    ok &= ex.check(
        "commands: an error is one line", not long_errors, {**where, "e.g.": long_errors[:2]}
    )
    ok &= ex.check("commands: no silent wrong answer", not wrong, {**where, "e.g.": wrong[:2]})

    if ctx.has_check and (crashes or wrong or outcome["detected"]):
        found = runner.sk(bench.corpus, index, "check", timeout=600)
        ok &= ex.check(
            "`searchkit check` reports damage that changed answers",
            found.code == 2 and not found.traceback,
            {**where, **_brief(found)},
        )
    elif not ctx.has_check:
        ex.na("`searchkit check` reports damage that changed answers", "n/a (command missing)")

    # B. Many more searches in-process: an exception is fine only as searchkit's own error.
    if bench.in_process:
        worker = Worker(runner, index, timeout=30)
        crashes, wrong = [], []
        for q, total in zip(bench.batch, bench.batch_totals, strict=True):
            reply = worker.ask({"q": q})
            if "error" in reply and not reply.get("searchkit_error"):
                crashes.append((q, reply["error"]))
            elif "error" not in reply and reply.get("total") != total:
                wrong.append((q, reply.get("total"), total))
        worker.close()
        n_q = len(bench.batch)
        ok &= ex.check(
            f"{n_q} searches in-process: no crash",
            not crashes,
            {**where, "crashes": len(crashes), "e.g.": crashes[:2]},
        )
        ok &= ex.check(
            f"{n_q} searches in-process: no silent wrong total",
            not wrong,
            {**where, "wrong": len(wrong), "e.g. (query, got, want)": wrong[:3]},
        )

    # C. `searchkit index` after a change to the corpus: repaired or refused.
    bench._mutate()
    try:
        upd = runner.sk(bench.corpus, index, "index", timeout=600)
        said = upd.out.decode("utf-8", "replace")
        if upd.traceback or upd.code not in (0, 2):
            ok &= ex.check("index afterwards: no traceback", False, {**where, **_brief(upd)})
            repaired = False
        elif upd.code == 2:
            ok &= ex.check(
                "index afterwards: a refusal is one line",
                len(upd.err_lines) == 1,
                {**where, **_brief(upd)},
            )
            repaired = False
            tally["refused"] += 1
        else:
            problems = diff(fingerprint(runner, index, AFTER_INDEX), bench.expected)
            repaired = not problems
            ok &= ex.check(
                'index afterwards: never "Updated" over a broken index',
                repaired,
                {**where, "said": said[:200], "diff": problems[:3]},
            )
            tally["repaired" if repaired else "broken after index"] += 1
        if not ctx.has_check:
            ex.na("check --repair then index repairs it", "n/a (command missing)")
        elif not repaired:
            fixed = runner.sk(bench.corpus, index, "check", "--repair", timeout=600)
            again = runner.sk(bench.corpus, index, "index", timeout=600)
            problems = diff(fingerprint(runner, index, AFTER_INDEX), bench.expected)
            repaired = fixed.code in (0, 2) and again.code == 0 and not problems
            ok &= ex.check(
                "check --repair then index repairs it",
                repaired,
                {**where, "check": _brief(fixed), "diff": problems[:3]},
            )
        if not repaired:
            rb = runner.sk(bench.corpus, index, "index", "--rebuild", timeout=600)
            problems = (
                []
                if rb.code != 0
                else diff(fingerprint(runner, index, AFTER_INDEX), bench.expected)
            )
            ok &= ex.check(
                "index --rebuild recovers",
                rb.code == 0 and not problems,
                {**where, **_brief(rb), "diff": problems[:3]},
            )
    finally:
        bench._restore()

    # D. Nothing outside the index folder was touched.
    after = _tree(canary) if canary.exists() else {}
    ok &= ex.check(
        "nothing outside the index folder touched",
        after == before,
        {**where, "canary": str(canary), "files_before": len(before), "files_after": len(after)},
    )
    for k, v in outcome.items():
        tally[k] += v
    ex.check("damage trials", ok, {**where, "outputs": outcome, "failed": ex.take_failed()})
    if ok:
        shutil.rmtree(trial, ignore_errors=True)


def _brief(out: Outcome) -> dict:
    err = out.err.decode("utf-8", "backslashreplace")
    return {
        "exit": out.code,
        "stderr": err[-300:],
        "stdout": out.out[:150].decode("utf-8", "replace"),
    }


def run_damage(ctx: Context, ex: Experiment) -> None:
    ex.headline = "damage trials"
    bench = Bench(ctx, ex)
    damages = _damages(ctx, bench.pristine)
    kinds = sorted({file_type(d.rel) for d in damages})
    ex.note(f"{len(damages)} damages over {len(kinds)} kinds of file: {', '.join(kinds)}")
    tally = {
        k: 0
        for k in ("detected", "same", "wrong", "crash", "repaired", "refused", "broken after index")
    }
    for n, damage in enumerate(damages):
        _trial(ctx, ex, bench, damage, n, tally)
        if (n + 1) % 10 == 0:
            print(f"    damage: {n + 1}/{len(damages)}", flush=True)
    ex.note(
        "command outputs over damaged indexes: "
        + ", ".join(f"{tally[k]} {k}" for k in ("same", "detected", "wrong", "crash"))
        + f"; then `searchkit index`: {tally['repaired']} repaired, {tally['refused']} refused, "
        f"{tally['broken after index']} left broken"
    )


__all__ = ["run_damage"]
