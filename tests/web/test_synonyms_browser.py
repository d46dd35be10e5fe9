"""The synonym table in a real headless Chromium: a reviewer adds "mail → courriel" on the
Synonymes page; an agent who then searches "mail" reads "Recherché aussi : courriel" and gets
the page about courriel first."""

from __future__ import annotations

from tests.web.browser import ARTIFACTS, sign_in, signed_in, sync_api


def test_a_reviewer_s_pair_reaches_an_agent_s_search(page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    signed_in(page, "agnes")
    page.goto("/?q=courriel")
    courriel_first = page.locator("li.hit h2 a").first.inner_text()
    page.goto("/?q=mail")
    assert page.locator("#also-searched").count() == 0
    page.click("form.logout button")

    page.goto("/connexion")
    sign_in(page, "rene")
    page.wait_for_url("**/")
    page.click("nav >> text=Synonymes")
    page.fill("#synonym-term", "mail")
    page.select_option("form.synonym-add select[name=direction]", "one")
    page.fill("#synonym-synonym", "courriel")
    page.click("form.synonym-add button[type=submit]")
    sync_api.expect(page.locator("table.synonyms td.pair")).to_have_text("mail → courriel")
    page.screenshot(path=str(ARTIFACTS / "synonyms-page.png"), full_page=True)
    page.click("form.logout button")

    page.goto("/connexion")
    sign_in(page, "agnes")
    page.wait_for_url("**/")
    page.goto("/?q=mail")
    sync_api.expect(page.locator("#also-searched")).to_have_text("Recherché aussi : courriel")
    sync_api.expect(page.locator("li.hit h2 a").first).to_have_text(courriel_first)
    page.screenshot(path=str(ARTIFACTS / "synonyms-search.png"), full_page=True)
    assert page.csp_errors == []  # type: ignore[attr-defined]
