"""The bug path's texts: the request for missing elements, the developers' ticket (plain and
Markdown), the client's messages, and the promised deadlines flagged before copying."""

from __future__ import annotations

import re
from datetime import date

import cmarkgfm
import pytest

from kbtool.knowledge import tickets
from kbtool.knowledge.tickets import Ticket

SIGNATURE = "Agnès\nSupport Trésorio"


@pytest.mark.parametrize("text", [
    "La correction sera livrée sous 48 h.",
    "sous 48h",
    "Sous 2 jours ouvrés",
    "Nous corrigeons cela d'ici vendredi.",
    "d'ici la fin de la semaine",
    "d’ici lundi",
    "La version corrigée sortira demain.",
    "après-demain au plus tard",
    "dans 3 jours",
    "dans les 24 heures",
    "dans deux semaines",
    "en moins de 10 minutes",
    "la semaine prochaine",
    "le mois prochain",
    "vendredi prochain",
    "avant vendredi",
    "le 12/01",
    "le 12/01/2027",
    "le 2027-01-12",
    "le 12 janvier",
    "1er mars",
    "avant la fin du mois",
    "d'ici la fin de l'année",
    "en fin de semaine",
    "dans la journée",
    "cette semaine",
    "ce soir",
    "en janvier",
    "très prochainement",
    "72 h maximum",
    "un délai de 5 jours",
    "sous quarante-huit heures",
    "dans vingt-quatre heures",
    "sous 24/48h",
    "sous 2 à 3 jours",
    "sous huitaine",
    "au plus tard lundi",
    "le lundi 12",
    "avant le 15.",
    "prévu pour le 3.",
    "le 15 courant",
    "à 15 h aujourd'hui",
    "dans l'heure",
    "dans l'après-midi",
    "fin janvier",
    "mi-mars",
    "courant février",
    "fin de semaine",
    "dans les prochains jours",
    "dans les jours qui viennent",
    "J+2",
    "semaine 3",
    "avant Noël",
    "d ici vendredi",
    "DEMAIN",
])
def test_promised_deadlines_are_flagged(text: str) -> None:
    assert tickets.promised_deadlines(f"Bonjour, {text} Cordialement.")


@pytest.mark.parametrize("text", [
    "Bonjour, nous avons bien reçu votre demande.",
    "Votre version 5.2 est concernée.",
    "Le problème survient depuis 3 jours.",
    "Vous nous avez écrit il y a 2 jours.",
    "L'erreur apparaît sous Windows 11 et sous macOS.",
    "Dans le menu Banque, cliquez sur Relevés.",
    "Nous reviendrons vers vous dès que la correction sera disponible.",
    "Le fichier fait 12 Mo et contient 300 lignes.",
    "L'erreur apparaît à l'étape 3, en 2 clics.",
    "Merci de votre patience.",
    "Ne donnez jamais de délai au client.",
    "Vous nous avez appelé hier matin.",
    "Sous le n° de ticket BUG-4521, transmis à nos équipes.",
    "Le montant est de 1 250,50 €.",
    "Rendez-vous dans Paramètres > Société.",
    "À la fin de la procédure, cliquez sur Valider.",
    "Avant le 1er import, créez la banque.",
    "Pour 2 comptes bancaires, répétez l'opération.",
    "Pour le 3e onglet, cliquez sur Valider.",
    "Le taux passe à 15 % et s'applique en 3 étapes, sur 12 lignes, à 3 reprises.",
    "Dans les 3 fichiers joints, jusqu'au bout de la liste.",
])
def test_ordinary_sentences_are_not_flagged(text: str) -> None:
    assert tickets.promised_deadlines(text) == []


def test_the_client_messages_promise_nothing() -> None:
    for message in (tickets.created_message("BUG-4521", SIGNATURE),
                    tickets.resolved_message("BUG-4521", SIGNATURE)):
        assert "BUG-4521" in message and message.endswith("Cordialement,\n" + SIGNATURE)
        assert tickets.promised_deadlines(message, ignore=["BUG-4521"]) == []


def test_a_ticket_number_that_looks_like_a_date_is_not_a_promise() -> None:
    message = tickets.created_message("12/01", SIGNATURE)
    assert tickets.promised_deadlines(message) == ["12/01"]
    assert tickets.promised_deadlines(message, ignore=["12/01"]) == []


def test_the_flagged_phrases_are_quoted_once_each() -> None:
    assert tickets.promised_deadlines("Sous  48 h, oui, sous 48 h, ou demain.") == [
        "Sous 48 h", "sous 48 h", "demain"]


# -- Missing elements ---------------------------------------------------------------------------

