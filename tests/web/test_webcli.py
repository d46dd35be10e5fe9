"""``kbtool user …`` through the real command line (password on standard input)."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kbtool import accounts, cli, store
from kbtool.config import load
from kbtool.web import ensure_admin
from tests.servers import free_port

CONFIG = """
[web]
database = "app.sqlite3"
secret_key_file = "secret_key"
"""


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "kbtool.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def run(config_file: Path, monkeypatch: pytest.MonkeyPatch, *args: str,
        stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(["--config", str(config_file), "user", *args])


def test_add_reads_the_password_from_stdin(config_file: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config_file, monkeypatch, "add", "rene", "--role", "reviewer",
               stdin="mot de passe sûr\n") == 0
    conn = store.connect(config_file.parent / "app.sqlite3")
    assert accounts.authenticate(conn, "rene", "mot de passe sûr").role == "reviewer"
    assert "rene created (reviewer)" in capsys.readouterr().out


def test_list_passwd_and_disable(config_file: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    run(config_file, monkeypatch, "add", "agnes", stdin="premier mot\n")
    assert run(config_file, monkeypatch, "passwd", "agnes", stdin="second mot\n") == 0
    assert run(config_file, monkeypatch, "disable", "agnes") == 0
    capsys.readouterr()
    assert run(config_file, monkeypatch, "list") == 0
    assert capsys.readouterr().out == "agnes\tagent\tdisabled\tlocal\n"
    conn = store.connect(config_file.parent / "app.sqlite3")
    assert conn.execute("SELECT session_epoch FROM users").fetchone()[0] == 2


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("add", "agnes"), "court\n", "password too short (at least 8 characters)"),
    (("passwd", "nobody"), "mot de passe sûr\n", "no user named 'nobody'"),
    (("disable", "nobody"), "", "no user named 'nobody'"),
])
def test_refusals_are_one_line_errors(config_file: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str], args: tuple[str, ...],
                                      stdin: str, message: str) -> None:
    assert run(config_file, monkeypatch, *args, stdin=stdin) == 2
    assert capsys.readouterr().err == f"kbtool: error: {message}\n"


def test_role_must_be_known(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exited:
        run(config_file, monkeypatch, "add", "x", "--role", "boss", stdin="mot de passe sûr\n")
    assert exited.value.code == 2


def test_serve_announces_its_url_once_listening(config_file: Path, tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kbtool", "--config", str(config_file), "serve", "--port",
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/connexion")
        assert response.status == 200
        assert "Connexion" in response.read().decode("utf-8")
    finally:
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert err.decode("utf-8").startswith(f"kbtool: http://127.0.0.1:{port}/ ")
    assert process.returncode == 0  # SIGTERM: the workers were stopped gracefully


def _wait_for(url: str, seconds: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_first_admin_for_the_demo(config_file: Path) -> None:
    config = load(config_file)
    name, password = ensure_admin(config)
    assert ensure_admin(config) is None
    conn = store.connect(config.get("web.database"))
    assert accounts.authenticate(conn, name, password).role == "admin"
