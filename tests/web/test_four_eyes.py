"""Four eyes: nobody decides on their own reply or article, and no page offers them the button."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from kbtool import store
from kbtool.config import Config
from kbtool.knowledge import articles, drafts
from tests.web.conftest import login, post
from tests.web.drafting import ask_validation, new_draft


def _second_browser(client: FlaskClient, name: str) -> FlaskClient:
    other = client.application.test_client()
    assert login(other, name).status_code == 302
    return other


def _own_request(rene: FlaskClient) -> str:
    """René (a reviewer) drafts a reply and asks for its validation; the review page's path."""
    path, _ = new_draft(rene, 1)
    ask_validation(rene, path)
    [review] = re.findall(r'href="(/validations/\d+)"', rene.get("/validations").get_data(
        as_text=True))
    return review


def test_a_reviewer_cannot_approve_the_reply_they_sent(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    rene = as_user("rene")
    review = _own_request(rene)
    response = post(rene, review, {"decision": "approve", "comment": ""})
    assert response.status_code == 422
    assert "un autre relecteur que son auteur" in response.get_data(as_text=True)
    conn = store.connect(settings.get("web.database"))
    [waiting] = drafts.pending_validations(conn)
    assert waiting.status == drafts.PENDING and waiting.reviewer is None


def test_the_requester_sees_no_decision_buttons_another_reviewer_does(as_user) -> None:  # type: ignore[no-untyped-def]
    rene = as_user("rene")
    review = _own_request(rene)
    own_page = rene.get(review).get_data(as_text=True)
    assert 'value="approve"' not in own_page and 'id="own-request"' in own_page
    adam = _second_browser(rene, "adam")
    other_page = adam.get(review).get_data(as_text=True)
    assert 'value="approve"' in other_page and 'id="own-request"' not in other_page
    response = post(adam, review, {"decision": "approve"})
    assert response.headers["Location"] == "/validations"


def test_an_author_reviewer_sees_no_approve_button_on_their_article(as_user,
                                                                     settings: Config) -> None:  # type: ignore[no-untyped-def]
    rene = as_user("rene")
    response = post(rene, "/articles", {})
    article_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post(rene, f"/articles/{article_id}", {"title": "Mot de passe oublié", "namespace": "kb",
                                           "body": "Texte.", "action": "submit"})
    own_page = rene.get(f"/relecture/{article_id}").get_data(as_text=True)
    assert 'id="approve"' not in own_page and 'id="own-article"' in own_page
    adam = _second_browser(rene, "adam")
    assert 'id="approve"' in adam.get(f"/relecture/{article_id}").get_data(as_text=True)
    conn = store.connect(settings.get("web.database"))
    assert articles.get(conn, article_id).status == articles.SUBMITTED
