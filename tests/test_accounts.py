"""Accounts: hashing, roles, sessions ended by password changes, login throttling."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kbtool import accounts, store

PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with minimal cost: the tests check behaviour, not the hasher's strength."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                            parallelism=1))


@pytest.fixture()
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = store.connect(tmp_path / "app.sqlite3")
    yield connection
    connection.close()


def test_password_is_stored_as_an_argon2_hash(conn: sqlite3.Connection,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    stored = conn.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_authenticate_accepts_the_right_password_only(conn: sqlite3.Connection) -> None:
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    assert accounts.authenticate(conn, "Alice", PASSWORD).name == "alice"
    assert accounts.authenticate(conn, "alice", PASSWORD + "!") is None
    assert accounts.authenticate(conn, "bob", PASSWORD) is None


@pytest.mark.parametrize(("role", "needed", "allowed"), [
    ("agent", "agent", True), ("agent", "reviewer", False), ("agent", "admin", False),
    ("reviewer", "agent", True), ("reviewer", "reviewer", True), ("reviewer", "admin", False),
    ("admin", "agent", True), ("admin", "reviewer", True), ("admin", "admin", True),
])
def test_roles_are_ranked(conn: sqlite3.Connection, role: str, needed: str,
                          allowed: bool) -> None:
    assert accounts.create_user(conn, "u", role, PASSWORD).can(needed) is allowed


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("alice", "agent", "short", "too short"),
    ("al ice", "agent", PASSWORD, "invalid user name"),
    ("", "agent", PASSWORD, "invalid user name"),
    ("alice", "boss", PASSWORD, "unknown role"),
])
def test_invalid_accounts_are_refused(conn: sqlite3.Connection, name: str, role: str,
                                      password: str, message: str) -> None:
    with pytest.raises(accounts.AccountError, match=message):
        accounts.create_user(conn, name, role, password)


def test_names_are_unique_whatever_the_case(conn: sqlite3.Connection) -> None:
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.create_user(conn, "ALICE", "agent", PASSWORD)


def test_password_change_and_disable_bump_the_session_epoch(conn: sqlite3.Connection) -> None:
    user = accounts.create_user(conn, "alice", "agent", PASSWORD)
    accounts.set_password(conn, "alice", "another password")
    assert accounts.authenticate(conn, "alice", PASSWORD) is None
    changed = accounts.authenticate(conn, "alice", "another password")
    assert changed.session_epoch == user.session_epoch + 1
    accounts.set_active(conn, "alice", False)
    assert accounts.get_user(conn, user.id).session_epoch == user.session_epoch + 2
    assert accounts.authenticate(conn, "alice", "another password") is None


def test_too_many_failures_lock_the_name(conn: sqlite3.Connection) -> None:
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    for _ in range(accounts.MAX_FAILURES_PER_NAME):
        assert accounts.authenticate(conn, "alice", "wrong", "10.0.0.1") is None
    with pytest.raises(accounts.Throttled) as caught:
        accounts.authenticate(conn, "alice", PASSWORD, "10.0.0.2")
    assert 0 < caught.value.retry_after <= accounts.THROTTLE_WINDOW + 1
    assert accounts.authenticate(conn, "bob", "whatever", "10.0.0.1") is None


def test_failures_expire_after_the_window(conn: sqlite3.Connection,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    for _ in range(accounts.MAX_FAILURES_PER_NAME):
        accounts.authenticate(conn, "alice", "wrong")
    later = store.now() + accounts.THROTTLE_WINDOW + 1
    monkeypatch.setattr(accounts, "now", lambda: later)
    assert accounts.authenticate(conn, "alice", PASSWORD) is not None


def test_one_client_guessing_many_names_is_locked(conn: sqlite3.Connection) -> None:
    for number in range(accounts.MAX_FAILURES_PER_CLIENT):
        accounts.authenticate(conn, f"user{number}", "wrong", "10.0.0.9")
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(conn, "someone", "wrong", "10.0.0.9")


def _all_at_once(path: Path, attempts: list[tuple[str, str, str]]) -> list[object]:
    """Run these (name, password, client) sign-ins at the same moment, one thread and one
    connection each; each outcome is the User, None (refused) or the Throttled raised."""
    start = threading.Barrier(len(attempts))

    def attempt(name: str, password: str, client: str) -> object:
        conn = store.connect(path)
        try:
            start.wait()
            return accounts.authenticate(conn, name, password, client)
        except accounts.Throttled as exc:
            return exc
        finally:
            conn.close()

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(lambda args: attempt(*args), attempts))


@pytest.fixture()
def slower_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hash that takes a few milliseconds (outside the GIL), so that guesses sent at once are
    being verified at the same time, as on a server."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=4096,
                                                            parallelism=1))


@pytest.mark.usefixtures("slower_hashing")
def test_guesses_sent_at_once_are_verified_only_up_to_the_limit(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    outcomes = _all_at_once(tmp_path / "app.sqlite3",
                            [("alice", f"guess {n}", "10.0.0.1") for n in range(21)])
    assert outcomes.count(None) == accounts.MAX_FAILURES_PER_NAME
    assert sum(isinstance(o, accounts.Throttled) for o in outcomes) == \
        21 - accounts.MAX_FAILURES_PER_NAME
    with pytest.raises(accounts.Throttled):  # the right password now waits too
        accounts.authenticate(conn, "alice", PASSWORD, "10.0.0.2")


@pytest.mark.usefixtures("slower_hashing")
def test_names_guessed_at_once_from_one_address_stop_at_its_limit(
        conn: sqlite3.Connection, tmp_path: Path) -> None:
    tries = accounts.MAX_FAILURES_PER_CLIENT + 10
    outcomes = _all_at_once(tmp_path / "app.sqlite3",
                            [(f"user{n}", "wrong", "10.0.0.9") for n in range(tries)])
    throttled = [o for o in outcomes if isinstance(o, accounts.Throttled)]
    assert len(throttled) == 10 and outcomes.count(None) == accounts.MAX_FAILURES_PER_CLIENT


def test_a_successful_sign_in_is_not_counted_against_the_address(
        conn: sqlite3.Connection) -> None:
    accounts.create_user(conn, "alice", "agent", PASSWORD)
    for _ in range(accounts.MAX_FAILURES_PER_CLIENT + 1):
        assert accounts.authenticate(conn, "alice", PASSWORD, "10.0.0.3") is not None


def test_first_admin_is_created_only_on_an_empty_database(conn: sqlite3.Connection) -> None:
    name, password = accounts.create_first_admin(conn)
    assert accounts.authenticate(conn, name, password).role == "admin"
    assert accounts.create_first_admin(conn) is None
