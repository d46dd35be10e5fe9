"""The team's procedure walked end to end in a real headless Chromium, one kind of request at a
time: a feature question and an accounting question from the search to the reply on the
clipboard (the first one also through a reviewer's correction), a bug from its error code to the
developers' ticket and the client message, missing elements and a mailing return to their next
step.

Each step leaves a viewport-sized screenshot in ``tests/_artifacts/guide/``; README's user guide
shows them (``scripts/update-guide-screenshots.sh`` copies them to ``docs/guide/``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from kbtool.config import Config
from tests.web.browser import ARTIFACTS, signed_in, sync_api
from tests.web.test_keyboard_browser import MAX_KEYSTROKES, Keyboard
from tests.web.test_ticket_browser import clipboard, copy, write_ticket

expect = sync_api.expect
GUIDE = ARTIFACTS / "guide"
VIEWPORT = {"width": 1100, "height": 720}  # small enough for the README's pictures
MAILING_PAGE = "procedures:retour_mailing"
TICKET_TITLE = "Import de relevé refusé : ERR-4012"
CORRECTED = "Bonjour,\n\nLe relevé OFX s'importe depuis Banque > Relevés.\n\nCordialement,\nRené"


@pytest.fixture()
def settings(settings: Config) -> Config:
    """The sample's settings with a mailing-return procedure page, as a team would set it."""
    return dataclasses.replace(settings, values={**settings.values,
                                                 "web.mailing_return_page": MAILING_PAGE})


@pytest.fixture()
def agent(page: sync_api.Page) -> sync_api.Page:
    """Agnès, signed in, in a window the size of the guide's pictures."""
    page.set_viewport_size(VIEWPORT)
    GUIDE.mkdir(parents=True, exist_ok=True)
    signed_in(page, "agnes")
    return page


@pytest.fixture()
def reviewer(page: sync_api.Page, live_server: str) -> Iterator[sync_api.Page]:
    """René, a reviewer, signed in in a second browser context (his own cookies)."""
    context = page.context.browser.new_context(base_url=live_server, locale="fr-FR",
                                               viewport=VIEWPORT)
    other = context.new_page()
    signed_in(other, "rene")
    yield other
    context.close()


