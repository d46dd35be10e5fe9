"""The application's own data (users, drafts, validation requests, usage log) in one SQLite file.

The schema is a numbered list of migrations; ``PRAGMA user_version`` records how many have run, so
opening an older database applies only the missing steps, each in its own transaction, and never
drops data.  Later features append their steps to ``MIGRATIONS``.

Connections are short-lived (one per web request or CLI command): SQLite in WAL mode lets readers
go on while one writer commits, which is all a support team's load needs.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    # 3: knowledge gaps, articles written for them, their revisions, review trail, notices.
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        author_id INTEGER NOT NULL REFERENCES users (id),
        title TEXT NOT NULL DEFAULT '',
        namespace TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
            ('draft', 'submitted', 'changes', 'approved', 'published', 'rejected')),
        revision INTEGER NOT NULL DEFAULT 0,
        page_id TEXT NOT NULL DEFAULT '',
        base_revision INTEGER NOT NULL DEFAULT 0,
        reviewer_id INTEGER REFERENCES users (id),
        publish_error TEXT NOT NULL DEFAULT '',
        conflict INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        submitted_at REAL,
        published_at REAL
    );
    CREATE INDEX articles_status ON articles (status, submitted_at);
    CREATE INDEX articles_author ON articles (author_id, updated_at);
    CREATE TABLE revisions (
        article_id INTEGER NOT NULL REFERENCES articles (id),
        number INTEGER NOT NULL,
        title TEXT NOT NULL,
        namespace TEXT NOT NULL,
        page_id TEXT NOT NULL,
        body TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (article_id, number)
    );
    CREATE TABLE article_events (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles (id),
        at REAL NOT NULL,
        user_id INTEGER REFERENCES users (id),
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX article_events_article ON article_events (article_id, at);
    CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        topic TEXT NOT NULL,
        question TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users (id),
        ticket TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        article_id INTEGER REFERENCES articles (id),
        closed_how TEXT CHECK (closed_how IN ('article', 'page', 'dismissed')),
        closed_detail TEXT NOT NULL DEFAULT '',
        closed_by INTEGER REFERENCES users (id),
        closed_at REAL
    );
    CREATE UNIQUE INDEX gaps_open_topic ON gaps (topic) WHERE status = 'open';
    CREATE INDEX gaps_article ON gaps (article_id);
    CREATE TABLE gap_hits (
        id INTEGER PRIMARY KEY,
        gap_id INTEGER NOT NULL REFERENCES gaps (id),
        user_id INTEGER NOT NULL REFERENCES users (id),
        question TEXT NOT NULL,
        ticket TEXT NOT NULL DEFAULT '',
        at REAL NOT NULL
    );
    CREATE INDEX gap_hits_gap ON gap_hits (gap_id, user_id, at);
    CREATE INDEX gap_hits_user ON gap_hits (user_id, gap_id);
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        at REAL NOT NULL,
        message TEXT NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        seen INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX notifications_user ON notifications (user_id, seen, at);
    ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
    """,
    # 4: each agent's signature, put under the replies they draft.
    """
    ALTER TABLE users ADD COLUMN signature TEXT NOT NULL DEFAULT '';
    """,
    # 5: the text a reviewer approved after correcting it (NULL: approved as sent); the
    # reviewer who decided is the one who corrected.
    """
    ALTER TABLE validations ADD COLUMN corrected_body TEXT;
    """,
    # 6: the kind of request a draft answers (a ``requestkinds`` id; '' for none).
    """
    ALTER TABLE drafts ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    """,
    # 7: a gap's topic holds the words of its question, no longer their stems, which are derived
    # when gaps are compared with the analysis of the kbtool running (stems stored by another
    # analysis matched no new question).  An old gap's words are those of its first question,
    # which its stems came from (lower() folds ASCII only; the words are lowercased again when
    # read).  Gaps opened under two analyses may hold the same words, so the one-open-gap-per-
    # topic index goes: ``gaps.record`` finds the gap and opens one in a single transaction.
    """
    DROP INDEX gaps_open_topic;
    UPDATE gaps SET topic = lower(question);
    """,
    # 8: the open gap a reviewer grouped a gap into ("Regrouper ici"): the grouped gap's wording
    # keeps landing there.
    """
    ALTER TABLE gaps ADD COLUMN merged_into INTEGER REFERENCES gaps (id);
    """,
    # 9: knowledge that stays true.  The text of every cited section (or whole page) as it was
    # when cited or last verified, the latest check of each against the index, and each
    # published article's owner and date of last verification.
    """
    CREATE TABLE cited_sections (
        id INTEGER PRIMARY KEY,
        page_id TEXT NOT NULL,
        anchor TEXT NOT NULL,
        whole_page INTEGER NOT NULL DEFAULT 0,
        page_title TEXT NOT NULL DEFAULT '',
        heading TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        digest TEXT NOT NULL,
        verified_at REAL NOT NULL,
        verified_by INTEGER REFERENCES users (id),
        accepted TEXT NOT NULL DEFAULT '',
        UNIQUE (page_id, anchor, whole_page)
    );
    CREATE TABLE section_checks (
        cited_id INTEGER PRIMARY KEY REFERENCES cited_sections (id),
        index_version TEXT NOT NULL,
        digest TEXT NOT NULL,
        status TEXT NOT NULL,
        similarity REAL NOT NULL DEFAULT 0,
        target_page_id TEXT NOT NULL DEFAULT '',
        target_anchor TEXT NOT NULL DEFAULT '',
        target_label TEXT NOT NULL DEFAULT '',
        target_url TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE articles ADD COLUMN owner_id INTEGER REFERENCES users (id);
    ALTER TABLE articles ADD COLUMN verified_on REAL;
    UPDATE articles SET owner_id = author_id, verified_on = published_at
        WHERE status = 'published';
    """,
    # 10: the team's words learned from use (``knowledge.learning``): a word of a question →
    # the section a reply or a gap's answer cited for it; each use (one reply or one gap, by
    # one agent) dated, for decay and purging; removals by reviewers, their audit log.
    """
    CREATE TABLE learned (
        id INTEGER PRIMARY KEY,
        stem TEXT NOT NULL,
        word TEXT NOT NULL,
        page_id TEXT NOT NULL,
        anchor TEXT NOT NULL DEFAULT '',
        UNIQUE (stem, page_id, anchor)
    );
    CREATE TABLE learned_uses (
        learned_id INTEGER NOT NULL REFERENCES learned (id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users (id),
        origin TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (learned_id, user_id, origin)
    );
    CREATE INDEX learned_uses_at ON learned_uses (at);
    CREATE TABLE learned_removals (
        id INTEGER PRIMARY KEY,
        stem TEXT NOT NULL,
        word TEXT NOT NULL,
        page_id TEXT NOT NULL,
        anchor TEXT NOT NULL,
        uses INTEGER NOT NULL,
        agents INTEGER NOT NULL,
        removed_by INTEGER REFERENCES users (id),
        at REAL NOT NULL
    );
    CREATE INDEX learned_removals_key ON learned_removals (stem, page_id, anchor);
    """,
    # 11: the team's synonym table (``knowledge.synonyms``), kept as its history: each change is a
    # row, the pair's latest row is its state, and the largest id is the table's version.
    """
    CREATE TABLE synonym_changes (
        id INTEGER PRIMARY KEY,
        pair_id INTEGER NOT NULL,
        term TEXT NOT NULL,
        synonym TEXT NOT NULL,
        both_ways INTEGER NOT NULL CHECK (both_ways IN (0, 1)),
        origin TEXT NOT NULL CHECK (origin IN ('team', 'seed')),
        state TEXT NOT NULL CHECK (state IN ('active', 'rejected', 'removed')),
        by_id INTEGER NOT NULL REFERENCES users (id),
        at REAL NOT NULL
    );
    CREATE INDEX synonym_changes_pair ON synonym_changes (pair_id, id);
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


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: everything inside commits together, or nothing does on any exception.

    ``BEGIN IMMEDIATE`` takes the write lock at once, so a check made inside (a count, a status)
    still holds when the write it allows is made, whatever other connections do meanwhile.
    Inside an open transaction it simply joins it.
    """
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
