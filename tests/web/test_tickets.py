"""The bug path page through the test client: opened from a search with its ticked results, the
request for missing elements, the ticket's texts, the client's messages and the deadline check."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient

from kbtool import accounts, store
from kbtool.config import Config
from tests.web.conftest import csrf_token, post
from tests.web.drafting import QUERY, ticked

TEXTAREA = re.compile(r'<textarea id="([\w-]+)"[^>]*>\r?\n?(.*?)</textarea>', re.S)

TICKET = {"title": "Import OFX refusé", "description": "L'import échoue.",
          "steps": "Ouvrir Banque\nImporter", "environment": "Trésorio 5.2",
          "observed": "« format inconnu »", "expected": "Relevé importé", "urgency": "haute",
          "reproduced": "y", "due": "2027-01-12", "number": ""}


def outputs(response_text: str) -> dict[str, str]:
    """The composed texts shown on the page, unescaped, by the id of their box."""
    return {key: html.unescape(text) for key, text in TEXTAREA.findall(response_text)}


def send(client: FlaskClient, action: str, **fields: object) -> tuple[int, str]:
    data = {"q": QUERY, **TICKET, **fields, "action": action}
    response = post(client, "/signalement", data)
    return response.status_code, response.get_data(as_text=True)


def test_opened_from_a_search_it_is_prefilled_with_the_question_and_the_cited_pages(
        as_user) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    picks, links = ticked(agnes, 2)
    page = agnes.get("/signalement", query_string={"q": QUERY, "pick": picks,
                                                   "csrf_token": "x", "ticket": ""})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'id="title" maxlength="200" name="title" type="text" value="{QUERY}"' in text
    description = outputs(text)["description"]
    assert description.startswith(f"Demande du client : {QUERY}\n\nDocumentation consultée :")
    assert all(link in description for link in links)


def test_a_tampered_pick_is_refused(as_user) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    assert agnes.get("/signalement?q=x&pick=forged").status_code == 400


def test_opened_without_a_search_it_is_empty(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("rene").get("/signalement")
    assert page.status_code == 200 and outputs(page.get_data(as_text=True))["description"] == ""


def test_the_request_asks_only_for_the_unticked_elements_and_is_signed(
        as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    conn = store.connect(settings.get("web.database"))
    accounts.set_signature(conn, "agnes", "Agnès\nSupport")
    agnes = as_user("agnes")
    status, text = send(agnes, "elements", have=["version", "structure", "steps", "when"])
    request = outputs(text)["missing-request"]
    assert status == 200 and request.endswith("Cordialement,\nAgnès\nSupport")
    assert [line for line in request.split("\n") if line.startswith("- ")] == [
        "- le message d'erreur exact (tel qu'il s'affiche, ou une copie du texte)",
        "- une capture d'écran ou le fichier concerné"]
    assert 'id="have-version" value="version" checked' in text  # the ticks stay


def test_with_every_element_received_there_is_nothing_to_ask(as_user) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "elements",
                        have=["version", "structure", "message", "steps", "capture", "when"])
    assert status == 422 and "rien à demander au client" in text
    assert "missing-request" not in outputs(text)


def test_the_ticket_is_written_in_plain_text_and_markdown(as_user) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "ticket")
    shown = outputs(text)
    assert status == 200
    assert "Étapes de reproduction :\n1. Ouvrir Banque\n2. Importer" in shown["ticket-text"]
    assert "Échéance (interne) : 12/01/2027" in shown["ticket-text"]
    assert shown["ticket-markdown"].startswith("## Import OFX refusé")
    assert "- **Urgence** : Haute" in shown["ticket-markdown"]


def test_a_ticket_with_empty_fields_names_them_and_keeps_what_was_typed(as_user) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "ticket", steps="", urgency="")
    assert status == 422
    assert "À remplir pour le ticket : Étapes de reproduction, Urgence." in text
    assert outputs(text)["observed"] == "« format inconnu »" and "ticket-text" not in outputs(text)


@pytest.mark.parametrize(("action", "expected"), [
    ("created", "sous le n° de ticket BUG-4521"),
    ("resolved", "(ticket n° BUG-4521) est corrigé"),
])
def test_the_client_message_gives_the_number_and_no_deadline(as_user, action: str,
                                                             expected: str) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    status, text = send(agnes, action, number="BUG-4521")
    message = outputs(text)["client-message"]
    assert status == 200 and expected in message
    check = post(agnes, "/signalement/delais", {"text": message, "number": "BUG-4521"})
    assert check.get_json() == {"deadlines": [], "warning": ""}


def test_a_message_needs_the_ticket_number(as_user) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "created", number="")
    assert status == 422 and "Indiquez le n° du ticket" in text


def test_a_promised_deadline_is_named_in_the_warning(as_user) -> None:  # type: ignore[no-untyped-def]
    answer = post(as_user("agnes"), "/signalement/delais",
                  {"text": "Corrigé sous 48 h, ou d'ici vendredi.", "number": ""}).get_json()
    assert answer["deadlines"] == ["sous 48 h", "d'ici"]
    assert "« sous 48 h »" in answer["warning"] and "jamais de délai" in answer["warning"]


HOSTILE_FIELDS = [
    ("number", "<script>alert(1)</script>", "N° de ticket invalide"),
    ("number", "BUG\r\nSet-Cookie: x=1", "N° de ticket invalide"),
    ("number", "A" * 41, "N° de ticket trop long"),
    ("title", "T" * 201, "Titre : 200 caractères au plus."),
    ("description", "D" * 5001, "5000 caractères au plus."),
    ("due", "12/01/2027", "Échéance invalide"),
    ("due", "2027-02-30", "Échéance invalide"),
    ("due", "99999-01-01", "Échéance invalide"),
]


@pytest.mark.parametrize(("name", "value", "reason"), HOSTILE_FIELDS)
def test_hostile_fields_are_refused_with_the_reason_and_kept(as_user, name: str, value: str,
                                                             reason: str) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "created", **{name: value, "number": "BUG-1"}
                        if name != "number" else {name: value})
    assert status == 422 and reason in text
    assert "client-message" not in outputs(text)


MARKUP = '"><script>alert(1)</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("field", ["title", "description", "steps", "environment", "observed",
                                   "expected", "q"])
def test_markup_typed_in_a_field_is_shown_as_text(as_user, field: str) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "ticket", **{field: f"Avant {MARKUP}\x00\x1b\u202e"})
    assert status == 200
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text
    if field != "q":
        assert f"Avant {MARKUP}" in outputs(text)["ticket-text"]


def test_the_query_in_the_address_is_bounded_and_cleaned(as_user) -> None:  # type: ignore[no-untyped-def]
    text = as_user("agnes").get("/signalement", query_string={
        "q": "a\x00" + "b" * 1000 + MARKUP}).get_data(as_text=True)
    assert "\x00" not in text and "b" * 499 in text and "b" * 501 not in text
    assert "<script>alert" not in text


@pytest.mark.parametrize("data", [{"text": "x" * 20_001}, {"text": "x", "number": "9" * 41}])
def test_the_deadline_check_refuses_oversized_input(as_user, data: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert post(as_user("agnes"), "/signalement/delais", data).status_code == 400


def test_an_unknown_button_is_refused(as_user) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    response = agnes.post("/signalement", data={"action": "publier",
                                                "csrf_token": csrf_token(agnes)})
    assert response.status_code == 400


def test_the_number_is_taken_without_the_spaces_around_it(as_user) -> None:  # type: ignore[no-untyped-def]
    status, text = send(as_user("agnes"), "resolved", number="  BUG-7 ")
    assert status == 200 and "(ticket n° BUG-7) est corrigé" in outputs(text)["client-message"]
