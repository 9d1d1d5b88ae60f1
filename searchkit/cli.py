"""The ``searchkit`` command: index, search, show, stats, the interactive app and more.

Kept fast to import: only the standard library at module level. The engine, rich
(through ``searchkit.render``) and Textual are imported inside the command that needs
them, so ``searchkit search`` never loads Textual or the corpus readers.

Exit status, like grep: 0 when something was found (or the command succeeded),
1 when a search found nothing, 2 on errors (bad usage, missing index or corpus,
unknown document, an internal error), 130 on Ctrl-C. A reader that goes away
(``searchkit search x | head -1``) ends the command quietly with 0, as rg does.

Adding a subcommand is a ``_cmd_<name>(args) -> int`` function plus a
``_register_<name>(subparsers, common)`` that builds its parser; list the latter in
``REGISTRARS``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from searchkit.config import ENV_CORPUS, ENV_INDEX
from searchkit.errors import CorpusMissing, IndexMissing, SearchkitError
from searchkit.handles import resolve_id
from searchkit.model import KINDS, SORTS
from searchkit.textsafe import visible

if TYPE_CHECKING:
    from datetime import date

    from rich.console import Console

    from searchkit.engine import Engine
    from searchkit.model import DocumentView, SearchRequest

PROG = "searchkit"
EXIT_OK, EXIT_NONE, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
ENV_DEBUG, ENV_PAGER = "SEARCHKIT_DEBUG", "SEARCHKIT_PAGER"
FORMATS = ("text", "ids", "paths", "json", "jsonl")

log = logging.getLogger("searchkit")


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

output formats:
  text (default)  numbered hits; `searchkit show 3` then shows hit 3
  -l, paths       the files' paths, one per line (like rg -l)
  ids             document ids, one per line
  jsonl           one JSON object per hit and line
  json            one JSON object: query, total, hits, facets, suggestion

examples:
  searchkit search aleppo hospital
  searchkit search '"chemical weapons" date:2013..2014' --sort oldest
  searchkit search ceasefire --tag "Syrian Civil War" --from 2016-02 --to 2016
  searchkit search --kind article --limit 5
  searchkit search 'tag:ISIL NOT source:reuters' --format ids | head -3
  searchkit search syria --jsonl --limit 100 | jq -r .title

exit status: 0 results found, 1 no results, 2 error.
"""


