"""Validation requests: the agent sends a draft, a reviewer approves or returns it, the agent sees."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient

from kbtool.config import Config
from kbtool.index.search import Searcher
from kbtool.knowledge.reply import ChosenSection
from tests.web.conftest import post
from tests.web.drafting import (QUERY, agnes_asks_validation, ask_validation, body_of, new_draft,
                               stored)


def send_for_validation(as_user, client: FlaskClient) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Agnès drafts a reply and sends it; returns the draft path and the reviewer's page path."""
    agent = as_user("agnes")
    path, _ = new_draft(agent, 1)
    response = ask_validation(agent, path)
    assert response.headers["Location"] == path
    assert "En attente de validation" in agent.get(path).get_data(as_text=True)
    post(client, "/deconnexion")
    queue = as_user("rene").get("/validations").get_data(as_text=True)
    [review] = re.findall(r'href="(/validations/\d+)"', queue)
    return path, review


def switch(as_user, client: FlaskClient, name: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    post(client, "/deconnexion")
    return as_user(name)


def test_reviewer_approves_and_agent_sees_it(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    path, review = send_for_validation(as_user, client)
    page = client.get(review).get_data(as_text=True)
    assert "Bonjour," in page and "agnes" in page
    response = post(client, review, {"decision": "approve", "comment": "Parfait"})
    assert response.headers["Location"] == "/validations"
    assert "Aucune réponse en attente" in client.get("/validations").get_data(as_text=True)
    agent = switch(as_user, client, "agnes")
    page = agent.get(path).get_data(as_text=True)
    assert "Validée par rene" in page and "Parfait" in page
    assert "validée" in agent.get("/brouillons").get_data(as_text=True)


def test_returning_needs_a_comment_the_agent_then_reads(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    path, review = send_for_validation(as_user, client)
    response = post(client, review, {"decision": "return", "comment": " "})
    assert response.status_code == 422
    assert "Expliquez à l&#39;agent" in response.get_data(as_text=True)
    post(client, review, {"decision": "return", "comment": "Ajoutez le lien vers la FAQ <b>"})
    agent = switch(as_user, client, "agnes")
    page = agent.get(path).get_data(as_text=True)
    assert "Réponse renvoyée pour modifications par rene : « Ajoutez" in page
    assert page.index('class="status status-returned" role="alert"') < page.index("<h2>")  # on top
    assert "renvoyée pour modifications" in agent.get("/brouillons").get_data(as_text=True)
    assert "Ajoutez le lien vers la FAQ &lt;b&gt;" in page
    assert "Demander une validation" in page  # it can be sent again once corrected


def test_a_request_is_decided_once(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, review = send_for_validation(as_user, client)
    post(client, review, {"decision": "approve"})
    response = post(client, review, {"decision": "return", "comment": "trop tard"})
    assert response.status_code == 422
    assert "déjà été traitée" in response.get_data(as_text=True)


def test_a_pending_request_is_not_sent_twice(as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agnes")
    path, _ = new_draft(agent, 1)
    ask_validation(agent, path)
    response = ask_validation(agent, path)
    assert "attend déjà une validation" in agent.get(response.headers["Location"]).get_data(
        as_text=True)


def test_agents_cannot_review(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, review = send_for_validation(as_user, client)
    agent = switch(as_user, client, "agnes")
    assert agent.get(review).status_code == 403
    assert post(agent, review, {"decision": "approve"}).status_code == 403


def test_unknown_decision_is_refused(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, review = send_for_validation(as_user, client)
    assert post(client, review, {"decision": "publish"}).status_code == 400
    assert client.get("/validations/999").status_code == 404


def test_the_reviewer_reads_the_question_kind_ticket_and_cited_sections_as_indexed(  # type: ignore[no-untyped-def]
        as_user, client: FlaskClient, settings: Config) -> None:
    agent = as_user("agnes")
    path, _ = new_draft(agent, 2, ticket="INC-4212", kind="compta")
    ask_validation(agent, path, ticket="INC-4212")
    reviewer = switch(as_user, client, "rene")
    queue = html.unescape(reviewer.get("/validations").get_data(as_text=True))
    assert f'<td><span class="kind-tag">Question comptable</span> {QUERY}</td>' in queue
    assert "<td>INC-4212</td>" in queue
    [review] = re.findall(r'href="(/validations/\d+)"', queue)
    page = reviewer.get(review).get_data(as_text=True)
    context = re.search(r'<dl class="context".*?</dl>', page, re.S).group(0)
    assert f"« {QUERY} »" in html.unescape(context) and "INC-4212" in context
    assert '<dd id="review-kind">Question comptable</dd>' in context
    shown = [html.unescape(text) for text in re.findall(
        r'<blockquote class="section-text">(.*?)</blockquote>', page, re.S)]
    draft, _ = stored(settings, path)
    searcher = Searcher(settings.index_dir)
    expected = [searcher.section_text(page_id, anchor)
                for _, _, _, page_id, anchor in json.loads(draft["sections"])]
    assert shown == expected and all(expected)


@pytest.mark.parametrize("section", [
    ChosenSection("Page supprimée", "Titre", "https://wiki/doku.php?id=x", "wiki/x.txt", "titre"),
    ChosenSection("Page", "Section renommée", "https://wiki/doku.php?id=logiciel:rapprochement",
                  "wiki/logiciel/rapprochement.txt", "section_renommee"),
    ChosenSection("Brouillon ancien", "", "https://wiki/doku.php?id=y"),  # kept no page id
])
def test_a_cited_section_gone_from_the_index_says_so(as_user, settings: Config,  # type: ignore[no-untyped-def]
                                                      section: ChosenSection) -> None:
    validation_id = agnes_asks_validation(settings, section)
    page = as_user("rene").get(f"/validations/{validation_id}").get_data(as_text=True)
    assert "Texte indisponible : la section n'est plus dans l'index." in page
    assert section.page_title in page
    assert re.search(r'id="review-kind"><span class="hint">non indiqué<', page)  # drafted so


CORRECTED = "Bonjour,\n\nVoici la bonne page : https://wiki/doku.php?id=faq\n\nCordialement,\nRené"


def test_a_corrected_reply_is_approved_as_corrected_and_the_agent_sees_who_corrected_it(  # type: ignore[no-untyped-def]
        as_user, client: FlaskClient, settings: Config) -> None:
    path, review = send_for_validation(as_user, client)
    response = post(client, review, {"decision": "approve", "comment": "",
                                     "body": CORRECTED.replace("\n", "\r\n")})
    assert response.headers["Location"] == "/validations"
    assert "validée après correction par rene" in client.get("/validations").get_data(
        as_text=True)
    _, [request] = stored(settings, path)
    assert request["corrected_body"] == CORRECTED and request["body"] != CORRECTED
    agent = switch(as_user, client, "agnes")
    page = agent.get(path).get_data(as_text=True)
    assert "Texte corrigé par rene avant validation" in page
    assert html.escape(CORRECTED, quote=False) in page
    assert "validée après correction" in agent.get("/brouillons").get_data(as_text=True)


def test_a_reply_approved_as_sent_records_no_correction(as_user, client: FlaskClient,  # type: ignore[no-untyped-def]
                                                        settings: Config) -> None:
    path, review = send_for_validation(as_user, client)
    page = client.get(review).get_data(as_text=True)
    post(client, review, {"decision": "approve", "body": body_of(page).replace("\n", "\r\n")})
    _, [request] = stored(settings, path)
    assert request["status"] == "approved" and request["corrected_body"] is None
    assert "corrigé" not in switch(as_user, client, "agnes").get(path).get_data(as_text=True)


@pytest.mark.parametrize("body, status, corrected, reason", [
    ("", 422, None, "Le texte de la réponse est vide."),     # empty: refused, nothing decided
    (" \r\n\t", 422, None, "Le texte de la réponse est vide."),  # blank
    ("x" * 20_001, 422, None, "Réponse trop longue"),          # over the draft's limit
    ("<script>alert(1)</script>", 302, "<script>alert(1)</script>", None),   # kept as text
    ("Bonjour\x00", 302, "Bonjour\x00", None),                 # kept as sent, shown escaped
    ("é" * 20_000, 302, "é" * 20_000, None),                   # at the limit
])
def test_hostile_corrections(as_user, client: FlaskClient, settings: Config, body: str,  # type: ignore[no-untyped-def]
                             status: int, corrected: str | None, reason: str | None) -> None:
    path, review = send_for_validation(as_user, client)
    response = post(client, review, {"decision": "approve", "comment": "vu", "body": body})
    assert response.status_code == status
    _, [request] = stored(settings, path)
    assert request["corrected_body"] == corrected
    assert request["status"] == ("approved" if status == 302 else "pending")
    if status == 422:  # the page again, with the comment as typed and why it was refused
        assert re.search(r'id="comment"[^>]*>\s*vu</textarea>', response.get_data(as_text=True))
        assert reason in response.get_data(as_text=True)
    else:
        page = switch(as_user, client, "agnes").get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in page


def test_returning_keeps_no_correction(as_user, client: FlaskClient, settings: Config) -> None:  # type: ignore[no-untyped-def]
    path, review = send_for_validation(as_user, client)
    post(client, review, {"decision": "return", "comment": "Précisez", "body": CORRECTED})
    _, [request] = stored(settings, path)
    assert request["status"] == "returned" and request["corrected_body"] is None


def test_counts_of_what_waits_for_reviewers(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("rene")
    assert reviewer.get("/validations/compte").get_json() == {"validations": 0, "articles": 0}
    assert 'data-count="validations" title="en attente" hidden>0<' in reviewer.get(
        "/validations").get_data(as_text=True)
    post(client, "/deconnexion")
    path, review = send_for_validation(as_user, client)
    assert client.get("/validations/compte").get_json() == {"validations": 1, "articles": 0}
    assert 'data-count="validations" title="en attente">1<' in client.get("/").get_data(
        as_text=True)
    post(client, review, {"decision": "approve"})
    assert client.get("/validations/compte").get_json()["validations"] == 0
    agent = switch(as_user, client, "agnes")
    assert agent.get("/validations/compte").status_code == 403
    home = agent.get("/").get_data(as_text=True)
    assert "data-count=" not in home and "counts.js" not in home
