"""The ``dokuwiki`` source against a real DokuWiki: built from a configuration as the pipeline
does, listing and fetching through the remote API, following edits, and failing safely."""

from __future__ import annotations

import pytest

from kbtool.config import ConfigError, from_dict
from kbtool.crawler import open_source
from kbtool.crawler.dokuwiki_http import DokuWikiHTTPSource
from kbtool.documents import Document, Failure
from kbtool.index.search import Searcher
from kbtool.pipeline import reindex
from tests.dokuwiki import BOT, PAGES, PASSWORD_VAR
READABLE = {f"wiki/{wiki_id.replace(':', '/')}.txt" for wiki_id in PAGES} - {
    "wiki/prive/salaires.txt"}


def wiki_config(url: str, index_dir: str = "index", **settings):
    """A configuration with this wiki as its only source (no politeness delay, no retries)."""
    entry = {"name": "wiki", "kind": "dokuwiki", "url": url, "user": BOT.name,
             "password_env": PASSWORD_VAR, **settings}
    return from_dict({"index": {"dir": index_dir},
                      "http": {"delay": 0, "retries": 0, "timeout": 10}, "sources": [entry]})


def open_wiki(url: str, **settings) -> DokuWikiHTTPSource:
    """The source as the pipeline opens it, from a configuration."""
    config = wiki_config(url, **settings)
    return open_source(config.sources[0], config)


@pytest.fixture()
def source(dokuwiki, monkeypatch) -> DokuWikiHTTPSource:
    monkeypatch.setenv(PASSWORD_VAR, BOT.password)
    return open_wiki(dokuwiki.url)


def revision(wiki, wiki_id: str) -> str:
    return str(int(wiki.page_file(wiki_id).stat().st_mtime))


def test_listing_has_the_readable_pages_with_their_revisions(dokuwiki, source):
    listing = source.listing()
    assert listing.complete and listing.failures == ()
    assert set(listing.versions) == READABLE
    assert listing.versions["wiki/tutoriel/installation.txt"] == revision(
        dokuwiki, "tutoriel:installation")


def test_fetch_parses_the_page(dokuwiki, source):
    source.listing()
    document = source.fetch("wiki/tutoriel/installation.txt")
    assert isinstance(document, Document)
    assert document.page_id == "wiki/tutoriel/installation.txt"
    assert document.source == "wiki"
    assert document.title == "Installer le logiciel"
    assert document.url == f"{dokuwiki.url}doku.php?id=tutoriel:installation"
    assert document.namespace == "tutoriel"
    assert document.version == revision(dokuwiki, "tutoriel:installation")
    assert [(s.heading, s.anchor) for s in document.sections] == [
        ("Installer le logiciel", "installer_le_logiciel"), ("Prérequis", "prerequis"),
        ("Mise à jour", "mise_a_jour")]
    assert "4 Go de mémoire" in document.sections[1].text
    assert document.links == ()
    assert source.fetch("wiki/start.txt").links == ("wiki/tutoriel/installation.txt",)


def test_the_api_and_the_data_folder_give_the_same_documents(dokuwiki, source):
    dokuwiki.save("kb:terminal", "====== Terminal ======\nTapez \x1b[0m puis\x04 Entrée.\n")
    config = from_dict({"index": {"dir": "index"}, "sources": [{
        "name": "wiki", "kind": "dokuwiki-dir", "path": str(dokuwiki.data_dir / "pages"),
        "base_url": dokuwiki.url}]})
    folder = open_source(config.sources[0], config)

    def read(reader, page_id: str):
        document = reader.fetch(page_id)
        return document and (document.title, document.url, document.namespace,
                             document.sections, document.tags, document.links, document.redirect)

    listed = source.listing().versions
    assert "wiki/kb/terminal.txt" in listed
    for page_id in listed:
        assert read(source, page_id) == read(folder, page_id), page_id
    assert read(source, "wiki/kb/terminal.txt")[3][0].text == "Tapez [0m puis Entrée."


def test_fetch_without_a_listing_asks_the_page_revision(dokuwiki, source):
    document = source.fetch("wiki/start.txt")
    assert document.version == revision(dokuwiki, "start")
    assert document.url.endswith("doku.php?id=start") and document.namespace == ""


