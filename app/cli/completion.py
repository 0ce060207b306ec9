"""Shell completion scripts for bash and PowerShell, generated from the command line's grammar.

The scripts complete commands, sub-commands, options and option choices; the names of
saved connections (after ``-c``/``--connection`` and for ``connections edit|remove|test``)
come from ``ekran-console-cli connections list --names`` when the user presses Tab.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

PROGRAM = "ekran-console-cli"
CONNECTION_OPTIONS = ("-c", "--connection")
FILE_OPTIONS = ("--ca", "--out")
CONNECTION_ARGUMENTS = ("connections edit", "connections remove", "connections test")
FILE_ARGUMENTS = ("connections import", "connections export")


@dataclass
class Command:
    """One level of the grammar: ``path`` is "" (the program), "servers", "connections edit"."""

    path: str
    words: list[str] = field(default_factory=list)  # sub-commands, then options
    subcommands: list[str] = field(default_factory=list)
    value_options: list[str] = field(default_factory=list)  # options followed by a value
    choices: dict[str, list[str]] = field(default_factory=dict)  # option or "" (positional)


def commands_of(parser: argparse.ArgumentParser) -> list[Command]:
    """Every command level of ``parser``, the program itself first."""
    found: list[Command] = []
    _walk(parser, "", found)
    return found


def _walk(parser: argparse.ArgumentParser, path: str, found: list[Command]) -> None:
    command = Command(path)
    found.append(command)
    options: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                command.words.append(name)
                command.subcommands.append(name)
                _walk(child, f"{path} {name}".strip(), found)
        elif action.option_strings:
            options += action.option_strings
            if action.nargs != 0:
                command.value_options += action.option_strings
                for option in action.option_strings:
                    if action.choices:
                        command.choices[option] = [str(c) for c in action.choices]
        elif action.choices:
            command.choices[""] = [str(c) for c in action.choices]
    command.words += sorted(options, key=lambda o: (o.startswith("--"), o))


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` ("bash" or "powershell")."""
    commands = commands_of(parser)
    return _bash(commands) if shell == "bash" else _powershell(commands)


def _bash_words(words: list[str]) -> str:
    return " ".join(words)


def _bash(commands: list[Command]) -> str:
    cases = []
    for command in commands:
        cases.append(f'        "{command.path}") words="{_bash_words(command.words)}" ;;')
    choice_cases = []
    for command in commands:
        for option, values in command.choices.items():
            choice_cases.append(
                f'        "{command.path}|{option}") words="{_bash_words(values)}" ;;'
            )
    value_cases = sorted({o for c in commands for o in c.value_options} - set(FILE_OPTIONS))
    groups = " ".join(c.path for c in commands if c.path and c.subcommands)
    return _BASH.format(
        program=PROGRAM,
        groups=groups,
        function="_ekran_console_cli",
        cases="\n".join(cases),
        choice_cases="\n".join(choice_cases),
        connection_options="|".join(CONNECTION_OPTIONS),
        file_options="|".join(FILE_OPTIONS),
        value_options="|".join(value_cases),
        connection_arguments="|".join(f'"{p}"' for p in CONNECTION_ARGUMENTS),
        file_arguments="|".join(f'"{p}"' for p in FILE_ARGUMENTS),
    )


_BASH = """\
# bash completion for {program}; load it with: source <({program} completion bash)
{function}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="" path="" word i
    (( COMP_CWORD > 0 )) && prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local groups=" {groups} "
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
            -*) continue ;;
        esac
        case "${{COMP_WORDS[i-1]}}" in
            {value_options}) continue ;;
        esac
        if [[ -z "$path" ]]; then
            path="$word"
        elif [[ "$groups" == *" $path "* ]]; then
            path="$path $word"
        fi
    done
    local words="" IFS=$' \\t\\n'
    case "$prev" in
        {connection_options})
            {function}_names; return ;;
        {file_options})
            COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    esac
    case "$path|$prev" in
{choice_cases}
    esac
    if [[ -n "$words" ]]; then
        COMPREPLY=( $(compgen -W "$words" -- "$cur") ); return
    fi
    case "$prev" in
        {value_options}) return ;;
    esac
    if [[ "$cur" != -* ]]; then
        case "$path" in
            {connection_arguments}) {function}_names; return ;;
            {file_arguments}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
        esac
        case "$path|" in
{choice_cases}
        esac
        if [[ -n "$words" ]]; then
            COMPREPLY=( $(compgen -W "$words" -- "$cur") ); return
        fi
    fi
    case "$path" in
{cases}
    esac
    COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}}
{function}_names() {{
    local IFS=$'\\n' name
    COMPREPLY=()
    while IFS= read -r name; do
        [[ "$name" == "$cur"* ]] && COMPREPLY+=( "$(printf '%q' "$name")" )
    done < <("${{COMP_WORDS[0]}}" connections list --names 2>/dev/null)
}}
complete -F {function} {program}
"""


