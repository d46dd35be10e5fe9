"""The reviewers' page "Synonymes" and the results page's "Recherché aussi", through Flask's
test client: a reviewer's pair is searched for every agent at once, seeds are listed with
their sentence, and what reviewers type is shown as text."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import login, post


def first_result(client: FlaskClient, query: str) -> str:
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    match = re.search(r'<li class="hit[^"]*"[^>]*>.*?<a [^>]*href="([^"]+)"', page, re.S)
    return match.group(1) if match else ""


def test_a_reviewer_s_pair_is_searched_for_agents(app, as_user) -> None:  # type: ignore[no-untyped-def]
    agent = app.test_client()
    login(agent, "agnes")
    page = agent.get("/?q=mail").get_data(as_text=True)
    assert "Recherché aussi" not in page
    courriel_first = first_result(agent, "courriel")
    reviewer = as_user("rene")
    response = post(reviewer, "/synonymes/ajouter",
                    {"term": "mail", "synonym": "courriel", "direction": "one"})
    assert response.status_code == 302
    page = agent.get("/?q=mail").get_data(as_text=True)
    assert "Recherché aussi : courriel" in page
    assert first_result(agent, "mail") == courriel_first != ""
    listed = reviewer.get("/synonymes").get_data(as_text=True)
    assert "mail → courriel" in listed and "Version 1" in listed and "rene" in listed


def test_agents_cannot_change_the_table(as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agnes")
    assert agent.get("/synonymes").status_code == 403
    assert post(agent, "/synonymes/ajouter", {"term": "mail", "synonym": "courriel",
                                              "direction": "one"}).status_code == 403
    assert "Synonymes" not in agent.get("/").get_data(as_text=True)


def test_seeds_are_listed_with_their_sentence_and_can_be_rejected(as_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("rene")
    page = reviewer.get("/synonymes").get_data(as_text=True)
    seeds = re.findall(r'name="term" value="([^"]*)">\s*<input type="hidden" name="synonym" '
                       r'value="([^"]*)">', page)
    assert seeds, "the sample documentation gives synonym pairs"
    term, synonym = seeds[0]
    assert "<q>" in page
    response = post(reviewer, "/synonymes/documentation",
                    {"term": term, "synonym": synonym, "decision": "reject"})
    assert response.status_code == 302
    page = reviewer.get("/synonymes").get_data(as_text=True)
    assert "Rejetée par rene" in page and "Paire rejetée." in page


def test_what_reviewers_type_is_shown_as_text(as_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("rene")
    post(reviewer, "/synonymes/ajouter", {"term": "mail", "synonym": "<b>courriel</b>",
                                          "direction": "both"})
    page = reviewer.get("/synonymes").get_data(as_text=True)
    assert "<b>courriel</b>" not in page and "&lt;b&gt;courriel&lt;/b&gt;" in page
    page = reviewer.get("/?q=mail").get_data(as_text=True)
    assert "<b>courriel</b>" not in page


def test_a_refused_pair_says_why(as_user) -> None:  # type: ignore[no-untyped-def]
    reviewer = as_user("rene")
    response = post(reviewer, "/synonymes/ajouter", {"term": "mail", "synonym": "Mail",
                                                     "direction": "both"}, follow_redirects=True)
    assert "Les deux côtés disent la même chose." in response.get_data(as_text=True)
