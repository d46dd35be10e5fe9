"""The bug path in a real headless Chromium: from a search to the request for missing elements,
the developers' ticket and the client message, whose promised deadline is caught before copying."""

from __future__ import annotations

from tests.web.browser import sign_in, sync_api
from tests.web.drafting import QUERY

expect = sync_api.expect


def clipboard(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("navigator.clipboard.readText()")


def copy(page, box: str) -> str:  # type: ignore[no-untyped-def]
    """Click the copy button of that text box; what the clipboard then holds.

    The button is there as soon as the page is parsed, its handler once the page's deferred
    script ran (at ``load``): a loaded machine shows the gap, so wait for both."""
    page.locator(f"button[data-copy={box}]").wait_for()
    page.wait_for_load_state("load")
    page.click(f"button[data-copy={box}]")
    expect(page.locator(f"button[data-copy={box}] + .copy-status")).to_have_text("Copié.")
    return clipboard(page)


def write_ticket(page) -> str:  # type: ignore[no-untyped-def]
    """Describe the problem for the developers (the title as prefilled), "Rédiger le ticket",
    copy it: the clipboard's text."""
    page.fill("#steps", "Ouvrir Banque > Relevés\nImporter le fichier OFX")
    page.fill("#environment", "Trésorio 5.2, Windows 11")
    page.fill("#observed", "Message « format inconnu »")
    page.fill("#expected", "Le relevé est importé")
    page.select_option("#urgency", "haute")
    page.click("#write-ticket")
    return copy(page, "ticket-text")


def test_from_a_search_to_the_ticket_and_the_client_message(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/?q={QUERY}")
    sign_in(page, "agnes")
    page.locator("input.pick").first.check()
    cited = page.locator("a.section-link").first.get_attribute("href")
    # The draft form's fields, sent to the bug path page as the search page's "bug" kind does.
    page.evaluate("""() => { const form = document.getElementById("draft-form");
        location = "/signalement?" + new URLSearchParams(new FormData(form)); }""")
    page.wait_for_url("**/signalement?**")
    expect(page.locator("#title")).to_have_value(QUERY)
    expect(page.locator("#description")).to_contain_text(cited)

    page.check("#have-version")
    page.check("#have-steps")
    page.click("#ask-elements")
    request = copy(page, "missing-request")
    assert "le message d'erreur exact" in request and "la version du logiciel" not in request
    expect(page.locator("#missing-request-warning")).to_be_hidden()
    page.fill("#missing-request", request + "\nNous corrigerons cela la semaine prochaine.")
    expect(page.locator("#missing-request-warning")).to_contain_text("« la semaine prochaine »")

    ticket = write_ticket(page)
    assert ticket.startswith(QUERY) and "2. Importer le fichier OFX" in ticket
    assert page.is_checked("#have-version")  # the ticks survived the post

    page.fill("#number", "BUG-4521")
    page.click("#message-created")
    message = copy(page, "client-message")
    assert "n° de ticket BUG-4521" in message
    expect(page.locator("#client-message-warning")).to_be_hidden()

    page.locator("#client-message").press("Control+End")
    page.locator("#client-message").type("\nLa correction sera livrée sous 48 h.")
    warning = page.locator("#client-message-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("« sous 48 h »")
    page.click("button[data-copy=client-message]")
    expect(page.locator("button[data-copy=client-message] + .copy-status")).to_contain_text(
        "Non copié")
    assert clipboard(page) == message  # the promise did not reach the clipboard
    assert "sous 48 h" in copy(page, "client-message")  # a second click: the agent has read it
    assert not page.csp_errors, page.csp_errors
