"""What an agent sees of a search's confidence in a real headless Chromium: a confident search
says so and tells how many of its pages answer; the pages that answer carry a visible mark."""

from __future__ import annotations

import re

from tests.web.browser import ARTIFACTS, signed_in, sync_api


def test_a_confident_search_is_marked_and_counts_its_answers(page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    signed_in(page)
    page.goto("/?q=importer un relevé OFX")
    mark = page.locator("p.sure-answer")
    sync_api.expect(mark).to_be_visible()
    sync_api.expect(mark).to_contain_text("Réponse sûre")
    count = re.fullmatch(r"(\d+) pages? trouvées?, dont (\d+) sûres?( – .*)?",
                         page.inner_text("p.count"))
    assert count, page.inner_text("p.count")
    found, sure = int(count.group(1)), int(count.group(2))
    assert 1 <= sure < found
    marked = page.locator("li.hit .sure")
    assert 1 <= marked.count() <= sure
    sync_api.expect(marked.first).to_be_visible()
    sync_api.expect(page.locator("li.hit").first.locator(".sure")).to_have_text("réponse sûre")
    page.screenshot(path=str(ARTIFACTS / "search-sure.png"), full_page=True)

    page.goto("/?q=recette tarte tatin")
    sync_api.expect(page.locator("section.no-answer")).to_be_visible()
    assert page.locator("p.sure-answer").count() == 0 and page.locator(".sure").count() == 0
    assert page.csp_errors == []  # type: ignore[attr-defined]
