"""Shell completion scripts for bash, zsh and fish, generated from the argument parser.

Commands, options and fixed choices (``--kind``, ``--sort``, ``--format``…) come from
the parser itself, so the scripts cannot drift from the command line. Tag and outlet
names for ``--tag`` and ``--source`` are asked for when completing, with
``searchkit completion --list tag`` (the index's names, one per line).

Standard library only.
"""

from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import dataclass, field

__all__ = ["SHELLS", "script"]

SHELLS = ("bash", "zsh", "fish")
#: Options whose values come from the index.
DYNAMIC = {"--tag": "tag", "--source": "source"}
#: Options (and positionals, by command) whose values are folders or files.
DIRECTORIES = {"--corpus", "--index"}
FILE_ARGS = {"add": "files", "init": "dirs"}


@dataclass
class _Option:
    names: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)


@dataclass
class _Command:
    name: str
    help: str
    options: list[_Option]
    positional_choices: list[str] = field(default_factory=list)


def _options(parser: argparse.ArgumentParser) -> list[_Option]:
    out = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        out.append(
            _Option(
                list(action.option_strings),
                re.sub(r"\s*\([^()]*\)$", "", (action.help or "").replace("%%", "%")),
                action.nargs != 0,
                [str(c) for c in action.choices or ()],
            )
        )
    return out


