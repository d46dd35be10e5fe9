"""The search page over the real sample index: results, filters, paging, no-answer signals, log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kbtool.config import Config
from kbtool.web import create_app
from kbtool.web.filters import safe_url, snippet
from tests.web.conftest import login, post, sample_settings
from tests.web.drafting import SECTION_LINK, events


@pytest.fixture()
def agent(as_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    return as_user("agnes")


def test_empty_page_has_a_focused_search_box_with_shortcut(agent: FlaskClient) -> None:
    page = agent.get("/").get_data(as_text=True)
    box = re.search(r'<input type="search" id="q"[^>]*>', page, re.S).group(0)
    assert "autofocus" in box and 'accesskey="k"' in box
    assert "<kbd>/</kbd>" in page


def test_results_link_to_exact_sections_with_highlighted_snippets(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "importer un relevé OFX"}).get_data(as_text=True)
    assert "Importer les relevés bancaires (OFX, CSV)" in page
    links = SECTION_LINK.findall(page)
    assert links and all("#" in link for link in links)
    assert "doku.php?id=logiciel:import_releves#importer_dans_tresorio" in page
    assert "<mark>OFX</mark>" in page
    assert "modifiée le" in page
    assert "Pas de réponse sûre" not in page


def test_results_are_grouped_by_page(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "importer un relevé OFX"}).get_data(as_text=True)
    first_hit = page.split('<li class="hit" ')[1]
    assert first_hit.count('class="section"') > 1


def test_source_filter_keeps_that_source_only(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "banque", "source": "docs"}).get_data(as_text=True)
    sources = re.findall(r'<span class="source">([^<]+)</span>', page)
    assert sources and set(sources) == {"docs"}
    assert '<option value="docs" selected>' in page


def test_namespace_filter_keeps_that_namespace_only(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "banque", "ns": "faq"}).get_data(as_text=True)
    namespaces = re.findall(r'<span class="namespace">([^<]+)</span>', page)
    assert namespaces and set(namespaces) == {"faq"}


def test_paging_shows_other_pages(agent: FlaskClient) -> None:
    first = agent.get("/", query_string={"q": "importer un relevé OFX"}).get_data(as_text=True)
    assert "page 1 sur" in first and 'rel="next"' in first
    second = agent.get("/", query_string={"q": "importer un relevé OFX", "page": 2})
    text = second.get_data(as_text=True)
    assert "page 2 sur" in text and 'rel="prev"' in text
    assert set(SECTION_LINK.findall(text)).isdisjoint(SECTION_LINK.findall(first))


def test_did_you_mean(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "rapprochment bancaire"}).get_data(as_text=True)
    assert "Vouliez-vous dire" in page
    assert "q=rapprochement+bancaire" in page


def test_no_confident_answer_is_said_plainly_with_an_offer(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "recette tarte tatin"}).get_data(as_text=True)
    assert "Pas de réponse sûre dans la base de connaissances" in page
    assert "Rédiger la réponse comme nouvel article" in page


def test_a_confident_search_says_so_and_counts_the_pages_that_answer(
        agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "importer un relevé OFX"}).get_data(as_text=True)
    mark = re.search(r'<p class="sure-answer"[^>]*>(.*?)</p>', page, re.S)
    assert mark and "Réponse sûre" in mark.group(1)
    count = re.search(r'<p class="count">(\d+) pages? trouvées?, dont (\d+) sûres?', page)
    assert count and 1 <= int(count.group(2)) < int(count.group(1))
    assert 1 <= page.count('class="sure"') <= int(count.group(2))


def test_an_unsure_search_shows_no_sure_mark(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "recette tarte tatin"}).get_data(as_text=True)
    assert 'class="sure-answer"' not in page and 'class="sure"' not in page
    assert re.search(r'<p class="count">\d+ pages? trouvées?</p>', page)


def test_none_of_these_button_is_on_every_result_page(agent: FlaskClient) -> None:
    for query in ("importer un relevé OFX", "recette tarte tatin"):
        page = agent.get("/", query_string={"q": query}).get_data(as_text=True)
        assert "Aucun de ces résultats ne répond à la question" in page


@pytest.mark.parametrize("reason", ["offre", "aucun"])
def test_unanswered_buttons_record_the_event(agent: FlaskClient, settings: Config,
                                             reason: str) -> None:
    response = post(agent, "/sans-reponse", {"q": "recette tarte tatin", "reason": reason})
    assert response.status_code == 302
    assert agent.get(response.headers["Location"]).status_code == 200
    [event] = events(settings, "unanswered")
    assert (event["query"], event["detail"]) == ("recette tarte tatin", reason)


def test_unanswered_without_question_is_ignored(agent: FlaskClient, settings: Config) -> None:
    post(agent, "/sans-reponse", {"q": " ", "reason": "aucun"})
    assert events(settings, "unanswered") == []


def test_every_search_is_logged_with_hits_and_confidence(agent: FlaskClient,
                                                         settings: Config) -> None:
    agent.get("/", query_string={"q": "importer un relevé OFX"})
    agent.get("/", query_string={"q": "importer un relevé OFX", "page": 2})
    agent.get("/", query_string={"q": "recette tarte tatin"})
    logged = [(e["query"], e["hits"] > 0, e["confident"]) for e in events(settings, "search")]
    assert logged == [("importer un relevé OFX", True, 1), ("recette tarte tatin", True, 0)]


def test_query_and_suggestion_are_escaped(agent: FlaskClient) -> None:
    page = agent.get("/", query_string={"q": "<script>alert(1)</script>"}).get_data(as_text=True)
    assert "<script>alert" not in page and "<strict>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(("html", "clean"), [
    ("a <mark>b</mark> c", "a <mark>b</mark> c"),
    ('<mark class="x" onclick="evil()">b</mark>', "<mark>b</mark>"),
    ("<script>alert(1)</script>x", "x"),
    ('<img src=x onerror="evil()">', ""),
    ("&lt;b&gt;", "&lt;b&gt;"),
])
def test_snippets_keep_only_bare_marks(html: str, clean: str) -> None:
    assert str(snippet(html)) == clean


@pytest.mark.parametrize(("url", "shown"), [
    ("https://wiki/doku.php?id=a#b", "https://wiki/doku.php?id=a#b"),
    ("http://docs/x.html", "http://docs/x.html"),
    ("/brouillons", "/brouillons"),
    ("javascript:alert(1)", "#"),
    (" JavaScript:alert(1)", "#"),
    ("//evil.example/", "#"),
    ("data:text/html,x", "#"),
])
def test_only_web_links_reach_an_href(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def test_missing_index_is_explained(settings: Config, tmp_path: Path) -> None:
    empty = sample_settings(tmp_path / "no-index", tmp_path)
    client = create_app(empty, testing=True).test_client()
    login(client, "agnes")
    response = client.get("/", query_string={"q": "banque"})
    assert response.status_code == 503
    assert "kbtool reindex" in response.get_data(as_text=True)
