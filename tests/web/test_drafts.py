"""Reply drafts: from ticked results to a saved, edited, copied reply; usage events on the way."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from kbtool.config import Config
from tests.web.conftest import login, post
from tests.web.drafting import (QUERY, ask_validation, body_of, events, new_draft, stored,
                                ticked)


@pytest.fixture()
def agent(as_user) -> FlaskClient:  # type: ignore[no-untyped-def]
    return as_user("agnes")


def test_two_ticked_results_give_a_french_reply_with_both_links(agent: FlaskClient,
                                                                settings: Config) -> None:
    path, links = new_draft(agent, 2, ticket="4521")
    assert re.fullmatch(r"/brouillons/\d+", path)
    body = body_of(agent.get(path).get_data(as_text=True))
    assert body.startswith("Bonjour,\n") and body.endswith("Cordialement,\nL'équipe support")
    assert "demande n° 4521" in body and "vous trouverez" in body
    assert all(link in body for link in links)
    assert [e["url"] for e in events(settings, "link")] == links


@pytest.mark.parametrize("count", [0, 4])
def test_one_to_three_results_only(agent: FlaskClient, count: int) -> None:
    picks, _ = ticked(agent, 4)
    response = post(agent, "/brouillons", {"q": QUERY, "pick": picks[:count]})
    assert response.headers["Location"].startswith("/?q=")
    assert "Cochez de 1 à 3 résultats" in agent.get(response.headers["Location"]).get_data(
        as_text=True)


def test_tampered_result_is_refused(agent: FlaskClient) -> None:
    picks, _ = ticked(agent, 1)
    response = post(agent, "/brouillons", {"q": QUERY, "pick": [picks[0][:-2] + "xx"]})
    assert response.status_code == 400
    assert "Requête invalide" in response.get_data(as_text=True)


def test_invalid_ticket_is_refused(agent: FlaskClient) -> None:
    picks, _ = ticked(agent, 1)
    response = post(agent, "/brouillons", {"q": QUERY, "pick": picks, "ticket": "<b>"})
    assert "N° de ticket invalide" in agent.get(response.headers["Location"]).get_data(
        as_text=True)


def test_edit_is_saved_and_reopened_from_the_list(agent: FlaskClient, settings: Config) -> None:
    path, _ = new_draft(agent, 1)
    edited = "Bonjour,\n\nVoir https://docs.exemple.org/autre.html\n\nCordialement,"
    response = post(agent, path, {"ticket": "77", "body": edited, "action": "save"})
    assert response.headers["Location"] == path
    assert body_of(agent.get(path).get_data(as_text=True)) == edited
    listing = agent.get("/brouillons").get_data(as_text=True)
    assert f'href="{path}"' in listing and "<td>77</td>" in listing
    assert events(settings, "link")[-1]["url"] == "https://docs.exemple.org/autre.html"


def test_recompose_uses_the_new_ticket(agent: FlaskClient) -> None:
    path, links = new_draft(agent, 1)
    post(agent, path, {"ticket": "INC-9", "body": "effacé", "action": "recompose"})
    body = body_of(agent.get(path).get_data(as_text=True))
    assert "demande n° INC-9" in body and links[0] in body


def test_copy_is_recorded_and_saves_the_copied_text(agent: FlaskClient,
                                                    settings: Config) -> None:
    path, links = new_draft(agent, 2)
    text = body_of(agent.get(path).get_data(as_text=True)) + "\nJeanne"
    response = post(agent, path + "/copie", {"body": text, "format": "html"})
    assert response.status_code == 204
    [copy] = events(settings, "copy")
    assert (copy["hits"], copy["detail"]) == (2, "html")
    assert body_of(agent.get(path).get_data(as_text=True)) == text


@pytest.mark.parametrize("data", [{"body": "x", "format": "pdf"}, {"body": " ", "format": "text"}])
def test_bad_copy_reports_are_refused(agent: FlaskClient, data: dict[str, str]) -> None:
    path, _ = new_draft(agent, 1)
    assert post(agent, path + "/copie", data).status_code == 400


def test_drafts_of_other_agents_are_invisible(as_user, client: FlaskClient,  # type: ignore[no-untyped-def]
                                              settings: Config) -> None:
    path, _ = new_draft(as_user("agnes"), 1)
    post(client, "/deconnexion")
    other = as_user("albert")
    assert other.get(path).status_code == 404
    assert post(other, path + "/copie", {"body": "x", "format": "text"}).status_code == 404
    assert ask_validation(other, path, body="x").status_code == 404
    assert post(other, path + "/enregistrement", {"body": "x"}).status_code == 404
    assert stored(settings, path)[0]["body"].startswith("Bonjour,")
    assert path not in other.get("/brouillons").get_data(as_text=True)


def test_draft_page_offers_both_copies(agent: FlaskClient) -> None:
    path, _ = new_draft(agent, 1)
    page = agent.get(path).get_data(as_text=True)
    assert 'id="copy-text"' in page and 'id="copy-html"' in page
    assert f'data-copy-url="{path}/copie"' in page


EDITED = "Bonjour Mme Durand,\n\nVoir https://docs.exemple.org/ofx.html\n\nCordialement,\nJeanne"


def test_validation_request_sends_the_text_on_screen(agent: FlaskClient,
                                                     settings: Config) -> None:
    path, _ = new_draft(agent, 1)
    response = ask_validation(agent, path, "INC-7", EDITED)
    assert response.headers["Location"] == path
    draft, [request] = stored(settings, path)
    assert request["body"] == EDITED
    assert (draft["ticket"], draft["body"]) == ("INC-7", EDITED)
    assert "En attente de validation" in agent.get(path).get_data(as_text=True)


@pytest.mark.parametrize("fields", [{}, {"ticket": "INC-7"}])
def test_a_validation_request_without_the_text_sends_nothing(agent: FlaskClient,
                                                             settings: Config,
                                                             fields: dict[str, str]) -> None:
    path, _ = new_draft(agent, 1)
    response = post(agent, path + "/validation", fields)
    assert response.status_code == 422
    assert stored(settings, path)[1] == []


HOSTILE_EDITS = [
    pytest.param({"ticket": "<b>", "body": EDITED}, "Lettres, chiffres", id="markup-ticket"),
    pytest.param({"ticket": "../../etc", "body": EDITED}, "Lettres, chiffres", id="path-ticket"),
    pytest.param({"ticket": "A\nB", "body": EDITED}, "Lettres, chiffres", id="newline-ticket"),
    pytest.param({"ticket": "-x", "body": EDITED}, "Lettres, chiffres", id="dash-first-ticket"),
    pytest.param({"ticket": "\"><script>alert(1)</script>", "body": EDITED}, "Lettres, chiffres",
                 id="attribute-breaking-ticket"),
    pytest.param({"ticket": "<b>", "body": "</textarea><script>window.pwned = 1</script>"},
                 "Lettres, chiffres", id="textarea-breaking-body"),
    pytest.param({"ticket": "١٢٣", "body": EDITED}, "Lettres, chiffres", id="arabic-digits-ticket"),
    pytest.param({"ticket": "ＩＮＣ", "body": EDITED}, "Lettres, chiffres", id="fullwidth-ticket"),
    pytest.param({"ticket": "A\x00", "body": EDITED}, "Lettres, chiffres", id="nul-ticket"),
    pytest.param({"ticket": "A" * 41, "body": EDITED}, "40 caractères", id="long-ticket"),
    pytest.param({"ticket": "7", "body": ""}, "réponse est vide", id="empty-body"),
    pytest.param({"ticket": "7", "body": " \n\t"}, "réponse est vide", id="blank-body"),
    pytest.param({"ticket": "7", "body": "x" * 20_001}, "20000 caractères", id="long-body"),
]
DOORS = ["", "/validation"]  # the form's "Enregistrer" and "Demander une validation"


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("fields", "reason"), HOSTILE_EDITS)
def test_a_refused_save_says_so_and_keeps_the_text(agent: FlaskClient, settings: Config,
                                                   door: str, fields: dict[str, str],
                                                   reason: str) -> None:
    path, _ = new_draft(agent, 1)
    before, _ = stored(settings, path)
    response = post(agent, path + door, {**fields, "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Brouillon non enregistré" in page and reason in page
    assert body_of(page) == fields["body"]
    assert "<script>" not in page  # what was sent comes back escaped
    assert 'data-unsaved="true"' in page
    after, requests = stored(settings, path)
    assert (after["ticket"], after["body"]) == (before["ticket"], before["body"])
    assert requests == []


@pytest.mark.parametrize(("fields", "reason"), HOSTILE_EDITS)
def test_autosave_refuses_with_the_reason(agent: FlaskClient, settings: Config,
                                          fields: dict[str, str], reason: str) -> None:
    path, _ = new_draft(agent, 1)
    before, _ = stored(settings, path)
    response = post(agent, path + "/enregistrement", fields)
    assert response.status_code == 422
    assert reason in response.get_json()["error"]
    after, _ = stored(settings, path)
    assert after["body"] == before["body"]


def test_autosave_stores_ticket_and_text(agent: FlaskClient, settings: Config) -> None:
    path, _ = new_draft(agent, 1)
    response = post(agent, path + "/enregistrement", {"ticket": "INC-8", "body": EDITED})
    assert response.status_code == 200
    draft, _ = stored(settings, path)
    assert (draft["ticket"], draft["body"]) == ("INC-8", EDITED)
    assert response.get_json()["saved_at"] == draft["updated_at"]
    assert events(settings, "link")[-1]["url"] == "https://docs.exemple.org/ofx.html"


@pytest.fixture()
def locked_store(settings: Config) -> Iterator[None]:
    """Another process holds the store's write lock (a long write elsewhere) during the test."""
    conn = sqlite3.connect(settings.get("web.database"), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield
    conn.rollback()
    conn.close()


def test_a_store_that_cannot_write_loses_no_text(agent: FlaskClient, settings: Config,
                                                 request: pytest.FixtureRequest) -> None:
    path, _ = new_draft(agent, 1)
    request.getfixturevalue("locked_store")
    for door in DOORS:
        response = post(agent, path + door, {"ticket": "INC-9", "body": EDITED, "action": "save"})
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert "Brouillon non enregistré" in page and body_of(page) == EDITED
        assert 'value="INC-9"' in page
    response = post(agent, path + "/enregistrement", {"ticket": "INC-9", "body": EDITED})
    assert response.status_code == 503 and "réessayez" in response.get_json()["error"]


KIND_FIELD = re.compile(r'<input type="hidden" name="kind" value="([^"]*)">')


@pytest.mark.parametrize(("args", "sent"), [
    ({"q": QUERY, "kind": "compta"}, "compta"),     # chosen
    ({"q": "le logiciel plante"}, "bug"),          # guessed from the query
    ({"q": QUERY}, ""),                             # none
])
def test_the_draft_form_sends_the_kind_of_the_search(agent: FlaskClient, args: dict,
                                                     sent: str) -> None:
    page = agent.get("/", query_string={**args, "source": ["wiki", "docs"]}).get_data(
        as_text=True)
    assert KIND_FIELD.findall(page) == [sent]


def test_a_draft_keeps_its_kind_and_shows_it(agent: FlaskClient, settings: Config) -> None:
    picks, _ = ticked(agent, 1)
    response = post(agent, "/brouillons", {"q": QUERY, "pick": picks, "kind": "fonction"})
    path = response.headers["Location"]
    assert stored(settings, path)[0]["kind"] == "fonction"
    page = agent.get(path).get_data(as_text=True)
    assert re.search(r'id="draft-kind">Type de demande : <strong>Question fonctionnelle<', page)
    tag = '<span class="kind-tag">Question fonctionnelle</span>'
    assert tag in agent.get("/brouillons").get_data(as_text=True)
    ask_validation(agent, path, "INC-7")
    reviewer = agent.application.test_client()
    login(reviewer, "rene")
    assert tag in reviewer.get("/validations").get_data(as_text=True)


@pytest.mark.parametrize("kind", ["", "inconnu", "BUG", "bug ", "<script>", "bug\x00",
                                  "fonction\ncompta", "é" * 1000, "1"])
def test_an_unknown_kind_drafts_without_a_kind(agent: FlaskClient, settings: Config,
                                               kind: str) -> None:
    picks, _ = ticked(agent, 1)
    response = post(agent, "/brouillons", {"q": QUERY, "pick": picks, "kind": kind})
    assert response.status_code == 302
    path = response.headers["Location"]
    assert stored(settings, path)[0]["kind"] == ""
    assert "draft-kind" not in agent.get(path).get_data(as_text=True)
