"""Agnès's world and the table's vocabulary, shared by the route-by-role table and the hostile
input tests: her draft waiting for validation, her gap naming a customer and the article written
for it, a word search learned from one of her replies; how a response reads in the table; every route of the app; every row of the store."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.knowledge import articles, drafts, gaps, learning, synonyms
from kbtool.knowledge.reply import ChosenSection

CUSTOMER = "Durand"
QUESTION = f"Comment importer le relevé OFX de Mme {CUSTOMER} ?"

# Expected answers: an HTTP status, or one of these.
DONE = "done"          # a redirect without error message: the action was carried out
UNPUBLISHED = "approved, not published"  # done, then a message: the wiki could not be reached
REFUSED = "refused"    # a redirect back with an error message
LOGIN = "login"        # a redirect to the sign-in page
SAVED_REFUSED = "saved, then refused"  # the text on screen is kept, the action is refused
UNCHANGED = {REFUSED, LOGIN, 400, 403, 404, 405, 409, 413}  # the store is as before after these


@dataclass(frozen=True)
class World:
    """The ids of Agnès's things, by the name routes give them."""

    ids: dict[str, int]


def build_world(settings: Config) -> World:
    """Agnès's draft waiting for validation, her gap, the article submitted for it, and a
    word learned from a reply of hers, and a pair of the team's synonym table."""
    conn = store.connect(settings.get("web.database"))
    agnes = accounts.find_user(conn, "agnes")
    draft_id = drafts.create_draft(conn, agnes.id, "relevé", "", [ChosenSection(
        "Relevés", f"Import pour {CUSTOMER}", "https://wiki.example/releves")])
    validation_id = drafts.request_validation(conn, drafts.get_draft(conn, draft_id))
    gap_id = gaps.record(conn, agnes.id, QUESTION)
    article_id = articles.create(conn, agnes, "kb", gaps.get_gap(conn, gap_id))
    articles.save(conn, articles.get(conn, article_id), agnes, "Import OFX",
                  "kb", f"Pour {CUSTOMER} : …", ["kb"])
    articles.submit(conn, articles.get(conn, article_id), agnes)
    learning.learn(conn, "rapprochement", agnes.id, f"draft:{draft_id}",
                   [("wiki/faq/ecart_rapprochement.txt", "")], None, learning.Habits(90.0, 365))
    [learned_id] = [entry.id for entry in learning.vocabulary(conn)]
    pair = synonyms.add(conn, accounts.find_user(conn, "rene").id, "mail", "courriel", False)
    conn.close()
    return World({"draft_id": draft_id, "validation_id": validation_id, "gap_id": gap_id,
                  "article_id": article_id, "learned_id": learned_id, "pair_id": pair.pair_id})


def rows(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table of a database."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]
            for table in tables}


def snapshot(settings: Config) -> dict[str, list[tuple]]:
    """Every row of every table of the store."""
    conn = store.connect(settings.get("web.database"))
    try:
        return rows(conn)
    finally:
        conn.close()


def answer_of(client: FlaskClient, response: TestResponse) -> object:
    """The response as the table writes it."""
    if response.status_code != 302:
        return response.status_code
    if response.headers["Location"].startswith("/connexion?next="):
        return LOGIN
    with client.session_transaction() as session:
        flashed = session.get("_flashes", [])
    return REFUSED if any(category == "error" for category, _ in flashed) else DONE


def every_route(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