def test_a_redirect_names_its_target_missing_and_forbidden_pages_are_left_out(source):
    redirect = source.fetch("wiki/tutoriel/ancienne_installation.txt")
    assert (redirect.redirect, redirect.sections) == ("wiki/tutoriel/installation.txt", ())
    assert source.fetch("wiki/tutoriel/nulle_part.txt") is None
    assert source.fetch("wiki/prive/salaires.txt") is None


def test_edits_creations_and_deletions_show_in_the_next_listing(dokuwiki, source):
    dokuwiki.save("crud:a_modifier", "====== Avant ======\nancien texte\n")
    dokuwiki.save("crud:a_supprimer", "====== Condamnée ======\nbientôt partie\n")
    before = source.listing().versions
    dokuwiki.save("crud:a_modifier", "====== Après ======\nnouveau texte\n")
    dokuwiki.save("crud:nouvelle", "====== Nouvelle ======\ntoute fraîche\n")
    dokuwiki.delete("crud:a_supprimer")
    after = source.listing().versions

    assert after["wiki/crud/a_modifier.txt"] != before["wiki/crud/a_modifier.txt"]
    assert "wiki/crud/nouvelle.txt" in after and "wiki/crud/nouvelle.txt" not in before
    assert "wiki/crud/a_supprimer.txt" in before and "wiki/crud/a_supprimer.txt" not in after
    untouched = READABLE & set(before)
    assert {p: after[p] for p in untouched} == {p: before[p] for p in untouched}
    edited = source.fetch("wiki/crud/a_modifier.txt")
    assert edited.title == "Après" and edited.version == after["wiki/crud/a_modifier.txt"]
    assert source.fetch("wiki/crud/a_supprimer.txt") is None


def test_wrong_password_gives_an_incomplete_listing(dokuwiki, monkeypatch):
    monkeypatch.setenv(PASSWORD_VAR, "mauvais secret")
    listing = open_wiki(dokuwiki.url).listing()
    assert not listing.complete and listing.versions == {}
    (failure,) = listing.failures
    assert failure.source == "wiki" and failure.location == dokuwiki.url
    assert failure.reason.startswith(f"login refused for user robot at {dokuwiki.url}")
    assert "mauvais secret" not in str(failure)


def test_api_switched_off_gives_an_incomplete_listing(dokuwiki, source):
    with dokuwiki.settings_changed(remote=0):
        listing = source.listing()
    assert not listing.complete
    assert "the remote API is off" in listing.failures[0].reason
    assert source.listing().complete


def test_server_down_gives_an_incomplete_listing_and_fetch_failures(dokuwiki, source):
    source.listing()
    dokuwiki.stop()
    try:
        listing = source.listing()
        fetched = source.fetch("wiki/start.txt")
    finally:
        dokuwiki.start()
    assert not listing.complete and listing.versions == {}
    assert "connection failed" in listing.failures[0].reason
    assert isinstance(fetched, Failure) and fetched.location == "start"
    assert "connection failed" in fetched.reason
    assert source.listing().complete


def test_password_from_a_file(dokuwiki, tmp_path):
    secret = tmp_path / "wiki-password"
    secret.write_text(BOT.password + "\n")
    listing = open_wiki(dokuwiki.url, password_env="", password_file=str(secret)).listing()
    assert set(listing.versions) >= READABLE


def test_a_missing_password_is_a_configuration_error(monkeypatch):
    monkeypatch.delenv(PASSWORD_VAR, raising=False)
    with pytest.raises(ConfigError, match=f"{PASSWORD_VAR} \\(password_env\\) is not set"):
        open_wiki("http://127.0.0.1:9/")


def test_reindex_keeps_the_wiki_pages_while_the_api_is_off(dokuwiki, source, tmp_path):
    config = wiki_config(dokuwiki.url, str(tmp_path / "index"))
    first = reindex(config).sources[0]
    assert first.listed >= len(READABLE) and first.failures == []
    assert (first.added, first.skipped) == (first.listed - 1, 1)  # the redirect is left out
    with dokuwiki.settings_changed(remote=0):
        report = reindex(config).sources[0]
    assert report.deleted == 0 and "remote API is off" in report.failures[0].reason
    hits = Searcher(config.index_dir).search("mémoire").hits
    assert [h.url for h in hits] == [f"{dokuwiki.url}doku.php?id=tutoriel:installation"]
