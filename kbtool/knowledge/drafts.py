"""Saved reply drafts and their validation requests, in the application's store.

A draft keeps the sections it was built from, so its reply can be proposed again after the ticket
number changes.  A validation request freezes the text sent to reviewers: the agent may go on
editing the draft while the request waits, and the reviewer judges exactly what was sent.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from dataclasses import astuple, dataclass

from kbtool import accounts
from kbtool.knowledge import requestkinds, usage
from kbtool.knowledge.reply import ChosenSection, compose
from kbtool.knowledge.requestkinds import RequestKind
from kbtool.store import now

log = logging.getLogger(__name__)

PENDING, APPROVED, RETURNED = "pending", "approved", "returned"
SAVE_FAILED = ("La base de données n'a pas pu enregistrer le texte (occupée ou indisponible) : "
               "réessayez dans un instant.")


class DraftError(Exception):
    """A refused operation on a draft; the message is French, shown to the user."""


@dataclass(frozen=True)
class Validation:
    """A request to have a draft checked by a reviewer, and its outcome."""

    id: int
    draft_id: int
    requested_by: str
    requested_by_id: int
    requested_at: float
    body: str
    status: str
    reviewer: str | None
    comment: str
    decided_at: float | None
    corrected_body: str | None = None   # the text approved, when the reviewer corrected it
    query: str = ""                     # the draft's search: the client's question
    ticket: str = ""                    # the draft's ticket number, as it is now
    kind: RequestKind | None = None     # the kind of request the draft answers


@dataclass(frozen=True)
class Draft:
    """A reply being written, with the sections it links to and its latest validation."""

    id: int
    user_id: int
    query: str
    ticket: str
    body: str
    sections: tuple[ChosenSection, ...]
    created_at: float
    updated_at: float
    validation: Validation | None
    kind: RequestKind | None = None


_VALIDATION_SELECT = (
    "SELECT v.*, a.name AS requester, r.name AS reviewer_name, d.query, d.ticket, d.kind "
    "FROM validations v JOIN drafts d ON d.id = v.draft_id "
    "JOIN users a ON a.id = v.requested_by LEFT JOIN users r ON r.id = v.reviewer_id ")


def _validation(row: sqlite3.Row) -> Validation:
    return Validation(id=row["id"], draft_id=row["draft_id"], requested_by=row["requester"],
                      requested_by_id=row["requested_by"],
                      requested_at=row["requested_at"], body=row["body"], status=row["status"],
                      reviewer=row["reviewer_name"], comment=row["comment"],
                      decided_at=row["decided_at"], corrected_body=row["corrected_body"],
                      query=row["query"], ticket=row["ticket"], kind=_kind(row))


def _kind(row: sqlite3.Row) -> RequestKind | None:
    """The row's kind of request (none for '' or an id this version does not know)."""
    return requestkinds.BY_ID.get(row["kind"])


def latest_validation(conn: sqlite3.Connection, draft_id: int) -> Validation | None:
    """The most recent validation request of a draft, if any."""
    row = conn.execute(_VALIDATION_SELECT + "WHERE v.draft_id = ? ORDER BY v.id DESC LIMIT 1",
                       (draft_id,)).fetchone()
    return _validation(row) if row else None


def _draft(conn: sqlite3.Connection, row: sqlite3.Row) -> Draft:
    sections = tuple(ChosenSection(*item) for item in json.loads(row["sections"]))
    return Draft(id=row["id"], user_id=row["user_id"], query=row["query"], ticket=row["ticket"],
                 body=row["body"], sections=sections, created_at=row["created_at"],
                 updated_at=row["updated_at"], validation=latest_validation(conn, row["id"]),
                 kind=_kind(row))


def create_draft(conn: sqlite3.Connection, user_id: int, query: str, ticket: str,
                 sections: list[ChosenSection], kind: RequestKind | None = None) -> int:
    """Save the proposed reply for these sections, with the kind of request it answers; log
    each link put in it."""
    body = compose(sections, ticket, accounts.signature_of(conn, user_id))
    at = now()
    draft_id = conn.execute(
        "INSERT INTO drafts (user_id, query, ticket, kind, body, sections, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (user_id, query, ticket, kind.id if kind else "", body, _stored(sections), at,
         at)).lastrowid
    _log_links(conn, user_id, draft_id, usage.links_in(body))
    return draft_id  # type: ignore[return-value]


def _stored(sections: list[ChosenSection] | tuple[ChosenSection, ...]) -> str:
    """A draft's sections as the ``sections`` column holds them."""
    return json.dumps([astuple(s) for s in sections], ensure_ascii=False)


def replace_links(conn: sqlite3.Connection, draft: Draft,
                  replaced: list[tuple[ChosenSection, ChosenSection]]) -> Draft:
    """Point a draft's sections and the links of its text from each old section to its new
    one (a dead anchor's page, or where its text moved); the draft as now stored.

    The agent's edit time is left as it was: this is no edit of theirs.
    """
    sections, body = list(draft.sections), draft.body
    for old, new in replaced:
        sections = [new if section == old else section for section in sections]
        body = re.sub(re.escape(old.url) + _URL_END, lambda _: new.url, body)
    conn.execute("UPDATE drafts SET sections = ?, body = ? WHERE id = ?",
                 (_stored(sections), body, draft.id))
    changed = get_draft(conn, draft.id)
    assert changed is not None
    return changed