class UsageError(SearchkitError):
    """A bad command-line value found after parsing (e.g. an invalid date)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``searchkit: <message> (see --help)``, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{PROG}: {visible(message)} (see `{self.prog} --help`)\n")


# --- argument types -----------------------------------------------------------------------


def _non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must be 0 or more")
    return n


# --- parser ---------------------------------------------------------------------------------


def _add_common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # After a subcommand the defaults are SUPPRESS, so a value given before the
    # subcommand is not overwritten by the subparser's default.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group(
        "locations (else the config file, else ./corpus and ./index here or in a folder above)"
    )
    group.add_argument(
        "--corpus",
        metavar="DIR",
        default=default,
        help=f"corpus folder (env {ENV_CORPUS})",
    )
    group.add_argument(
        "--index",
        metavar="DIR",
        default=default,
        help=f"index folder (env {ENV_INDEX})",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help=f"show tracebacks and debug messages (env {ENV_DEBUG}=1)",
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
        description="Search stories and articles. Prints numbered hits with highlighted "
        "snippets and facet counts (`searchkit show N` shows hit N), or ids, paths or "
        "JSON with --format.",
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
    o.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), ids, paths, json or jsonl",
    )
    o.add_argument(
        "-l",
        "--files-with-matches",
        dest="format",
        action="store_const",
        const="paths",
        help="print the matching files' paths, one per line (--format paths)",
    )
    o.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="print the results as one JSON object (--format json)",
    )
    o.add_argument(
        "--jsonl",
        dest="format",
        action="store_const",
        const="jsonl",
        help="print one JSON object per hit and line (--format jsonl)",
    )
    p.set_defaults(func=_cmd_search)


def _register_show(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "show",
        parents=[common],
        help="show one document with its related stories",
        description="Show a whole document: metadata, sources with their links, body, and "
        "its related stories (for an article, the most similar stories). On a terminal "
        f"the text is shown in a pager (${ENV_PAGER}, $PAGER, or less).",
    )
    p.add_argument(
        "id",
        metavar="ID",
        help="a hit number of the last search (searchkit show 3), a document id, any "
        "unique start of one (news/ and .md may be left out), or the file's path",
    )
    p.add_argument("-q", "--query", dest="highlight", metavar="Q", help="highlight what Q matches")
    p.add_argument("--json", action="store_true", help="print the document as JSON")
    p.add_argument("--no-pager", action="store_true", help="print, even on a terminal")
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


def _register_init(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "init",
        parents=[common],
        help="remember where the archive is, so every command finds it from anywhere",
        description="Write the config file ($XDG_CONFIG_HOME/searchkit/config.toml) naming "
        "the corpus and index folders. DIR (default: here) holds a corpus/ folder, whose "
        "index goes to DIR/index; or DIR is a corpus itself (it holds news/ or "
        "articles/), whose index goes to searchkit's data folder. --corpus and --index "
        "choose the folders directly.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="default: here")
    p.set_defaults(func=_cmd_init)


def _register_completion(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from searchkit.completion import DYNAMIC, SHELLS

    p = sub.add_parser(
        "completion",
        parents=[common],
        help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for SHELL: commands, options, and the "
        "index's tag and outlet names for --tag and --source.",
        epilog=f'bash: eval "$({PROG} completion bash)" in ~/.bashrc\n'
        f'zsh:  eval "$({PROG} completion zsh)" in ~/.zshrc (after compinit)\n'
        f"fish: {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", nargs="?", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    p.add_argument(
        "--list",
        choices=sorted(set(DYNAMIC.values())),
        metavar="FACET",
        help="print the index's tag (or source) names, one per line (the scripts use it)",
    )
    p.set_defaults(func=_cmd_completion)


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
    _register_init,
    _register_completion,
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
    _add_common_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _add_common_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in REGISTRARS:
        register(sub, common)
    return parser


# --- main -----------------------------------------------------------------------------------


def _fail(message: str) -> int:
    """Print ``searchkit: message`` on stderr (each line made visible); returns 2."""
    shown = "\n".join(visible(line) for line in message.split("\n"))
    print(f"{PROG}: {shown}", file=sys.stderr)
    return EXIT_ERROR


def _debug_wanted(argv: Sequence[str]) -> bool:
    return "--debug" in argv or os.environ.get(ENV_DEBUG, "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = _debug_wanted(argv)
    if debug:
        logging.basicConfig(
            level=logging.DEBUG, stream=sys.stderr, format=f"{PROG}: debug: %(name)s: %(message)s"
        )
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, so that a closed pipe is noticed inside the try
        return status
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`searchkit search x | head`): stop quietly, like rg.
        _silence_stdout()
        return EXIT_OK
    except SearchkitError as exc:
        return _fail(str(exc))
    except OSError as exc:  # permissions, full disk, ...: the user's to fix
        return _fail(str(exc))
    except Exception as exc:  # a bug: one line, unless asked for the traceback
        if debug:
            import traceback

            traceback.print_exc()
        hint = "" if debug else f" (run with --debug or {ENV_DEBUG}=1 for the traceback)"
        return _fail(f"internal error: {type(exc).__name__}: {exc}, please report it{hint}")


def _main(argv: list[str]) -> int:
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
    if not hasattr(args, "query"):
        args.query = []
    args.debug = _debug_wanted(argv)
    _repair_text_arguments(args)
    _resolve_locations(args)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", _cmd_tui)
    try:
        return func(args)
    except IndexMissing:
        return _fail(_no_index_message(args))
    except CorpusMissing:
        return _fail(_no_corpus_message(args))


#: Arguments that are text (not names of files): invalid bytes in them become U+FFFD.
TEXT_ARGUMENTS = {
    "query": "the query",
    "tag": "--tag",
    "source": "--source",
    "year": "--year",
    "date_from": "--from",
    "date_to": "--to",
    "highlight": "--query",
}


def _repair(value: Any) -> tuple[Any, bool]:
    if isinstance(value, str):
        fixed = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return fixed, fixed != value
    if isinstance(value, list):
        pairs = [_repair(v) for v in value]
        return [v for v, _ in pairs], any(c for _, c in pairs)
    return value, False


def _repair_text_arguments(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 (kept by Python as lone surrogates) in text arguments
    become U+FFFD, with a notice: a query is text, never bytes."""
    for name, label in TEXT_ARGUMENTS.items():
        if not hasattr(args, name):
            continue
        fixed, changed = _repair(getattr(args, name))
        if changed:
            setattr(args, name, fixed)
            print(
                f"{PROG}: {label} holds bytes that are not UTF-8; read them as U+FFFD (\ufffd)",
                file=sys.stderr,
            )


