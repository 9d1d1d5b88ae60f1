"""The ``searchkit`` command: index, search, show, stats and the interactive app.

Kept fast to import: only the standard library at module level. The engine, rich
(through ``searchkit.render``) and Textual are imported inside the command that needs
them, so ``searchkit search`` never loads Textual or the corpus readers.

Exit status, like grep: 0 when something was found (or the command succeeded),
1 when a search found nothing, 2 on errors (bad usage, missing index or corpus,
unknown document), 130 on Ctrl-C.

Adding a subcommand is a ``_cmd_<name>(args) -> int`` function plus a
``_register_<name>(subparsers, common)`` that builds its parser; list the latter in
``REGISTRARS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from searchkit.errors import SearchkitError
from searchkit.model import KINDS, SORTS

if TYPE_CHECKING:
    from rich.console import Console

    from searchkit.engine import Engine

PROG = "searchkit"
EXIT_OK, EXIT_NONE, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130

ENV_CORPUS, ENV_INDEX = "SEARCHKIT_CORPUS", "SEARCHKIT_INDEX"
DEFAULT_CORPUS, DEFAULT_INDEX = "./corpus", "./index"


QUERY_HELP = """\
query language:
  syria aleppo              all words must match (in title, body or tags)
  "air strike"              a phrase
  syria OR iraq             either word; AND is the default
  syria NOT turkey          leave out documents with a word
  (syria OR iraq) NOT isil  group with parentheses
  title:ceasefire           search one field: title:, tag:, source:, kind:
  tag:"Syrian Civil War"    a context tag (quote tags with spaces)
  source:reuters            an outlet
  kind:article              stories or articles
  date:2016                 a year, a month (date:2016-04) or a day (date:2016-04-29)
  date:2016-01..2016-06     a range of dates (either end may be left out)
  date:>=2020               also date:>2020, date:<2016, date:<=2016-06
  syri*                     words starting with "syri"
  syria~  syria~2           fuzzy: within 1 (or 2) typing mistakes

  Malformed input (an unbalanced quote or parenthesis) is searched as plain words.
  An empty query lists the newest documents.

examples:
  searchkit search aleppo hospital
  searchkit search '"chemical weapons" date:2013..2014' --sort oldest
  searchkit search ceasefire --tag "Syrian Civil War" --from 2016-02 --to 2016
  searchkit search --kind article --limit 5
  searchkit search 'tag:ISIL NOT source:reuters' --json | jq '.hits[].id'

exit status: 0 results found, 1 no results, 2 error.
"""


class UsageError(SearchkitError):
    """A bad command-line value found after parsing (e.g. an invalid date)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``searchkit: <message> (see --help)``, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{PROG}: {message} (see `{self.prog} --help`)\n")


# --- argument types -----------------------------------------------------------------------


def _non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must be 0 or more")
    return n


def _resolve_path(value: str | None, env: str, default: str) -> Path:
    chosen = value if value is not None else (os.environ.get(env) or default)
    return Path(os.path.abspath(os.path.expanduser(chosen)))


# --- parser ---------------------------------------------------------------------------------


def _add_location_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # After a subcommand the defaults are SUPPRESS, so a value given before the
    # subcommand is not overwritten by the subparser's default.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("locations")
    group.add_argument(
        "--corpus",
        metavar="DIR",
        default=default,
        help=f"corpus folder (env {ENV_CORPUS}; default {DEFAULT_CORPUS})",
    )
    group.add_argument(
        "--index",
        metavar="DIR",
        default=default,
        help=f"index folder (env {ENV_INDEX}; default {DEFAULT_INDEX})",
    )


Registrar = Callable[["argparse._SubParsersAction", argparse.ArgumentParser], None]


def _register_index(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "index",
        parents=[common],
        help="build or update the index from the corpus",
        description="Build the index, or bring it up to date with the corpus: only files "
        "added, changed or removed since the last run are read.",
    )
    p.add_argument("--rebuild", action="store_true", help="build from scratch")
    p.add_argument(
        "--wait", action="store_true", help="wait for another process updating the index"
    )
    p.add_argument(
        "--engine",
        metavar="NAME",
        help="the engine of a new index: whoosh (default) or tantivy (env SEARCHKIT_ENGINE); "
        "naming another engine than the index's rebuilds it",
    )
    p.set_defaults(func=_cmd_index)


