"""Steps and readings shared by the tests of searching and drafting replies through the test
client: tick results, make a draft, ask for its validation, read what the store holds."""

from __future__ import annotations

import html
import re
import sqlite3

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.knowledge import drafts
from kbtool.knowledge.reply import ChosenSection
from tests.web.conftest import post

QUERY = "importer un relevé OFX"
PICK = re.compile(r'name="pick" id="[^"]+"\s+value="([^"]+)"')
SECTION_LINK = re.compile(r'class="section-link" href="([^"]+)"')


def events(settings: Config, kind: str) -> list[sqlite3.Row]:
    """The usage events of that kind, oldest first."""
    conn = store.connect(settings.get("web.database"))
    rows = conn.execute("SELECT * FROM events WHERE kind = ? ORDER BY id", (kind,)).fetchall()
    conn.close()
    return rows


def ticked(client: FlaskClient, count: int, query: str = QUERY) -> tuple[list[str], list[str]]:
    """Checkbox values and section links of the first ``count`` results of the search page."""
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    return PICK.findall(page)[:count], SECTION_LINK.findall(page)[:count]


def new_draft(client: FlaskClient, count: int = 2, ticket: str = "",
              kind: str = "") -> tuple[str, list[str]]:
    """Tick results, ask for a draft (for that kind of request); the draft page's path and the
    ticked links."""
    picks, links = ticked(client, count)
    response = post(client, "/brouillons", {"q": QUERY, "pick": picks, "ticket": ticket,
                                            "kind": kind})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"], links


def body_of(page: str) -> str:
    """The textarea's text as a browser reads it (the newline after the tag is not content)."""
    match = re.search(r'<textarea[^>]*id="body"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    return html.unescape(match.group(1))


def stored(settings: Config, path: str) -> tuple[sqlite3.Row, list[sqlite3.Row]]:
    """The draft at ``path`` as the store holds it, and its validation requests."""
    draft_id = int(path.rsplit("/", 1)[1])
    conn = store.connect(settings.get("web.database"))
    draft = conn.execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
    requests = conn.execute("SELECT * FROM validations WHERE draft_id = ?", (draft_id,)).fetchall()
    conn.close()
    return draft, requests


def ask_validation(client: FlaskClient, path: str, ticket: str = "",
                   body: str | None = None) -> TestResponse:
    """Press "Demander une validation" with that ticket and text on screen (the page's text by
    default)."""
    if body is None:
        body = body_of(client.get(path).get_data(as_text=True))
    return post(client, path + "/validation", {"ticket": ticket, "body": body})


def agnes_asks_validation(settings: Config, section: ChosenSection, query: str = "question",
                          ticket: str = "") -> int:
    """Agnès's draft citing that section, sent for validation straight through the store (as
    from another browser); the request's id."""
    conn = store.connect(settings.get("web.database"))
    agnes = accounts.find_user(conn, "agnes")
    draft_id = drafts.create_draft(conn, agnes.id, query, ticket, [section])
    validation_id = drafts.request_validation(conn, drafts.get_draft(conn, draft_id))
    conn.close()
    return validation_id
