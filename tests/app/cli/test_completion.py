"""``ekran-console-cli completion bash|powershell``: the scripts, and bash completing with them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.completion import commands_of
from app.cli.parser import build_parser
from tests.app.cli.inprocess import InProcessCli
from tests.helpers.simulator_process import ROOT

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(
    BASH is None or sys.platform == "win32",
    reason="needs bash (the Windows lane tests the PowerShell script's content only)",
)
COMMANDS = ["connections", "servers", "isolate", "return", "version", "logs", "rollout", "watch"]
ACTIONS = ["add", "edit", "list", "remove", "test", "import", "export"]


def test_the_grammar_lists_every_command_and_option() -> None:
    levels = {c.path: c for c in commands_of(build_parser())}
    assert levels[""].subcommands == [*COMMANDS, "completion"]
    assert levels["connections"].subcommands == ACTIONS
    assert {"--force", "--reason", "-c", "--json"} <= set(levels["isolate"].words)
    assert {"--add-url", "--forget-password", "--no-read-only"} <= set(
        levels["connections edit"].words
    )
    assert "--reason" in levels["isolate"].value_options
    assert "--force" not in levels["isolate"].value_options
    assert {"--target-version", "--drain-timeout"} <= set(levels["rollout"].value_options)
    assert levels["completion"].choices[""] == ["bash", "powershell"]


@needs_bash
def test_the_bash_script_parses(console: InProcessCli, tmp_path: Path) -> None:
    script = console.run("completion", "bash").stdout
    path = tmp_path / "ekran.bash"
    path.write_text(script, encoding="utf-8")
    assert BASH is not None
    subprocess.run([BASH, "-n", str(path)], check=True, timeout=30)
    assert "complete -F _ekran_console_cli ekran-console-cli" in script
    for word in [*COMMANDS, *ACTIONS, "--save-password", "--force"]:
        assert word in script


def _complete(script: Path, program: Path, *words: str) -> list[str]:
    """What bash offers for the last of ``words`` (the word under the cursor)."""
    line = " ".join(["ekran-console-cli", *words])
    quoted = " ".join(f"'{w}'" for w in words)
    commands = (
        f"source {script}\n"
        f"COMP_WORDS=({program} {quoted})\n"
        f"COMP_CWORD={len(words)}\nCOMP_LINE='{line}'\n"
        "_ekran_console_cli\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    assert BASH is not None
    result = subprocess.run(
        [BASH, "--norc", "-c", commands], capture_output=True, text=True, timeout=60, check=True
    )
    return [w for w in result.stdout.splitlines() if w]


@needs_bash
def test_bash_completes_commands_options_choices_and_saved_names(
    console: InProcessCli, tmp_path: Path
) -> None:
    for name in ("Prod", "My Lab"):
        console.run("connections", "add", name, "--url", "mt01.corp.local", "--user", "a")
    script = tmp_path / "ekran.bash"
    script.write_text(console.run("completion", "bash").stdout, encoding="utf-8")
    program = tmp_path / "ekran-console-cli"  # the installed command, as a test stand-in
    program.write_text(
        f'#!{BASH}\nEKRAN_CONSOLE_HOME="{console.home}" PYTHONPATH="{ROOT}" '
        f'exec "{sys.executable}" -m app.cli "$@"\n',
        encoding="utf-8",
    )
    program.chmod(0o755)
    assert _complete(script, program, "i") == ["isolate"]
    assert _complete(script, program, "connections", "e") == ["edit", "export"]
    assert _complete(script, program, "isolate", "--f") == ["--force"]
    assert _complete(script, program, "connections", "add", "x", "--tag", "pr") == ["production"]
    assert _complete(script, program, "completion", "") == ["bash", "powershell"]
    assert _complete(script, program, "servers", "-c", "") == ["My\\ Lab", "Prod"]
    assert _complete(script, program, "connections", "remove", "P") == ["Prod"]
    assert _complete(script, program, "isolate", "--reason", "") == []  # free text


def test_the_powershell_script_registers_a_completer(console: InProcessCli) -> None:
    script = console.run("completion", "powershell").stdout
    assert "Register-ArgumentCompleter -Native -CommandName 'ekran-console-cli'" in script
    assert "'ekran-console-cli.exe'" in script
    for word in [*COMMANDS, *ACTIONS, "--save-password", "--force"]:
        assert f"'{word}'" in script
    assert "connections list --names" in script
    assert script.count("{") == script.count("}")  # braces balance (no PowerShell here to parse)


def test_an_unknown_shell_is_a_usage_error(console: InProcessCli) -> None:
    result = console.run("completion", "fish", check=2)
    assert "invalid choice: 'fish'" in result.stderr
    assert result.stdout == ""
