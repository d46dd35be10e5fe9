"""PDF → one section per page anchored ``page=N``; running headers dropped; broken → ValueError."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kbtool.crawler.pdf_page import parse_pdf
from kbtool.documents import Section
from tests.crawler.pdf_factory import make_pdf

CORPUS = Path("/work/shared/corpus/docs")
FIXTURES = Path(__file__).parent / "fixtures" / "folder"
MANUAL = CORPUS / "noalyss" / "manuel-fr.pdf"


def test_one_section_per_page_with_page_anchor() -> None:
    page = parse_pdf(make_pdf([["Clôture de l'exercice (bilan)", "Le compte 110 reçoit le solde."],
                               ["suite en minuscules, pas un titre", "Fonds dédiés"]],
                              title="Guide du trésorier"))
    assert page.title == "Guide du trésorier"
    assert page.sections == (
        Section("Page 1 – Clôture de l'exercice (bilan)", "page=1",
                "Clôture de l'exercice (bilan)\nLe compte 110 reçoit le solde."),
        Section("Page 2", "page=2", "suite en minuscules, pas un titre\nFonds dédiés"))


@pytest.mark.parametrize(("metadata", "title"), [
    (None, "Plan comptable associatif"),
    ("Microsoft Word - plan.docx", "Plan comptable associatif"),
    ("plan_v2.odt", "Plan comptable associatif"),
    ("  ", "Plan comptable associatif"),
    ("Règlement ANC 2018-06", "Règlement ANC 2018-06"),
])
def test_title_from_metadata_when_meaningful(metadata: str | None, title: str) -> None:
    content = make_pdf([["Plan comptable associatif", "Classe 1"]], title=metadata)
    assert parse_pdf(content).title == title


def test_running_headers_and_footers_are_dropped() -> None:
    bodies = [["Préambule"], ["Article 1", "Les associations…"], ["Article 2", "Article 3"],
              ["Annexe"]]
    pages = [[f"AUTORITE DES NORMES COMPTABLES page n° {n}/4", *body, f"revision 2017-{n}"]
             for n, body in enumerate(bodies, start=1)]
    page = parse_pdf(make_pdf(pages))
    assert [s.text.split("\n") for s in page.sections] == bodies
    assert [s.heading for s in page.sections] == [
        "Page 1 – Préambule", "Page 2 – Article 1", "Page 3 – Article 2", "Page 4 – Annexe"]
    assert page.title == "Préambule"


def test_repeated_lines_inside_the_page_are_kept() -> None:
    pages = [[f"Titre {n}", "Solde", "Total du compte", "Détail", "Total du compte", "Net",
              f"Fin {n}"] for n in range(1, 4)]
    sections = parse_pdf(make_pdf(pages)).sections
    assert [s.text.count("Total du compte") for s in sections] == [2, 2, 2]


def test_pages_without_text_have_no_section() -> None:
    page = parse_pdf(make_pdf([["Seule page écrite"], []]))
    assert [s.anchor for s in page.sections] == ["page=1"]


def test_table_of_contents_line_is_not_a_heading() -> None:
    page = parse_pdf(make_pdf([["1.Introduction........................59", "2.Suite.....60"]]))
    assert page.sections[0].heading == "Page 1"


@pytest.mark.parametrize("content", [
    b"",
    b"not a pdf at all",
    (FIXTURES / "notes" / "casse.pdf").read_bytes(),
    make_pdf([["Tronqué"]])[:-80],
], ids=["empty", "not-pdf", "broken-fixture", "truncated"])
def test_unreadable_pdf_raises_value_error(content: bytes) -> None:
    with pytest.raises(ValueError, match=r"^not a readable PDF: "):
        parse_pdf(content)


needs_manual = pytest.mark.skipif(not MANUAL.is_file(), reason=f"corpus absent: {MANUAL}")


@needs_manual
def test_noalyss_manual_pages_match_poppler() -> None:
    page = parse_pdf(MANUAL.read_bytes())
    assert len(page.sections) == 80
    assert [s.anchor for s in page.sections[:3]] == ["page=1", "page=2", "page=3"]
    assert page.title == "NOALYSS"
    assert page.sections[6].heading == "Page 7 – Introduction"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    poppler = subprocess.run(["pdftotext", "-f", "5", "-l", "5", str(MANUAL), "-"],
                             capture_output=True, text=True, check=True).stdout
    words = set(re.findall(r"[^\W\d_]{6,}", poppler))
    assert {"analytique", "répartition", "Impression"} <= words
    ours = set(re.findall(r"[^\W\d_]{6,}", page.sections[4].text))
    assert len(words & ours) >= 0.9 * len(words)
    assert "revision" not in page.sections[4].text, "running footer dropped"


@pytest.mark.skipif(not (CORPUS / "anc").is_dir(), reason="corpus absent")
def test_anc_regulation_running_header_dropped() -> None:
    page = parse_pdf((CORPUS / "anc" / "2018-06_reglement-asso.pdf").read_bytes())
    assert len(page.sections) == 40
    assert not any("page n°" in s.text for s in page.sections)
    assert any("contributions volontaires en nature" in s.text.lower() for s in page.sections)
