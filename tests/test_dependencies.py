"""Every package kbtool imports is declared in setup.cfg: one imported only because another
dependency happens to pull it in today disappears the day that dependency stops needing it."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _canonical(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    """The names in setup.cfg's install_requires, without versions."""
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = setup["options"]["install_requires"].splitlines()
    return {_canonical(re.match(r"[A-Za-z0-9._-]+", line)[0])
            for line in map(str.strip, lines) if line and not line.startswith("#")}


def imported_modules() -> dict[str, str]:
    """Top-level name of every absolute import in kbtool/ → first file:line importing it."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "kbtool").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_import_is_stdlib_kbtool_or_declared() -> None:
    distributions = packages_distributions()
    declared = declared_distributions()
    undeclared = [f"{where}: {module} ({', '.join(distributions.get(module, ['not installed']))})"
                  for module, where in sorted(imported_modules().items())
                  if module not in sys.stdlib_module_names and module != "kbtool"
                  and not declared & {_canonical(d) for d in distributions.get(module, [])}]
    assert undeclared == []


def test_the_check_sees_imports_and_requirements() -> None:
    """The scan is not vacuous: it finds kbtool's third-party imports and mapped names."""
    modules = imported_modules()
    assert {"flask", "whoosh", "Stemmer", "requests"} <= set(modules)
    assert {"whoosh3", "pystemmer", "flask"} <= declared_distributions()
