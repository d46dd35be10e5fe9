"""The proposed reply, as a table: chosen sections and ticket in, French text out."""

from __future__ import annotations

import pytest

from kbtool.knowledge.reply import ChosenSection, compose, valid_ticket

TVA = ChosenSection("Déclarer la TVA", "Télédéclaration", "https://wiki/doku.php?id=tva#teledeclaration")
RIB = ChosenSection("Changer de banque", "Changer de banque", "https://docs/banque.html")
EXPORT = ChosenSection("Export FEC", "Contrôle", "https://docs/fec.html#controle")

ONE = """Bonjour,

Vous trouverez la réponse à votre question sur cette page de notre documentation :

- Déclarer la TVA – Télédéclaration : https://wiki/doku.php?id=tva#teledeclaration

N'hésitez pas à revenir vers nous si besoin.

Cordialement,
L'équipe support"""

THREE_WITH_TICKET = """Bonjour,

Concernant votre demande n° 4521, vous trouverez la réponse à votre question sur ces pages de notre documentation :

- Déclarer la TVA – Télédéclaration : https://wiki/doku.php?id=tva#teledeclaration
- Changer de banque : https://docs/banque.html
- Export FEC – Contrôle : https://docs/fec.html#controle

N'hésitez pas à revenir vers nous si besoin.

Cordialement,
Jeanne Martin
Support Trésorio – 01 23 45 67 89"""


@pytest.mark.parametrize(("sections", "ticket", "signature", "expected"), [
    ([TVA], "", "", ONE),
    ([TVA, RIB, EXPORT], "4521", "Jeanne Martin\nSupport Trésorio – 01 23 45 67 89",
     THREE_WITH_TICKET),
])
def test_compose(sections: list[ChosenSection], ticket: str, signature: str,
                 expected: str) -> None:
    assert compose(sections, ticket, signature) == expected


@pytest.mark.parametrize("count", [0, 4])
def test_compose_needs_one_to_three_sections(count: int) -> None:
    with pytest.raises(ValueError, match="1 to 3"):
        compose([TVA] * count)


@pytest.mark.parametrize(("section", "label"), [
    (TVA, "Déclarer la TVA – Télédéclaration"),
    (RIB, "Changer de banque"),
    (ChosenSection("Export FEC", "", "https://x"), "Export FEC"),
    (ChosenSection("Export FEC", "export fec", "https://x"), "Export FEC"),
])
def test_label(section: ChosenSection, label: str) -> None:
    assert section.label == label


@pytest.mark.parametrize(("ticket", "valid"), [
    ("", True), ("4521", True), ("INC-2025/0042", True), ("#12", False), ("a b", False),
    ("<script>", False), ("x" * 41, False),
])
def test_valid_ticket(ticket: str, valid: bool) -> None:
    assert valid_ticket(ticket) is valid
