"""The main path in a real headless Chromium: sign in, search, tick two results, draft, copy.

The app runs on a threaded HTTP server in the test process on 127.0.0.1; Playwright drives
Debian's Chromium (nothing is downloaded).  The clipboard is read back from the page, so the test sees what an agent would
paste.  Screenshots of the search and draft pages go to ``tests/_artifacts/``.
"""

from __future__ import annotations

from tests.web.browser import ARTIFACTS, sign_in, sync_api
from tests.web.drafting import QUERY


def clipboard(page: sync_api.Page, kind: str) -> str:
    """What the clipboard holds in that MIME type."""
    return page.evaluate("""async (kind) => {
        for (const item of await navigator.clipboard.read()) {
            if (item.types.includes(kind)) return await (await item.getType(kind)).text();
        }
        return null;
    }""", kind)


def test_sign_in_search_tick_two_draft_and_copy(page: sync_api.Page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/")
    sign_in(page, "agnes")
    page.wait_for_url("**/")
    assert page.evaluate("document.activeElement.id") == "q"

    page.fill("#q", QUERY)
    page.press("#q", "Enter")
    page.wait_for_selector("li.hit")
    page.locator("a.brand").focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"

    assert page.locator("#draft-button").is_disabled()
    picks = page.locator("input.pick")
    links = page.locator("a.section-link")
    chosen = [links.nth(0).get_attribute("href"), links.nth(1).get_attribute("href")]
    picks.nth(0).check()
    picks.nth(1).check()
    assert page.inner_text("#pick-count") == "2"
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

    page.click("#draft-button")
    page.wait_for_url("**/brouillons/*")
    page.screenshot(path=str(ARTIFACTS / "draft.png"), full_page=True)

    page.click("#copy-text")
    sync_api.expect(page.locator("#copy-status")).to_have_text("Réponse copiée.")
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.startswith("Bonjour,") and all(link in text for link in chosen)

    page.evaluate("document.getElementById('copy-status').textContent = ''")
    page.click("#copy-html")
    sync_api.expect(page.locator("#copy-status")).to_have_text("Réponse copiée.")
    html = clipboard(page, "text/html")
    assert all(f'<a href="{link.replace("&", "&amp;")}">' in html for link in chosen)
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_no_more_than_three_ticks(page: sync_api.Page) -> None:
    page.goto("/connexion")
    sign_in(page, "agnes")
    page.goto(f"/?q={QUERY}")
    picks = page.locator("input.pick")
    for number in range(3):
        picks.nth(number).check()
    assert picks.nth(3).is_disabled()
    picks.nth(0).uncheck()
    assert picks.nth(3).is_enabled()
