"""Re-verification in a real headless Chromium: a reviewer finds on the dashboard the section a
reply cites, edited in the wiki since, and marks it verified."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from kbtool.config import Config
from tests.web.browser import ARTIFACTS, signed_in, sync_api
from tests.web.conftest import login
from tests.web.reverifying import draft_citing, edit_wiki, folder_settings
from tests.web.test_reverify import HEAVY, QUERY

expect = sync_api.expect


@pytest.fixture()
def settings(tmp_path: Path) -> Config:
    return folder_settings(tmp_path)


def test_a_reviewer_sees_a_changed_section_and_marks_it_verified(  # type: ignore[no-untyped-def]
        app: Flask, page, settings: Config) -> None:
    agent = app.test_client()
    assert login(agent, "agnes").status_code == 302
    draft_citing(agent, app, QUERY, "importer_un_releve")
    edit_wiki(settings, {"logiciel/banque.txt": HEAVY})

    signed_in(page, "rene")
    page.goto("/tableau-de-bord")
    row = page.locator("#sections-to-reverify tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td.finding")).to_contain_text("modifiée")
    expect(row).to_contain_text("Banque – Importer un relevé")
    expect(row).to_contain_text("de agnes")
    row.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reverify-dashboard.png"))
    row.get_by_role("button", name="Vérifié").click()
    page.wait_for_url("**/tableau-de-bord#a-reverifier")
    expect(page.locator(".flash")).to_contain_text("vérifiée")
    expect(page.locator("#sections-to-reverify")).to_have_text(
        "Aucune section citée n'a changé.")
    assert page.csp_errors == []
