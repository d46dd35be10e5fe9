"""Users, roles, password hashing and login throttling, over the application's SQLite store.

Roles are ranked: an admin may do what a reviewer does, a reviewer what an agent does.  Passwords
are hashed with Argon2id (argon2-cffi's defaults, rehashed on login when those defaults change).
Each account has a ``session_epoch`` that is part of its session identifier: signing out, changing
the password or disabling the account bumps it, which ends every open session of that account at
once (a cookie copied before is refused on the server, not merely forgotten by the browser).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kbtool.store import now, transaction

log = logging.getLogger(__name__)

ROLES = ("agent", "reviewer", "admin")
MIN_PASSWORD_LENGTH = 8
NAME_MAX_LENGTH = 64

# Throttling: attempts counted over a sliding window, per account name and per client address
# (a successful one is uncounted).  The per-address limit is higher because a team may share one
# outgoing address.
THROTTLE_WINDOW = 15 * 60
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_CLIENT = 30

_hasher = PasswordHasher()


class AccountError(Exception):
    """A refused account operation; the message is shown to the user as is."""


class Throttled(Exception):
    """Too many failed logins recently; ``retry_after`` seconds until the next attempt counts."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed logins, retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    """An account as the application sees it (never its password hash)."""

    id: int
    name: str
    role: str
    active: bool
    origin: str
    session_epoch: int

    def can(self, role: str) -> bool:
        """True when this account's role is ``role`` or ranks above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _user(row: sqlite3.Row) -> User:
    return User(id=row["id"], name=row["name"], role=row["role"], active=bool(row["active"]),
                origin=row["origin"], session_epoch=row["session_epoch"])


def check_role(role: str) -> str:
    """The role itself, or an AccountError listing the valid ones."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    return role


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX_LENGTH or not name.isprintable() or " " in name:
        raise AccountError(f"invalid user name {name!r} (1 to {NAME_MAX_LENGTH} characters, "
                           "no spaces)")
    return name


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password too short (at least {MIN_PASSWORD_LENGTH} characters)")
    return _hasher.hash(password)


def get_user(conn: sqlite3.Connection, user_id: int) -> User | None:
    """The account with that id, active or not."""
    row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def find_user(conn: sqlite3.Connection, name: str) -> User | None:
    """The account with that name (case-insensitive), active or not."""
    row = conn.execute("SELECT * FROM users WHERE name = ?", (name.strip(),)).fetchone()
    return _user(row) if row else None


def _require(conn: sqlite3.Connection, name: str) -> User:
    user = find_user(conn, name)
    if user is None:
        raise AccountError(f"no user named {name!r}")
    return user


def list_users(conn: sqlite3.Connection) -> list[User]:
    """Every account, by name."""
    return [_user(r) for r in conn.execute("SELECT * FROM users ORDER BY name")]


def create_user(conn: sqlite3.Connection, name: str, role: str, password: str | None,
                origin: str = "local") -> User:
    """Add an account; ``password`` None is for accounts that sign in elsewhere (the wiki)."""
    name = _check_name(name)
    check_role(role)
    hashed = _hash(password) if password is not None else None
    try:
        cursor = conn.execute(
            "INSERT INTO users (name, role, password_hash, origin, created_at) "
            "VALUES (?, ?, ?, ?, ?)", (name, role, hashed, origin, now()))
    except sqlite3.IntegrityError as exc:
        raise AccountError(f"user {name!r} already exists") from exc
    log.info("user %s created with role %s", name, role)
    return get_user(conn, cursor.lastrowid)  # type: ignore[return-value]


def set_password(conn: sqlite3.Connection, name: str, password: str) -> None:
    """Change the password and end the account's open sessions."""
    user = _require(conn, name)
    conn.execute("UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 "
                 "WHERE id = ?", (_hash(password), user.id))
    log.info("password of %s changed", user.name)


def end_sessions(conn: sqlite3.Connection, user_id: int) -> None:
    """Make every session cookie issued so far for this account worthless (sign-out)."""
    conn.execute("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?", (user_id,))


def set_role(conn: sqlite3.Connection, name: str, role: str) -> None:
    """Change the role (used when wiki groups change)."""
    user = _require(conn, name)
    conn.execute("UPDATE users SET role = ? WHERE id = ?", (check_role(role), user.id))


def set_email(conn: sqlite3.Connection, name: str, email: str) -> None:
    """Set (or clear, with '') the address e-mail notices go to."""
    user = _require(conn, name)
    email = email.strip()
    if email and ("@" not in email or any(c.isspace() for c in email) or len(email) > 254):
        raise AccountError(f"invalid e-mail address {email!r}")
    conn.execute("UPDATE users SET email = ? WHERE id = ?", (email, user.id))


SIGNATURE_MAX_LENGTH = 300
SIGNATURE_MAX_LINES = 5


def clean_signature(text: str) -> str:
    """A signature as it will be stored: control characters dropped, blank space trimmed
    around each line and the whole; raises AccountError when too long."""
    cleaned = "\n".join("".join(c for c in line if c.isprintable()).strip()
                        for line in text.splitlines()).strip("\n")
    if len(cleaned) > SIGNATURE_MAX_LENGTH or signature_lines(cleaned) > SIGNATURE_MAX_LINES:
        raise AccountError(f"signature too long (at most {SIGNATURE_MAX_LINES} lines and "
                           f"{SIGNATURE_MAX_LENGTH} characters)")
    return cleaned


