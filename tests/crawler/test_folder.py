"""The ``folder`` source on a temporary copy of a small documentation tree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

import pytest

from kbtool.config import ConfigError, from_dict
from kbtool.crawler import open_source
from kbtool.crawler.folder import MAX_FILE_BYTES, FolderSource, published_path
from kbtool.documents import Document, Failure
from tests.crawler.pdf_factory import make_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "folder"
CORPUS = Path("/work/shared/corpus/docs")

PAGES = {"docs/civiparoisse/dons.md", "docs/diacamma/comptabilité/exercice.html",
         "docs/grisbi/rapprochement.html", "docs/notes/casse.pdf", "docs/notes/sauvegarde.txt",
         "docs/notes/vide.html", "docs/anc/plan.pdf", "docs/LISEZ-MOI.markdown"}


def folder_source(path: Path, base_url: str = "https://doc.example.org/vade-mecum/",
                  **settings: str) -> FolderSource:
    """The source as the configuration builds it, through the same door as a reindex."""
    config = from_dict({"sources": [{"name": "docs", "kind": "folder", "path": str(path),
                                     "base_url": base_url, **settings}]})
    source = open_source(config.sources[0], config)
    assert isinstance(source, FolderSource)
    return source


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    shutil.copytree(FIXTURES, root)
    (root / "anc").mkdir()
    (root / "anc" / "plan.pdf").write_bytes(make_pdf(
        [["Plan comptable associatif", "Classe 1 : fonds propres"], ["Classe 6 : charges"]]))
    (root / "LISEZ-MOI.markdown").write_text("# Lisez-moi\n\nDocumentation du trésorier.\n",
                                             encoding="utf-8")
    return root


def test_listing_holds_supported_files_only(tree: Path) -> None:
    listing = folder_source(tree).listing()
    assert set(listing.versions) == PAGES
    assert listing.complete and listing.failures == ()
    stat = (tree / "grisbi" / "rapprochement.html").stat()
    assert listing.versions["docs/grisbi/rapprochement.html"] == \
        f"{stat.st_mtime_ns}-{stat.st_size}"


def test_listing_sees_edits_additions_and_removals(tree: Path) -> None:
    source = folder_source(tree)
    before = source.listing().versions
    page = tree / "notes" / "sauvegarde.txt"
    page.write_text(page.read_text(encoding="utf-8") + "Vérifiez la copie.\n", encoding="utf-8")
    (tree / "notes" / "nouveau.md").write_text("# Nouveau\n\ntexte", encoding="utf-8")
    (tree / "grisbi" / "rapprochement.html").unlink()
    after = source.listing().versions
    changed = {pid for pid in before.keys() & after.keys() if before[pid] != after[pid]}
    assert changed == {"docs/notes/sauvegarde.txt"}
    assert after.keys() - before.keys() == {"docs/notes/nouveau.md"}
    assert before.keys() - after.keys() == {"docs/grisbi/rapprochement.html"}
    fetched = source.fetch("docs/notes/sauvegarde.txt")
    assert isinstance(fetched, Document)
    assert fetched.version == after["docs/notes/sauvegarde.txt"]
    assert "Vérifiez la copie." in fetched.sections[0].text


def test_same_size_edit_changes_the_version(tree: Path) -> None:
    source = folder_source(tree)
    page = tree / "notes" / "sauvegarde.txt"
    before = source.listing().versions["docs/notes/sauvegarde.txt"]
    page.write_bytes(page.read_bytes().replace(b"avant", b"AVANT"))
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert source.listing().versions["docs/notes/sauvegarde.txt"] != before


@pytest.mark.parametrize(("base_url", "url"), [
    ("https://doc.example.org/vade-mecum/",
     "https://doc.example.org/vade-mecum/diacamma/comptabilit%C3%A9/exercice.html"),
    ("https://doc.example.org/vade-mecum",
     "https://doc.example.org/vade-mecum/diacamma/comptabilit%C3%A9/exercice.html"),
])
def test_document_identity_and_links(tree: Path, base_url: str, url: str) -> None:
    document = folder_source(tree, base_url).fetch("docs/diacamma/comptabilité/exercice.html")
    assert isinstance(document, Document)
    assert (document.source, document.page_id, document.title, document.url,
            document.namespace) == ("docs", "docs/diacamma/comptabilité/exercice.html",
                                    "Exercice comptable", url, "diacamma/comptabilité")
    section = next(s for s in document.sections if s.heading == "Clôture d'un exercice")
    assert document.section_url(section.anchor) == url + "#cloture-d-un-exercice"
    assert "var tracker" not in " ".join(s.text for s in document.sections)
    stat = (tree / "diacamma" / "comptabilité" / "exercice.html").stat()
    assert document.modified == stat.st_mtime


@pytest.mark.parametrize(("page_id", "url"), [
    ("docs/civiparoisse/dons.md", "https://doc.example.org/vm/civiparoisse/dons/"),
    ("docs/LISEZ-MOI.markdown", "https://doc.example.org/vm/LISEZ-MOI/"),
    ("docs/grisbi/rapprochement.html", "https://doc.example.org/vm/grisbi/rapprochement.html"),
])
def test_mkdocs_url_style_links_markdown_where_mkdocs_publishes_it(tree: Path, page_id: str,
                                                                   url: str) -> None:
    source = folder_source(tree, "https://doc.example.org/vm/", url_style="mkdocs")
    document = source.fetch(page_id)
    assert isinstance(document, Document)
    assert document.url == url


@pytest.mark.parametrize(("relative", "published"), [
    ("index.md", ""), ("a/index.md", "a/"), ("a/README.md", "a/"), ("a/b.md", "a/b/"),
    ("a/b.MD", "a/b/"), ("a/plan.pdf", "a/plan.pdf"), ("index.html", "index.html"),
])
def test_published_path_as_mkdocs_does(relative: str, published: str) -> None:
    assert published_path(PurePosixPath(relative), "mkdocs") == published
    assert published_path(PurePosixPath(relative), "file") == relative


def test_an_unknown_url_style_is_a_configuration_error(tree: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\[1\]\.url_style must be one of file, "
                                          r"mkdocs \(got 'sphinx'\)"):
        folder_source(tree, url_style="sphinx")


def test_without_base_url_links_go_to_the_file(tree: Path) -> None:
    document = folder_source(tree, "").fetch("docs/LISEZ-MOI.markdown")
    assert isinstance(document, Document)
    assert document.url == (tree / "LISEZ-MOI.markdown").resolve().as_uri()
    assert document.namespace == ""


@pytest.mark.parametrize(("page_id", "title", "first_anchor"), [
    ("docs/grisbi/rapprochement.html", "Rapprochement bancaire", "reconcile"),
    ("docs/civiparoisse/dons.md", "Dons et reçus fiscaux", "gestion-des-dons"),
    ("docs/LISEZ-MOI.markdown", "Lisez-moi", "lisez-moi"),
    ("docs/notes/sauvegarde.txt", "Sauvegarde de la base", ""),
    ("docs/anc/plan.pdf", "Plan comptable associatif", "page=1"),
])
def test_each_format_is_parsed(tree: Path, page_id: str, title: str, first_anchor: str) -> None:
    document = folder_source(tree).fetch(page_id)
    assert isinstance(document, Document)
    assert (document.title, document.sections[0].anchor) == (title, first_anchor)


def test_broken_pdf_is_a_failure_with_its_path(tree: Path) -> None:
    failure = folder_source(tree).fetch("docs/notes/casse.pdf")
    assert isinstance(failure, Failure)
    assert failure.source == "docs"
    assert failure.location == str(tree / "notes" / "casse.pdf")
    assert failure.reason.startswith("not a readable PDF: ")


def test_too_large_file_is_a_failure_without_being_read(tree: Path) -> None:
    huge = tree / "notes" / "archive.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    source = folder_source(tree)
    assert "docs/notes/archive.txt" in source.listing().versions
    failure = source.fetch("docs/notes/archive.txt")
    assert isinstance(failure, Failure)
    assert failure.reason == f"file too large ({MAX_FILE_BYTES + 1} bytes > {MAX_FILE_BYTES})"


def test_page_without_text_is_left_out(tree: Path) -> None:
    assert folder_source(tree).fetch("docs/notes/vide.html") is None


@pytest.mark.parametrize(("page_id", "reason"), [
    ("docs/notes/disparu.md", "No such file"),
    ("docs/../../etc/passwd.txt", "not a page of this folder source"),
    ("autre/notes/sauvegarde.txt", "not a page of this folder source"),
    ("docs/notes/export.csv", "not a page of this folder source"),
    ("docs", "not a page of this folder source"),
])
def test_bad_page_ids_are_failures(tree: Path, page_id: str, reason: str) -> None:
    failure = folder_source(tree).fetch(page_id)
    assert isinstance(failure, Failure)
    assert reason in failure.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_a_failure(tree: Path) -> None:
    page = tree / "notes" / "sauvegarde.txt"
    page.chmod(0)
    failure = folder_source(tree).fetch("docs/notes/sauvegarde.txt")
    assert isinstance(failure, Failure) and "Permission denied" in failure.reason


def test_folder_named_like_a_page_is_a_failure(tree: Path) -> None:
    (tree / "notes" / "dossier.md").mkdir()
    source = folder_source(tree)
    assert "docs/notes/dossier.md" not in source.listing().versions
    failure = source.fetch("docs/notes/dossier.md")
    assert isinstance(failure, Failure) and "Is a directory" in failure.reason


def test_parser_bug_is_a_failure_not_a_crash(tree: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_parser(content: bytes) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("kbtool.crawler.folder.parse_html", broken_parser)
    failure = folder_source(tree).fetch("docs/grisbi/rapprochement.html")
    assert isinstance(failure, Failure)
    assert failure.reason == "unexpected error: RecursionError('maximum recursion depth exceeded')"


def test_missing_folder_is_an_incomplete_listing(tmp_path: Path) -> None:
    listing = folder_source(tmp_path / "absent").listing()
    assert not listing.complete
    assert [f.reason for f in listing.failures] == ["folder not found"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus absent: {CORPUS}")
def test_real_corpus_folder() -> None:
    source = folder_source(CORPUS)
    listing = source.listing()
    assert len(listing.versions) == 118 and listing.complete
    document = source.fetch("docs/grisbi/grisbi-manuel018.html")
    assert isinstance(document, Document)
    assert document.namespace == "grisbi"
    assert document.url == "https://doc.example.org/vade-mecum/grisbi/grisbi-manuel018.html"
    assert document.section_url("budget-create").endswith("grisbi-manuel018.html#budget-create")
