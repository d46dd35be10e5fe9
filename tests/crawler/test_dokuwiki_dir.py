"""The ``dokuwiki-dir`` source on a copy of the fixture wiki, opened the way the pipeline does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kbtool.config import from_dict
from kbtool.crawler import open_source
from kbtool.crawler.dokuwiki_dir import DokuWikiDirSource
from kbtool.documents import Document, Failure

FIXTURES = Path(__file__).parent / "fixtures" / "dokuwiki" / "pages"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wiki"
BASE_URL = "https://wiki.example.org/doku.php"


def open_wiki(path: Path, base_url: str = BASE_URL) -> DokuWikiDirSource:
    config = from_dict({"sources": [{"name": "wiki", "kind": "dokuwiki-dir", "path": str(path),
                                     "base_url": base_url}]})
    source = open_source(config.source("wiki"), config)
    assert isinstance(source, DokuWikiDirSource)
    return source


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """A writable copy of the fixture ``data/pages`` folder."""
    return Path(shutil.copytree(FIXTURES, tmp_path / "pages"))


def test_listing_holds_pages_only(pages: Path) -> None:
    listing = open_wiki(pages).listing()
    assert sorted(listing.versions) == [
        "wiki/ancienne_installation.txt", "wiki/start.txt",
        "wiki/tutoriel/avance/sauvegarde.txt", "wiki/tutoriel/installer_le_logiciel.txt",
        "wiki/vide.txt",
    ]  # no hidden file, nothing under _media_cache
    assert listing.complete and listing.failures == ()
    stat = (pages / "start.txt").stat()
    assert listing.versions["wiki/start.txt"] == f"{stat.st_mtime_ns}-{stat.st_size}"


def test_version_changes_when_a_page_is_edited(pages: Path) -> None:
    source = open_wiki(pages)
    before = source.listing().versions
    page = pages / "tutoriel" / "installer_le_logiciel.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    after = source.listing().versions
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"wiki/tutoriel/installer_le_logiciel.txt"}
    assert source.fetch("wiki/tutoriel/installer_le_logiciel.txt").version == after[
        "wiki/tutoriel/installer_le_logiciel.txt"]


def test_fetch_builds_the_document(pages: Path) -> None:
    doc = open_wiki(pages).fetch("wiki/tutoriel/installer_le_logiciel.txt")
    assert isinstance(doc, Document)
    assert (doc.source, doc.title, doc.namespace) == ("wiki", "Installer le logiciel", "tutoriel")
    assert doc.url == "https://wiki.example.org/doku.php?id=tutoriel:installer_le_logiciel"
    assert doc.tags == ("tutoriel", "installation")
    assert doc.links == ()
    assert doc.modified == (pages / "tutoriel" / "installer_le_logiciel.txt").stat().st_mtime
    anchors = [s.anchor for s in doc.sections]
    assert anchors == ["installer_le_logiciel", "installation_en_ligne_de_commande",
                       "problemes_connus", "œuvre_cœur_strasse", "section2019",
                       "problemes_connus1", "titre_en_fin_de_ligne"]
    command = doc.sections[1]
    assert "sudo apt install tresorio" in command.text
    assert "tresorio --config /etc/tresorio.conf" in command.text
    assert doc.section_url(command.anchor) == (
        "https://wiki.example.org/doku.php?id=tutoriel:installer_le_logiciel"
        "#installation_en_ligne_de_commande")


def test_namespaces_and_titles(pages: Path) -> None:
    source = open_wiki(pages, base_url="https://wiki.example.org/")
    start = source.fetch("wiki/start.txt")
    nested = source.fetch("wiki/tutoriel/avance/sauvegarde.txt")
    assert (start.namespace, start.title) == ("", "Accueil du support")
    assert start.url == "https://wiki.example.org/doku.php?id=start"
    assert start.links == ("wiki/tutoriel/installer_le_logiciel.txt", "wiki/faq.txt")
    assert (nested.namespace, nested.title) == ("tutoriel:avance", "sauvegarde")
    assert nested.sections[0].text.startswith("Une page sans titre")


def test_a_redirect_names_its_target_and_an_empty_page_is_left_out(pages: Path) -> None:
    source = open_wiki(pages)
    redirect = source.fetch("wiki/ancienne_installation.txt")
    assert (redirect.redirect, redirect.sections) == ("wiki/tutoriel/installer_le_logiciel.txt",
                                                      ())
    assert source.fetch("wiki/vide.txt") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_a_failure_with_its_path(pages: Path) -> None:
    page = pages / "start.txt"
    page.chmod(0)
    try:
        result = open_wiki(pages).fetch("wiki/start.txt")
    finally:
        page.chmod(0o644)
    assert isinstance(result, Failure)
    assert result.location == str(page) and "cannot read" in result.reason


def test_invalid_utf8_and_vanished_files_are_failures(pages: Path) -> None:
    source = open_wiki(pages)
    (pages / "latin1.txt").write_bytes("====== Été ======\nDéjà vu".encode("latin-1"))
    listing = source.listing()
    assert "wiki/latin1.txt" in listing.versions
    bad = source.fetch("wiki/latin1.txt")
    assert isinstance(bad, Failure) and "UTF-8" in bad.reason
    assert bad.location == str(pages / "latin1.txt")
    (pages / "dossier.txt").mkdir()  # unreadable even for root
    folder = source.fetch("wiki/dossier.txt")
    assert isinstance(folder, Failure) and folder.location == str(pages / "dossier.txt")
    assert "cannot read" in folder.reason
    (pages / "start.txt").unlink()
    gone = source.fetch("wiki/start.txt")
    assert isinstance(gone, Failure) and gone.location == str(pages / "start.txt")


@pytest.mark.parametrize("page_id", [
    "other/start.txt", "wiki/../start.txt", "wiki/_media_cache/cache.txt", "wiki/.cache.txt",
    "wiki/start.html", "wiki/", "wiki//etc/passwd.txt",
])
def test_ids_that_are_not_pages_of_this_wiki(pages: Path, page_id: str) -> None:
    result = open_wiki(pages).fetch(page_id)
    assert isinstance(result, Failure) and result.reason == "not a page of this wiki folder"


def test_missing_folder_gives_an_incomplete_listing(tmp_path: Path) -> None:
    listing = open_wiki(tmp_path / "absent").listing()
    assert not listing.complete and listing.versions == {}
    assert listing.failures[0].location == str(tmp_path / "absent")


def test_real_wiki(tmp_path: Path) -> None:
    """The shared corpus: every page listed, redirects skipped, the rest documents."""
    if not CORPUS.is_dir():
        pytest.skip(f"test corpus not found at {CORPUS}")
    source = open_wiki(CORPUS)
    listing = source.listing()
    assert len(listing.versions) == len(list(CORPUS.rglob("*.txt"))) and listing.complete
    # ~~REDIRECT>Bureautique~~
    assert source.fetch("wiki/office.txt").redirect == "wiki/bureautique.txt"
    doc = source.fetch("wiki/tutoriel/configurer_le_clavier.txt")
    assert doc.namespace == "tutoriel" and doc.title == "Configurer le clavier"
    assert doc.url == f"{BASE_URL}?id=tutoriel:configurer_le_clavier"
    assert source.fetch("wiki/wiki/modeles/tutoriel.txt").namespace == "wiki:modeles"
