"""The README's commands work when pasted: every ``kbtool`` command of its shell, cron and
systemd blocks is accepted by kbtool's own argument parser, no block pipes one kbtool command
into another, and what a scheduler runs (cron, systemd) calls kbtool by its full path, since
neither has a virtual environment's ``bin`` on its PATH."""

import re
import shlex
from pathlib import Path

import pytest

from kbtool.cli import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, re.M | re.S)


def _pipelines(line: str) -> list[list[list[str]]]:
    """A shell line as pipelines (split at ``||``, ``&&``, ``;``) of commands (split at ``|``),
    each command's words up to its first redirection."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    pipelines: list[list[list[str]]] = [[[]]]
    redirect = False
    for token in lexer:
        if token in {"||", "&&", ";", "&"}:
            pipelines.append([[]])
        elif token == "|":
            pipelines[-1].append([])
        elif token in {"<", ">", ">>"}:
            redirect = True
        elif redirect:
            redirect = False  # the file redirected to or from
        else:
            pipelines[-1][-1].append(token)
    return pipelines


def _without_optional(words: list[str]) -> list[str]:
    """Words outside the ``[--option VALUE]`` groups a synopsis shows."""
    kept, depth = [], 0
    for word in words:
        depth += word.count("[")
        if depth == 0:
            kept.append(word)
        depth -= word.count("]")
    return kept


def _shell_commands() -> list[list[str]]:
    lines = [line for block in _blocks("sh") for line in block.splitlines()]
    return [command for line in lines for pipeline in _pipelines(line) for command in pipeline]


def _scheduled() -> list[str]:
    cron = [line.split(None, 5)[5] for block in _blocks("cron")
            for line in block.splitlines() if line and not line.startswith("#")]
    units = [line.removeprefix("ExecStart=") for block in _blocks("ini")
             for line in block.splitlines() if line.startswith("ExecStart=")]
    return cron + units


KBTOOL_COMMANDS = [c for c in _shell_commands() if c and c[0].endswith("kbtool")]
SCHEDULED = _scheduled()


@pytest.mark.parametrize("words", KBTOOL_COMMANDS + [_pipelines(s)[0][0] for s in SCHEDULED],
                         ids=" ".join)
def test_every_kbtool_command_of_the_readme_parses(words: list[str]) -> None:
    try:
        build_parser().parse_args(_without_optional(words[1:]))
    except SystemExit as exc:
        pytest.fail(f"kbtool rejects {' '.join(words)!r} (status {exc.code})")


def test_each_account_command_stands_on_a_line_of_its_own() -> None:
    actions = [c[2] for c in KBTOOL_COMMANDS if c[1:2] == ["user"]]
    assert {"add", "list", "passwd", "disable", "email"} <= set(actions)
    assert len(SCHEDULED) == 2  # the crontab line and the systemd unit's ExecStart


def test_no_kbtool_command_is_piped_into_another() -> None:
    lines = [line for language in ("sh", "cron", "ini")
             for block in _blocks(language) for line in block.splitlines()]
    for line in lines:
        for pipeline in _pipelines(line):
            runs_kbtool = [c for c in pipeline if c and c[0].endswith("kbtool")]
            assert len(runs_kbtool) <= 1, line


@pytest.mark.parametrize("command", SCHEDULED)
def test_schedulers_call_kbtool_by_its_full_path(command: str) -> None:
    program = _pipelines(command)[0][0][0]
    assert program.startswith("/") and program.endswith("/bin/kbtool")