def _resolve_locations(args: argparse.Namespace) -> None:
    from searchkit.config import ConfigError, resolve_locations

    args.corpus_option, args.index_option = args.corpus, args.index
    try:
        where = resolve_locations(args.corpus, args.index)
    except ConfigError:
        if getattr(args, "command", None) not in ("init", "completion"):
            raise
        where = resolve_locations(args.corpus, args.index, config=Path(os.devnull))
    args.corpus, args.index = where.corpus, where.index
    args.corpus_from, args.index_from = where.corpus_from, where.index_from


_ELSEWHERE = (
    "say where the archive is with --corpus DIR (or {env}), or run `searchkit init DIR` once"
)


def _origin(source: str) -> str:
    return "" if source in ("default", "found", "--corpus", "--index") else f" (from {source})"


def _no_index_message(args: argparse.Namespace) -> str:
    index, corpus = visible(str(args.index)), visible(str(args.corpus))
    if args.corpus.is_dir():
        return (
            f"no index at {index}{_origin(args.index_from)}: run `searchkit index` to build it "
            f"from {corpus}; for another archive, " + _ELSEWHERE.format(env=ENV_CORPUS)
        )
    return (
        f"no index at {index} and no corpus at {corpus}{_origin(args.corpus_from)}: "
        + _ELSEWHERE.format(env=ENV_CORPUS)
    )


def _no_corpus_message(args: argparse.Namespace) -> str:
    corpus = visible(str(args.corpus))
    return f"no corpus at {corpus}{_origin(args.corpus_from)}: " + _ELSEWHERE.format(env=ENV_CORPUS)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError) as exc:
        log.debug("could not silence stdout: %s", exc)


# --- output helpers -------------------------------------------------------------------------


def _console(*, stderr: bool = False) -> Console:
    from searchkit.render import make_console

    return make_console(stderr=stderr)


def _open_engine(index: Path) -> Engine:
    from searchkit.engine import Engine

    return Engine(index)


def json_text(data: Any) -> str:
    """``data`` as one line of JSON that is valid UTF-8 whatever its strings hold.

    Characters a terminal would act on or hide (C1 controls, bidi and zero-width
    format characters, line separators) and lone surrogates (bytes of a file name
    that were not UTF-8) are written as ``\\uXXXX`` escapes: the same JSON value,
    in plain printable text.
    """
    import json

    text = json.dumps(data, ensure_ascii=False)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _json_escape(ch) for ch in text)


def _json_escape(ch: str) -> str:
    cp = ord(ch)
    if cp > 0xFFFF:
        cp -= 0x10000
        return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"
    return f"\\u{cp:04x}"


