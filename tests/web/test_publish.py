"""Publication to a real DokuWiki (Debian's "Igor", served by php -S on loopback): the whole path
from a gap to a searchable page, a stopped wiki and the retry, a page created meanwhile, and two
reviewers acting at once."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from kbtool import store
from kbtool.cli import main
from kbtool.config import Config
from kbtool.index.store import IndexStore
from kbtool.index.search import Searcher
from kbtool.knowledge import articles, gaps, learning
from tests.dokuwiki import BOT, KAOS
from tests.web.conftest import login, post

@pytest.fixture()
def settings(wiki_settings: Config) -> Config:
    """The app of this module publishes to the test wiki."""
    return wiki_settings


def db(settings: Config):  # type: ignore[no-untyped-def]
    return store.connect(settings.get("web.database"))


def browser(client: FlaskClient, name: str) -> FlaskClient:
    """Another browser signed in as ``name``."""
    other = client.application.test_client()
    assert login(other, name).status_code == 302
    return other


def submit(agent: FlaskClient, title: str, body: str, gap_id: int | None = None,
           namespace: str = "kb") -> int:
    """Write and submit an article as that agent; its id."""
    response = post(agent, "/articles", {"gap": gap_id} if gap_id else {})
    article_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post(agent, f"/articles/{article_id}", {"title": title, "namespace": namespace,
                                            "body": body, "action": "submit"})
    return article_id


def decide(reviewer: FlaskClient, article_id: int, decision: str, revision: int,
           reason: str = "") -> str:
    """Post a decision; the page the reviewer lands on."""
    response = post(reviewer, f"/relecture/{article_id}/decision",
                    {"decision": decision, "revision": revision, "reason": reason})
    return reviewer.get(response.headers["Location"]).get_data(as_text=True)


def first_hit(client: FlaskClient, query: str) -> str:
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    titles = re.findall(r'<li class="hit"[^>]*>\s*<h2><a href="[^"]*">([^<]*)</a>', page)
    return titles[0] if titles else ""


QUESTION = "Comment rembourser les frais kilométriques des bénévoles ?"
FIRST = """## Question

Comment rembourser les frais kilométriques des bénévoles ?

## Réponse