def _model(parser: argparse.ArgumentParser) -> tuple[list[_Option], list[_Command]]:
    commands: list[_Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                if name not in helps:  # not listed in --help: not offered either
                    continue
                choices = [
                    str(c)
                    for a in sub._actions
                    if not a.option_strings and a.choices
                    for c in a.choices
                ]
                commands.append(_Command(name, helps[name], _options(sub), choices))
    return _options(parser), commands


def _words(items: list[str]) -> str:
    return " ".join(shlex.quote(i) for i in items)


def _value_options(options: list[_Option]) -> list[str]:
    return [n for o in options if o.takes_value for n in o.names]


def _bash(prog: str, globals_: list[_Option], commands: list[_Command]) -> str:
    fn = "_" + prog.replace("-", "_")
    global_names = [n for o in globals_ for n in o.names]
    value_opts = sorted(
        {n for n in _value_options(globals_)}
        | {n for c in commands for n in _value_options(c.options)}
    )
    lines = [
        f'# {prog} completion for bash. Use: eval "$({prog} completion bash)" in ~/.bashrc',
        f"{fn}_values() {{",
        '    # Names from the index, case-insensitively matching "$2", quoted for the shell.',
        "    local IFS=$'\\n' name restore word=\"${2#[\\\"\\']}\"",
        "    restore=$(shopt -p nocasematch)",
        "    shopt -s nocasematch",
        f'    for name in $({prog} completion --list "$1" 2>/dev/null); do',
        '        [[ $name == "$word"* ]] && COMPREPLY+=("$(printf \'%q\' "$name")")',
        "    done",
        "    $restore",
        "}",
        f"{fn}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local cmd="" i',
        "    COMPREPLY=()",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "${COMP_WORDS[i]}" in',
        f"            {'|'.join(value_opts)}) ((i++)) ;;",
        "            -*) ;;",
        '            *) cmd="${COMP_WORDS[i]}"; break ;;',
        "        esac",
        "    done",
        '    case "$prev" in',
    ]
    for opt, kind in DYNAMIC.items():
        lines.append(f'        {opt}) {fn}_values {kind} "$cur"; return ;;')
    lines.append(
        f'        {"|".join(sorted(DIRECTORIES))}) COMPREPLY=($(compgen -d -- "$cur")); return ;;'
    )
    choice_opts: dict[str, list[str]] = {}
    for o in [*globals_, *(o for c in commands for o in c.options)]:
        if o.takes_value and o.choices:
            for n in o.names:
                choice_opts[n] = o.choices
    for name, choices in sorted(choice_opts.items()):
        lines.append(
            f"        {name}) COMPREPLY=($(compgen -W {shlex.quote(' '.join(choices))} "
            '-- "$cur")); return ;;'
        )
    other_values = sorted(set(value_opts) - set(DYNAMIC) - DIRECTORIES - set(choice_opts))
    if other_values:
        lines.append(f"        {'|'.join(other_values)}) return ;;")
    lines += [
        "    esac",
        "    if [[ -z $cmd ]]; then",
        "        if [[ $cur == -* ]]; then",
        f'            COMPREPLY=($(compgen -W {shlex.quote(" ".join(global_names))} -- "$cur"))',
        "        else",
        f"            COMPREPLY=($(compgen -W {shlex.quote(' '.join(c.name for c in commands))}"
        ' -- "$cur"))',
        "        fi",
        "        return",
        "    fi",
        '    case "$cmd" in',
    ]
    for c in commands:
        names = [n for o in c.options for n in o.names]
        rest = "return"
        if c.positional_choices:
            rest = (
                f'COMPREPLY=($(compgen -W {shlex.quote(" ".join(c.positional_choices))} -- "$cur"))'
            )
        elif FILE_ARGS.get(c.name) == "files":
            rest = 'COMPREPLY=($(compgen -f -- "$cur"))'
        elif FILE_ARGS.get(c.name) == "dirs":
            rest = 'COMPREPLY=($(compgen -d -- "$cur"))'
        lines.append(
            f"        {c.name}) if [[ $cur == -* ]]; then "
            f'COMPREPLY=($(compgen -W {shlex.quote(" ".join(names))} -- "$cur")); '
            f"else {rest}; fi ;;"
        )
    lines += ["    esac", "}", f"complete -o default -F {fn} {prog}", ""]
    return "\n".join(lines)


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh(prog: str, globals_: list[_Option], commands: list[_Command]) -> str:
    fn = "_" + prog.replace("-", "_")
    value_opts = sorted(
        set(_value_options(globals_)) | {n for c in commands for n in _value_options(c.options)}
    )

    def described(pairs: list[tuple[str, str]]) -> str:
        return " ".join(_zsh_quote(f"{n.replace(':', chr(92) + ':')}:{h}") for n, h in pairs)

    lines = [
        f'# {prog} completion for zsh. Use: eval "$({prog} completion zsh)" in ~/.zshrc,',
        "# after compinit.",
        f"{fn}() {{",
        "    local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd='' i",
        "    local -a items",
        "    for ((i = 2; i < CURRENT; i++)); do",
        "        case ${words[i]} in",
        f"            {'|'.join(value_opts)}) ((i++)) ;;",
        "            -*) ;;",
        "            *) cmd=${words[i]}; break ;;",
        "        esac",
        "    done",
        "    case $prev in",
    ]
    for opt, kind in DYNAMIC.items():
        lines.append(
            f'        {opt}) items=(${{(f)"$({prog} completion --list {kind} 2>/dev/null)"}}); '
            "compadd -M 'm:{a-zA-Z}={A-Za-z}' -a items; return ;;"
        )
    lines.append(f"        {'|'.join(sorted(DIRECTORIES))}) _files -/; return ;;")
    seen: set[str] = set()
    for o in [*globals_, *(o for c in commands for o in c.options)]:
        if o.takes_value and o.choices and o.names[0] not in seen:
            seen.update(o.names)
            lines.append(f"        {'|'.join(o.names)}) compadd -- {_words(o.choices)}; return ;;")
    others = sorted(set(value_opts) - set(DYNAMIC) - DIRECTORIES - seen)
    if others:
        lines.append(f"        {'|'.join(others)}) return ;;")
    lines += [
        "    esac",
        "    if [[ -z $cmd ]]; then",
        "        if [[ $cur == -* ]]; then",
        f"            items=({described([(n, o.help) for o in globals_ for n in o.names])})",
        "        else",
        f"            items=({described([(c.name, c.help) for c in commands])})",
        "        fi",
        "        _describe command items",
        "        return",
        "    fi",
        "    case $cmd in",
    ]
    for c in commands:
        opts = described([(n, o.help) for o in c.options for n in o.names])
        rest = ":"
        if c.positional_choices:
            rest = f"compadd -- {_words(c.positional_choices)}"
        elif FILE_ARGS.get(c.name) == "files":
            rest = "_files"
        elif FILE_ARGS.get(c.name) == "dirs":
            rest = "_files -/"
        lines.append(
            f"        {c.name}) if [[ $cur == -* ]]; then items=({opts}); "
            f"_describe option items; else {rest}; fi ;;"
        )
    lines += ["    esac", "}", f"compdef {fn} {prog}", ""]
    return "\n".join(lines)


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(prog: str, globals_: list[_Option], commands: list[_Command]) -> str:
    names = " ".join(c.name for c in commands)
    lines = [
        f"# {prog} completion for fish. Use: {prog} completion fish > "
        f"~/.config/fish/completions/{prog}.fish",
        f"complete -c {prog} -f",
    ]
    for c in commands:
        lines.append(
            f"complete -c {prog} -n 'not __fish_seen_subcommand_from {names}' "
            f"-a {c.name} -d {_fish_quote(c.help)}"
        )

    def option_line(o: _Option, condition: str) -> str:
        parts = [f"complete -c {prog}"]
        if condition:
            parts.append(f"-n {_fish_quote(condition)}")
        for n in o.names:
            parts.append(f"-l {n[2:]}" if n.startswith("--") else f"-s {n[1:]}")
        long = next((n for n in o.names if n.startswith("--")), "")
        if long in DYNAMIC:
            parts.append(f"-x -a '({prog} completion --list {DYNAMIC[long]} 2>/dev/null)'")
        elif long in DIRECTORIES:
            parts.append("-x -a '(__fish_complete_directories)'")
        elif o.takes_value and o.choices:
            parts.append(f"-x -a {_fish_quote(' '.join(o.choices))}")
        elif o.takes_value:
            parts.append("-x")
        if o.help:
            parts.append(f"-d {_fish_quote(o.help)}")
        return " ".join(parts)

    for o in globals_:
        lines.append(option_line(o, ""))
    for c in commands:
        condition = f"__fish_seen_subcommand_from {c.name}"
        for o in c.options:
            if any(n in {m for g in globals_ for m in g.names} for n in o.names):
                continue
            lines.append(option_line(o, condition))
        if c.positional_choices:
            lines.append(
                f"complete -c {prog} -n {_fish_quote(condition)} "
                f"-a {_fish_quote(' '.join(c.positional_choices))}"
            )
        elif FILE_ARGS.get(c.name) == "files":
            lines.append(f"complete -c {prog} -n {_fish_quote(condition)} -F")
        elif FILE_ARGS.get(c.name) == "dirs":
            lines.append(
                f"complete -c {prog} -n {_fish_quote(condition)} -a '(__fish_complete_directories)'"
            )
    return "\n".join(lines) + "\n"


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (one of ``SHELLS``)."""
    globals_, commands = _model(parser)
    prog = parser.prog
    if shell == "bash":
        return _bash(prog, globals_, commands)
    if shell == "zsh":
        return _zsh(prog, globals_, commands)
    if shell == "fish":
        return _fish(prog, globals_, commands)
    raise ValueError(f"no completion for {shell!r}; choose one of {', '.join(SHELLS)}")