def _write_line(text: str) -> None:
    """One line on stdout as UTF-8, whatever the locale says."""
    data = (text + "\n").encode("utf-8", "replace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a StringIO (tests)
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)


def _print_json(data: dict) -> None:
    _write_line(json_text(data))
    sys.stdout.flush()


def _notices_to_stderr(notices: list[str]) -> None:
    for notice in notices:
        print(f"{PROG}: {visible(notice)}", file=sys.stderr)


# --- commands -------------------------------------------------------------------------------


def _cmd_index(args: argparse.Namespace) -> int:
    from searchkit.engine import update_index
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


def _parse_date_option(option: str, value: str | None, *, end: bool) -> date | None:
    if value is None:
        return None
    from searchkit.engine import parse_date

    parsed = parse_date(value.strip(), end=end)
    if parsed is None:
        raise UsageError(
            f"{option}: invalid date {visible(value)!r}; use YYYY, YYYY-MM or YYYY-MM-DD"
        )
    return parsed


def build_request(args: argparse.Namespace) -> SearchRequest:
    """The ``SearchRequest`` the search options describe."""
    from searchkit.model import SearchRequest

    date_from = _parse_date_option("--from", args.date_from, end=False)
    date_to = _parse_date_option("--to", args.date_to, end=True)
    if date_from and date_to and date_from > date_to:
        raise UsageError(f"--from {args.date_from} is after --to {args.date_to}")
    for year in args.year:
        if not (year.isdigit() and len(year) == 4):
            raise UsageError(f"--year: invalid year {visible(year)!r}; use YYYY")
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
    fmt = args.format
    if fmt == "json":
        _print_json(results.to_json())
    elif fmt == "jsonl":
        for i, hit in enumerate(results.to_json()["hits"]):
            _write_line(json_text({"rank": request.offset + i + 1, **hit}))
    elif fmt in ("ids", "paths"):
        for hit in results.hits:
            name = hit.id if fmt == "ids" else os.path.join(args.corpus, hit.id)
            _write_line(visible(name))
    else:
        from searchkit.render import render_results
        from searchkit.state import save_last_search

        render_results(_console(), results, request)
        # What `searchkit show N` names: the numbers just printed.
        save_last_search(args.index, request.query, request.offset, [h.id for h in results.hits])
        return EXIT_OK if results.total else EXIT_NONE
    # How the query was understood (degraded, auto-corrected) goes to stderr, so
    # stdout stays exactly the documented format.
    _notices_to_stderr(results.notices)
    return EXIT_OK if results.total else EXIT_NONE


def _cmd_show(args: argparse.Namespace) -> int:
    query = (args.highlight or "").strip()
    with _open_engine(args.index) as engine:
        doc_id = resolve_id(engine, args.id, args.corpus, args.index)  # a handle
        view = engine.document(doc_id)
        spans: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        if query and not args.json:
            doc = view.document
            spans = (
                engine.highlight(query, doc.title, "title") if doc.title else [],
                engine.highlight(query, doc.body, "body") if doc.body else [],
            )
    if args.json:
        _print_json(view.to_json())
        return EXIT_OK
    _show_paged(args, view, spans)
    return EXIT_OK


def _pager_command() -> str | None:
    """The pager to use, like git: $SEARCHKIT_PAGER, $PAGER, else less; None for none."""
    import shlex
    import shutil

    command = os.environ.get(ENV_PAGER)
    if command is None:
        command = os.environ.get("PAGER")
    if command is None:
        command = "less"
    command = command.strip()
    if not command or command == "cat":
        return None
    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return None
    return command if shutil.which(program) else None


