"""``kbtool user email`` and ``kbtool publish --retry`` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool import accounts, cli, store
from kbtool.config import load


@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "kbtool.toml"
    path.write_text('[web]\ndatabase = "app.sqlite3"\nsecret_key_file = "secret_key"\n',
                    encoding="utf-8")
    conn = store.connect(load(path).get("web.database"))
    accounts.create_user(conn, "agnes", "agent", None)
    conn.close()
    return path


def test_user_email_sets_and_refuses(config_file: Path, capsys) -> None:
    assert cli.main(["--config", str(config_file), "user", "email", "agnes",
                     "agnes@support.example"]) == 0
    conn = store.connect(load(config_file).get("web.database"))
    assert conn.execute("SELECT email FROM users").fetchone()[0] == "agnes@support.example"
    assert cli.main(["--config", str(config_file), "user", "email", "agnes", "faux"]) == 2
    assert "invalid e-mail address" in capsys.readouterr().err


def test_publish_retry_with_nothing_waiting(config_file: Path, capsys) -> None:
    assert cli.main(["--config", str(config_file), "publish", "--retry"]) == 0
    assert "no approved article waiting" in capsys.readouterr().out
