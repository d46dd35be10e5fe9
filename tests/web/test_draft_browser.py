"""The reply draft page in a real headless Chromium: what is on screen is what gets saved and sent
for validation; the draft saves itself; leaving with text not saved asks first."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from kbtool.config import Config
from tests.web.browser import sign_in, sync_api
from tests.web.drafting import QUERY, stored

EDITED = "Bonjour Mme Durand,\n\nVoir la page des relevés.\n\nCordialement,\nJeanne"


@pytest.fixture()
def draft_page(page):  # type: ignore[no-untyped-def]
    """Agnès signed in, on a fresh draft built from the first result of the search."""
    page.goto(f"/?q={QUERY}")
    sign_in(page, "agnes")
    page.locator("input.pick").first.check()
    page.click("#draft-button")
    page.wait_for_url("**/brouillons/*")
    return page


def leave_by_the_menu(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Click "Mes brouillons"; the dialogs the page raised (each is dismissed: the agent stays)."""
    dialogs: list[str] = []

    def stay(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.click("nav >> text=Mes brouillons")
    page.wait_for_load_state()
    page.remove_listener("dialog", stay)
    return dialogs


def test_every_button_that_submits_carries_the_text_on_screen(draft_page) -> None:  # type: ignore[no-untyped-def]
    carried = draft_page.evaluate("""() => {
        const body = document.getElementById("body"), ticket = document.getElementById("ticket");
        return Array.from(document.querySelectorAll("main [type=submit]")).map((button) =>
            [button.textContent.trim(),
             !!button.form && button.form.elements.body === body
                            && button.form.elements.ticket === ticket]);
    }""")
    assert any(label.startswith("Demander une validation") for label, _ in carried)
    assert all(ok for _, ok in carried), carried


def test_validation_request_sends_the_edits_on_screen(draft_page, live_server: str) -> None:
    draft_page.fill("#ticket", "INC-42")
    draft_page.fill("#body", EDITED)
    draft_page.click("text=Demander une validation")
    sync_api.expect(draft_page.locator(".status-pending")).to_contain_text(
        "En attente de validation")
    assert draft_page.input_value("#body") == EDITED
    assert draft_page.input_value("#ticket") == "INC-42"

    reviewer = draft_page.context.browser.new_context(base_url=live_server).new_page()
    reviewer.goto("/validations")
    sign_in(reviewer, "rene")
    reviewer.locator("a[href^='/validations/']").first.click()
    assert reviewer.input_value("#body") == EDITED  # the text sent, ready to be corrected
    assert draft_page.csp_errors == []


def test_the_draft_saves_itself(draft_page, settings: Config) -> None:  # type: ignore[no-untyped-def]
    path = urlsplit(draft_page.url).path
    draft_page.fill("#body", EDITED)
    sync_api.expect(draft_page.locator("#autosave-status")).to_contain_text("Enregistré à")
    assert stored(settings, path)[0]["body"] == EDITED
    assert leave_by_the_menu(draft_page) == []


def test_a_refused_save_says_so_keeps_the_text_and_leaving_warns(draft_page) -> None:  # type: ignore[no-untyped-def]
    url = draft_page.url
    draft_page.fill("#body", EDITED)
    draft_page.fill("#ticket", "<b>")
    sync_api.expect(draft_page.locator("#autosave-status")).to_contain_text(
        "Non enregistré : N° de ticket invalide.")
    assert leave_by_the_menu(draft_page) == ["beforeunload"]
    assert draft_page.url == url

    draft_page.click("text=Demander une validation")
    sync_api.expect(draft_page.locator(".flash-error")).to_contain_text(
        "Brouillon non enregistré")
    assert draft_page.input_value("#body") == EDITED
    assert draft_page.locator(".status-pending").count() == 0
    assert leave_by_the_menu(draft_page) == ["beforeunload"]

    draft_page.fill("#ticket", "INC-44")
    sync_api.expect(draft_page.locator("#autosave-status")).to_contain_text("Enregistré à")
    assert leave_by_the_menu(draft_page) == []
    assert "INC-44" in draft_page.inner_text("main")


def test_a_submit_waits_for_the_autosave_in_flight(draft_page, settings: Config) -> None:  # type: ignore[no-untyped-def]
    """An autosave still on its way must not land after the submit and overwrite its text."""
    path = urlsplit(draft_page.url).path
    held, submitted = [], []
    draft_page.route("**/enregistrement", lambda route: held.append(route))
    draft_page.on("request", lambda request: request.url.endswith("/validation")
                  and submitted.append(request.url))
    with draft_page.expect_request("**/enregistrement"):
        draft_page.fill("#body", "Première version.")
    draft_page.fill("#body", EDITED)
    draft_page.click("text=Demander une validation")
    draft_page.evaluate("() => 0")
    assert submitted == []  # held until the autosave has its answer

    with draft_page.expect_navigation():
        held[0].continue_()
    sync_api.expect(draft_page.locator(".status-pending")).to_contain_text(
        "En attente de validation")
    draft, [request] = stored(settings, path)
    assert draft["body"] == request["body"] == EDITED
