"""Rich rendering of results, documents, statistics and index reports for people.

Document text is data, never markup: everything printed here is a ``rich.text.Text``
built with ``append``/``stylize``, on a console whose markup, emoji and automatic
highlighting are switched off. A headline such as ``UNSC [UN Security Council]
Resolution [bold]x[/]`` prints exactly as written.

Only this module and ``searchkit.cli`` import rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text

from searchkit.model import FACETS, DocumentView, Hit, IndexStats, RelatedEntry, Results
from searchkit.textsafe import visible

if TYPE_CHECKING:
    from rich.progress import ProgressColumn, Task

    from searchkit.engine import CheckReport, UpdateReport
    from searchkit.model import FileReport, SearchRequest
    from searchkit.services.add import AddReport

HIGHLIGHT = "bold reverse"
TITLE = "bold"
DIM = "dim"
#: How many changed files an incremental index report names, per kind of change.
CHANGES_SHOWN = 20
SEP = " · "
INDENT = 4
FACET_VALUES = 5  # values shown per facet under the hits
REPORT_LINES = 50  # file reports listed before "… and N more"

_PARAGRAPH = re.compile(r"\S(?:.*?\S)?(?=\n\s*\n|\s*\Z)", re.S)
_LINE_BREAKS = re.compile(r"\s*\n\s*")
#: URLs that become terminal hyperlinks (OSC 8); anything else is only shown.
_LINKABLE = re.compile(r"https?://[!-~]+", re.I)


class _Console(Console):
    """A rich Console that lets a closed pipe reach ``searchkit.cli.main``.

    rich's own handler exits with status 1 ("nothing found" for searchkit); the
    command line ends quietly with 0 instead, as rg does.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def make_console(*, stderr: bool = False, file: IO[str] | None = None, **options: Any) -> Console:
    """A console that never interprets text: no markup, emoji or auto-highlighting.

    Colour follows rich's defaults: none when the output is not a terminal, none
    when NO_COLOR is set. Off a terminal, long lines are not wrapped.
    """
    console = _Console(
        stderr=stderr, file=file, markup=False, emoji=False, highlight=False, **options
    )
    if not console.is_terminal:
        console.soft_wrap = True
    return console


def _control_picture(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x20:
        return chr(0x2400 + cp)  # ␛, ␀, ...: Unicode "control pictures"
    return "\u2421" if cp == 0x7F else "\ufffd"


_DOC_TABLE = {c: _control_picture(chr(c)) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_DOC_TABLE.update({ord(c): " " for c in "\t\r"})
del _DOC_TABLE[ord("\n")]
_DOC_TABLE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})


def doc_text(text: str) -> str:
    """Document text made safe to print, one character for one (highlight spans still
    line up): control characters become visible stand-ins (ESC is ``␛``), lone
    surrogates U+FFFD; line breaks stay. Ids, paths and queries use ``visible``."""
    return text.translate(_DOC_TABLE)


def unbroken(text: Text) -> Text:
    """``text`` marked to be printed on one line, never wrapped by rich: on a terminal
    a long id overflows (the terminal folds it), so it can be selected and pasted."""
    text.no_wrap = True
    text.overflow = "ignore"
    return text


def _is_unbroken(text: Text) -> bool:
    return bool(text.no_wrap) and text.overflow == "ignore"


def link_style(url: str | None, base: str | Style = "") -> Style:
    """``base``, plus an OSC 8 hyperlink to ``url`` when it is a plain http(s) URL."""
    style = Style.parse(base) if isinstance(base, str) else base
    if url and _LINKABLE.fullmatch(url):
        return style + Style(link=url)
    return style


def highlighted(text: str, spans: Iterable[Sequence[int]], style: str = HIGHLIGHT) -> Text:
    """``text`` as a Text with ``style`` on each [start, end) span."""
    out = Text(text)
    size = len(text)
    for start, end in spans:
        start, end = max(0, start), min(size, end)
        if start < end:
            out.stylize(style, start, end)
    return out


