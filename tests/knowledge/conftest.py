"""Fixtures of the knowledge-capture tests: a store with the usual accounts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kbtool import accounts, store

USERS = {"agnes": "agent", "albert": "agent", "rene": "reviewer", "rita": "reviewer"}


@pytest.fixture()
def conn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """A fresh store holding the accounts of ``USERS``."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                            parallelism=1))
    connection = store.connect(tmp_path / "app.sqlite3")
    for name, role in USERS.items():
        accounts.create_user(connection, name, role, "mot de passe sûr")
    yield connection
    connection.close()


@pytest.fixture()
def user(conn: sqlite3.Connection):  # type: ignore[no-untyped-def]
    """``user("agnes")``: that account."""
    return lambda name: accounts.find_user(conn, name)
