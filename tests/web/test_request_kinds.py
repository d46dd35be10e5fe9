"""Kinds of request on the search page over the sample index: the sources a kind searches, known
problems first for a bug, the links to the developers' report and the mailing procedure, and a
section's text readable in place."""

from __future__ import annotations

import dataclasses
import html
import re
from urllib.parse import parse_qs

import pytest
from flask.testing import FlaskClient

from kbtool.config import Config
from kbtool.web import create_app
from tests.web.conftest import login, post
from tests.web.drafting import PICK

SOURCE = re.compile(r'<span class="source">([^<]+)</span>')
HIT_TITLE = re.compile(r'<li class="hit"[^>]*>\s*<h2><a href="[^"]*">([^<]+)</a>')


@pytest.fixture()
def agent(as_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    return as_user("agnes")


def search(client: FlaskClient, **args: str) -> str:
    response = client.get("/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("kind", "sources"), [("fonction", {"wiki"}), ("compta", {"docs"})])
def test_a_kind_sets_the_sources_searched(agent: FlaskClient, kind: str, sources: set) -> None:
    assert set(SOURCE.findall(search(agent, q="banque"))) == {"wiki", "docs"}
    page = search(agent, q="banque", kind=kind)
    assert set(SOURCE.findall(page)) == sources
    assert f'<option value="{kind}" data-key' in page and "selected" in page
    assert f"sources cherchées : {sources.pop()}" in page


def test_a_ticked_source_wins_over_the_kind(agent: FlaskClient) -> None:
    page = search(agent, q="banque", kind="fonction", source="docs")
    assert set(SOURCE.findall(page)) == {"docs"}


def test_an_unknown_kind_is_no_kind(agent: FlaskClient) -> None:
    page = search(agent, q="banque", kind="<script>")
    assert set(SOURCE.findall(page)) == {"wiki", "docs"}
    assert "Type de demande : <strong>" not in page


@pytest.mark.parametrize("query", ["ERR-4012", "le fichier de relevé plante",
                                   "message d'erreur à l'import du relevé"])
def test_a_bug_shows_known_problems_first(agent: FlaskClient, query: str) -> None:
    page = search(agent, q=query)
    assert "(deviné d'après la question)" in page and "Bogue ou évolution" in page
    known, rest = page.split('id="known-title"')[1].split("</section>", 1)
    assert "ERR-4012 : Fichier de relevé illisible" in HIT_TITLE.findall(known)
    assert set(re.findall(r'<span class="namespace">([^<]+)</span>', known)) == {"erreurs"}
    assert "ERR-4012 : Fichier de relevé illisible" not in rest  # shown once


def test_the_page_naming_the_error_code_comes_first(agent: FlaskClient) -> None:
    known = search(agent, q="ERR-2031 écriture").split('id="known-title"')[1]
    assert HIT_TITLE.findall(known)[0] == "ERR-2031 : Exercice clôturé, écriture refusée"


def test_no_known_problems_for_another_kind(agent: FlaskClient) -> None:
    page = search(agent, q="ERR-4012", kind="fonction")
    assert 'id="known-title"' not in page and "report-link" not in page


def test_known_problems_follow_the_configured_namespace(settings: Config) -> None:
    settings = dataclasses.replace(settings, values={
        **settings.values, "search.known_problems_namespace": "faq"})
    client = create_app(settings, testing=True).test_client()
    login(client, "agnes")
    known = search(client, q="relevé plante").split('id="known-title"')[1].split("</section>")[0]
    assert set(re.findall(r'<span class="namespace">([^<]+)</span>', known)) == {"faq"}


@pytest.mark.parametrize("kind", ["bug", "manque"])
@pytest.mark.parametrize("query", ["relevé & import", "x&pick=forged", "a#b", "a?b=c",
                                   '"><script>alert(1)</script>', "a\tb", "//evil.example/x",
                                   "javascript:alert(1)", "%00%0d%0a"])
def test_bug_and_missing_elements_link_to_the_report(agent: FlaskClient, kind: str,
                                                     query: str) -> None:
    """The query travels whole as the one ``q`` parameter, whatever it holds."""
    page = search(agent, q=query, kind=kind)
    link = html.unescape(re.search(r'<a id="report-link" href="([^"]+)"', page).group(1))
    path, _, arguments = link.partition("?")
    assert path == "/signalement" and parse_qs(arguments) == {"q": [query.strip()]}


def test_citing_a_known_problem_drafts_the_usual_reply(agent: FlaskClient) -> None:
    page = search(agent, q="ERR-4012")
    known = page.split('id="known-title"')[1].split("</section>")[0]
    pick = PICK.findall(known)[0]
    response = post(agent, "/brouillons", {"q": "ERR-4012", "pick": pick})
    draft = agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bonjour," in draft and "doku.php?id=erreurs:err-4012" in draft


def test_mailing_return_links_to_the_configured_procedure(settings: Config) -> None:
    assert "mailing-procedure" not in search(login_client(settings), q="retour", kind="mailing")
    settings = dataclasses.replace(settings, values={
        **settings.values, "web.mailing_return_page": "procedures:retour_mailing"})
    page = search(login_client(settings), q="retour", kind="mailing")
    assert ('<a id="mailing-procedure" href="https://wiki.exemple.org/doku.php?'
            'id=procedures:retour_mailing">Procédure des retours de mailing</a>') in page


def login_client(settings: Config) -> FlaskClient:
    client = create_app(settings, testing=True).test_client()
    login(client, "agnes")
    return client


def test_a_section_reads_in_place_as_indexed(agent: FlaskClient) -> None:
    page = search(agent, q="ERR-4012")
    body = re.search(r'<div class="section-body">(.*?)</div>', page, re.S).group(1)
    assert "Lire la section" in page
    assert "format ou encodage non reconnu" in html.unescape(body)


def test_namespace_filter_is_called_rubrique(agent: FlaskClient) -> None:
    page = search(agent, q="banque")
    assert '<label for="ns">Rubrique</label>' in page and "Espace de noms" not in page


def test_shortcuts_are_listed_on_search_and_draft_pages(agent: FlaskClient) -> None:
    page = search(agent, q="ERR-4012")
    assert 'id="shortcuts"' in page and "<kbd>x</kbd>" in page
    results = search(agent, q="ERR-4012")
    assert not re.search(r'<input type="search" id="q"[^>]*autofocus', results)


def test_paging_and_suggestions_keep_the_kind(agent: FlaskClient) -> None:
    page = search(agent, q="banque", kind="fonction")
    assert re.search(r'<a rel="next" href="[^"]*kind=fonction', page)
    assert "kind=" not in re.search(r'<a rel="next" href="([^"]*)"', search(agent, q="banque")
                                    ).group(1)