def signature_lines(text: str) -> int:
    """How many lines a signature has, blank lines around it left out."""
    return len(text.strip().splitlines())


def set_signature(conn: sqlite3.Connection, name: str, text: str) -> None:
    """Set (or clear, with '') the signature put under the account's drafted replies."""
    user = _require(conn, name)
    conn.execute("UPDATE users SET signature = ? WHERE id = ?", (clean_signature(text), user.id))


def signature_of(conn: sqlite3.Connection, user_id: int) -> str:
    """The account's signature ('' when none is set)."""
    row = conn.execute("SELECT signature FROM users WHERE id = ?", (user_id,)).fetchone()
    return row[0] if row else ""


def set_active(conn: sqlite3.Connection, name: str, active: bool) -> None:
    """Enable or disable the account; disabling ends its open sessions."""
    user = _require(conn, name)
    conn.execute("UPDATE users SET active = ?, session_epoch = session_epoch + 1 WHERE id = ?",
                 (int(active), user.id))
    log.info("user %s %s", user.name, "enabled" if active else "disabled")


class Directory(Protocol):
    """Somewhere else accounts live (the wiki): it checks a password and says the role.

    ``role_for`` returns None for wrong credentials and raises, with a message for the user,
    when it cannot decide (unreachable, no role); it never stores the password.
    """

    origin: str

    def role_for(self, name: str, password: str) -> str | None: ...


def authenticate(conn: sqlite3.Connection, name: str, password: str,
                 client: str = "", directory: Directory | None = None) -> User | None:
    """The active account matching these credentials, else None; raises Throttled when locked.

    The attempt is counted before the password is checked, in one transaction with the check of
    the limits: of many guesses sent at once, only as many as the limit allow are ever verified.
    A successful attempt is then uncounted and clears the name's failures.

    A name with a local password signs in locally only (so an admin keeps a way in when the
    wiki is down, and a wiki account cannot take over a local one).  Other names are asked of
    ``directory`` when given; its accounts are created or updated here, without a password hash.
    """
    keys = (f"name:{name.strip().casefold()}", f"client:{client}")
    attempt = _count_attempt(conn, keys)
    try:
        user = _check_credentials(conn, name, password, directory)
    except BaseException:  # no verdict (the wiki is unreachable…): the attempt does not count
        _uncount(conn, attempt)
        raise
    if user is None:
        log.warning("failed login for %r", name)
        return None
    _uncount(conn, attempt)
    conn.execute("DELETE FROM login_failures WHERE key = ?", (keys[0],))
    return user


def _check_credentials(conn: sqlite3.Connection, name: str, password: str,
                       directory: Directory | None) -> User | None:
    """The account these credentials sign in, else None (no throttling here)."""
    row = conn.execute("SELECT * FROM users WHERE name = ?", (name.strip(),)).fetchone()
    if directory is not None and (row is None or (
            row["active"] and not row["password_hash"] and row["origin"] == directory.origin)):
        role = directory.role_for(name.strip(), password)
        return None if role is None else _directory_user(conn, name, role, directory.origin)
    if row is None or not row["active"] or not row["password_hash"]:
        _hasher.hash(password)  # so an unknown name costs as long as a wrong password
        return None
    if not _verify(row["password_hash"], password):
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        conn.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                     (_hasher.hash(password), row["id"]))
    return _user(row)


def _directory_user(conn: sqlite3.Connection, name: str, role: str, origin: str) -> User:
    """The local row of an account signed in elsewhere, created or given its current role."""
    user = find_user(conn, name)
    if user is None:
        return create_user(conn, name, role, None, origin)
    if user.role != role:
        set_role(conn, user.name, role)
        log.info("user %s now has role %s (from %s)", user.name, role, origin)
    return find_user(conn, name)  # type: ignore[return-value]


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_attempt(conn: sqlite3.Connection, keys: tuple[str, str]) -> list[int]:
    """Raise Throttled if a key is at its limit, else record the attempt under both keys (their
    row ids), atomically: two attempts at once never both see the last free place."""
    with transaction(conn):
        at = now()
        conn.execute("DELETE FROM login_failures WHERE at < ?", (at - THROTTLE_WINDOW,))
        for key, limit in zip(keys, (MAX_FAILURES_PER_NAME, MAX_FAILURES_PER_CLIENT)):
            count, oldest = conn.execute(
                "SELECT COUNT(*), MIN(at) FROM (SELECT at FROM login_failures WHERE key = ? "
                "ORDER BY at DESC LIMIT ?)", (key, limit)).fetchone()
            if count >= limit:
                raise Throttled(max(1, int(oldest + THROTTLE_WINDOW - at) + 1))
        return [conn.execute("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                             (key, at)).lastrowid for key in keys]  # type: ignore[misc]


def _uncount(conn: sqlite3.Connection, attempt: list[int]) -> None:
    conn.executemany("DELETE FROM login_failures WHERE rowid = ?", [(i,) for i in attempt])


def create_first_admin(conn: sqlite3.Connection, name: str = "admin") -> tuple[str, str] | None:
    """When there is no account at all, create an admin with a random password and return both."""
    if conn.execute("SELECT 1 FROM users LIMIT 1").fetchone():
        return None
    password = secrets.token_urlsafe(12)
    create_user(conn, name, "admin", password)
    return name, password