def test_the_request_lists_only_the_missing_elements_in_checklist_order() -> None:
    text = tickets.missing_request(["when", "version"], SIGNATURE)
    assert text.startswith("Bonjour,\n")
    asked = [line for line in text.split("\n") if line.startswith("- ")]
    assert asked == ["- la version du logiciel que vous utilisez",
                     "- la date et l'heure auxquelles le problème s'est produit"]
    assert "pourriez-vous" in text and text.endswith("Cordialement,\n" + SIGNATURE)


@pytest.mark.parametrize("missing", [[], ["version", "budget"], ["<script>"]])
def test_a_request_for_nothing_or_unknown_elements_is_refused(missing: list[str]) -> None:
    with pytest.raises(ValueError):
        tickets.missing_request(missing, SIGNATURE)


# -- The developers' ticket ---------------------------------------------------------------------

def a_ticket(**changes: object) -> Ticket:
    fields = {"title": "Import OFX : erreur « format inconnu »",
              "description": "L'import d'un relevé OFX échoue.",
              "steps": "1. Ouvrir Banque > Relevés\n2) Importer le fichier\n\n- Valider",
              "environment": "Trésorio 5.2, Windows 11", "observed": "Message « format inconnu »",
              "expected": "Le relevé est importé", "urgency": "haute", "reproduced": True,
              "due": date(2027, 1, 12), **changes}
    return Ticket(**fields)  # type: ignore[arg-type]


def test_the_plain_ticket_states_every_field_of_the_procedure() -> None:
    text = tickets.ticket_text(a_ticket())
    assert text.startswith("Import OFX : erreur « format inconnu »\n=====")
    for expected in ("Urgence : Haute – une fonction importante est inutilisable",
                     "Reproduit par le support : oui", "Échéance (interne) : 12/01/2027",
                     "Description :\nL'import d'un relevé OFX échoue.",
                     "Étapes de reproduction :\n1. Ouvrir Banque > Relevés\n2. Importer le fichier"
                     "\n3. Valider",
                     "Environnement :\nTrésorio 5.2, Windows 11",
                     "Résultat observé :\nMessage « format inconnu »",
                     "Résultat attendu :\nLe relevé est importé"):
        assert expected in text


def test_the_markdown_ticket_renders_as_typed() -> None:
    html = cmarkgfm.github_flavored_markdown_to_html(tickets.ticket_markdown(a_ticket()))
    assert "<h2>Import OFX : erreur « format inconnu »</h2>" in html
    assert "<li>Ouvrir Banque &gt; Relevés</li>" in html
    assert "<h3>Résultat attendu</h3>" in html


def test_the_fields_left_empty_are_named() -> None:
    ticket = a_ticket(steps=" \n ", expected="", urgency="")
    assert ticket.unfilled() == ["Étapes de reproduction", "Résultat attendu", "Urgence"]
    assert a_ticket().unfilled() == []


HOSTILE_TEXT = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '[cliquez ici](javascript:alert(1))',
    '![pixel](https://evil.example/p.png)',
    '**gras** _italique_ `code`',
    '# Titre\n---\n> citation\n1. liste\n- puce\n| a | b |\n|---|---|',
    '&lt;b&gt; &#x3C;script&#x3E;',
    '<https://evil.example>',
    'https://evil.example/auto',
    '\\<script>',
    '```\nbloc\n```',
    'texte\n\n    indenté comme du code',
    '\ttabulation',
    '<!-- commentaire -->',
    'titre souligné\n===\nautre\n---',
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_markup_typed_in_any_field_renders_as_text_in_markdown(text: str) -> None:
    ticket = a_ticket(title=text, description=text, steps=text, environment=text,
                      observed=text, expected=text)
    html = cmarkgfm.github_flavored_markdown_to_html(tickets.ticket_markdown(ticket))
    tags = set(re.findall(r"</?([a-z0-9]+)", html))
    # Bare web addresses become links (GFM's autolinks): the cited pages should be clickable.
    assert tags <= {"h2", "h3", "ul", "ol", "li", "p", "strong", "br", "a"}, html
    assert html.count("<h2>") == 1 and html.count("<h3>") == 5 and html.count("<strong>") == 3
    assert all(href.startswith("https://evil.example") for href in re.findall(r'href="([^"]*)"',
                                                                                html)), html
    assert re.findall(r"<a [^>]*>", html) == re.findall(r'<a href="[^"]*">', html)


@pytest.mark.parametrize("text", ["a\x00b", "a\x1b[31mb", "a\u202eb", "a\x7fb", "a\rb"])
def test_control_characters_never_reach_a_text(text: str) -> None:
    ticket = a_ticket(title=text, description=text)
    for output in (tickets.ticket_text(ticket), tickets.ticket_markdown(ticket)):
        assert not any(c in output for c in "\x00\x1b\u202e\x7f\r")
    assert tickets.plain("x\r\ny\rz") == "x\ny\nz"
