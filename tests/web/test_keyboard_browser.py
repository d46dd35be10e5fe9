"""Keyboard first, in a real headless Chromium: from the question typed to the reply on the
clipboard in at most six keystrokes; shortcuts never fire while typing in a text field."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.web.browser import ARTIFACTS, signed_in, sync_api
from tests.web.drafting import QUERY

MAX_KEYSTROKES = 6


class Keyboard:
    """Presses keys on the page and counts them."""

    def __init__(self, page: sync_api.Page) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def active_id(page: sync_api.Page) -> str:
    return page.evaluate("document.activeElement.id")


def test_question_to_clipboard_in_six_keystrokes_at_most(page: sync_api.Page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    signed_in(page)
    assert active_id(page) == "q"
    page.keyboard.type(QUERY)  # the question's characters are not counted
    keys = Keyboard(page)

    keys.press("Enter")
    page.wait_for_selector("li.hit")
    first_link = page.locator("a.section-link").first.get_attribute("href")
    keys.press("j")
    assert active_id(page) == "pick-1-1"
    keys.press("x")
    assert page.inner_text("#pick-count") == "1"
    page.screenshot(path=str(ARTIFACTS / "keyboard-search.png"), full_page=True)
    keys.press("Enter")
    page.wait_for_url("**/brouillons/*")
    assert active_id(page) == "body"  # ready to edit the reply
    keys.press("Control+Enter")
    sync_api.expect(page.locator("#copy-status")).to_have_text("Réponse copiée.")

    assert keys.count <= MAX_KEYSTROKES
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.startswith("Bonjour,") and first_link in text
    assert page.csp_errors == []  # type: ignore[attr-defined]


def test_shortcuts_do_not_fire_while_typing(page: sync_api.Page) -> None:
    signed_in(page)
    page.goto(f"/?q={QUERY}")
    page.wait_for_selector("li.hit")
    page.focus("#ticket")
    page.keyboard.type("jxo?3/")
    assert page.input_value("#ticket") == "jxo?3/"
    assert active_id(page) == "ticket" and page.inner_text("#pick-count") == "0"
    assert page.locator("#shortcuts").is_hidden() and "kind=" not in page.url
    page.fill("#ticket", "")  # not a valid ticket number

    page.locator("a.brand").focus()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("Enter")
    page.wait_for_url("**/brouillons/*")
    before = page.input_value("#body")
    page.keyboard.type("jx?")
    assert page.input_value("#body") == "jx?" + before  # typed at the start, nothing fired
    assert page.locator("#shortcuts").is_hidden()


def test_question_mark_lists_the_shortcuts_and_o_reads_a_section(page: sync_api.Page) -> None:
    signed_in(page)
    page.goto(f"/?q={QUERY}")
    page.wait_for_selector("li.hit")
    page.locator("a.brand").focus()
    page.keyboard.press("?")
    sync_api.expect(page.locator("#shortcuts")).to_be_visible()
    sync_api.expect(page.locator("#shortcuts")).to_contain_text("Citer la section")
    page.keyboard.press("?")
    sync_api.expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("j")
    text = page.locator("li.section").first.locator(".section-body")
    sync_api.expect(text).to_be_hidden()
    page.keyboard.press("o")
    sync_api.expect(text).to_be_visible()
    assert active_id(page) == "pick-1-1"  # still on the section, ready to cite it


def test_one_keystroke_chooses_the_kind(page: sync_api.Page) -> None:
    signed_in(page)
    page.goto("/?q=banque")
    page.wait_for_selector("li.hit")
    page.locator("a.brand").focus()
    page.keyboard.press("1")
    page.wait_for_url("**kind=fonction**")
    sources = set(page.locator("span.source").all_inner_texts())
    assert sources == {"wiki"}
    page.locator("a.brand").focus()
    page.keyboard.press("3")
    page.wait_for_url("**kind=bug**")
    sync_api.expect(page.locator("#report-link")).to_be_visible()
    page.keyboard.press("j")
    page.keyboard.press("x")
    href = page.get_attribute("#report-link", "href")
    assert href.startswith("/signalement?q=banque&pick=")
    cited = page.locator("input.pick").first.get_attribute("value")
    page.keyboard.press("s")  # the page is another helper's: only the address is checked here
    page.wait_for_url("**/signalement?**")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["banque"], "pick": [cited]}
