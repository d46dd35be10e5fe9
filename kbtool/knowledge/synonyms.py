"""The team's synonym table: pairs reviewers add ("mail → courriel", "processus ↔ programme en
cours"), and their verdicts on the pairs the documentation gives (accepted: searched both ways;
rejected: never searched).

Why in the store: what words the customers use is the team's knowledge, edited in the UI by
reviewers and kept across reindexes, while the index only holds what the documentation says
(``kbtool.index.seeds``).  The searcher gets the table as a store-agnostic
``SynonymRules`` (:func:`rules`).

Versioned: nothing is updated in place.  Every change (added, edited, accepted, rejected,
removed) is a new row of ``synonym_changes`` saying who and when; a pair's latest row is its
state, and the largest row id is the version of the whole table.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass

from kbtool.index.synonym_rules import (MAX_SIDE_CHARS, SynonymPair, SynonymRules, side_key, unordered)
from kbtool.store import now, transaction

TEAM, SEED = "team", "seed"
ACTIVE, REJECTED, REMOVED = "active", "rejected", "removed"
MAX_PAIRS = 5000          # pairs in force at once (each search builds on them once per version)
HISTORY_LIMIT = 100


class SynonymError(Exception):
    """A refused change; the message is French, shown to the reviewer."""


@dataclass(frozen=True)
class SynonymEntry:
    """One pair as of one change: its sides, direction, origin, state, and who changed it."""

    pair_id: int
    version: int
    term: str
    synonym: str
    both_ways: bool
    origin: str
    state: str
    by: str
    at: float


_COLUMNS = """c.pair_id, c.id AS version, c.term, c.synonym, c.both_ways, c.origin, c.state,
              u.name AS by_name, c.at"""
_LATEST = f"""SELECT {_COLUMNS} FROM synonym_changes c JOIN users u ON u.id = c.by_id
              WHERE c.id = (SELECT MAX(id) FROM synonym_changes WHERE pair_id = c.pair_id)"""


def _entry(row: sqlite3.Row) -> SynonymEntry:
    return SynonymEntry(row["pair_id"], row["version"], row["term"], row["synonym"],
                        bool(row["both_ways"]), row["origin"], row["state"], row["by_name"],
                        row["at"])


def version(conn: sqlite3.Connection) -> int:
    """The table's version: the number of its latest change (0 before any)."""
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM synonym_changes").fetchone()[0]


def current(conn: sqlite3.Connection) -> list[SynonymEntry]:
    """Every pair in force or rejected, as of its latest change, by its first side."""
    rows = conn.execute(f"{_LATEST} AND c.state != ? ORDER BY c.term, c.synonym", (REMOVED,))
    return [_entry(row) for row in rows]


def history(conn: sqlite3.Connection, limit: int = HISTORY_LIMIT) -> list[SynonymEntry]:
    """The latest changes, newest first."""
    rows = conn.execute(f"""SELECT {_COLUMNS} FROM synonym_changes c
                            JOIN users u ON u.id = c.by_id ORDER BY c.id DESC LIMIT ?""",
                        (limit,))
    return [_entry(row) for row in rows]


def get(conn: sqlite3.Connection, pair_id: int) -> SynonymEntry | None:
    """A pair as of its latest change (None when there is no such pair)."""
    row = conn.execute(f"{_LATEST} AND c.pair_id = ?", (pair_id,)).fetchone()
    return None if row is None else _entry(row)


def add(conn: sqlite3.Connection, user_id: int, term: str, synonym: str,
        both_ways: bool) -> SynonymEntry:
    """A new pair of the team's; SynonymError when a side is not searchable or the pair
    exists."""
    term, synonym = _checked(term, synonym)
    with transaction(conn):
        _refuse_duplicate(conn, term, synonym, None)
        return _record(conn, None, term, synonym, both_ways, TEAM, ACTIVE, user_id)


def edit(conn: sqlite3.Connection, user_id: int, pair_id: int, term: str, synonym: str,
         both_ways: bool) -> SynonymEntry:
    """A new version of a team's pair."""
    term, synonym = _checked(term, synonym)
    with transaction(conn):
        entry = _in_force(conn, pair_id)
        if entry.origin != TEAM:
            raise SynonymError("Une paire tirée de la documentation s'accepte ou se rejette ; "
                               "ajoutez plutôt la vôtre.")
        _refuse_duplicate(conn, term, synonym, pair_id)
        return _record(conn, pair_id, term, synonym, both_ways, TEAM, ACTIVE, user_id)


