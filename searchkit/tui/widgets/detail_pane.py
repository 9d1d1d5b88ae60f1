"""The document under the cursor (or opened from a related link), in full."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from searchkit.model import DocumentView, Outlet, RelatedEntry
from searchkit.textsafe import visible
from searchkit.tui.messages import AddTagFilter, OpenDocument, SearchText
from searchkit.tui.widgets.text import clean, highlighted

#: URLs that become terminal hyperlinks (OSC 8) and that the open-link key opens.
_LINKABLE = re.compile(r"https?://[!-~]+", re.I)


def linkable(url: str | None) -> bool:
    """Whether ``url`` is a plain http(s) URL (no spaces or control characters)."""
    return bool(url) and _LINKABLE.fullmatch(url or "") is not None


def first_link(view: DocumentView | None) -> str | None:
    """The document's first source URL that can be opened."""
    if view is None:
        return None
    return next((o.url for o in view.document.outlets if linkable(o.url)), None)


def outlet_content(outlet: Outlet) -> Content:
    """An outlet's name, and its URL as a terminal hyperlink."""
    name = Content(clean(outlet.name)).stylize("bold")
    if not outlet.url:
        return name
    url = Content(visible(outlet.url)).stylize("$text-muted")
    if linkable(outlet.url):
        url = url.stylize(Style(link=outlet.url))
    return Content.assemble(name, "  ", url)


