"""Layout in a real headless Chromium: nothing wider than the window, at a desktop width with
a long unbroken line in the text under review, and at a phone's width (390 px) on every main
page; checkboxes one size everywhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.knowledge import articles, drafts, gaps
from kbtool.knowledge.reply import ChosenSection
from tests.web.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, sign_in, sync_api

LONG_LINE = "https://exemple.org/" + "tres-long-chemin-" * 60
QUESTION = "comment rembourser une cotisation payée deux fois par un paroissien"

# Elements wider than the window (or reaching past its right edge), as "tag#id.class: width".
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      found.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}: ${Math.round(box.right)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, found};
}"""


@pytest.fixture()
def app(settings: Config) -> Flask:
    """The app with one gap, one article under review, one reply draft (René's) and one reply
    waiting for validation (Agnès's), each holding a long unbroken line."""
    from kbtool.web import create_app

    conn = store.connect(settings.get("web.database"))
    agnes = accounts.find_user(conn, "agnes")
    gaps.record(conn, agnes.id, QUESTION + " " + LONG_LINE, "T-1")
    article_id = articles.create(conn, agnes, "kb")
    article = articles.get(conn, article_id)
    articles.save(conn, article, agnes, "Rembourser une cotisation", "kb",
                  f"## Réponse\n\nVoir {LONG_LINE}\n\n```\n{LONG_LINE}\n```\n", ["kb"])
    articles.submit(conn, articles.get(conn, article_id), agnes)
    rene = accounts.find_user(conn, "rene")
    drafts.create_draft(conn, rene.id, QUESTION, "T-1", [ChosenSection(
        "Cotisations", "Rembourser", LONG_LINE)])
    asked = drafts.create_draft(conn, agnes.id, QUESTION + " " + LONG_LINE, "T-2", [
        ChosenSection("Importer les relevés", "Importer les relevés bancaires (OFX, CSV)",
                      LONG_LINE, "wiki/logiciel/import_releves.txt",
                      "importer_les_releves_bancaires_ofx_csv")])
    drafts.request_validation(conn, drafts.get_draft(conn, asked))
    conn.close()
    return create_app(settings, testing=True)


def _browser_page(live_server: str, width: int) -> Iterator[sync_api.Page]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server, locale="fr-FR",
                                      viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto("/connexion")
        sign_in(page, "rene")
        page.wait_for_url("**/")
        yield page
        browser.close()


@pytest.fixture()
def desktop(live_server: str) -> Iterator[sync_api.Page]:
    yield from _browser_page(live_server, 1200)


@pytest.fixture()
def phone(live_server: str) -> Iterator[sync_api.Page]:
    yield from _browser_page(live_server, 390)


def _review_page(page: sync_api.Page) -> None:
    page.goto("/relecture")
    page.click("a[href^='/relecture/']")
    page.wait_for_selector("#wiki-text", state="attached")
    page.click("details.wiki-text summary")


def test_the_wiki_text_under_review_wraps(desktop: sync_api.Page) -> None:
    _review_page(desktop)
    layout = desktop.evaluate(OVERFLOWING)
    assert layout["found"] == [], "\n".join(layout["found"])
    assert layout["scroll"] <= layout["width"]


MAIN_PAGES = ["/", "/?q=importer+un+relev%C3%A9+OFX", "/?q=licorne+spatiale+violette",
              "/brouillons", "/articles", "/questions", "/validations", "/relecture",
              "/tableau-de-bord", "/profil", "/questions/1", "/articles/1", "/brouillons/1",
              "/validations/1", "review", "/signalement?q=importer+un+relev%C3%A9+OFX"]


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_nothing_is_wider_than_a_phone(phone: sync_api.Page, path: str) -> None:
    if path == "review":
        _review_page(phone)
    else:
        phone.goto(path)
    layout = phone.evaluate(OVERFLOWING)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"phone{path.replace('/', '_')[:40]}.png"))
    assert layout["found"] == [], "\n".join(layout["found"])
    assert layout["scroll"] <= layout["width"]


def test_checkboxes_are_one_size(desktop: sync_api.Page) -> None:
    sizes = set()
    for path in ["/?q=importer+un+relev%C3%A9+OFX", "/?q=licorne+spatiale+violette"]:
        desktop.goto(path)
        sizes |= {tuple(size) for size in desktop.eval_on_selector_all(
            "input[type=checkbox]", "els => els.map(e => [e.offsetWidth, e.offsetHeight])")}
    assert len(sizes) == 1, sizes