# A link ends where a character that could continue it does not follow.
_URL_END = r"(?![\w%#/=&?.-]*[\w%#/=&?-])"


def _log_links(conn: sqlite3.Connection, user_id: int, draft_id: int, links: list[str]) -> None:
    for url in links:
        usage.record(conn, usage.LINK, user_id, url=url, draft_id=draft_id)


def get_draft(conn: sqlite3.Connection, draft_id: int) -> Draft | None:
    """The draft with that id, whoever owns it."""
    row = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
    return _draft(conn, row) if row else None


def list_drafts(conn: sqlite3.Connection, user_id: int, limit: int = 100) -> list[Draft]:
    """An agent's drafts, most recently edited first."""
    rows = conn.execute("SELECT * FROM drafts WHERE user_id = ? ORDER BY updated_at DESC, id DESC "
                        "LIMIT ?", (user_id, limit)).fetchall()
    return [_draft(conn, row) for row in rows]


def save_draft(conn: sqlite3.Connection, draft: Draft, ticket: str, body: str) -> float:
    """Store the agent's edit and return when; log the links it adds.

    A store that cannot write (locked by a long write elsewhere, disk full) raises a DraftError
    saying so, for the page to show it with the text still on screen.
    """
    at = now()
    known = set(usage.links_in(draft.body))
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE drafts SET ticket = ?, body = ?, updated_at = ? WHERE id = ?",
                     (ticket, body, at, draft.id))
        _log_links(conn, draft.user_id, draft.id,
                   [url for url in usage.links_in(body) if url not in known])
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        log.error("draft %d not saved: %s", draft.id, exc)
        raise DraftError(SAVE_FAILED) from exc
    return at


def request_validation(conn: sqlite3.Connection, draft: Draft) -> int:
    """Send the draft's current text to the reviewers' queue."""
    if draft.validation and draft.validation.status == PENDING:
        raise DraftError("Cette réponse attend déjà une validation.")
    return conn.execute(
        "INSERT INTO validations (draft_id, requested_by, requested_at, body) VALUES (?, ?, ?, ?)",
        (draft.id, draft.user_id, now(), draft.body)).lastrowid  # type: ignore[return-value]


def pending_validations(conn: sqlite3.Connection) -> list[Validation]:
    """The reviewers' queue, oldest request first."""
    rows = conn.execute(_VALIDATION_SELECT + "WHERE v.status = ? ORDER BY v.requested_at, v.id",
                        (PENDING,)).fetchall()
    return [_validation(row) for row in rows]


def recent_decisions(conn: sqlite3.Connection, limit: int = 20) -> list[Validation]:
    """The latest approved or returned requests, newest first."""
    rows = conn.execute(_VALIDATION_SELECT + "WHERE v.status != ? ORDER BY v.decided_at DESC "
                        "LIMIT ?", (PENDING, limit)).fetchall()
    return [_validation(row) for row in rows]


def get_validation(conn: sqlite3.Connection, validation_id: int) -> Validation | None:
    """One validation request."""
    row = conn.execute(_VALIDATION_SELECT + "WHERE v.id = ?", (validation_id,)).fetchone()
    return _validation(row) if row else None


def decide(conn: sqlite3.Connection, validation: Validation, reviewer_id: int, approve: bool,
           comment: str, corrected: str | None = None) -> None:
    """Approve or return a pending request; returning it needs a comment.

    A reviewer may correct the text before approving: the corrected text is what is approved,
    kept beside the text sent (a correction identical to it is no correction).  Four eyes:
    whoever asked for the validation never decides on it, even as a reviewer.
    """
    if validation.requested_by_id == reviewer_id:
        raise DraftError("Une réponse se fait valider par un autre relecteur que son auteur.")
    if validation.status != PENDING:
        raise DraftError("Cette demande a déjà été traitée.")
    if not approve and not comment.strip():
        raise DraftError("Expliquez à l'agent ce qu'il faut revoir.")
    if corrected is not None and not corrected.strip():
        raise DraftError("Le texte corrigé est vide.")
    if not approve or corrected == validation.body:
        corrected = None
    changed = conn.execute(
        "UPDATE validations SET status = ?, reviewer_id = ?, comment = ?, decided_at = ?, "
        "corrected_body = ? WHERE id = ? AND status = ?",
        (APPROVED if approve else RETURNED, reviewer_id, comment.strip(), now(), corrected,
         validation.id, PENDING)).rowcount
    if not changed:  # another reviewer decided since the page was read
        raise DraftError("Cette demande a déjà été traitée.")


def pending_count(conn: sqlite3.Connection) -> int:
    """How many validation requests wait for a reviewer (the navigation's badge)."""
    return conn.execute("SELECT COUNT(*) FROM validations WHERE status = ?",
                        (PENDING,)).fetchone()[0]
