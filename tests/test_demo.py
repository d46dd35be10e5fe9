"""The README's first command: ``kbtool demo`` on the bundled sample, without a server, and
what a newcomer does next with the lines it prints."""

import io
import shlex
from pathlib import Path

import pytest

from kbtool.cli import main
from kbtool.config import ENV_VAR, load
from kbtool.index.search import Searcher


def _demo(tmp_path: Path, capsys: pytest.CaptureFixture) -> str:
    assert main(["demo", "--no-serve", "--dir", str(tmp_path / "demo")]) == 0
    return capsys.readouterr().out


def test_demo_indexes_the_sample_and_creates_one_admin(tmp_path, capsys):
    first = _demo(tmp_path, capsys)
    assert "0 failed" in first and "Admin account created: admin, password: " in first

    results = Searcher(tmp_path / "demo" / "index").search("rapprochement bancaire")
    assert results.confident
    assert results.hits[0].url.startswith("https://wiki.exemple.org/doku.php?id=")

    second = _demo(tmp_path, capsys)
    assert "0 added" in second and "Admin account created" not in second


def test_demo_writes_its_configuration_and_only_under_its_folder(tmp_path, capsys):
    _demo(tmp_path, capsys)
    config = load(tmp_path / "demo" / "kbtool.toml")
    folder = (tmp_path / "demo").resolve()
    assert config.index_dir == folder / "index"
    assert config.get("web.database") == str(folder / "kbtool.sqlite3")
    assert config.get("web.secret_key_file") == str(folder / "secret_key")
    assert all(s.get("path").endswith(("sample/wiki", "sample/docs")) for s in config.sources)
    assert sorted(p.name for p in folder.iterdir()) == ["index", "kbtool.sqlite3", "kbtool.toml"]


def test_the_printed_lines_point_every_command_at_the_demo(tmp_path, capsys, monkeypatch):
    """A newcomer pastes the printed ``export`` line, then the printed commands, from another
    folder (no ./kbtool.toml): search, status, evaluate of the sample's judged queries and the
    reset of a lost admin password all work."""
    out = _demo(tmp_path, capsys).splitlines()
    [export] = [line.strip() for line in out if line.strip().startswith("export ")]
    name, _, value = export.removeprefix("export ").partition("=")
    assert name == ENV_VAR
    monkeypatch.setenv(ENV_VAR, shlex.split(value)[0])
    monkeypatch.chdir(tmp_path)
    commands = [shlex.split(line.split("with: ")[-1])[1:] for line in out
                if " search " in line or line.endswith(" status") or " evaluate " in line
                or " passwd " in line]
    assert [c[0] for c in commands] == ["search", "status", "evaluate", "user"]
    monkeypatch.setattr("sys.stdin", io.StringIO("a new password 123\n"))
    for command in commands:
        assert main(command) == 0, command
    printed = capsys.readouterr().out
    assert "1. " in printed and "wiki (dokuwiki-dir): 39 pages indexed" in printed
    assert "20 queries (17 answerable)" in printed and "password of admin changed" in printed