def shorten_middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters in the middle (``news/2016/04/2…ive.md``):
    the same text and width always give the same short form."""
    if width <= 0 or len(text) <= width:
        return text
    if width == 1:
        return "…"
    head = width // 2
    tail = width - 1 - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


class IdLine(Widget):
    """A document id on one line, never wrapped: shortened in the middle to fit
    (the copy key copies it whole)."""

    DEFAULT_CSS = """
    IdLine {
        height: 1;
        color: $text-muted;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.doc_id = ""

    def set_id(self, doc_id: str) -> None:
        if doc_id != self.doc_id:
            self.doc_id = doc_id
            self.refresh()

    def render(self) -> Content:
        width = self.content_region.width or self.size.width
        return Content(shorten_middle(visible(self.doc_id), width))


def related_content(entry: RelatedEntry) -> Content:
    when = entry.date.isoformat() if entry.date else "undated"
    title = clean(entry.title) or visible(entry.id)
    if entry.in_archive:
        return Content.assemble((when, "$text-muted"), "  ", (title, ""))
    return Content.assemble(
        (when, ""), "  ", (title, ""), ("  — not in archive", "italic")
    ).stylize("$text-disabled")


class TagList(OptionList):
    """The document's context tags; Enter (or a click) adds one as a filter."""

    BINDINGS = [
        Binding("enter", "select", "Add filter", id="tags.add_filter"),
        Binding("j", "cursor_down", "Next", show=False, id="tags.next"),
        Binding("k", "cursor_up", "Previous", show=False, id="tags.previous"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, compact=True, **kwargs)
        self.tags: list[str] = []

    def show(self, tags: tuple[str, ...]) -> None:
        self.tags = list(tags)
        self.set_options(
            [
                Option(Content.assemble(("#", "$text-muted"), clean(t)), id=str(i))
                for i, t in enumerate(tags)
            ]
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(AddTagFilter(self.tags[event.option_index]))


class RelatedList(OptionList):
    """Related (or similar) stories. Enter opens one; ``s`` searches its headline."""

    BINDINGS = [
        Binding("enter", "select", "Open story", id="related.open"),
        Binding("s", "search_headline", "Search headline", id="related.search_headline"),
        Binding("j", "cursor_down", "Next", show=False, id="related.next"),
        Binding("k", "cursor_up", "Previous", show=False, id="related.previous"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(markup=False, compact=True, **kwargs)
        self.entries: list[RelatedEntry] = []

    def show(self, entries: tuple[RelatedEntry, ...]) -> None:
        self.entries = list(entries)
        self.set_options([Option(related_content(e), id=str(i)) for i, e in enumerate(entries)])

    @property
    def current(self) -> RelatedEntry | None:
        i = self.highlighted
        return self.entries[i] if i is not None and 0 <= i < len(self.entries) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.entries[event.option_index]
        if entry.in_archive:
            self.post_message(OpenDocument(entry.id))
        else:
            self.notify(
                "That story is not in the archive — press s to search for its headline.",
                severity="warning",
            )

    def action_search_headline(self) -> None:
        entry = self.current
        if entry is not None:
            self.post_message(SearchText(headline_query(entry.title)))


def headline_query(headline: str, most: int = 12) -> str:
    """A ranked any-of-these-words query for a headline: requiring every word of a
    story that is not in the archive would find nothing; this finds the closest
    coverage first."""
    words = dict.fromkeys(w.lower() for w in re.findall(r"[^\W_]{3,}", headline))
    return " OR ".join(list(words)[:most])


class DetailPane(VerticalScroll):
    """Title, date, outlets, tags, body (matches highlighted) and related stories."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="detail.scroll_down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="detail.scroll_up"),
        Binding("space", "page_down", "Page down", show=False, id="detail.page_down"),
    ]

    DEFAULT_CSS = """
    DetailPane {
        padding: 0 1;
    }
    DetailPane > .section {
        margin-top: 1;
        text-style: bold;
        color: $text-primary;
    }
    DetailPane > #detail-title {
        text-style: bold;
        margin-bottom: 1;
    }
    DetailPane > #detail-meta {
        color: $text-muted;
    }
    DetailPane > #detail-outlets {
        margin-bottom: 1;
    }
    DetailPane > OptionList {
        height: auto;
        max-height: 100%;
    }
    DetailPane > .empty {
        display: none;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view: DocumentView | None = None
        self.title_content = Content()
        self.body_content = Content()
        self._cleared = False

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title", markup=False)
        yield Static("", id="detail-meta", markup=False)
        yield IdLine(id="detail-id")
        yield Static("", id="detail-outlets", markup=False)
        yield Static("", id="detail-body", markup=False, classes="section-body")
        yield Label("Context tags", classes="section", id="detail-tags-title")
        yield TagList(id="detail-tags")
        yield Label("Related stories", classes="section", id="detail-related-title")
        yield RelatedList(id="detail-related")

    def clear(self, message: str = "") -> None:
        if self.view is None and self.title_content.plain == message and self._cleared:
            return  # already showing just this (e.g. no results, keystroke after keystroke)
        self._cleared = True
        self.view = None
        self.title_content = Content(message)
        self.body_content = Content()
        self.query_one("#detail-title", Static).update(self.title_content)
        for wid in ("#detail-meta", "#detail-outlets", "#detail-body"):
            self.query_one(wid, Static).update("")
        self.query_one(IdLine).set_id("")
        self.query_one("#detail-body").set_class(True, "empty")
        self.query_one(TagList).show(())
        self.query_one(RelatedList).show(())
        self._toggle_sections(False, False)

    def _toggle_sections(self, tags: bool, related: bool) -> None:
        for wid, on in (
            ("#detail-tags-title", tags),
            ("#detail-tags", tags),
            ("#detail-related-title", related),
            ("#detail-related", related),
        ):
            widget = self.query_one(wid)
            if widget.has_class("empty") == on:
                widget.set_class(not on, "empty")

    def show_document(
        self,
        view: DocumentView,
        title_spans: list[tuple[int, int]],
        body_spans: list[tuple[int, int]],
    ) -> None:
        same = self.view is not None and self.view.document.id == view.document.id
        self.view = view
        doc = view.document
        self.title_content = highlighted(doc.title or "(untitled)", title_spans)
        self.body_content = highlighted(doc.body, body_spans, multiline=True)
        self.query_one("#detail-title", Static).update(self.title_content)
        meta = f"{doc.date.isoformat() if doc.date else 'undated'} · {doc.kind}"
        self.query_one("#detail-meta", Static).update(Content(meta))
        self.query_one(IdLine).set_id(doc.id)
        outlets = [outlet_content(o) for o in doc.outlets]
        self.query_one("#detail-outlets", Static).update(Content("\n").join(outlets))
        self.query_one(TagList).show(doc.tags)
        body = self.query_one("#detail-body", Static)
        body.update(self.body_content)
        body.set_class(not doc.body.strip(), "empty")  # a story that is all headline
        entries = view.similar if doc.kind == "article" else view.related
        title = "Most similar stories" if doc.kind == "article" else "Related stories"
        self.query_one("#detail-related-title", Label).update(Content(f"{title} ({len(entries)})"))
        self.query_one(RelatedList).show(entries)
        self._toggle_sections(bool(doc.tags), bool(entries))
        if not same:
            self.scroll_home(animate=False)
