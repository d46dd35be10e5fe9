"""Configuration: the issue's minimal file, one-line errors, and the README's settings table."""

import re
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