def shot(page: sync_api.Page, name: str, show: str = "") -> None:
    """The step as the user sees it: the window only, not the whole page (scrolled to put the
    element ``show`` in its middle, when given)."""
    if show:
        page.locator(show).evaluate("element => element.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(GUIDE / f"{name}.png"))


def ask(page: sync_api.Page, question: str) -> Keyboard:
    """Type the question in the search box (its characters are not counted); the counter of
    the keys pressed from then on."""
    page.goto("/")
    page.keyboard.type(question)
    return Keyboard(page)


def cite_first_and_copy(page: sync_api.Page, keys: Keyboard, kind_key: str, kind: str,
                        name: str) -> str:
    """Search, choose the kind, cite the first section, draft, copy: the clipboard's text."""
    keys.press("Enter")
    page.wait_for_selector("li.hit")
    keys.press(kind_key)
    page.wait_for_url(f"**kind={kind}**")
    page.wait_for_selector("li.hit")
    keys.press("j")
    keys.press("x")
    expect(page.locator("#pick-count")).to_have_text("1")
    shot(page, f"{name}-search")
    cited = page.locator("a.section-link").first.get_attribute("href")
    keys.press("Enter")
    page.wait_for_url("**/brouillons/*")
    keys.press("Control+Enter")
    expect(page.locator("#copy-status")).to_have_text("Réponse copiée.")
    shot(page, f"{name}-draft", show="#body")
    text = clipboard(page)
    assert text.startswith("Bonjour,") and cited in text
    return text


def test_a_feature_question_to_the_clipboard_then_through_a_reviewer(
        agent: sync_api.Page, reviewer: sync_api.Page) -> None:
    keys = ask(agent, "importer un relevé OFX")
    cite_first_and_copy(agent, keys, "1", "fonction", "1-fonction")
    assert keys.count <= MAX_KEYSTROKES
    assert set(agent.locator("#draft-kind").all_inner_texts()) == {
        "Type de demande : Question fonctionnelle"}

    agent.click("text=Demander une validation")
    expect(agent.locator(".status-pending")).to_be_visible()
    shot(agent, "1-fonction-validation-asked")

    reviewer.goto("/validations")
    reviewer.click("text=Examiner")
    expect(reviewer.locator("#review-kind")).to_have_text("Question fonctionnelle")
    expect(reviewer.locator("#review-context")).to_contain_text("« importer un relevé OFX »")
    expect(reviewer.locator("blockquote.section-text").first).to_be_visible()
    reviewer.fill("#body", CORRECTED)
    shot(reviewer, "6-reviewer-corrects", show="#review-context")
    reviewer.click("button[value=approve]")
    reviewer.wait_for_url("**/validations")
    expect(reviewer.locator(".decisions")).to_contain_text("validée après correction par rene")

    agent.reload()
    expect(agent.locator("#corrected")).to_contain_text("Texte corrigé par rene avant validation")
    assert agent.inner_text("#corrected pre.reply") == CORRECTED
    shot(agent, "1-fonction-corrected")
    assert agent.csp_errors == []


def test_an_accounting_question_searches_the_documentation(agent: sync_api.Page) -> None:
    keys = ask(agent, "reçu fiscal pour un don")
    text = cite_first_and_copy(agent, keys, "2", "compta", "2-compta")
    assert "https://docs.exemple.org/" in text
    expect(agent.locator("#draft-kind")).to_have_text("Type de demande : Question comptable")
    assert agent.csp_errors == []


def searched(page: sync_api.Page, question: str) -> None:
    """Type the question and press Enter: the results page."""
    ask(page, question).press("Enter")
    page.wait_for_url("**/?q=**")


def test_a_bug_shows_its_known_problem_then_the_procedure(agent: sync_api.Page) -> None:
    searched(agent, "ERR-4012")
    expect(agent.locator("#request-kind")).to_contain_text(
        "Bogue ou évolution (deviné d'après la question)")
    expect(agent.locator("li.hit h2").first).to_have_text("ERR-4012 : Fichier de relevé illisible")
    assert agent.locator(".known-problems li.hit").count() >= 1  # above the other results
    agent.locator("input.pick").first.check()
    shot(agent, "3-bug-known-problem")
    cited = agent.locator("a.section-link").first.get_attribute("href")

    agent.click("#report-link")
    agent.wait_for_url("**/signalement?**")
    expect(agent.locator("#description")).to_contain_text(cited)
    agent.check("#have-version")
    agent.click("#ask-elements")
    request = copy(agent, "missing-request")
    assert "le message d'erreur exact" in request and "la version du logiciel" not in request
    shot(agent, "3-bug-missing-elements")

    agent.fill("#title", TICKET_TITLE)
    ticket = write_ticket(agent)
    assert ticket.startswith(TICKET_TITLE) and cited in ticket
    shot(agent, "3-bug-ticket", show="#ticket-text")

    agent.fill("#number", "BUG-4521")
    agent.click("#message-created")
    assert "n° de ticket BUG-4521" in copy(agent, "client-message")
    shot(agent, "3-bug-client-message")
    assert agent.csp_errors == []


def test_a_bug_is_guessed_from_its_words(agent: sync_api.Page) -> None:
    searched(agent, "le fichier de relevé plante")
    expect(agent.locator("#request-kind")).to_contain_text(
        "Bogue ou évolution (deviné d'après la question)")
    expect(agent.locator(".known-problems")).to_contain_text(
        "ERR-4012 : Fichier de relevé illisible")
    expect(agent.locator("#report-link")).to_have_text("Signaler aux développeurs")
    shot(agent, "3-bug-guessed")


def test_missing_elements_lead_to_the_report(agent: sync_api.Page) -> None:
    searched(agent, "relevé incomplet")
    agent.keyboard.press("4")
    agent.wait_for_url("**kind=manque**")
    expect(agent.locator("#request-kind")).to_contain_text("Éléments manquants")
    shot(agent, "4-manque")
    agent.click("#report-link")
    agent.wait_for_url("**/signalement?q=relev**")
    expect(agent.locator("#elements-title")).to_be_visible()


def test_a_mailing_return_links_to_its_procedure(agent: sync_api.Page) -> None:
    searched(agent, "retour de mailing adresse invalide")
    agent.keyboard.press("5")
    agent.wait_for_url("**kind=mailing**")
    link = agent.locator("#mailing-procedure")
    expect(link).to_have_text("Procédure des retours de mailing")
    assert link.get_attribute("href") == f"https://wiki.exemple.org/doku.php?id={MAILING_PAGE}"
    shot(agent, "5-mailing")


def test_the_shortcuts_list(agent: sync_api.Page) -> None:
    searched(agent, "importer un relevé OFX")
    agent.keyboard.press("?")
    expect(agent.locator("#shortcuts")).to_be_visible()
    shot(agent, "7-shortcuts", show="#shortcuts")