def _register_search(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "search",
        parents=[common],
        help="search the index",
        description="Search stories and articles. Prints ranked hits with highlighted "
        "snippets and facet counts, or JSON with --json.",
        epilog=QUERY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="the query (words are joined)")
    f = p.add_argument_group("filters (repeat an option to allow several values)")
    f.add_argument("--tag", action="append", default=[], metavar="TAG", help="context tag")
    f.add_argument("--source", action="append", default=[], metavar="S", help="outlet")
    f.add_argument("--kind", choices=KINDS, help="stories or articles only")
    f.add_argument("--year", action="append", default=[], metavar="YYYY", help="year")
    f.add_argument(
        "--from", dest="date_from", metavar="DATE", help="on or after: YYYY, YYYY-MM, YYYY-MM-DD"
    )
    f.add_argument(
        "--to", dest="date_to", metavar="DATE", help="on or before (--to 2016 = end of 2016)"
    )
    o = p.add_argument_group("output")
    o.add_argument("--sort", choices=SORTS, default="relevance", help="default: relevance")
    o.add_argument("--limit", type=_non_negative, default=10, metavar="N", help="default: 10")
    o.add_argument("--offset", type=_non_negative, default=0, metavar="N", help="skip N hits")
    o.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.set_defaults(func=_cmd_search)


def _register_show(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "show",
        parents=[common],
        help="show one document with its related stories",
        description="Show a whole document: metadata, body, and its related stories "
        "(for an article, the most similar stories).",
    )
    p.add_argument("id", metavar="ID", help="document id as printed by search")
    p.add_argument("--json", action="store_true", help="print the document as JSON")
    p.set_defaults(func=_cmd_show)


def _register_stats(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "stats", parents=[common], help="what the index holds", description="Index statistics."
    )
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    p.set_defaults(func=_cmd_stats)


def _register_tui(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "tui",
        parents=[common],
        help="the interactive search app (the default)",
        description="Start the interactive app, optionally with a first query.",
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="a first query")
    p.set_defaults(func=_cmd_tui)


ADD_HELP = """\
where files go:
  a story (.md)            news/YYYY/MM/D/<slug>.md, from its date line and headline
  an article (.txt)        articles/<name>
  a folder's articles      keep their sub-folders: bbc/business/001.txt goes to
                           articles/bbc/business/001.txt (a path through an "articles"
                           folder keeps what follows it: other/articles/x/1.txt goes to
                           articles/x/1.txt)

  Identical files are left as they are; a different file already in the corpus is kept
  unless --force; two inputs never go to the same place in one run (the first wins).
  --outlet and --date are written into each article's front-matter block (stories
  carry their own date line and sources). Folders are read like the corpus: links in
  them are not followed.

output:
  one line per file: added, replaced and already-there files on stdout; files not
  added (kept, skipped, with the reason) on stderr; then a summary line.

exit status:
  0  every file that could be added was added (or was already in the corpus), and any
     other was reported on stderr; also when another process is updating the index:
     the files are in the corpus and are indexed by the next update (`searchkit
     index`, or a running `searchkit watch` by itself); --wait waits for it instead
  1  nothing was added: every file was kept or skipped (see stderr)
  2  an error: no such file or folder, no corpus, a bad option
"""


