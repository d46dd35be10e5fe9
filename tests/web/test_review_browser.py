"""The reviewers' navigation in a real headless Chromium: the badges of what waits for them follow
requests sent while the page stays open, without a reload."""

from __future__ import annotations

from flask import Flask

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.web import draftstore
from kbtool.web.reply import ChosenSection
from tests.web.browser import signed_in, sync_api

SECTION = ChosenSection("Rapprochement bancaire", "Importer un relevé OFX",
                        "https://wiki.exemple.org/doku.php?id=logiciel:rapprochement")


def _agnes_asks_validation(settings: Config) -> int:
    """Agnès sends a reply for validation (from another browser, as far as the page knows)."""
    conn = store.connect(settings.get("web.database"))
    agnes = accounts.find_user(conn, "agnes")
    draft_id = draftstore.create_draft(conn, agnes.id, "relevé OFX", "T-1", [SECTION])
    validation_id = draftstore.request_validation(conn, draftstore.get_draft(conn, draft_id))
    conn.close()
    return validation_id


def test_the_badge_counts_a_request_sent_while_the_page_stays_open(  # type: ignore[no-untyped-def]
        app: Flask, page, settings: Config) -> None:
    app.config["COUNTS_POLL_SECONDS"] = 0.2
    signed_in(page, "rene")
    badge = page.locator('nav [data-count="validations"]')
    sync_api.expect(badge).to_be_hidden()          # nothing waits: no badge
    page.evaluate("window.stayedOpen = true")     # gone if the page reloads
    _agnes_asks_validation(settings)
    sync_api.expect(badge).to_have_text("1")
    sync_api.expect(badge).to_be_visible()
    _agnes_asks_validation(settings)
    sync_api.expect(badge).to_have_text("2")
    assert page.evaluate("window.stayedOpen") is True
    assert page.csp_errors == []


def test_agents_poll_nothing(page) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    signed_in(page, "agnes")
    assert page.locator("[data-count]").count() == 0
    assert not any("/validations/compte" in url or "counts.js" in url for url in requests)
