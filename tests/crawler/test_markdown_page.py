"""Markdown (MkDocs flavour) → sections with MkDocs anchors; what is not published is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.crawler.markdown_page import parse_markdown
from kbtool.documents import Section

CORPUS = Path("/work/shared/corpus/docs")
FIXTURES = Path(__file__).parent / "fixtures" / "folder"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus absent: {CORPUS}")


@pytest.mark.parametrize(("markdown", "expected"), [
    ("# Gestion des dons\n\n## Éditer les reçus fiscaux\n\ntexte",
     [("Gestion des dons", "gestion-des-dons", 1),
      ("Éditer les reçus fiscaux", "editer-les-recus-fiscaux", 2)]),
    ("## A quoi servent ces listes ?\n\nx", [("A quoi servent ces listes ?",
                                              "a-quoi-servent-ces-listes", 2)]),
    ("## Listes\n\nx\n\n## Listes\n\ny", [("Listes", "listes", 2), ("Listes", "listes_1", 2)]),
    ("## Adresses {#adr}\n\nx", [("Adresses", "adr", 2)]),
    ("Titre souligné\n==============\n\nx", [("Titre souligné", "titre-souligne", 1)]),
], ids=["accents", "punctuation", "repeated", "attr-list-id", "setext"])
def test_heading_ids_as_mkdocs_makes_them(markdown: str,
                                          expected: list[tuple[str, str, int]]) -> None:
    assert [(s.heading, s.anchor, s.level) for s in parse_markdown(markdown).sections] == expected


@pytest.mark.parametrize(("markdown", "text"), [
    ("<!-- relu le 08.12.2025 -->\nDon enregistré.", "Don enregistré."),
    ("Avant <!-- note interne --> après.", "Avant après."),
    ("Avant\n\n<!--### Imprimer\n\n1. Choisissez le modèle\n-->\n\nAprès", "Avant\nAprès"),
    ("Visible\n\n<!-- jamais fermé\n\nCaché", "Visible"),
    ("Ouvrez :fontawesome-solid-magnifying-glass: *Rechercher*", "Ouvrez Rechercher"),
    ("Dons :material-arrow-right-bold: **Reçus**", "Dons Reçus"),
    (":octicons-alert-16: Alerte :simple-civicrm: CiviCRM :warning: fin", "Alerte CiviCRM fin"),
    ("Heure 10:30:00, http://exemple.org/a:b: et note : voir", 
     "Heure 10:30:00, http://exemple.org/a:b: et note : voir"),
], ids=["comment-line", "comment-inline", "comment-block", "comment-unclosed", "fontawesome",
        "material", "octicons-simple-emoji", "colons-kept"])
def test_unpublished_text_is_dropped(markdown: str, text: str) -> None:
    assert parse_markdown(markdown).sections == (Section("", "", text),)


@pytest.mark.parametrize(("markdown", "text"), [
    ('!!! warning "Attention"\n    Les dons vont sur une fiche *Individu*.',
     "Attention\nLes dons vont sur une fiche Individu."),
    ('??? note "Bloc développable"\n    Texte du bloc', "Bloc développable\nTexte du bloc"),
    ("|Compte|Libellé|\n|---|:---:|\n|512|Banque|", "Compte | Libellé\n512 | Banque"),
    ("```bash\nsudo apt install grisbi\n```", "sudo apt install grisbi"),
    ("Exercice\n:   Période de douze mois.", "Exercice\nPériode de douze mois."),
    ("Voir <https://adresse.data.gouv.fr/>{:target=\"_blank\"}.",
     "Voir https://adresse.data.gouv.fr/."),
], ids=["admonition", "details", "table", "fenced-code", "definition-list", "attr-list"])
def test_blocks_kept_as_text(markdown: str, text: str) -> None:
    assert parse_markdown(markdown).sections[0].text == text


@pytest.mark.parametrize(("markdown", "title"), [
    ("---\ntitle: Dons et reçus\nauthor: X\n---\n# Autre titre\n", "Dons et reçus"),
    ("---\ntitle: 'Entre apostrophes'\n---\ntexte", "Entre apostrophes"),
    ("---\nauthor: X\n---\n# Titre du corps\n", "Titre du corps"),
    ("# Premier\n\n# Second\n", "Premier"),
    ("texte seul", ""),
    ("\ufeff---\ntitle: Avec BOM\n---\n", "Avec BOM"),
], ids=["front-matter", "quoted", "front-matter-without-title", "first-h1", "none", "bom"])
def test_title(markdown: str, title: str) -> None:
    assert parse_markdown(markdown).title == title


def test_front_matter_is_not_text() -> None:
    page = parse_markdown("---\ntitle: T\ntags: [dons]\n---\nCorps.")
    assert page.sections == (Section("", "", "Corps."),)


def test_horizontal_rule_is_not_front_matter() -> None:
    page = parse_markdown("Avant\n\n---\n\nAprès")
    assert page.sections == (Section("", "", "Avant\nAprès"),)


def test_fixture_page() -> None:
    page = parse_markdown((FIXTURES / "civiparoisse" / "dons.md").read_text(encoding="utf-8"))
    assert page.title == "Dons et reçus fiscaux"
    assert [s.anchor for s in page.sections] == [
        "gestion-des-dons", "enregistrer-un-don", "editer-les-recus-fiscaux"]
    text = "\n".join(s.heading + "\n" + s.text for s in page.sections)
    assert "Attention\nLes dons sont à enregistrer" in text
    assert "Chèque | oui" in text
    for hidden in ("D10", "Imprimer les reçus", "CiviParoisse Reçu fiscal", "material",
                   "fontawesome", ":warning:"):
        assert hidden not in text


@needs_corpus
def test_civiparoisse_commented_procedure_is_left_out() -> None:
    path = (CORPUS / "civiparoisse" / "UTILISATION" / "mode_emploi"
            / "gestion_des_dons_et_edition_des_recus_fiscaux.md")
    source = path.read_text(encoding="utf-8")
    assert "Imprimer les reçus fiscaux" in source, "the corpus file changed"
    page = parse_markdown(source)
    assert [s.anchor for s in page.sections] == [
        "gestion-des-dons-et-edition-des-recus-et-edition-des-recus-fiscaux",
        "enregistrer-des-dons", "editer-les-recus-fiscaux"]
    text = "\n".join(s.heading + "\n" + s.text for s in page.sections)
    assert "Nouvelle contribution" in text
    assert "Imprimer les reçus fiscaux" not in text
    assert "Préparer les reçus fiscaux" not in text
    assert ":material-" not in text and ":fontawesome-" not in text


@needs_corpus
def test_legifrance_article() -> None:
    page = parse_markdown((CORPUS / "legifrance" / "cgi-article-206.md").read_text("utf-8"))
    assert page.title == "Article 206"
    assert page.sections[0].anchor == "article-206"
    assert "associations régies par la loi du 1er juillet 1901" in page.sections[0].text
