"""The knowledge-capture tables arrive by migration: a database of the previous release keeps its
data and gains them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kbtool import store


def upgraded(tmp_path: Path, version: int, rows: str) -> sqlite3.Connection:
    """A database of that schema version holding these rows (an SQL script), opened by today's
    code: upgraded to the latest version."""
    path = tmp_path / "app.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    store.migrate(old, migrations=store.MIGRATIONS[:version])
    old.executescript(rows)
    old.close()
    conn = store.connect(path)
    assert store.schema_version(conn) == len(store.MIGRATIONS) > version
    return conn


def test_a_version_2_database_upgrades_with_its_data(tmp_path: Path) -> None:
    conn = upgraded(tmp_path, 2,
                    "INSERT INTO users (name, role, created_at) VALUES ('agnes', 'agent', 0);")
    assert tuple(conn.execute("SELECT name, email FROM users").fetchone()) == ("agnes", "")
    for table in ("gaps", "gap_hits", "articles", "revisions", "article_events", "notifications"):
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_a_version_3_database_gains_empty_signatures(tmp_path: Path) -> None:
    conn = upgraded(tmp_path, 3, "INSERT INTO users (name, role, email, created_at) "
                                 "VALUES ('agnes', 'agent', 'a@example.org', 0);")
    row = conn.execute("SELECT name, email, signature FROM users").fetchone()
    assert tuple(row) == ("agnes", "a@example.org", "")


def test_a_version_4_database_keeps_its_decisions_uncorrected(tmp_path: Path) -> None:
    conn = upgraded(tmp_path, 4, (
        "INSERT INTO users (name, role, created_at) VALUES ('agnes', 'agent', 0);"
        "INSERT INTO drafts (user_id, body, created_at, updated_at) VALUES (1, 'Bonjour', 0, 0);"
        "INSERT INTO validations (draft_id, requested_by, requested_at, body, status) "
        "VALUES (1, 1, 0, 'Bonjour', 'approved');"))
    row = conn.execute("SELECT body, status, corrected_body FROM validations").fetchone()
    assert tuple(row) == ("Bonjour", "approved", None)


def test_a_version_5_database_keeps_its_drafts_without_a_kind(tmp_path: Path) -> None:
    conn = upgraded(tmp_path, 5, (
        "INSERT INTO users (name, role, created_at) VALUES ('agnes', 'agent', 0);"
        "INSERT INTO drafts (user_id, query, body, created_at, updated_at) "
        "VALUES (1, 'ERR-4012', 'Bonjour', 0, 0);"))
    row = conn.execute("SELECT query, body, kind FROM drafts").fetchone()
    assert tuple(row) == ("ERR-4012", "Bonjour", "")
