"""The CLI speaks English (its audience is the administrator; the web UI speaks French): no
string a command prints or prompts with is French.  Read from the source, so that a message
added later is checked too, whatever command prints it."""

import ast
from pathlib import Path

import pytest

import kbtool

CLI_MODULES = ["cli.py", "webcli.py", "demo.py"]
FRENCH_MARKS = set("éèêàâçùûôîïëœ«»")


def _strings(module: str) -> list[str]:
    """Every string literal of the module except docstrings."""
    tree = ast.parse((Path(kbtool.__file__).parent / module).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


@pytest.mark.parametrize("module", CLI_MODULES)
def test_cli_messages_are_english(module: str) -> None:
    french = [text for text in _strings(module)
              if FRENCH_MARKS & set(text) or " : " in text or "\u00a0" in text]
    assert french == []


def test_the_server_announces_itself_in_english() -> None:
    assert any("(Ctrl+C to stop)" in text for text in _strings("web/__init__.py"))
