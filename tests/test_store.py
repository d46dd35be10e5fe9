"""The application store: a new database gets the whole schema; an old one is upgraded in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kbtool import store


def test_new_database_has_every_migration(tmp_path: Path) -> None:
    conn = store.connect(tmp_path / "sub" / "app.sqlite3")
    assert store.schema_version(conn) == len(store.MIGRATIONS)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "drafts", "events", "validations", "login_failures"} <= tables


def test_upgrade_keeps_existing_rows(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    assert store.migrate(old, migrations=store.MIGRATIONS[:1]) == 1
    old.execute("INSERT INTO users (name, role, password_hash, created_at) "
                "VALUES ('alice', 'agent', 'x', 1.0)")
    old.execute("INSERT INTO drafts (user_id, body, created_at, updated_at) "
                "VALUES (1, 'Bonjour', 1.0, 1.0)")
    old.close()

    conn = store.connect(path)
    assert store.schema_version(conn) == len(store.MIGRATIONS)
    assert conn.execute("SELECT name FROM users").fetchone()[0] == "alice"
    assert conn.execute("SELECT body FROM drafts").fetchone()[0] == "Bonjour"
    conn.execute("INSERT INTO validations (draft_id, requested_by, requested_at, body) "
                 "VALUES (1, 1, 2.0, 'Bonjour')")


def test_reopening_runs_nothing(tmp_path: Path) -> None:
    store.connect(tmp_path / "app.sqlite3").close()
    conn = store.connect(tmp_path / "app.sqlite3")
    assert store.migrate(conn) == 0


def test_failed_migration_is_rolled_back(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "app.sqlite3", isolation_level=None)
    broken = ("CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);")
    with pytest.raises(sqlite3.OperationalError):
        store.migrate(conn, migrations=broken)
    assert store.schema_version(conn) == 1
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"a"}


def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "app.sqlite3", isolation_level=None)
    conn.execute(f"PRAGMA user_version = {len(store.MIGRATIONS) + 1}")
    with pytest.raises(store.StoreError, match="newer than this kbtool"):
        store.migrate(conn)
