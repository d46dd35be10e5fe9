"""The reviewers' navigation in a real headless Chromium: the badges of what waits for them follow
requests sent while the page stays open, without a reload."""

from __future__ import annotations

from flask import Flask

from kbtool.config import Config
from kbtool.knowledge.reply import ChosenSection
from tests.web.browser import signed_in, sync_api
from tests.web.drafting import agnes_asks_validation

SECTION = ChosenSection("Rapprochement bancaire", "Importer un relevé OFX",
                        "https://wiki.exemple.org/doku.php?id=logiciel:rapprochement")


def test_the_badge_counts_a_request_sent_while_the_page_stays_open(  # type: ignore[no-untyped-def]
        app: Flask, page, settings: Config) -> None:
    app.config["COUNTS_POLL_SECONDS"] = 0.2
    signed_in(page, "rene")
    badge = page.locator('nav [data-count="validations"]')
    sync_api.expect(badge).to_be_hidden()          # nothing waits: no badge
    page.evaluate("window.stayedOpen = true")     # gone if the page reloads
    agnes_asks_validation(settings, SECTION)
    sync_api.expect(badge).to_have_text("1")
    sync_api.expect(badge).to_be_visible()
    agnes_asks_validation(settings, SECTION)
    sync_api.expect(badge).to_have_text("2")
    assert page.evaluate("window.stayedOpen") is True
    assert page.csp_errors == []


def test_agents_poll_nothing(page) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    signed_in(page, "agnes")
    assert page.locator("[data-count]").count() == 0
    assert not any("/validations/compte" in url or "counts.js" in url for url in requests)


def test_a_reviewer_corrects_the_reply_then_approves_it(page, settings: Config) -> None:  # type: ignore[no-untyped-def]
    validation_id = agnes_asks_validation(settings, SECTION, query="relevé OFX", ticket="T-7")
    signed_in(page, "rene")
    page.goto(f"/validations/{validation_id}")
    sync_api.expect(page.locator("#review-context")).to_contain_text("« relevé OFX »")
    sync_api.expect(page.locator("#review-context")).to_contain_text("T-7")
    page.fill("#body", "Bonjour,\n\nTexte corrigé.\n\nCordialement")
    page.click("button[value=approve]")
    page.wait_for_url("**/validations")
    sync_api.expect(page.locator(".decisions")).to_contain_text("validée après correction par rene")
    assert page.csp_errors == []
