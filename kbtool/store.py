"""The application's own data (users, drafts, validation requests, usage log) in one SQLite file.

The schema is a numbered list of migrations; ``PRAGMA user_version`` records how many have run, so
opening an older database applies only the missing steps, each in its own transaction, and never
drops data.  Later features (articles, reviews) append their steps to ``MIGRATIONS``.

Connections are short-lived (one per web request or CLI command): SQLite in WAL mode lets readers
go on while one writer commits, which is all a support team's load needs.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

MIGRATIONS: tuple[str, ...] = (
    # 1: accounts, login throttling, drafts and the usage log.
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('agent', 'reviewer', 'admin')),
        password_hash TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        origin TEXT NOT NULL DEFAULT 'local',
        session_epoch INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE TABLE login_failures (
        key TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX login_failures_key ON login_failures (key, at);
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        query TEXT NOT NULL DEFAULT '',
        ticket TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL,
        sections TEXT NOT NULL DEFAULT '[]',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX drafts_user ON drafts (user_id, updated_at);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        user_id INTEGER REFERENCES users (id),
        kind TEXT NOT NULL,
        query TEXT NOT NULL DEFAULT '',
        hits INTEGER,
        confident INTEGER,
        url TEXT NOT NULL DEFAULT '',
        draft_id INTEGER REFERENCES drafts (id),
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX events_kind ON events (kind, at);
    """,
    # 2: validation requests ("in case of doubt, have it validated by the level above").
    """
    CREATE TABLE validations (
        id INTEGER PRIMARY KEY,
        draft_id INTEGER NOT NULL REFERENCES drafts (id),
        requested_by INTEGER NOT NULL REFERENCES users (id),
        requested_at REAL NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'approved', 'returned')),
        reviewer_id INTEGER REFERENCES users (id),
        comment TEXT NOT NULL DEFAULT '',
        decided_at REAL
    );
    CREATE INDEX validations_status ON validations (status, requested_at);
    CREATE INDEX validations_draft ON validations (draft_id, requested_at);
    """,
)


class StoreError(Exception):
    """The database cannot be opened or is newer than this code."""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open the database, creating or upgrading its schema as needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from exc
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    migrate(conn, str(path))
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    """Number of migrations applied to this database."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, label: str = "database",
            migrations: tuple[str, ...] = MIGRATIONS) -> int:
    """Apply the missing migrations, each atomically; return how many ran."""
    current = schema_version(conn)
    if current > len(migrations):
        raise StoreError(f"{label}: schema version {current} is newer than this kbtool "
                         f"({len(migrations)}); upgrade kbtool")
    for number in range(current + 1, len(migrations) + 1):
        _apply(conn, number, migrations[number - 1])
        log.info("%s: schema migrated to version %d", label, number)
    return len(migrations) - current


def _apply(conn: sqlite3.Connection, number: int, script: str) -> None:
    # executescript() commits first, so the transaction is opened inside the script itself.
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    except sqlite3.Error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def now() -> float:
    """Timestamp stored in every ``*_at`` column (seconds since the epoch)."""
    return time.time()
