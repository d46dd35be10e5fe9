"""Closing a knowledge gap with an existing page in a real headless Chromium: the page is picked
by searching, seen beside the question, and only then does the gap close."""

from __future__ import annotations

from tests.web.browser import ARTIFACTS, signed_in, sync_api

QUESTION = "écart de rapprochement bancaire inexpliqué"
ANSWER = "Mon rapprochement bancaire ne tombe pas juste"


def test_a_gap_closes_with_a_page_picked_by_search_and_confirmed(page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    signed_in(page)
    page.goto("/")
    page.fill("#q", QUESTION)
    page.press("#q", "Enter")
    page.click("button.secondary:has-text('Aucun de ces résultats')")
    page.goto("/questions")
    page.click(f"a:has-text('{QUESTION}')")
    page.wait_for_url("**/questions/*")
    gap_url = page.url.split("?")[0]
    assert page.locator("#page_id").count() == 0          # no internal id to type
    page.fill("#gap-search", "rapprochement écart")
    page.press("#gap-search", "Enter")
    choice = page.locator("#similar-list li", has_text=ANSWER)
    choice.locator("a.answers").click()
    sync_api.expect(page.locator("h1")).to_have_text(f"Cette page répond-elle à « {QUESTION} » ?")
    sync_api.expect(page.locator(".hit h2")).to_have_text(ANSWER)
    sync_api.expect(page.locator("#page-verdict")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "gap-confirm.png"), full_page=True)

    page.click("#cancel-page")                             # changed their mind: still open
    page.wait_for_url(gap_url)
    sync_api.expect(page.locator("#write-article")).to_be_visible()

    page.fill("#gap-search", "rapprochement écart")
    page.press("#gap-search", "Enter")
    page.locator("#similar-list li", has_text=ANSWER).locator("a.answers").click()
    page.click("#confirm-page")
    page.wait_for_url(gap_url)
    sync_api.expect(page.locator(".status-approved")).to_contain_text("Close")
    assert page.csp_errors == []  # type: ignore[attr-defined]
