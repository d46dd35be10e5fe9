"""Configuration: the issue's minimal file, one-line errors, the README's settings table, and
no default repeated outside the declaration."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool.config import SETTINGS, ConfigError, load

MINIMAL = """\
[index]
dir = "var/index"
[[sources]]
name = "wiki"
kind = "dokuwiki-dir"          # a DokuWiki data/pages folder read from disk
path = "/srv/dokuwiki/data/pages"
base_url = "https://wiki.example.org/doku.php"
[[sources]]
name = "docs"
kind = "folder"                 # HTML, Markdown, text and PDF files
path = "/srv/vade-mecum"
base_url = "https://docs.example.org/vade-mecum/"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kbtool.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_loads_with_paths_relative_to_the_file(tmp_path):
    config = load(write(tmp_path, MINIMAL))
    assert config.index_dir == tmp_path.resolve() / "var" / "index"
    assert [(s.name, s.kind) for s in config.sources] == [("wiki", "dokuwiki-dir"),
                                                          ("docs", "folder")]
    assert config.source("docs").get("base_url") == "https://docs.example.org/vade-mecum/"
    assert config.get("search.limit") == 10


def test_environment_variable_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KBTOOL_CONFIG", str(write(tmp_path, MINIMAL)))
    assert load().file == tmp_path / "kbtool.toml"


@pytest.mark.parametrize("text, message", [
    (MINIMAL + "[index2]\n", "unknown table [index2]"),
    (MINIMAL.replace('dir = "var/index"', 'dir = "x"\ncolour = 1'), "unknown setting index.colour"),
    (MINIMAL.replace('dir = "var/index"', "dir = 3"), "index.dir must be of type str"),
    (MINIMAL.replace('kind = "folder"', 'kind = "ftp"'), "sources[2].kind must be one of"),
    (MINIMAL.replace('path = "/srv/vade-mecum"\n', ""), "missing setting sources[2].path"),
    (MINIMAL.replace('name = "docs"', 'name = "wiki"'), "sources[2].name 'wiki' is used twice"),
    (MINIMAL.replace('base_url = "https://wiki', 'url = "x"\nbase_url = "https://wiki'),
     "unknown setting sources[1].url for kind 'dokuwiki-dir'"),
    ("[index\n", "not valid TOML"),
    (MINIMAL + "[learning]\nhalf_life_days = 0\n", "learning.half_life_days must be at least 1"),
    (MINIMAL + "[learning]\nhalf_life_days = -30.5\n", "learning.half_life_days must be at least"),
    (MINIMAL + "[learning]\nkeep_days = -1\n", "learning.keep_days must be at least 1"),
    (MINIMAL + "[learning]\nkeep_days = 0\n", "learning.keep_days must be at least 1"),
])
def test_errors_are_one_line_naming_key_and_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load(tmp_path / "nope.toml")


def test_readme_settings_table_matches_the_declaration():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| (.*?) \| (.*?) \|$", readme, re.M)
    documented = {name: default for name, default, _ in rows}
    declared = {s.name: s for s in SETTINGS}
    assert set(documented) == set(declared)
    for name, setting in declared.items():
        if not setting.required:
            assert documented[name] == f"`{_toml(setting.default)}`", name


def _toml(value):
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


PACKAGE = Path(__file__).resolve().parents[1] / "kbtool"
_BY_KEY: dict[str, list] = {}
for _setting in SETTINGS:
    _BY_KEY.setdefault(_setting.name.split(".", 1)[1], []).append(_setting)


def test_no_module_repeats_a_declared_default():
    """A field, parameter or command-line option named after a setting (``timeout``,
    ``--limit``) must take its default from the declaration, not repeat the literal: a copy
    goes stale the day the declaration changes.  Empty defaults ("", 0, false) say "none"
    rather than choose a value, and are left alone."""
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
             for path in sorted(PACKAGE.rglob("*.py")) if path != PACKAGE / "config.py"
             for line, name in _repeated_defaults(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == []


def _repeated_defaults(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        for name, value in _named_defaults(node):
            for setting in _BY_KEY.get(name, ()):
                if (setting.default and isinstance(value, ast.Constant)
                        and value.value == setting.default
                        and type(value.value) is type(setting.default)):
                    yield node.lineno, setting.name


def _named_defaults(node: ast.AST) -> list[tuple[str, ast.expr]]:
    """(name, default) pairs of a dataclass field, a function's parameters or an option."""
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return [(node.target.id, node.value)]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        positional = node.args.posonlyargs + node.args.args
        with_default = positional[len(positional) - len(node.args.defaults):]
        return ([(a.arg, d) for a, d in zip(with_default, node.args.defaults)]
                + [(a.arg, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d])
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument" and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).startswith("--")):
        option = node.args[0].value[2:].replace("-", "_")
        return [(option, k.value) for k in node.keywords if k.arg == "default"]
    return []