def remove(conn: sqlite3.Connection, user_id: int, pair_id: int) -> SynonymEntry:
    """The pair no longer applies (a seed removed this way is searched again, as before any
    verdict)."""
    with transaction(conn):
        entry = _in_force(conn, pair_id)
        return _record(conn, pair_id, entry.term, entry.synonym, entry.both_ways, entry.origin,
                       REMOVED, user_id)


def judge_seed(conn: sqlite3.Connection, user_id: int, term: str, synonym: str,
               accept: bool) -> SynonymEntry:
    """A reviewer's verdict on a pair the documentation gives: accepted, it is searched both
    ways; rejected, it is never searched."""
    term, synonym = _checked(term, synonym)
    state = ACTIVE if accept else REJECTED
    with transaction(conn):
        same = _same_pair(conn, term, synonym)
        if same is not None and same.origin == TEAM:
            raise SynonymError("Cette paire est déjà dans le tableau de l'équipe.")
        return _record(conn, same.pair_id if same else None, term, synonym, True, SEED, state,
                       user_id)


_RULES: dict[str, tuple[int, SynonymRules]] = {}


def rules(conn: sqlite3.Connection) -> SynonymRules:
    """The table as the searcher takes it: pairs in force, and rejected seeds (built once per
    version of the table)."""
    database = conn.execute("PRAGMA database_list").fetchone()[2]
    latest = version(conn)
    cached = _RULES.get(database)
    if cached is None or cached[0] != latest:
        entries = current(conn)
        built = SynonymRules(
            pairs=tuple(SynonymPair(e.term, e.synonym, e.both_ways)
                        for e in entries if e.state == ACTIVE),
            rejected=frozenset(unordered(e.term, e.synonym)
                               for e in entries if e.state == REJECTED))
        cached = _RULES[database] = (latest, built)
    return cached[1]


def _checked(term: str, synonym: str) -> tuple[str, str]:
    sides = (_clean(term), _clean(synonym))
    for side in sides:
        if not side:
            raise SynonymError("Les deux côtés de la paire sont à remplir.")
        if len(side) > MAX_SIDE_CHARS:
            raise SynonymError(f"Un côté de la paire tient en {MAX_SIDE_CHARS} caractères.")
        if not side_key(side):
            raise SynonymError(f"« {side} » n'a aucun mot cherché (seulement des mots "
                               "vides, ou plus de quatre mots).")
    if side_key(sides[0]) == side_key(sides[1]) or \
            unordered(*sides)[0] == unordered(*sides)[1]:
        raise SynonymError("Les deux côtés disent la même chose.")
    return sides


def _clean(text: str) -> str:
    """Text without control characters, its spaces collapsed."""
    visible = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(visible.split())


def _same_pair(conn: sqlite3.Connection, term: str, synonym: str) -> SynonymEntry | None:
    wanted = unordered(term, synonym)
    return next((entry for entry in current(conn)
                 if unordered(entry.term, entry.synonym) == wanted), None)


def _refuse_duplicate(conn: sqlite3.Connection, term: str, synonym: str,
                      pair_id: int | None) -> None:
    same = _same_pair(conn, term, synonym)
    if same is not None and same.pair_id != pair_id:
        raise SynonymError("Cette paire est déjà dans le tableau.")
    if pair_id is None and sum(e.state == ACTIVE for e in current(conn)) >= MAX_PAIRS:
        raise SynonymError(f"Le tableau compte déjà {MAX_PAIRS} paires.")


def _in_force(conn: sqlite3.Connection, pair_id: int) -> SynonymEntry:
    entry = get(conn, pair_id)
    if entry is None or entry.state == REMOVED:
        raise SynonymError("Cette paire n'est plus dans le tableau.")
    return entry


def _record(conn: sqlite3.Connection, pair_id: int | None, term: str, synonym: str,
            both_ways: bool, origin: str, state: str, user_id: int) -> SynonymEntry:
    """Append one change (a new pair takes its first change's number as its id)."""
    number = version(conn) + 1
    conn.execute("""INSERT INTO synonym_changes (id, pair_id, term, synonym, both_ways, origin,
                    state, by_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                 (number, pair_id or number, term, synonym, int(both_ways), origin, state,
                  user_id, now()))
    entry = get(conn, pair_id or number)
    assert entry is not None
    return entry
