"""Knowledge that stays true over a real DokuWiki (Igor and Kaos on loopback): pages edited and
deleted in the wiki behind kbtool's back, then ``kbtool reindex``, reach the reviewers'
dashboard; a published article gets its owner and "verified on" date, and is listed again for
verification once the window has passed."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kbtool import store
from kbtool.cli import main
from kbtool.config import Config
from kbtool.knowledge import articles
from kbtool.knowledge.verification import MONTH
from tests.web.conftest import login, post
from tests.web.reverifying import IMPORT, draft_citing
from tests.web.test_reverify import dashboard, to_reverify

PAGE = "tutoriel:import_releve"
TEXT = ("====== Import des relevés ======\nLes relevés de la banque.\n\n"
        f"===== Importer un relevé =====\n{IMPORT}\n")
HEAVY = TEXT.replace(IMPORT, "L'import manuel est supprimé : la synchronisation bancaire s'en "
                             "charge chaque nuit.")
ARTICLE = ("## Question\n\nComment lettrer les comptes de tiers ?\n\n## Réponse\n\nOuvrez le "
           "menu Comptabilité puis Lettrage, choisissez le compte du tiers et cochez les "
           "écritures qui se soldent avant de valider le lettrage.\n")


@pytest.fixture()
def settings(wiki_settings: Config) -> Config:
    """The app of this module reads and publishes to the test wiki."""
    return wiki_settings


def reindex(config_file: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """``kbtool reindex`` as cron runs it; what it printed."""
    capsys.readouterr()
    assert main(["--config", str(config_file), "reindex"]) == 0
    return capsys.readouterr().out


def other(client: FlaskClient, name: str) -> FlaskClient:
    """Another browser signed in as ``name``."""
    browser = client.application.test_client()
    assert login(browser, name).status_code == 302
    return browser


def test_a_section_edited_then_deleted_in_the_wiki(dokuwiki, wiki_config_file: Path,  # type: ignore[no-untyped-def]
                                                   as_user, capsys) -> None:
    dokuwiki.save(PAGE, TEXT)
    reindex(wiki_config_file, capsys)
    agnes = as_user("agnes")
    path = draft_citing(agnes, agnes.application, "importer un relevé OFX",
                        "importer_un_releve")
    rene = other(agnes, "rene")

    dokuwiki.save(PAGE, HEAVY)  # behind kbtool's back
    assert "to re-verify on the reviewers' dashboard: 1 cited section(s), 0 article(s)" in \
        reindex(wiki_config_file, capsys)
    listed = to_reverify(dashboard(rene))
    assert "Import des relevés – Importer un relevé" in listed and "modifiée (" in listed
    assert f"Réponse n° {path.rsplit('/', 1)[1]}" in listed
    [section_id] = {line.split('value="')[1].split('"')[0]
                    for line in listed.splitlines() if 'name="section"' in line}
    post(rene, "/tableau-de-bord/verifie", {"section": section_id})
    assert "Aucune section citée n'a changé." in to_reverify(dashboard(rene))
    assert "to re-verify" not in reindex(wiki_config_file, capsys)

    dokuwiki.delete(PAGE)
    reindex(wiki_config_file, capsys)
    assert "disparue (page supprimée)" in to_reverify(dashboard(rene))
    assert "n&#39;existe plus dans la documentation" in agnes.get(path).get_data(as_text=True)


def test_a_published_article_edited_in_the_wiki_and_due_for_verification(  # type: ignore[no-untyped-def]
        dokuwiki, wiki_config_file: Path, as_user, settings: Config, capsys) -> None:
    agnes = as_user("agnes")
    response = post(agnes, "/articles", {})
    article_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post(agnes, f"/articles/{article_id}", {"title": "Lettrer les comptes de tiers",
                                            "namespace": "kb", "body": ARTICLE,
                                            "action": "submit"})
    rene = other(agnes, "rene")
    post(rene, f"/relecture/{article_id}/decision", {"decision": "approve", "revision": "1"})
    conn = store.connect(settings.get("web.database"))
    article = articles.get(conn, article_id)
    assert article.status == articles.PUBLISHED
    assert (article.owner, article.verified_on) == ("agnes", article.published_at)
    shown = rene.get(f"/relecture/{article_id}").get_data(as_text=True)
    assert "Responsable : agnes" in shown

    dokuwiki.save(article.page_id, "====== Lettrer les comptes de tiers ======\nVoir le "
                  "nouveau module de rapprochement automatique.\n")  # behind kbtool's back
    reindex(wiki_config_file, capsys)
    listed = to_reverify(dashboard(rene))
    assert "Lettrer les comptes de tiers" in listed and "modifiée (" in listed
    assert "Article « Lettrer les comptes de tiers »" in listed

    # A year and a month later (the stored date moved back), a reply still cites the page.
    conn.execute("UPDATE articles SET verified_on = verified_on - ? WHERE id = ?",
                 (13 * MONTH, article_id))
    draft_citing(agnes, agnes.application, "lettrer comptes tiers",
                 "lettrer_les_comptes_de_tiers")
    page = dashboard(rene)
    due = page.split('id="articles-a-verifier"', 1)[1]
    assert "Lettrer les comptes de tiers" in due and "de agnes" in due

    post(rene, f"/relecture/{article_id}/responsable", {"owner": "albert"})
    post(rene, f"/relecture/{article_id}/verifie", {"back": "dashboard"})
    assert "Aucun article à vérifier." in dashboard(rene)
    assert "Responsable : albert" in rene.get(f"/relecture/{article_id}").get_data(as_text=True)
