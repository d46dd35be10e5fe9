"""Learning from use in a real headless Chromium: an agent's copied reply teaches search, another
agent's search in other words finds the cited page first, and a reviewer reads "Vocabulaire
appris" and removes the tie, which the audit log on the same page then shows."""

from __future__ import annotations

from tests.web.browser import sign_in, signed_in, sync_api
from tests.web.test_learning import ASKED, ASKED_AGAIN

expect = sync_api.expect


def test_search_copy_then_the_reviewer_removes_what_was_learned(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    signed_in(page, "agnes")
    page.fill("#q", ASKED)
    page.press("#q", "Enter")
    page.wait_for_selector("li.hit")
    answer = page.locator("li.hit h2 a").first.inner_text()
    page.locator("input.pick").first.check()
    page.click("#draft-button")
    page.wait_for_url("**/brouillons/*")
    page.click("#copy-text")
    expect(page.locator("#copy-status")).to_have_text("Réponse copiée.")

    colleague = page.context.browser.new_context(base_url=live_server).new_page()
    signed_in(colleague, "albert")
    colleague.fill("#q", ASKED_AGAIN)
    colleague.press("#q", "Enter")
    expect(colleague.locator("li.hit h2 a").first).to_have_text(answer)
    expect(colleague.locator("nav >> text=Vocabulaire appris")).to_have_count(0)

    reviewer = page.context.browser.new_context(base_url=live_server).new_page()
    reviewer.goto("/connexion")
    sign_in(reviewer, "rene")
    reviewer.click("nav >> text=Vocabulaire appris")
    row = reviewer.locator("#learned tr", has=reviewer.locator("td.learned-word",
                                                               has_text="connecter"))
    expect(row).to_contain_text(answer)
    expect(row.locator("td").nth(2)).to_have_text("1")     # cited once…
    expect(row.locator("td").nth(3)).to_have_text("1")     # …by one agent
    row.get_by_role("button", name="Retirer").click()
    expect(reviewer.locator(".flash")).to_contain_text("Association retirée")
    expect(reviewer.locator("td.learned-word", has_text="connecter")).to_have_count(0)
    expect(reviewer.locator("#removals")).to_contain_text("« connecter »")
    expect(reviewer.locator("#removals")).to_contain_text("retirée par rene")
    assert page.csp_errors == [] and reviewer.url.endswith("/vocabulaire-appris")
