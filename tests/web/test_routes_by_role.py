"""Every route of the app, asked by every kind of visitor, against a table of expected answers.

The world: Agnès (agent) owns a reply draft waiting for validation, a knowledge gap whose question
names a customer, and an article written for that gap, submitted for review.  Each route is asked
with Agnès's ids by an anonymous visitor, Agnès, Albert (another agent), René (reviewer) and Adam
(admin).  Whatever a route refuses, however it refuses it, leaves the store exactly as it was, and
no page Albert can reach shows Agnès's customer.  A route missing from the table fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.knowledge import articles, drafts, gaps
from kbtool.web import create_app
from tests.web.conftest import csrf_token, login, post
from tests.web.world import (CUSTOMER, DONE, LOGIN, QUESTION, REFUSED, SAVED_REFUSED, UNCHANGED,
                             UNPUBLISHED, World, answer_of, build_world, every_route, snapshot)

ROLES = ("anonymous", "agnes", "albert", "rene", "adam")


@dataclass(frozen=True)
class Ask:
    """What a row sends, and the answer of each role, in the order of ``ROLES``."""

    answers: tuple[object, ...]
    data: dict[str, str] | None = None


def signed_in(*answers: object, data: dict[str, str] | None = None) -> Ask:
    """A route that needs an account: anonymous visitors are sent to sign in."""
    return Ask((LOGIN, *answers), data)


EVERYONE = signed_in(200, 200, 200, 200)
REVIEWERS = signed_in(403, 403, 200, 200)
OWNER_AND_REVIEWERS = signed_in(200, 404, 200, 200)

TABLE: dict[tuple[str, str], Ask] = {
    ("static", "GET"): Ask((200,) * 5),
    ("auth.login", "GET"): Ask((200,) * 5),
    ("auth.login", "POST"): Ask((DONE,) * 5, {"name": "albert", "password": "mot de passe sûr"}),
    ("auth.logout", "POST"): signed_in(DONE, DONE, DONE, DONE),
    ("search.index", "GET"): EVERYONE,
    ("search.unanswered", "POST"): signed_in(DONE, DONE, DONE, DONE,
                                             data={"q": "tarte tatin", "reason": "aucun"}),
    ("search.notices_read", "POST"): signed_in(DONE, DONE, DONE, DONE),
    ("drafts.index", "GET"): EVERYONE,
    ("drafts.create", "POST"): signed_in(REFUSED, REFUSED, REFUSED, REFUSED,
                                         data={"q": "relevé"}),  # nothing ticked
    ("drafts.edit", "GET"): signed_in(200, 404, 404, 404),
    ("drafts.edit", "POST"): signed_in(DONE, 404, 404, 404, data={"ticket": "", "body": "Autre"}),
    ("drafts.autosave", "POST"): signed_in(200, 404, 404, 404,
                                           data={"ticket": "", "body": "Autre"}),
    ("drafts.copied", "POST"): signed_in(204, 404, 404, 404,
                                         data={"body": "Copié", "format": "text"}),
    # Already waiting: the text sent is saved (never lost), the second request refused.
    ("drafts.ask_validation", "POST"): signed_in(SAVED_REFUSED, 404, 404, 404,
                                                 data={"ticket": "", "body": "Autre"}),
    ("reviews.queue", "GET"): REVIEWERS,
    ("reviews.counts", "GET"): REVIEWERS,
    ("reviews.review", "GET"): REVIEWERS,
    ("reviews.review", "POST"): signed_in(403, 403, DONE, DONE, data={"decision": "approve"}),
    ("gaps.index", "GET"): EVERYONE,
    ("gaps.show", "GET"): OWNER_AND_REVIEWERS,
    ("gaps.confirm_page", "GET"): signed_in(200, 404, 200, 200,
                                            data={"page_id": "wiki/faq/ecart_rapprochement.txt"}),
    ("gaps.close_with_page", "POST"): signed_in(REFUSED, 404, REFUSED, REFUSED,
                                                data={"page_id": "pas/indexee.txt"}),
    ("gaps.dismiss", "POST"): signed_in(REFUSED, 404, DONE, DONE, data={"reason": "hors sujet"}),
    ("gaps.merge", "POST"): signed_in(REFUSED, 404, REFUSED, REFUSED,  # with itself: refused
                                      data={"other": "{gap_id}"}),
    # The gap already has its article: starting another one is refused, and leaves nothing.
    ("articles.create", "POST"): signed_in(REFUSED, 404, REFUSED, REFUSED, data={"gap": "{gap_id}"}),
    ("articles.mine", "GET"): EVERYONE,
    ("articles.edit", "GET"): OWNER_AND_REVIEWERS,
    # Submitted: nobody edits it any more, its author included.
    ("articles.edit", "POST"): signed_in(REFUSED, 404, REFUSED, REFUSED,
                                         data={"title": "T", "namespace": "kb", "body": "B"}),
    ("articles.autosave", "POST"): signed_in(409, 404, 409, 409,
                                             data={"title": "T", "namespace": "kb", "body": "B"}),
    ("articles.comment", "POST"): signed_in(DONE, 404, DONE, DONE, data={"comment": "Un avis"}),
    ("articles.preview", "POST"): signed_in(200, 200, 200, 200, data={"body": "**gras**"}),
    ("articles.similar", "GET"): EVERYONE,
    ("review.queue", "GET"): REVIEWERS,
    ("review.show", "GET"): REVIEWERS,
    # Approving publishes; without a wiki the article stays approved with the reason (a message).
    ("review.decide", "POST"): signed_in(403, 403, UNPUBLISHED, UNPUBLISHED,
                                         data={"decision": "approve", "revision": "1"}),
    ("review.retry", "POST"): signed_in(403, 403, REFUSED, REFUSED),  # not approved yet
    ("review.overwrite", "POST"): signed_in(403, 403, REFUSED, REFUSED, data={"revision": "3"}),
    ("review.rename", "POST"): signed_in(403, 403, REFUSED, REFUSED, data={"page_name": "autre"}),
    ("dashboard.page", "GET"): REVIEWERS,
    # No section of the world is cited with its place in the index: nothing to mark verified.
    ("dashboard.verified", "POST"): signed_in(403, 403, REFUSED, REFUSED, data={"section": "1"}),
    ("review.owner", "POST"): signed_in(403, 403, DONE, DONE, data={"owner": "rene"}),
    ("review.verified", "POST"): signed_in(403, 403, REFUSED, REFUSED),  # not published yet
    ("synonyms.page", "GET"): REVIEWERS,
    ("synonyms.add", "POST"): signed_in(403, 403, DONE, DONE, data={
        "term": "appli", "synonym": "logiciel", "direction": "both"}),
    ("synonyms.edit", "POST"): signed_in(403, 403, DONE, DONE, data={
        "term": "mail", "synonym": "messagerie", "direction": "one"}),
    ("synonyms.remove", "POST"): signed_in(403, 403, DONE, DONE),
    ("synonyms.judge", "POST"): signed_in(403, 403, DONE, DONE, data={
        "term": "installation", "synonym": "postinstall", "decision": "reject"}),
    ("admin.usage_page", "GET"): signed_in(403, 403, 403, 200),
    ("learning.page", "GET"): REVIEWERS,
    ("learning.remove", "POST"): signed_in(403, 403, DONE, DONE),
    # The bug path drafts texts and stores nothing: every account may use it.
    ("tickets.new", "GET"): signed_in(200, 200, 200, 200, data={"q": "relevé refusé"}),
    ("tickets.new", "POST"): signed_in(200, 200, 200, 200, data={
        "action": "created", "number": "BUG-4521"}),
    ("tickets.deadlines", "POST"): signed_in(200, 200, 200, 200, data={"text": "sous 48 h"}),
    ("profile.page", "GET"): EVERYONE,  # each account's own signature, no id in the path
    ("profile.page", "POST"): signed_in(DONE, DONE, DONE, DONE,
                                        data={"signature": "Agnès\nSupport Trésorio"}),
}


def url_for_rule(app: Flask, endpoint: str, world: World) -> str:
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    values = {name: "app.js" if name == "filename" else world.ids[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for
        return url_for(endpoint, **values)


def test_every_route_has_its_row(app: Flask) -> None:
    assert every_route(app) == set(TABLE)


CASES = [(endpoint, method, role) for (endpoint, method) in TABLE for role in ROLES]


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES,
                         ids=[f"{m} {e} as {r}" for e, m, r in CASES])
def test_route_answers_each_role_as_the_table_says(settings: Config, endpoint: str, method: str,
                                                   role: str) -> None:
    world = build_world(settings)
    app = create_app(settings)
    client = app.test_client()
    if role != "anonymous":
        assert login(client, role).status_code == 302
    ask = TABLE[(endpoint, method)]
    path = url_for_rule(app, endpoint, world)
    data = {key: value.format(**world.ids) for key, value in (ask.data or {}).items()}
    before = snapshot(settings)
    if method == "GET":
        response = client.get(path, query_string=data)
    else:
        response = client.post(path, data={**data, "csrf_token": csrf_token(client)})
    expected = ask.answers[ROLES.index(role)]
    observed = answer_of(client, response)
    if expected == UNPUBLISHED:
        assert observed == REFUSED
        assert articles.get(store.connect(settings.get("web.database")),
                            world.ids["article_id"]).status == articles.APPROVED
    elif expected == SAVED_REFUSED:
        assert observed == REFUSED
        assert drafts.get_draft(store.connect(settings.get("web.database")),
                                    world.ids["draft_id"]).body == data["body"]
    else:
        assert observed == expected, response.get_data(as_text=True)[:2000]
    if expected in UNCHANGED:
        assert snapshot(settings) == before
    if role == "albert":
        assert CUSTOMER not in response.get_data(as_text=True)


def test_a_refused_article_start_leaves_no_orphan_draft(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    world = build_world(settings)
    rene = as_user("rene")
    before = snapshot(settings)
    response = post(rene, "/articles", {"gap": str(world.ids["gap_id"])})
    assert "Un article est déjà en cours" in rene.get(response.headers["Location"]).get_data(
        as_text=True)
    assert snapshot(settings)["articles"] == before["articles"]


def test_another_agent_cannot_start_an_article_from_a_gap_they_did_not_ask(
        as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    conn = store.connect(settings.get("web.database"))
    gap_id = gaps.record(conn, accounts.find_user(conn, "agnes").id, QUESTION)
    albert = as_user("albert")
    response = post(albert, "/articles", {"gap": str(gap_id)})
    assert response.status_code == 404 and CUSTOMER not in response.get_data(as_text=True)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0


def test_agents_sharing_a_gap_see_it_through_their_own_questions(as_user,
                                                                 settings: Config) -> None:  # type: ignore[no-untyped-def]
    conn = store.connect(settings.get("web.database"))
    gap_id = gaps.record(conn, accounts.find_user(conn, "agnes").id, QUESTION)
    assert gaps.record(conn, accounts.find_user(conn, "albert").id,
                       "importer le relevé OFX de Mme") == gap_id
    albert = as_user("albert")
    for path in (f"/questions/{gap_id}", "/questions", "/"):
        page = albert.get(path).get_data(as_text=True)
        assert "importer le relevé OFX de Mme" in page and CUSTOMER not in page, path
    response = post(albert, "/articles", {"gap": str(gap_id)})
    editor = albert.get(response.headers["Location"]).get_data(as_text=True)
    assert "importer le relevé OFX de Mme" in editor and CUSTOMER not in editor
    rene = albert.application.test_client()
    login(rene, "rene")
    assert CUSTOMER in rene.get(f"/questions/{gap_id}").get_data(as_text=True)
