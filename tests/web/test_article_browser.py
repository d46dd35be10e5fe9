"""The knowledge-capture path in a real headless Chromium against a real DokuWiki: an agent's
search without answer becomes an article (live preview, similar pages, autosave that survives an
expired session), a reviewer approves it, the page is in the wiki and found at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.config import Config
from tests.web.browser import ARTIFACTS, sign_in, sync_api

QUESTION = "rembourser une cotisation payée deux fois"
PAGE = "kb:rembourser_une_cotisation_payee_deux_fois"


@pytest.fixture()
def settings(wiki_settings: Config) -> Config:
    """The app of this module publishes to the test wiki."""
    return wiki_settings


def test_agent_writes_reviewer_approves(page, live_server: str, dokuwiki) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/")
    sign_in(page, "agnes")
    page.fill("#q", QUESTION)
    page.press("#q", "Enter")
    page.fill("#gap-ticket", "T-77")
    page.click("#offer-article")
    page.click("#write-article")
    page.wait_for_url("**/articles/*")
    assert page.input_value("#title") == QUESTION

    page.fill("#title", "Installer le logiciel")  # an existing page of the wiki shows up
    sync_api.expect(page.locator("#similar-list")).to_contain_text("Installer le logiciel")
    page.fill("#title", "Rembourser une cotisation payée deux fois")
    page.fill("#body", "## Réponse\n\nFaites un **avoir** puis un remboursement.\n\n"
                       '<img src=x onerror="window.pwned = 1">')
    sync_api.expect(page.locator("#preview strong")).to_have_text("avoir")
    assert page.locator("#preview img").count() == 0
    sync_api.expect(page.locator("#autosave-status")).to_contain_text("Enregistré à")
    sync_api.expect(page.locator("#page-id")).to_have_text(PAGE)

    # The session expires while the agent types: the text stays in the browser and comes back.
    editor_url = page.url
    page.context.clear_cookies()
    page.fill("#body", "## Réponse\n\nFaites un **avoir**, puis remboursez par virement.")
    sync_api.expect(page.locator("#autosave-status")).to_contain_text("Session expirée")
    page.goto(editor_url)
    sign_in(page, "agnes")
    page.wait_for_url(editor_url)
    sync_api.expect(page.locator("#autosave-status")).to_contain_text("Enregistré à")
    assert "remboursez par virement" in page.input_value("#body")
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    page.click("#submit-article")
    sync_api.expect(page.locator("#article-status")).to_have_text("en validation")
    assert page.evaluate("window.pwned") is None
    assert page.csp_errors == []  # type: ignore[attr-defined]

    reviewer = page.context.browser.new_context(base_url=live_server, locale="fr-FR").new_page()
    reviewer.goto("/relecture")
    sign_in(reviewer, "rene")
    reviewer.click("text=Rembourser une cotisation payée deux fois")
    sync_api.expect(reviewer.locator(".article-view strong")).to_have_text("avoir")
    sync_api.expect(reviewer.locator("#questions-title + ul")).to_contain_text("T-77")
    reviewer.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
    reviewer.click("#approve")
    sync_api.expect(reviewer.locator(".flash-info")).to_contain_text("Article publié dans le wiki")
    assert reviewer.get_attribute("#wiki-link a", "href") == f"{dokuwiki.url}doku.php?id={PAGE}"
    sync_api.expect(reviewer.locator("#article-status")).to_have_text("publié")
    assert "remboursez par virement" in Path(dokuwiki.page_file(PAGE)).read_text(encoding="utf-8")

    page.goto("/?q=" + "cotisation payée deux fois avoir")
    sync_api.expect(page.locator("li.hit h2").first).to_have_text(
        "Rembourser une cotisation payée deux fois")