def _front_matter_date(value: str):
    from searchkit.corpus.frontmatter import front_matter_date

    try:
        return front_matter_date(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _one_line(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned or not cleaned.isprintable():
        raise argparse.ArgumentTypeError(f"{value!r} is not a name on one line")
    return cleaned


def _register_add(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "add",
        parents=[common],
        help="copy stories and articles into the corpus, then update the index",
        description="Copy files (or the .md/.txt files of folders) into the corpus at the "
        "place their content names, then update the index.",
        epilog=ADD_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument("--force", action="store_true", help="replace different existing files")
    p.add_argument("--wait", action="store_true", help="wait for another index update")
    p.add_argument(
        "--outlet", type=_one_line, metavar="NAME", help="the articles' outlet (front matter)"
    )
    p.add_argument(
        "--date",
        type=_front_matter_date,
        metavar="YYYY-MM-DD",
        help="the articles' date (front matter)",
    )
    p.set_defaults(func=_cmd_add)


def _register_check(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "check",
        parents=[common],
        help="verify the index (checksums, a full read) and how far behind the corpus it is",
        description="Verify every index file against the checksum recorded when it was "
        "written, read the whole index, and compare it with the corpus. Exit status: 0 "
        "sound and current, 1 sound but behind the corpus, 2 damaged. With --repair, "
        "rebuild a damaged index or update one that is behind (then 0).",
    )
    p.add_argument("--repair", action="store_true", help="rebuild or update as needed")
    p.set_defaults(func=_cmd_check)


def _register_watch(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "watch",
        parents=[common],
        help="keep the index current while files change (Ctrl-C stops)",
        description="Update the index now, then whenever files in the corpus appear, change "
        "or vanish (bursts are batched; a folder moved in or out is compared whole). The index "
        "folder, when inside the corpus, is ignored. Ctrl-C, SIGTERM and SIGHUP stop it "
        "cleanly (an update in progress is abandoned; the index answers as before).",
    )
    p.set_defaults(func=_cmd_watch)


#: Subcommands in help order. Add one: write _register_x and _cmd_x, list it here.
REGISTRARS: list[Registrar] = [
    _register_index,
    _register_search,
    _register_show,
    _register_stats,
    _register_tui,
    _register_add,
    _register_watch,
    _register_check,
]


def build_parser() -> argparse.ArgumentParser:
    from searchkit import __version__

    parser = _Parser(
        prog=PROG,
        description="Full-text search for news archives, from the terminal. "
        "Without a command, starts the interactive app.",
        epilog="Run `searchkit COMMAND --help` for a command's options; "
        "`searchkit search --help` describes the query language.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_location_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _add_location_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in REGISTRARS:
        register(sub, common)
    return parser


# --- main -----------------------------------------------------------------------------------


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if extra:
        # Words of a query may follow its options: `search syria --tag ISIL aleppo`.
        words = [w for w in extra if not w.startswith("-") or w == "-"]
        if getattr(args, "command", None) in ("search", "tui") and len(words) == len(extra):
            args.query = [*args.query, *extra]
        else:
            return _fail(f"unrecognized arguments: {' '.join(extra)} (see `{PROG} --help`)")
    args.corpus = _resolve_path(args.corpus, ENV_CORPUS, DEFAULT_CORPUS)
    args.index = _resolve_path(args.index, ENV_INDEX, DEFAULT_INDEX)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", _cmd_tui)
    if not hasattr(args, "query"):
        args.query = []
    try:
        return func(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`searchkit search x | head`): stop quietly.
        _silence_stdout()
        return EXIT_OK
    except SearchkitError as exc:
        return _fail(str(exc))
    except OSError as exc:  # permissions, full disk, ...: the user's to fix
        return _fail(str(exc))


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --- commands -------------------------------------------------------------------------------


def _console(*, stderr: bool = False) -> Console:
    from searchkit.render import make_console

    return make_console(stderr=stderr)


def _open_engine(index: Path) -> Engine:
    from searchkit.engine import Engine

    return Engine(index)


def _cmd_index(args: argparse.Namespace) -> int:
    from searchkit.engine import update_index
    from searchkit.errors import CorpusMissing
    from searchkit.render import IndexProgress, render_index_report

    corpus: Path = args.corpus
    if not corpus.is_dir():
        raise CorpusMissing(str(corpus))
    with IndexProgress(_console(stderr=True)) as progress:
        report = update_index(
            corpus,
            args.index,
            rebuild=args.rebuild,
            wait=args.wait,
            progress=progress.update,
            engine=args.engine,
        )
    render_index_report(_console(), report, corpus=corpus, index=args.index)
    return EXIT_OK


def _parse_date_option(option: str, value: str | None, *, end: bool):
    if value is None:
        return None
    from searchkit.engine import parse_date

    parsed = parse_date(value.strip(), end=end)
    if parsed is None:
        raise UsageError(f"{option}: invalid date {value!r}; use YYYY, YYYY-MM or YYYY-MM-DD")
    return parsed


def build_request(args: argparse.Namespace):
    """The ``SearchRequest`` the search options describe."""
    from searchkit.model import SearchRequest

    date_from = _parse_date_option("--from", args.date_from, end=False)
    date_to = _parse_date_option("--to", args.date_to, end=True)
    if date_from and date_to and date_from > date_to:
        raise UsageError(f"--from {args.date_from} is after --to {args.date_to}")
    for year in args.year:
        if not (year.isdigit() and len(year) == 4):
            raise UsageError(f"--year: invalid year {year!r}; use YYYY")
    filters = tuple(
        (facet, tuple(_dedupe(values)))
        for facet, values in (
            ("tag", args.tag),
            ("year", args.year),
            ("source", args.source),
            ("kind", [args.kind] if args.kind else []),
        )
        if values
    )
    return SearchRequest(
        query=" ".join(args.query).strip(),
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        sort=args.sort,
        limit=args.limit,
        offset=args.offset,
    )


def _dedupe(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        v = v.strip()
        if v:
            seen.setdefault(v, None)
    return list(seen)


def _cmd_search(args: argparse.Namespace) -> int:
    request = build_request(args)
    with _open_engine(args.index) as engine:
        results = engine.search(request)
    if args.json:
        _print_json(results.to_json())
        # How the query was understood (degraded, auto-corrected) goes to stderr, so
        # stdout stays exactly the documented JSON.
        for notice in results.notices:
            print(f"{PROG}: {notice}", file=sys.stderr)
    else:
        from searchkit.render import render_results

        render_results(_console(), results, request)
    return EXIT_OK if results.total else EXIT_NONE


def id_candidates(raw: str, corpus: Path | None = None) -> list[str]:
    """Spellings of a document id to try, most literal first.

    Accepts the id search prints (``news/2016/04/29/x.md``), with a leading ``./``,
    ``/`` or ``corpus/`` (or the corpus folder's own name), and a path to the file.
    """
    out: list[str] = []

    def add(candidate: str) -> None:
        if candidate and candidate not in out:
            out.append(candidate)

    add(raw)
    text = raw.strip().replace("\\", "/")
    add(text)
    if corpus is not None:
        try:
            rel = Path(os.path.abspath(os.path.expanduser(text))).relative_to(corpus)
            add(rel.as_posix())
        except ValueError:
            pass
    prefixes = ["./", "/", "corpus/"]
    if corpus is not None and corpus.name and corpus.name != "corpus":
        prefixes.append(corpus.name + "/")
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if text.startswith(prefix):
                text = text[len(prefix) :]
                add(text)
                changed = True
    return out


def _print_json(data: dict) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _find_document(engine: Engine, raw: str, corpus: Path):
    from searchkit.errors import UnknownDocument

    for candidate in id_candidates(raw, corpus):
        if engine.has(candidate):
            return engine.document(candidate)
    raise UnknownDocument(raw)


def _cmd_show(args: argparse.Namespace) -> int:
    with _open_engine(args.index) as engine:
        view = _find_document(engine, args.id, args.corpus)
    if args.json:
        _print_json(view.to_json())
    else:
        from searchkit.render import render_document

        render_document(_console(), view)
    return EXIT_OK


def _cmd_stats(args: argparse.Namespace) -> int:
    with _open_engine(args.index) as engine:
        stats = engine.stats()
    if args.json:
        _print_json(stats.to_json())
    else:
        from searchkit.render import render_stats

        render_stats(_console(), stats)
    return EXIT_OK


def _cmd_add(args: argparse.Namespace) -> int:
    from searchkit.engine import update_index
    from searchkit.errors import CorpusMissing, IndexBusy
    from searchkit.render import IndexProgress, render_add_report
    from searchkit.services.add import add_paths
    from searchkit.textsafe import visible

    corpus: Path = args.corpus
    if not corpus.is_dir():
        raise CorpusMissing(str(corpus))
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if missing:
        return _fail(f"no such file or folder: {visible(str(missing[0]))}")
    added = add_paths(args.paths, corpus, force=args.force, outlet=args.outlet, day=args.date)
    err = _console(stderr=True)
    update, busy = None, None
    try:
        # Only what was added is compared and indexed (fast in a large archive); the
        # rest of the corpus is left to `searchkit index`.
        placed = [dest for _, dest in (*added.copied, *added.identical)]
        with IndexProgress(err) as progress:
            update = update_index(
                corpus, args.index, wait=args.wait, progress=progress.update, only=placed
            )
    except IndexBusy as exc:
        busy = f"PID {exc.pid}" if exc.pid else "another process"
    render_add_report(_console(), added, errors=err, update=update, busy=busy)
    return EXIT_OK if added.copied or added.identical else EXIT_NONE


def _cmd_check(args: argparse.Namespace) -> int:
    from searchkit.engine import check_index
    from searchkit.render import render_check_report

    report = check_index(args.corpus, args.index, repair=args.repair)
    render_check_report(_console(), report)
    if report.repaired or (report.sound and report.current):
        return EXIT_OK
    return EXIT_ERROR if not report.sound else EXIT_NONE


def _cmd_watch(args: argparse.Namespace) -> int:
    import signal

    from searchkit.errors import CorpusMissing
    from searchkit.render import render_watch_update
    from searchkit.services.watch import watch
    from searchkit.textsafe import visible

    corpus: Path = args.corpus
    if not corpus.is_dir():
        raise CorpusMissing(str(corpus))
    console = _console()
    console.print(
        f"Watching {visible(str(corpus))} (index {visible(str(args.index))}); Ctrl-C stops.",
        markup=False,
    )
    # SIGTERM (kill, systemd) and SIGHUP (closed terminal) stop it as Ctrl-C does: an
    # update in progress is abandoned (the index answers as before), then "Stopped.".
    stoppers = (signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in stoppers}
    try:
        watch(
            corpus,
            args.index,
            lambda r: render_watch_update(console, r),
            on_ready=lambda r: render_watch_update(console, r),
        )
    except KeyboardInterrupt:
        console.print("Stopped.", markup=False)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


def _cmd_tui(args: argparse.Namespace) -> int:
    try:
        from searchkit.tui.app import run_app
    except ImportError as exc:
        return _fail(f"cannot start the interactive app: {exc}")
    status = run_app(corpus=args.corpus, index=args.index, query=" ".join(args.query).strip())
    return status if isinstance(status, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