Utilisez le **barème fiscal** ; voir la [doc](https://docs.example.org/benevoles).
"""
REVISED = FIRST + """
## Étapes

1. Menu *Dépenses > Frais*
2. Choisissez le bénévole

| Véhicule | Taux |
|---|---|
| Voiture | 0,324 |
"""
EXPECTED_WIKI_TEXT = """\
====== Rembourser les frais kilométriques des bénévoles ======

===== Question =====

Comment rembourser les frais kilométriques des bénévoles ?

===== Réponse =====

Utilisez le **barème fiscal** ; voir la [[https://docs.example.org/benevoles|doc]].

===== Étapes =====

  - Menu //Dépenses > Frais//
  - Choisissez le bénévole

^Véhicule^Taux ^
|Voiture |0,324|
"""
PAGE = "kb:rembourser_les_frais_kilometriques_des_benevoles"


def test_gap_to_article_to_searchable_page(dokuwiki, as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": QUESTION})
    [gap] = gaps.open_gaps(db(settings))
    article_id = submit(agnes, "Rembourser les frais kilométriques des bénévoles", FIRST, gap.id)
    rene = browser(agnes, "rene")
    decide(rene, article_id, "changes", 1, "Ajoutez les étapes et le barème.")
    post(agnes, f"/articles/{article_id}", {"title": "Rembourser les frais kilométriques des "
                                            "bénévoles", "namespace": "kb", "body": REVISED,
                                            "action": "submit"})
    assert "+| Voiture | 0,324 |" in rene.get(f"/relecture/{article_id}").get_data(as_text=True)

    page = decide(rene, article_id, "approve", 2)
    assert "Article publié dans le wiki" in page and "indexé" in page
    assert f'href="{dokuwiki.url}doku.php?id={PAGE}"' in page
    assert dokuwiki.page_file(PAGE).read_text(encoding="utf-8") == EXPECTED_WIKI_TEXT
    change = dokuwiki.last_change(PAGE)
    assert change["user"] == BOT.name and "validé par rene" in change["summary"]
    assert first_hit(agnes, "frais kilométriques bénévoles") == \
        "Rembourser les frais kilométriques des bénévoles"
    closed = gaps.get_gap(db(settings), gap.id)
    assert (closed.status, closed.closed_how, closed.closed_detail) == ("closed", "article", PAGE)
    assert closed.closed_by == "rene"  # the reviewer who approved, not the author
    assert "est publié dans le wiki" in agnes.get("/").get_data(as_text=True)


def test_a_stopped_wiki_keeps_the_article_until_a_retry(dokuwiki, as_user, settings: Config,
                                                        wiki_config_file: Path, capsys) -> None:
    agnes = as_user("agnes")
    article_id = submit(agnes, "Reçu fiscal perdu", "Réimprimez-le depuis le menu Dons.")
    rene = browser(agnes, "rene")
    dokuwiki.stop()
    try:
        page = decide(rene, article_id, "approve", 1)
        assert "validé, pas encore publié" in page and "connection failed" in page
        post(rene, f"/relecture/{article_id}/publier")
        assert articles.get(db(settings), article_id).status == "approved"
        assert main(["--config", str(wiki_config_file), "publish", "--retry"]) == 1
        out = capsys.readouterr().out  # English, as every CLI message: no French UI text
        assert f"article {article_id}: not published: " in out and "validé" not in out
    finally:
        dokuwiki.start()
    capsys.readouterr()
    assert main(["--config", str(wiki_config_file), "publish", "--retry"]) == 0
    assert capsys.readouterr().out == f"article {article_id}: published as kb:recu_fiscal_perdu\n"
    assert dokuwiki.page_file("kb:recu_fiscal_perdu").read_text(encoding="utf-8") == (
        "====== Reçu fiscal perdu ======\n\nRéimprimez-le depuis le menu Dons.\n")
    assert first_hit(agnes, "reçu fiscal perdu") == "Reçu fiscal perdu"


def test_a_refusing_wiki_keeps_the_article_approved_with_the_reason(
        dokuwiki, as_user, settings: Config) -> None:
    agnes = as_user("agnes")  # the bot may read but not write in `tutoriel`
    article_id = submit(agnes, "Installer sur Mac", "Non pris en charge.", namespace="tutoriel")
    page = decide(browser(agnes, "rene"), article_id, "approve", 1)
    call = "core.savePage" if dokuwiki.release is KAOS else "wiki.putPage"
    assert "validé, pas encore publié" in page and f"{call} refused" in page
    assert articles.get(db(settings), article_id).status == "approved"
    assert not dokuwiki.page_file("tutoriel:installer_sur_mac").exists()


def test_a_page_created_meanwhile_is_never_overwritten_without_asking(
        dokuwiki, as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = submit(agnes, "Changer de banque", "Créez un nouveau compte 512.")
    theirs = "====== Changer de banque ======\nPage écrite à la main.\n"
    dokuwiki.save("kb:changer_de_banque", theirs, user="admin")
    rene = browser(agnes, "rene")
    page = decide(rene, article_id, "approve", 1)
    assert "a été créée ou modifiée dans le wiki par admin" in page and 'id="overwrite"' in page
    assert dokuwiki.page_file("kb:changer_de_banque").read_text(encoding="utf-8") == theirs

    dokuwiki.save("kb:changer_de_banque", theirs + "Encore modifiée.\n", user="admin")
    response = post(rene, f"/relecture/{article_id}/remplacer",
                    {"revision": articles.get(db(settings), article_id).conflict})
    rene.get(response.headers["Location"])
    assert "Encore modifiée." in dokuwiki.page_file("kb:changer_de_banque").read_text()

    post(rene, f"/relecture/{article_id}/renommer", {"page_name": "Changer de banque (comptes)"})
    assert dokuwiki.page_file("kb:changer_de_banque_comptes").read_text(encoding="utf-8") == (
        "====== Changer de banque ======\n\nCréez un nouveau compte 512.\n")
    assert "Encore modifiée." in dokuwiki.page_file("kb:changer_de_banque").read_text()
    assert articles.get(db(settings), article_id).status == "published"


def test_retry_exits_1_while_a_conflict_keeps_an_article_unpublished(
        dokuwiki, as_user, settings: Config, wiki_config_file: Path, capsys) -> None:
    agnes = as_user("agnes")
    article_id = submit(agnes, "Changer de trésorier", "Transmettez la sauvegarde.")
    dokuwiki.save("kb:changer_de_tresorier", "Page écrite à la main.\n", user="admin")
    decide(browser(agnes, "rene"), article_id, "approve", 1)
    capsys.readouterr()
    for _ in range(2):  # the second run, too, must not report that nothing is waiting
        assert main(["--config", str(wiki_config_file), "publish", "--retry"]) == 1
        out = capsys.readouterr().out
        assert re.fullmatch(rf"article {article_id}: not published \(conflict: a reviewer "
                            r"decides in the web UI\): page kb:changer_de_tresorier was created "
                            r"or changed in the wiki \(revision [1-9]\d*\)\n", out), out
        assert "no approved article waiting" not in out
    assert dokuwiki.page_file("kb:changer_de_tresorier").read_text(encoding="utf-8") == (
        "Page écrite à la main.\n")


def test_replacing_the_revision_shown_publishes(dokuwiki, as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = submit(agnes, "Clôturer en décembre", "Menu Exercice > Clôturer.")
    dokuwiki.save("kb:cloturer_en_decembre", "Ébauche.\n", user="admin")
    rene = browser(agnes, "rene")
    decide(rene, article_id, "approve", 1)
    post(rene, f"/relecture/{article_id}/remplacer",
         {"revision": articles.get(db(settings), article_id).conflict})
    assert dokuwiki.page_file("kb:cloturer_en_decembre").read_text(encoding="utf-8") == (
        "====== Clôturer en décembre ======\n\nMenu Exercice > Clôturer.\n")
    trail = [e.action for e in articles.events(db(settings), article_id)]
    assert trail[-4:] == ["publish conflict", "overwrite accepted", "published", "indexed"]


def test_two_reviewers_acting_at_once_publish_once(dokuwiki, as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = submit(agnes, "Importer des adhérents", "Fichier CSV, menu Adhérents.")
    reviewers = [browser(agnes, "rene"), browser(agnes, "adam")]
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(client: FlaskClient, decision: str) -> None:
        start.wait()
        outcomes[decision] = decide(client, article_id, decision, 1, "Non, à reprendre.")

    threads = [threading.Thread(target=act, args=(client, decision))
               for client, decision in zip(reviewers, ("approve", "changes"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refused = [d for d, page in outcomes.items() if "a changé entre-temps" in page]
    assert len(refused) == 1
    final = articles.get(db(settings), article_id)
    page_file = dokuwiki.page_file("kb:importer_des_adherents")
    if refused == ["changes"]:
        assert final.status == "published" and page_file.exists()
        changes = page_file.parent.parent.parent / "meta/kb/importer_des_adherents.changes"
        assert len(changes.read_text().splitlines()) == 1
    else:
        assert final.status == "changes" and not page_file.exists()


LINKING = ("Voir [l'installation](tutoriel:installation) et "
           "[la sauvegarde]({url}doku.php?id=Tutoriel:Sauvegarde#menu).\n")


def test_links_to_wiki_pages_are_previewed_reviewed_and_published_as_wiki_links(
        dokuwiki, as_user, settings: Config) -> None:
    body = LINKING.format(url=dokuwiki.url)
    agnes = as_user("agnes")
    preview = post(agnes, "/articles/apercu", {"body": body}).get_data(as_text=True)
    assert f'href="{dokuwiki.url}doku.php?id=tutoriel:installation"' in preview
    assert f'href="{dokuwiki.url}doku.php?id=tutoriel:sauvegarde#menu"' in preview
    article_id = submit(agnes, "Lier les pages du wiki", body)
    rene = browser(agnes, "rene")
    wiki_text = ("Voir [[tutoriel:installation|l'installation]] et "
                 "[[tutoriel:sauvegarde#menu|la sauvegarde]].")
    assert str(escape(wiki_text)) in rene.get(f"/relecture/{article_id}").get_data(as_text=True)
    decide(rene, article_id, "approve", 1)
    assert wiki_text in dokuwiki.page_file("kb:lier_les_pages_du_wiki").read_text(
        encoding="utf-8")
    with IndexStore(settings.index_dir).open().searcher() as searcher:
        stored = searcher.document(page_id="wiki/kb/lier_les_pages_du_wiki.txt")
    assert stored["links"].split() == ["wiki/tutoriel/installation.txt",
                                       "wiki/tutoriel/sauvegarde.txt"]


def test_an_open_gap_is_offered_the_page_published_since_that_answers_it(
        dokuwiki, as_user, settings: Config) -> None:
    """Two wordings of one need ("fiches de paie", "bulletins de salaire") are two gaps; the
    article written from one closes it, and the other is then offered that page, to confirm."""
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": "éditer les bulletins de salaire des employés"})
    agnes.get("/", query_string={"q": "imprimer les fiches de paie"})
    other, written_from = sorted(gaps.open_gaps(db(settings)), key=lambda gap: gap.id)
    assert agnes.get(f"/questions/{other.id}").get_data(as_text=True).count("answer-found") == 0
    article_id = submit(agnes, "Imprimer les fiches de paie",
                        "## Réponse\n\nPour éditer les bulletins de salaire des employés, "
                        "imprimez les fiches de paie depuis le menu Paie.\n", written_from.id)
    decide(browser(agnes, "rene"), article_id, "approve", 1)
    assert gaps.get_gap(db(settings), written_from.id).status == "closed"

    gap_page = agnes.get(f"/questions/{other.id}").get_data(as_text=True)
    assert 'id="answer-found"' in gap_page and "Imprimer les fiches de paie" in gap_page
    confirm = re.compile(f"/questions/{other.id}/verifier\\?page_id=wiki(/|%2F)kb(/|%2F)"
                         "imprimer_les_fiches_de_paie.txt")
    assert confirm.search(gap_page)
    home = agnes.get("/").get_data(as_text=True)
    assert "réponse publiée : Imprimer les fiches de paie" in home and confirm.search(home)
    assert confirm.search(browser(agnes, "rene").get("/questions").get_data(as_text=True))
    assert gaps.get_gap(db(settings), other.id).status == "open"     # proposed, not closed
    post(agnes, f"/questions/{other.id}/page",
         {"page_id": "wiki/kb/imprimer_les_fiches_de_paie.txt"})
    assert gaps.get_gap(db(settings), other.id).status == "closed"


def test_a_gap_closed_by_its_article_teaches_search_the_published_page(
        dokuwiki, as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": "Comment facturer la location de la salle paroissiale ?"})
    other_agent = browser(agnes, "albert")
    other_agent.get("/", query_string={"q": "facturer la location de la salle paroissiale, Durand"})
    [gap] = gaps.open_gaps(db(settings))
    article_id = submit(agnes, "Facturer la location de la salle paroissiale", FIRST, gap.id)
    assert learning.vocabulary(db(settings)) == []
    decide(browser(agnes, "rene"), article_id, "approve", 1)
    entries = learning.vocabulary(db(settings))
    assert {entry.word for entry in entries} == {"facturer", "location", "salle", "paroissiale"}
    page_id = "wiki/kb/facturer_la_location_de_la_salle_paroissiale.txt"
    assert {(entry.page_id, entry.anchor) for entry in entries} == {(page_id, "")}
    assert Searcher(settings.index_dir).has_page(page_id)   # the index's own key for the page
    assert {(entry.uses, entry.agents) for entry in entries} == {(2, 2)}  # both askers