def _show_paged(
    args: argparse.Namespace,
    view: DocumentView,
    spans: tuple[list[tuple[int, int]], list[tuple[int, int]]],
) -> None:
    from searchkit.render import make_console, render_document

    console = _console()
    pager = None if args.no_pager or not console.is_terminal else _pager_command()
    if pager is None:
        render_document(console, view, *spans)
        return
    import io
    import subprocess

    buffer = io.StringIO()
    paged = make_console(
        file=buffer,
        force_terminal=True,
        color_system=console.color_system or None,
        width=console.width,
    )
    render_document(paged, view, *spans)
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git: leave short text on screen, pass colours
    env.setdefault("LV", "-c")
    proc = subprocess.Popen(pager, shell=True, stdin=subprocess.PIPE, env=env)
    assert proc.stdin is not None
    try:
        proc.stdin.write(buffer.getvalue().encode("utf-8", "replace"))
        proc.stdin.close()
    except BrokenPipeError:  # the pager was quit before it read everything
        log.debug("pager closed its input early")
    proc.wait()


def _cmd_stats(args: argparse.Namespace) -> int:
    with _open_engine(args.index) as engine:
        stats = engine.stats()
    if args.json:
        _print_json(stats.to_json())
    else:
        from searchkit.render import render_stats

        render_stats(_console(), stats)
    return EXIT_OK


def _cmd_init(args: argparse.Namespace) -> int:
    from searchkit.config import config_path, default_index_for, guess_archive, write_config

    folder = Path(os.path.abspath(os.path.expanduser(args.dir)))
    if args.corpus_option is not None:
        corpus = args.corpus
        index = (
            args.index
            if args.index_option is not None
            else (corpus.parent / "index" if corpus.name == "corpus" else default_index_for(corpus))
        )
    else:
        if not folder.is_dir():
            return _fail(f"no folder {folder}")
        guessed = guess_archive(folder)
        if guessed is None:
            return _fail(
                f"no corpus in {folder}: it holds no corpus/ folder and is no corpus itself "
                "(no news/ or articles/ in it); name one with --corpus DIR"
            )
        corpus, index = guessed
        if args.index_option is not None:
            index = args.index
    if not corpus.is_dir():
        return _fail(f"no corpus at {corpus}: name an existing folder with --corpus DIR")
    path = config_path()
    existed = path.exists()
    write_config(corpus, index, path)
    from searchkit.render import render_init

    render_init(_console(), path=path, replaced=existed, corpus=corpus, index=index)
    return EXIT_OK


def _cmd_completion(args: argparse.Namespace) -> int:
    if args.list:
        from searchkit.model import SearchRequest

        with _open_engine(args.index) as engine:
            facets = engine.search(SearchRequest(limit=0, facet_limit=1000, suggest=False)).facets
        names = sorted({v for v, _ in facets.get(args.list, [])}, key=str.casefold)
        for name in names:
            _write_line(visible(name))
        return EXIT_OK
    if not args.shell:
        return _fail("name a shell: searchkit completion bash|zsh|fish (see --help)")
    from searchkit.completion import script

    sys.stdout.write(script(args.shell, build_parser()))
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
    corpus, index = args.corpus, args.index
    if not index.exists() and not corpus.is_dir():
        # Nothing to open and nothing to build from: say so here, not in an app.
        return _fail(_no_index_message(args))
    try:
        from searchkit.tui.app import run_app
    except ImportError as exc:
        return _fail(f"cannot start the interactive app: {exc}")
    debug_log = _tui_debug_log() if args.debug else None
    status = run_app(
        corpus=corpus, index=index, query=" ".join(args.query).strip(), debug=args.debug
    )
    if debug_log is not None:
        print(f"{PROG}: debug log in {visible(str(debug_log))}", file=sys.stderr)
    return status if isinstance(status, int) else EXIT_OK


def _tui_debug_log() -> Path | None:
    """The app takes the terminal: with --debug its log goes to a file."""
    from searchkit.state import state_home

    path = state_home() / "debug.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        log.debug("no debug log file: %s", exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, logging.StreamHandler) and not isinstance(old, logging.FileHandler):
            root.removeHandler(old)  # stderr is the app's screen now
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return path


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