def _ps_list(words: list[str]) -> str:
    return "@(" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + ")"


def _powershell(commands: list[Command]) -> str:
    words = "\n".join(f"        '{c.path}' = {_ps_list(c.words)}" for c in commands)
    choices = "\n".join(
        f"        '{c.path}|{option}' = {_ps_list(values)}"
        for c in commands
        for option, values in c.choices.items()
    )
    value_options = sorted({o for c in commands for o in c.value_options})
    return _POWERSHELL.format(
        program=PROGRAM,
        groups=_ps_list([c.path for c in commands if c.path and c.subcommands]),
        words=words,
        choices=choices,
        value_options=_ps_list(value_options),
        connection_options=_ps_list(list(CONNECTION_OPTIONS)),
        file_options=_ps_list(list(FILE_OPTIONS)),
        connection_arguments=_ps_list(list(CONNECTION_ARGUMENTS)),
        file_arguments=_ps_list(list(FILE_ARGUMENTS)),
    )


_POWERSHELL = """\
# PowerShell completion for {program}; load it with:
#   {program} completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName '{program}', '{program}.exe' -ScriptBlock {{
    param($wordToComplete, $commandAst, $cursorPosition)
    $EkranConsoleWords = @{{
{words}
    }}
    $EkranConsoleChoices = @{{
{choices}
    }}
    $groups = {groups}
    $EkranConsoleValueOptions = {value_options}
    $EkranConsoleConnectionOptions = {connection_options}
    $EkranConsoleFileOptions = {file_options}
    $EkranConsoleConnectionArguments = {connection_arguments}
    $EkranConsoleFileArguments = {file_arguments}
    $before = @($commandAst.CommandElements |
        Where-Object {{ $_.Extent.EndOffset -lt $cursorPosition }} |
        ForEach-Object {{ $_.ToString() }})
    $path = ''
    for ($i = 1; $i -lt $before.Count; $i++) {{
        $word = $before[$i]
        if ($word -like '-*') {{ continue }}
        if ($EkranConsoleValueOptions -contains $before[$i - 1]) {{ continue }}
        if ($path -eq '') {{ $path = $word }}
        elseif ($groups -contains $path) {{ $path = "$path $word" }}
    }}
    $previous = if ($before.Count -gt 0) {{ $before[-1] }} else {{ '' }}
    $candidates = @()
    $positional = $wordToComplete -notlike '-*'
    $program = $commandAst.CommandElements[0].ToString()
    $names = {{ @(& $program connections list --names 2>$null) }}
    if ($EkranConsoleConnectionOptions -contains $previous) {{
        $candidates = & $names
    }} elseif ($EkranConsoleFileOptions -contains $previous) {{
        return
    }} elseif ($EkranConsoleChoices.ContainsKey("$path|$previous")) {{
        $candidates = $EkranConsoleChoices["$path|$previous"]
    }} elseif ($EkranConsoleValueOptions -contains $previous) {{
        return
    }} elseif ($positional -and $EkranConsoleConnectionArguments -contains $path) {{
        $candidates = & $names
    }} elseif ($positional -and $EkranConsoleFileArguments -contains $path) {{
        return
    }} elseif ($positional -and $EkranConsoleChoices.ContainsKey("$path|")) {{
        $candidates = $EkranConsoleChoices["$path|"]
    }} elseif ($EkranConsoleWords.ContainsKey($path)) {{
        $candidates = $EkranConsoleWords[$path]
    }}
    $candidates | Where-Object {{ $_ -like "$wordToComplete*" }} | ForEach-Object {{
        $text = if ($_ -match '\\s') {{ "'" + ($_ -replace "'", "''") + "'" }} else {{ $_ }}
        [System.Management.Automation.CompletionResult]::new($text, $_, 'ParameterValue', $_)
    }}
}}
"""
