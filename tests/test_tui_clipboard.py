"""Copying tells the truth: a clipboard program, OSC 52, or "could not copy"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from searchkit.clipboard import copy, osc52_verdict, system_copy


def fake_tool(folder: Path, name: str, *, fails: bool = False) -> Path:
    """A clipboard program that writes what it is given next to itself."""
    folder.mkdir(exist_ok=True)
    tool = folder / name
    body = "exit 1" if fails else f'cat > "{folder}/{name}.out"'
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(0o755)
    return tool


def which_in(folder: Path):
    def which(name: str) -> str | None:
        path = folder / name
        return str(path) if path.exists() else None

    return which


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts")
def test_a_clipboard_program_is_used_and_named(tmp_path):
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "xclip")
    sent: list[str] = []
    result = copy("news/x.md", "news/x.md", sent.append, {"DISPLAY": ":0"}, which=which_in(bin_))
    assert result.ok and result.certain and result.message == "Copied news/x.md"
    assert (bin_ / "xclip.out").read_text() == "news/x.md"
    assert sent == ["news/x.md"]  # OSC 52 is sent as well


@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts")
def test_programs_are_picked_by_display_and_a_failing_one_is_skipped(tmp_path):
    bin_ = tmp_path / "bin"
    fake_tool(bin_, "wl-copy", fails=True)
    fake_tool(bin_, "xsel")
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert system_copy("t", env, which=which_in(bin_)) == "xsel"
    assert system_copy("t", {}, which=which_in(bin_)) is None  # no display: none applies


def test_without_a_program_the_terminal_decides(tmp_path):
    none = which_in(tmp_path)
    sent: list[str] = []
    kitty = copy("id", "id", sent.append, {"TERM": "xterm-kitty"}, which=none)
    assert kitty.ok and kitty.certain and "through the terminal" in kitty.message
    gnome = copy("id", "id", sent.append, {"VTE_VERSION": "7600", "TERM": "xterm"}, which=none)
    assert not gnome.ok and gnome.message.startswith("Could not copy id")
    unknown = copy("id", "id", sent.append, {"TERM": "xterm"}, which=none)
    assert unknown.ok and not unknown.certain and "not every terminal" in unknown.message
    assert sent == ["id", "id", "id"]


def test_tmux_takes_osc52_only_with_set_clipboard_on():
    def tmux_says(value: str):
        def run(args, **kwargs):
            assert args[:2] == ["tmux", "show-options"]
            return subprocess.CompletedProcess(args, 0, stdout=value + "\n")

        return run

    env = {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen"}
    assert osc52_verdict(env, run=tmux_says("on")) is True
    assert osc52_verdict(env, run=tmux_says("external")) is False
    assert osc52_verdict({"STY": "1.pts"}, run=tmux_says("on")) is False
