"""Copying text to the clipboard, and saying truthfully whether it worked.

Two ways, both tried: a clipboard program (``wl-copy`` under Wayland, ``xclip`` or
``xsel`` under X11, ``pbcopy`` on macOS), which says whether it worked; and OSC 52,
an escape sequence asking the terminal to set its clipboard, which some terminals
honour (kitty, WezTerm, iTerm2, foot, Alacritty, Windows Terminal, tmux with
``set-clipboard on``) and others silently ignore (GNOME Terminal and other VTE
terminals, tmux's default ``external``, GNU screen). Nothing can ask a terminal
whether it took the text, so the verdict for OSC 52 is a judgement from the
environment: yes, no, or unknown — and the message says which.

Standard library only.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Copied", "copy", "osc52_verdict", "system_copy"]

log = logging.getLogger("searchkit.clipboard")

#: (program, arguments, environment variable it needs).
TOOLS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("wl-copy", (), "WAYLAND_DISPLAY"),
    ("xclip", ("-selection", "clipboard"), "DISPLAY"),
    ("xsel", ("--clipboard", "--input"), "DISPLAY"),
    ("pbcopy", (), None),
)
TOOL_TIMEOUT = 3.0

#: Terminals known to take OSC 52 (TERM_PROGRAM values, TERM prefixes, variables).
OSC52_PROGRAMS = {"iTerm.app", "WezTerm", "ghostty", "tabby", "rio"}
OSC52_TERMS = ("xterm-kitty", "alacritty", "foot", "xterm-ghostty", "wezterm", "contour")
OSC52_VARIABLES = ("KITTY_WINDOW_ID", "WEZTERM_PANE", "WT_SESSION", "ALACRITTY_WINDOW_ID")
#: Terminals known to ignore it.
NO_OSC52_PROGRAMS = {"Apple_Terminal"}
NO_OSC52_VARIABLES = ("VTE_VERSION",)  # GNOME Terminal, Tilix, Terminator, ...

Runner = Callable[..., object]


def system_copy(
    text: str,
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    run: Runner = subprocess.run,
) -> str | None:
    """Copy with the first clipboard program that works; its name, or None."""
    env = os.environ if environ is None else environ
    data = text.encode("utf-8", "surrogateescape")
    for name, args, needs in TOOLS:
        if needs is not None and not env.get(needs):
            continue
        path = which(name)
        if path is None:
            continue
        try:
            run(
                [path, *args],
                input=data,
                check=True,
                timeout=TOOL_TIMEOUT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.debug("%s could not copy: %r", name, exc)
            continue
        return name
    return None


def _tmux_clipboard(run: Runner) -> str | None:
    try:
        proc = run(
            ["tmux", "show-options", "-gv", "set-clipboard"],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("cannot ask tmux about set-clipboard: %r", exc)
        return None
    value = getattr(proc, "stdout", "") or ""
    return value.strip() or None


def osc52_verdict(
    environ: Mapping[str, str] | None = None, run: Runner = subprocess.run
) -> bool | None:
    """Whether the terminal takes OSC 52: True, False, or None (cannot tell)."""
    env = os.environ if environ is None else environ
    if env.get("TMUX"):
        # tmux passes it on (and keeps it in its own buffer) only with "on".
        setting = _tmux_clipboard(run)
        return None if setting is None else setting == "on"
    if env.get("STY"):
        return False  # GNU screen drops it
    term = env.get("TERM", "")
    program = env.get("TERM_PROGRAM", "")
    if program in OSC52_PROGRAMS or term.startswith(OSC52_TERMS):
        return True
    if any(env.get(v) for v in OSC52_VARIABLES):
        return True
    if program in NO_OSC52_PROGRAMS or any(env.get(v) for v in NO_OSC52_VARIABLES):
        return False
    return None


@dataclass(frozen=True, slots=True)
class Copied:
    """What a copy did: ``ok`` is False when it surely did not reach a clipboard."""

    ok: bool
    message: str
    certain: bool  # False when it depends on the terminal honouring OSC 52


def copy(
    text: str,
    what: str,
    osc52: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    run: Runner = subprocess.run,
) -> Copied:
    """Copy ``text`` (described to the user as ``what``) both ways; say what happened.

    ``osc52`` sends the escape sequence (Textual's ``App.copy_to_clipboard``).
    """
    tool = system_copy(text, environ, which, run)
    osc52(text)
    verdict = osc52_verdict(environ, run)
    if tool is not None:
        return Copied(True, f"Copied {what}", True)
    if verdict:
        return Copied(True, f"Copied {what} (through the terminal)", True)
    programs = ", ".join(name for name, _, _ in TOOLS)
    if verdict is None:
        return Copied(
            True,
            f"Sent {what} to the terminal's clipboard (OSC 52); no clipboard program "
            f"({programs}) was found, and not every terminal accepts OSC 52",
            False,
        )
    return Copied(
        False,
        f"Could not copy {what}: no clipboard program ({programs}) was found, and this "
        "terminal does not accept OSC 52",
        True,
    )
