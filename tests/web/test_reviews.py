"""Validation requests: the agent sends a draft, a reviewer approves or returns it, the agent sees."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import post
from tests.web.drafting import ask_validation, new_draft


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
    assert "Expliquez à l&#39;agent" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    post(client, review, {"decision": "return", "comment": "Ajoutez le lien vers la FAQ <b>"})
    agent = switch(as_user, client, "agnes")
    page = agent.get(path).get_data(as_text=True)
    assert "À revoir, renvoyée par rene" in page
    assert "Ajoutez le lien vers la FAQ &lt;b&gt;" in page
    assert "Demander une validation" in page  # it can be sent again once corrected


def test_a_request_is_decided_once(as_user, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    _, review = send_for_validation(as_user, client)
    post(client, review, {"decision": "approve"})
    response = post(client, review, {"decision": "return", "comment": "trop tard"})
    assert "déjà été traitée" in client.get(response.headers["Location"]).get_data(as_text=True)


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
