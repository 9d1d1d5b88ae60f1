"""F1: every key, and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# searchkit — keys

The search box keeps the keyboard: type to search, move through the hits with ↓ ↑,
open one with Enter. Letters typed anywhere else go to the box too.

| Key | Where | Does |
| :-- | :-- | :-- |
| type | anywhere | search as you type (an empty box browses the newest stories) |
| ↓ ↑ or Ctrl+N Ctrl+P | anywhere | next / previous hit; the detail pane follows |
| PgDn PgUp | search box, results | a page of hits down / up |
| Enter | search box, results | open the hit (on narrow terminals it fills the screen) |
| Esc or / | anywhere | back to the search box (Esc also closes an open document) |
| ↑ in an empty box, Ctrl+R | search box | earlier queries (kept per index) |
| j k | lists, detail pane | down / up (not in the search box, where they are letters) |
| Tab / Shift+Tab | anywhere | next / previous panel |
| Enter / click | facet list | pick or unpick a value (values of one facet OR, facets AND) |
| Enter / click / Del | filter chip | remove that filter |
| ← → Enter / click | timeline | move along the bars; filter to a year or month |
| Enter / click | detail: tags | add the tag as a filter |
| Enter / click | detail: related | open the story here (a new history entry) |
| s | detail: related | search for the story's headline (also for stories not in the archive) |
| Ctrl+B / Alt+← | anywhere | back in the detail pane's history |
| Ctrl+F / Alt+→ | anywhere | forward in the detail pane's history |
| Ctrl+S | anywhere | sort: relevance → newest → oldest |
| Ctrl+L | anywhere | clear all filters |
| Ctrl+Y | anywhere | accept the "did you mean" suggestion |
| Ctrl+O | anywhere | open the document's first source link in the browser |
| Ctrl+G | anywhere | open the document's file in $EDITOR |
| Ctrl+T | anywhere | copy the document's id (the message says whether it worked) |
| F2 / F3 | anywhere | show or hide the facets / the timeline |
| F4 / F6 | anywhere | go to the results / the detail pane |
| F5 | anywhere | update the index from the corpus, then search again |
| Ctrl+\\ or F9 | anywhere | command palette: all of the above, recent queries and more |
| F1 / ? | anywhere (? outside the search box) | this help |
| Ctrl+Q / q | anywhere (q outside the search box) | quit |

In the search box the usual editing keys work: ← → Home End (Ctrl+A Ctrl+E),
Ctrl+W and Ctrl+U delete a word / to the start, Ctrl+K to the end, Ctrl+D the next
character.

# Query language

| Write | Finds |
| :-- | :-- |
| `syria aleppo` | documents with all the words |
| `"air strike"` | the exact phrase |
| `syria OR iraq`, `syria NOT iraq`, `(a OR b) AND c` | boolean logic |
| `title:ceasefire` | words in the headline (also `headline:`) |
| `tag:ISIL`, `tag:"Syrian Civil War"` | a context tag |
| `source:reuters` | an outlet (also `outlet:`) |
| `kind:story`, `kind:article` | one kind of document |
| `date:2016`, `date:2016-04`, `date:2016-04-29` | a year, month or day |
| `date:2016-01..2016-06`, `date:>=2020` | a range of dates |
| `syri*` | words starting with *syri* (two letters at least) |
| `syria~` | words spelled nearly like *syria* |

Input the parser cannot read (an unbalanced quote, a dangling `AND`) is searched as
its plain words; the status line says so.

*Press Esc, F1 or q to close.*
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q,question_mark", "dismiss_help", "Close", id="help.close"),
    ]

    AUTO_FOCUS = "VerticalScroll"

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 100;
        max-width: 100%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
