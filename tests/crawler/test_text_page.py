"""Plain text → one section; bytes → text whatever the file's encoding."""

from __future__ import annotations

import pytest

from kbtool.crawler.text_page import MAX_TITLE_CHARS, decode, parse_text
from kbtool.documents import Section


@pytest.mark.parametrize(("text", "title", "body"), [
    ("\n\n  Sauvegarde  de la base \n\nCopiez le dossier.\n", "Sauvegarde de la base",
     "Sauvegarde de la base\nCopiez le dossier."),
    ("x" * (MAX_TITLE_CHARS + 1) + "\nsuite", "notes", "x" * (MAX_TITLE_CHARS + 1) + "\nsuite"),
], ids=["short-first-line", "long-first-line"])
def test_parse_text(text: str, title: str, body: str) -> None:
    page = parse_text(text, "notes")
    assert (page.title, page.sections) == (title, (Section("", "", body),))


def test_blank_text_has_no_section() -> None:
    assert parse_text(" \n\t\n", "vide").sections == ()


@pytest.mark.parametrize(("raw", "preferred", "text"), [
    ("Clôture – œuvre".encode("utf-8"), (), "Clôture – œuvre"),
    ("Clôture – œuvre".encode("cp1252"), (), "Clôture – œuvre"),
    ("Clôture".encode("latin-1"), ("iso-8859-1",), "Clôture"),
    ("Clôture".encode("latin-1"), ("utf-8",), "Clôture"),
    ("Clôture".encode("utf-8"), ("no-such-codec", None), "Clôture"),
    ("\ufeffClôture".encode("utf-8"), ("latin-1",), "Clôture"),
    ("Clôture".encode("utf-16"), (), "Clôture"),
    (b"d\x81j\x8d", (), "d\ufffdj\ufffd"),
], ids=["utf8", "cp1252", "preferred", "preferred-does-not-fit", "unknown-codec",
        "utf8-bom-wins", "utf16-bom", "undecodable"])
def test_decode(raw: bytes, preferred: tuple[str | None, ...], text: str) -> None:
    assert decode(raw, *preferred) == text