def one_line(text: str, spans: Iterable[Sequence[int]]) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with each run of line breaks made one space, and ``spans`` moved along."""
    pieces: list[str] = []
    # shifts[i] = (position in the old text, how far later text moves left)
    shifts: list[tuple[int, int]] = []
    last, removed = 0, 0
    for m in _LINE_BREAKS.finditer(text):
        pieces.append(text[last : m.start()])
        pieces.append(" ")
        removed += len(m.group(0)) - 1
        shifts.append((m.end(), removed))
        last = m.end()
    pieces.append(text[last:])

    def move(pos: int) -> int:
        shift = 0
        for end, total in shifts:
            if pos >= end:
                shift = total
            else:
                break
        return pos - shift

    return "".join(pieces), [(move(s), move(e)) for s, e in spans]


def fmt_date(d: date | None) -> str:
    return d.isoformat() if d else "undated"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


# --- search results -------------------------------------------------------------------------


def _filters_text(request: SearchRequest | None) -> str:
    if request is None:
        return ""
    parts = [
        f"{name}: {', '.join(visible(v) for v in values)}"
        for name, values in request.filters
        if values
    ]
    if request.date_from:
        parts.append(f"from {request.date_from.isoformat()}")
    if request.date_to:
        parts.append(f"to {request.date_to.isoformat()}")
    return f" [{'; '.join(parts)}]" if parts else ""


def results_header(results: Results, request: SearchRequest | None = None) -> Text:
    """``12 results for syria (3.1 ms)``, plus filters and the page shown."""
    shown_query = results.suggestion if results.corrected_from else results.query
    header = Text()
    if shown_query:
        header.append(_plural(results.total, "result"))
        header.append(" for ")
        header.append(visible(shown_query), style="bold")
    else:
        sort = request.sort if request else "relevance"
        order = "oldest first" if sort == "oldest" else "newest first"
        header.append(f"{_plural(results.total, 'document')}, {order}")
    header.append(_filters_text(request))
    header.append(f" ({results.elapsed_ms:.1f} ms)", style=DIM)
    if results.hits:
        offset = request.offset if request else 0
        first, last = offset + 1, offset + len(results.hits)
        if first > 1 or last < results.total:
            header.append(f" — showing {first}–{last}", style=DIM)
    return header


def render_hit(console: Console, rank: int, hit: Hit) -> None:
    """Rank, title, date · kind · outlets, id, snippet (left out when it is the title)."""
    title = highlighted(doc_text(hit.title), hit.title_highlights)
    title.stylize(TITLE)
    meta = Text(fmt_date(hit.date))
    meta.append(SEP + hit.kind)
    if hit.outlets:
        meta.append(SEP + ", ".join(doc_text(o.name) for o in hit.outlets))
    lines = [title, meta, unbroken(Text(visible(hit.id), style=DIM))]
    if hit.snippet and not hit.snippet_is_title:
        text, spans = one_line(doc_text(hit.snippet), hit.highlights)
        lines.append(highlighted(text, spans))
    _numbered(console, rank, lines)


def _numbered(console: Console, n: int, lines: list[Text]) -> None:
    """``lines`` as one numbered entry, later lines indented under the first.

    On a terminal, wrapped lines keep clear of the number column; ``unbroken`` lines
    (ids) are never wrapped: the terminal folds them, so they copy as one piece.
    """
    label = f"{n:>{INDENT - 2}}."
    if console.is_terminal:
        from rich.table import Table

        first, rest = lines[0], lines[1:]
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=INDENT - 1, justify="right", style=DIM, no_wrap=True)
        grid.add_column()
        grid.add_row(Text(label), first)
        console.print(grid)
        for line in rest:
            if _is_unbroken(line):
                console.print(Text(" " * INDENT) + line, soft_wrap=True)
            else:
                console.print(Padding(line, (0, 0, 0, INDENT), expand=False))
        return
    first = Text().append(label + " ", style=DIM)
    first.append_text(lines[0])
    console.print(first)
    for line in lines[1:]:
        console.print(Text(" " * INDENT) + line)


def facets_lines(facets: dict[str, list[tuple[str, int]]], limit: int = FACET_VALUES) -> list[Text]:
    """One compact line per facet: ``tag     ISIL 12 · Syrian Civil War 9``."""
    width = max(len(n) for n in FACETS)
    lines = []
    for name in FACETS:
        values = list(facets.get(name) or [])
        if not values:
            continue
        if name == "year":  # the engine lists years in time order; show the busiest
            values.sort(key=lambda vc: (-vc[1], vc[0]))
        line = Text().append(f"{name:<{width}}  ", style=DIM)
        for i, (value, count) in enumerate(values[:limit]):
            if i:
                line.append(SEP, style=DIM)
            line.append(visible(str(value)))
            line.append(f" {count:,}", style=DIM)
        if len(values) > limit:
            line.append(f"{SEP}…", style=DIM)
        lines.append(line)
    return lines


def _hanging(line: Text, indent: int) -> RenderableType:
    """``line`` with its first ``indent`` cells as a label and the rest wrapped beside it."""
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(width=indent, no_wrap=True)
    grid.add_column()
    grid.add_row(line[:indent], line[indent:])
    return grid


def render_results(
    console: Console, results: Results, request: SearchRequest | None = None
) -> None:
    console.print(results_header(results, request))
    for notice in results.notices:
        console.print(Text(visible(notice), style=DIM))
    if results.suggestion and not results.corrected_from:
        hint = Text().append("Did you mean: ", style=DIM)
        hint.append(visible(results.suggestion), style="bold")
        hint.append("?", style=DIM)
        console.print(hint)
    offset = request.offset if request else 0
    for i, hit in enumerate(results.hits):
        console.print()
        render_hit(console, offset + i + 1, hit)
    lines = facets_lines(results.facets)
    if lines and results.total:
        console.print()
        for line in lines:
            if console.is_terminal:  # wrapped values stay clear of the facet names
                console.print(_hanging(line, max(len(n) for n in FACETS) + 2))
            else:
                console.print(line)


# --- one document ---------------------------------------------------------------------------


def _related_lines(entry: RelatedEntry) -> list[Text]:
    title = Text(doc_text(entry.title) or "(untitled)")
    meta = Text(fmt_date(entry.date) + SEP)
    if entry.in_archive:
        meta.append("in archive", style="green")
    else:
        meta.append("not in archive")
    if entry.tags:
        meta.append(SEP + ", ".join(doc_text(t) for t in entry.tags))
    lines = [title, meta, unbroken(Text(visible(entry.id), style=DIM))]
    if not entry.in_archive:
        for line in lines:
            line.stylize(DIM)
    return lines


def _related_block(console: Console, heading: str, entries: Sequence[RelatedEntry]) -> None:
    console.print()
    console.print(Text().append(f"{heading} ({len(entries)})", style="bold underline"))
    if not entries:
        console.print(Text().append("none", style=DIM))
    for n, entry in enumerate(entries, 1):
        _numbered(console, n, _related_lines(entry))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """[start, end) of each paragraph of ``text`` (blank lines part them), stripped."""
    return [m.span() for m in _PARAGRAPH.finditer(text)]


def _spans_within(spans: Iterable[Sequence[int]], start: int, end: int) -> list[tuple[int, int]]:
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]


def render_document(
    console: Console,
    view: DocumentView,
    title_spans: Sequence[Sequence[int]] = (),
    body_spans: Sequence[Sequence[int]] = (),
) -> None:
    """The whole document; ``title_spans`` and ``body_spans`` are highlighted."""
    doc = view.document
    title = highlighted(doc_text(doc.title) or "(untitled)", title_spans if doc.title else ())
    title.stylize(TITLE)
    console.print(title)
    meta = Text(fmt_date(doc.date))
    meta.append(SEP + doc.kind)
    console.print(meta)
    console.print(unbroken(Text(visible(doc.id), style=DIM)), soft_wrap=True)
    if doc.outlets:
        console.print()
        console.print(Text().append("Sources", style="bold underline"))
        for n, outlet in enumerate(doc.outlets, 1):
            line = Text(f"{n:>2}. ")
            line.append(doc_text(outlet.name))
            if outlet.url:
                line.append("  ")
                line.append(visible(outlet.url), style=link_style(outlet.url, DIM))
            console.print(line)
    if doc.tags:
        console.print()
        tags = Text().append("Tags: ", style="bold")
        tags.append(", ".join(doc_text(t) for t in doc.tags))
        console.print(tags)
    body = doc_text(doc.body or "")
    for start, end in paragraphs(body):
        console.print()
        console.print(highlighted(body[start:end], _spans_within(body_spans, start, end)))
    if doc.kind == "story" or view.related:
        _related_block(console, "Related stories", view.related)
    if doc.kind == "article" or view.similar:
        _related_block(console, "Similar stories", view.similar)


# --- statistics -----------------------------------------------------------------------------


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def human_age(when: datetime, now: datetime | None = None) -> str:
    """``5 minutes ago``, ``3 days ago``."""
    if now is None:
        now = datetime.now(UTC) if when.tzinfo else datetime.now()
    seconds = (now - when).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            return f"{_plural(int(seconds // size), unit)} ago"
    return "just now"


def _when(value: datetime | None, now: datetime | None = None) -> Text:
    if value is None:
        return Text().append("unknown", style=DIM)
    local = value.astimezone() if value.tzinfo else value
    out = Text(local.strftime("%Y-%m-%d %H:%M"))
    out.append(f" ({human_age(value, now)})", style=DIM)
    return out


def _counts_block(console: Console, heading: str, pairs: Sequence[tuple[str, int]]) -> None:
    console.print(Text().append(heading, style="bold"))
    if not pairs:
        console.print(Text().append("  none", style=DIM))
    width = max((len(f"{c:,}") for _, c in pairs), default=0)
    for value, count in pairs:
        line = Text().append(f"  {count:>{width},}  ", style=DIM)
        line.append(visible(str(value)))
        console.print(line)


def render_stats(console: Console, stats: IndexStats, now: datetime | None = None) -> None:
    total = sum(stats.documents.values())
    line = Text().append("Index       ", style="bold")
    line.append(visible(stats.path))
    line.append(f" ({human_size(stats.size_bytes)})", style=DIM)
    console.print(line)
    docs = Text().append("Documents   ", style="bold")
    docs.append(f"{total:,}")
    if stats.documents:
        parts = [
            _plural(c, k, "stories" if k == "story" else None)
            for k, c in sorted(stats.documents.items())
        ]
        docs.append(f" ({', '.join(parts)})", style=DIM)
    console.print(docs)
    dates = Text().append("Dates       ", style="bold")
    if stats.first_date or stats.last_date:
        dates.append(f"{fmt_date(stats.first_date)} – {fmt_date(stats.last_date)}")
    else:
        dates.append("none", style=DIM)
    console.print(dates)
    console.print(Text().append("Built       ", style="bold") + _when(stats.built_at, now))
    console.print(Text().append("Updated     ", style="bold") + _when(stats.updated_at, now))
    console.print()
    _counts_block(console, "Top tags", stats.top_tags)
    console.print()
    _counts_block(console, "Top outlets", stats.top_sources)


# --- indexing -------------------------------------------------------------------------------


def _rate_column() -> ProgressColumn:
    from rich.progress import ProgressColumn

    class RateColumn(ProgressColumn):
        """Files per second."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} files/s" if speed else "", style=DIM)

    return RateColumn()


