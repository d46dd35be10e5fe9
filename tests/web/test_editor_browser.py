"""The article editor's live preview in a real headless Chromium: what the author types is
shown as it will be published."""

from __future__ import annotations

from tests.web.browser import signed_in, sync_api


def test_lists_nested_by_three_spaces_are_nested_in_the_preview(page) -> None:
    signed_in(page)
    page.goto("/?q=recette tarte tatin")
    page.click("#offer-article")
    page.click("#write-article")
    page.wait_for_url("**/articles/*")
    page.fill("#body", "1. Ouvrir Banque\n   - choisir le compte\n      - puis Importer\n"
                       "2. Valider\n")
    nested = page.locator("#preview ol > li > ul > li > ul > li")
    sync_api.expect(nested).to_have_text("puis Importer")
    sync_api.expect(page.locator("#preview ol > li > ul > li").first).to_contain_text(
        "choisir le compte")
    assert page.locator("#preview ol > li").count() == 2