_PHASES = {"scanning": "Scanning corpus", "indexing": "Indexing", "committing": "Committing"}


class IndexProgress:
    """A progress bar (files, rate, ETA) fed by ``update_index``'s progress callback.

    Shown only when the console is a terminal; disappears when done.
    """

    def __init__(self, console: Console) -> None:
        # Imported here: `searchkit search` has no use for rich.progress.
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            _rate_column(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self.task = self.progress.add_task("Starting", total=None)

    def __enter__(self) -> IndexProgress:
        self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def update(self, phase: str, done: int, total: int) -> None:
        description = _PHASES.get(phase, phase.capitalize())
        if phase == "scanning" or total <= 0:
            self.progress.update(self.task, description=description, total=None)
            return
        task = self.progress.tasks[0]
        if task.total != total:
            self.progress.reset(self.task, total=total, completed=done, description=description)
        else:
            self.progress.update(self.task, completed=done, description=description)


def _report_lines(console: Console, heading: str, reports: Sequence[FileReport]) -> None:
    if not reports:
        return
    console.print()
    console.print(Text(f"{heading} ({len(reports)}):", style="bold"))
    for report in reports[:REPORT_LINES]:
        line = Text("  ")
        line.append(visible(report.path))
        line.append(": ", style=DIM)
        line.append(visible(report.reason))
        console.print(line)
    if len(reports) > REPORT_LINES:
        console.print(Text(f"  … and {len(reports) - REPORT_LINES:,} more", style=DIM))


def render_index_report(
    console: Console, report: UpdateReport, *, corpus: Path, index: Path
) -> None:
    head = Text().append("Rebuilt" if report.rebuilt else "Updated", style="bold")
    head.append(f" {visible(str(index))} from {visible(str(corpus))}")
    if report.rebuilt:
        head.append(f" ({report.reason})", style=DIM)
    console.print(head)
    counts = Text("  ")
    for i, (label, n) in enumerate(
        (
            ("added", report.documents if report.rebuilt else len(report.added)),
            ("changed", len(report.changed)),
            ("removed", len(report.removed)),
            ("unchanged", report.unchanged),
        )
    ):
        if i:
            counts.append(SEP, style=DIM)
        counts.append(f"{n:,} {label}")
    console.print(counts)
    docs = Text(f"  {_plural(report.documents, 'document')} in the index")
    console.print(docs)
    if not report.rebuilt:
        for label, ids in (
            ("added", report.added),
            ("changed", report.changed),
            ("removed", report.removed),
        ):
            for doc_id in ids[:CHANGES_SHOWN]:
                console.print(Text(f"  {label:>8} ").append(visible(doc_id), style=DIM))
            if len(ids) > CHANGES_SHOWN:
                console.print(Text(f"  {'':>8} … and {len(ids) - CHANGES_SHOWN:,} more", style=DIM))
    _report_lines(console, "Skipped", report.skipped)
    _report_lines(console, "Notices", report.notices)
    console.print()
    console.print(Text(f"Done in {report.seconds:.1f} s", style=DIM))


def render_init(console: Console, *, path: Path, replaced: bool, corpus: Path, index: Path) -> None:
    """What `searchkit init` wrote."""
    head = Text("Replaced " if replaced else "Wrote ", style="bold")
    console.print(head.append(visible(str(path)), style=""))
    console.print(Text("  corpus  ").append(visible(str(corpus))))
    line = Text("  index   ").append(visible(str(index)))
    if not index.exists():
        line.append("  (not built yet)", style=DIM)
    console.print(line)
    hint = "searchkit index" if not index.exists() else "searchkit search QUERY"
    console.print(
        Text(f"From any folder now: `searchkit` opens the app, `{hint}` ", style=DIM).append(
            "builds the index" if not index.exists() else "searches", style=DIM
        )
    )


def _skipped_lines(console: Console, reports: Iterable[FileReport]) -> None:
    for bad in reports:
        console.print(
            Text("  skipped ", style="red")
            .append(visible(bad.path))
            .append(f": {visible(bad.reason)}", style=DIM)
        )


def _fit(text: str, width: int) -> str:
    """``text`` cut in the middle with "…" to at most ``width`` characters."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return f"{text[:head]}…{text[len(text) - (width - 1 - head) :]}"


def _shown_source(source: str) -> str:
    """A source path as short as it can be said: relative to the current folder when
    it is inside it."""
    import os

    try:
        rel = os.path.relpath(source)
    except ValueError:
        return source
    return source if rel.startswith("..") else rel


def _file_line(
    console: Console, label: str, style: str, dest: str, source: str, note: str = ""
) -> Text:
    """``  label  dest  ← source  note`` on one line: the source is left out when the
    id already ends with it, and on a terminal the paths are shortened in the middle
    to fit its width."""
    src = _shown_source(source)
    dest_v, src_v = visible(dest), visible(src)
    # An article placed as it was found (articles/bbc/1.txt from …/bbc/1.txt) says enough.
    tail = dest.partition("/")[2]
    show_src = not (src == tail or src.endswith("/" + tail))
    if console.is_terminal:
        room = console.width - 12 - len(note) - (4 if show_src else 0)
        if show_src:
            src_v = _fit(src_v, max(16, min(len(src_v), room // 3)))
            room -= len(src_v)
        dest_v = _fit(dest_v, max(24, room))
    line = Text(f"  {label:<9}", style=style).append(dest_v)
    if show_src:
        line.append(" ← ", style=DIM).append(src_v, style=DIM)
    if note:
        line.append(note, style=DIM)
    return line


def render_add_report(
    console: Console,
    report: AddReport,
    *,
    errors: Console | None = None,
    update: UpdateReport | None = None,
    busy: str | None = None,
) -> None:
    """What `searchkit add` did, one line per file: added, replaced and already-there
    files on ``console``; kept and skipped ones, with the reason, on ``errors``
    (default: ``console``). Then, when the index was updated (``update``) or another
    process holds it (``busy``: who), the index's own skipped files and notices on
    ``errors`` and a summary line."""
    errors = errors or console
    for source, dest in report.copied:
        label = "replaced" if dest in report.replaced else "added"
        console.print(_file_line(console, label, "green", dest, source))
    for source, dest in report.identical:
        console.print(_file_line(console, "same", DIM, dest, source, " (already there)"))
    for source, dest in report.refused:
        note = ": a different file is there (--force replaces it)"
        errors.print(_file_line(errors, "kept", "yellow", dest, source, note))
    for source, dest, earlier in report.clashes:
        errors.print(
            Text("  skipped ", style="red")
            .append(visible(_shown_source(source)))
            .append(f": {visible(dest)} is where ", style=DIM)
            .append(visible(_shown_source(earlier)))
            .append(" went in this run", style=DIM)
        )
    _skipped_lines(errors, report.bad)
    if report.stories_with_metadata:
        n = report.stories_with_metadata
        errors.print(
            Text(
                f"  note: --outlet/--date apply to articles; {_plural(n, 'story', 'stories')} "
                "kept their own date line and sources",
                style=DIM,
            )
        )
    if update is None and busy is None:
        return
    others = 0
    if update is not None:
        # What the index update said about the files just added; other files of the
        # corpus are only counted (`searchkit index` is where they are listed).
        ours = {dest for _source, dest in report.copied}
        _skipped_lines(errors, [r for r in update.skipped if r.path in ours])
        for notice in update.notices:
            if notice.path in ours:
                errors.print(
                    Text("  notice  ", style=DIM)
                    .append(visible(notice.path))
                    .append(f": {visible(notice.reason)}", style=DIM)
                )
        others = sum(r.path not in ours for r in update.skipped)
    parts = [f"{len(report.copied):,} added"]
    if report.replaced:
        parts[0] += f" ({len(report.replaced):,} replaced)"
    if report.identical:
        parts.append(f"{len(report.identical):,} already there")
    if report.not_added:
        parts.append(f"{report.not_added:,} not added")
    summary = Text(", ".join(parts), style="bold")
    if update is not None:
        summary.append(f"; index updated: {_plural(update.documents, 'document')}", style=DIM)
        if others:
            summary.append(
                f" ({_plural(others, 'other file')} of the corpus skipped: see `searchkit index`)",
                style=DIM,
            )
        console.print(summary)
    else:
        console.print(summary)
        copied = _plural(len(report.copied), "file")
        errors.print(
            Text(
                f"The index is being updated by {busy}: the {copied} copied into the corpus "
                "will be indexed by the next update (`searchkit index`; a running "
                "`searchkit watch` indexes them by itself).",
                style="yellow",
            )
        )


def render_check_report(console: Console, report: CheckReport) -> None:
    """What `searchkit check` found, and what --repair did."""
    from searchkit.textsafe import visible

    head = Text().append("Index ", style="bold").append(visible(report.index))
    if report.engine:
        head.append(f" ({report.engine}, {_plural(report.documents, 'document')})", style=DIM)
    console.print(head)
    if report.files_checked:
        console.print(Text(f"  {_plural(report.files_checked, 'file')} verified", style=DIM))
    for problem in report.problems:
        console.print(Text("  damaged  ", style="red").append(visible(problem)))
    behind = {k: n for k, n in report.behind.items() if n}
    if behind:
        parts = ", ".join(f"{n:,} {k}" for k, n in behind.items())
        console.print(Text(f"  behind the corpus: {parts} since the last update"))
    if report.repaired:
        console.print(Text(f"Repaired: {report.repaired}", style="bold"))
    elif not report.sound:
        console.print(Text("Damaged: run `searchkit check --repair` (or `searchkit index`)"))
    elif behind:
        console.print(Text("Sound, but behind: run `searchkit index`"))
    else:
        console.print(Text("Sound and current", style="bold"))


def render_watch_update(console: Console, report: UpdateReport) -> None:
    """One line per batch that `searchkit watch` indexed."""
    import time

    if not (report.added or report.changed or report.removed or report.skipped or report.rebuilt):
        return
    line = Text(time.strftime("%H:%M:%S "), style=DIM)
    if report.rebuilt:
        line.append(f"rebuilt ({report.reason}): {report.documents:,} documents")
    else:
        parts = [
            f"{len(v)} {k}"
            for k, v in (
                ("added", report.added),
                ("changed", report.changed),
                ("removed", report.removed),
            )
            if v
        ]
        line.append(", ".join(parts) or "nothing indexed")
        names = (report.added + report.changed + report.removed)[:3]
        if names:
            line.append("  " + ", ".join(map(visible, names)), style=DIM)
    console.print(line)
    _skipped_lines(console, report.skipped)


__all__ = [
    "IndexProgress",
    "render_add_report",
    "render_watch_update",
    "doc_text",
    "highlighted",
    "link_style",
    "make_console",
    "render_init",
    "render_document",
    "render_index_report",
    "render_results",
    "render_stats",
]
