"""Kinds of request: what a query suggests, which sources a kind searches, which pages are known
problems, where a wiki page named in the configuration is."""

from __future__ import annotations

import pytest

from kbtool import config as config_module
from kbtool.index.results import PageHit
from kbtool.knowledge import requestkinds


@pytest.mark.parametrize(("query", "kind"), [
    ("ERR-4012 à l'import", "bug"),
    ("err-4012", "bug"),
    ("le logiciel plante à l'ouverture", "bug"),
    ("Trésorio a planté", "bug"),
    ("un bug dans l'export", "bug"),
    ("j'ai un message d'erreur", "bug"),
    ("j'ai un message d’erreur", "bug"),
    ("importer un relevé OFX", None),
    ("plan comptable", None),        # « plan » is not « plante »
    ("TVA 2024", None),              # a word and a year are not an error code
    ("", None),
])
def test_guess(query: str, kind: str | None) -> None:
    guessed = requestkinds.guess(query)
    assert (guessed.id if guessed else None) == kind


@pytest.mark.parametrize(("text", "codes"), [
    ("ERR-4012 : fichier illisible", {"ERR-4012"}),
    ("err-4012 puis ERR-2031", {"ERR-4012", "ERR-2031"}),
    ("wiki erreurs err-4012.txt", {"ERR-4012"}),
    ("relevé de mars 2024", set()),
])
def test_error_codes(text: str, codes: set[str]) -> None:
    assert requestkinds.error_codes(text) == codes


SOURCES = config_module.from_dict({"sources": [
    {"name": "notre-wiki", "kind": "dokuwiki-dir", "path": ".", "base_url": "https://w/doku.php"},
    {"name": "vade-mecum", "kind": "folder", "path": "."},
    {"name": "site", "kind": "website", "start_urls": ["https://d/"]},
]})


@pytest.mark.parametrize(("kind", "sources"), [
    ("fonction", ("notre-wiki",)),
    ("compta", ("vade-mecum", "site")),
    ("bug", ()),
    ("manque", ()),
    ("mailing", ()),
])
def test_default_sources_follow_the_sources_kinds_not_their_names(kind: str,
                                                                  sources: tuple) -> None:
    assert requestkinds.default_sources(requestkinds.BY_ID[kind], SOURCES.sources) == sources
    assert requestkinds.default_sources(None, SOURCES.sources) == ()


def hit(page_id: str, title: str, namespace: str) -> PageHit:
    return PageHit(page_id=page_id, source="wiki", namespace=namespace, title=title, url="u",
                   modified=0.0, score=1.0, sections=())


@pytest.mark.parametrize(("page", "query", "namespace", "known"), [
    (hit("wiki/erreurs/err-4012.txt", "Fichier illisible", "erreurs"), "plante", "erreurs", True),
    (hit("wiki/erreurs/a/b.txt", "B", "erreurs:a"), "plante", "erreurs", True),
    (hit("wiki/erreursx/b.txt", "B", "erreursx"), "plante", "erreurs", False),
    (hit("wiki/faq/x.txt", "ERR-4012 : fichier illisible", "faq"), "ERR-4012", "", True),
    (hit("wiki/faq/err-4012.txt", "Fichier", "faq"), "err-4012 au démarrage", "", True),
    (hit("wiki/faq/err-4012.txt", "Fichier", "faq"), "ERR-2031", "", False),
    (hit("wiki/faq/import.txt", "Import", "faq"), "ERR-4012", "erreurs", False),
])
def test_known_problem(page: PageHit, query: str, namespace: str, known: bool) -> None:
    codes = requestkinds.error_codes(query)
    assert requestkinds.is_known_problem(page, codes, namespace) is known


def test_wiki_page_url_from_the_wiki_source() -> None:
    assert requestkinds.wiki_page_url(SOURCES, "procedures:retour mailing") == \
        "https://w/doku.php?id=procedures:retour%20mailing"
    no_wiki = config_module.from_dict({"sources": [{"name": "d", "kind": "folder", "path": "."}]})
    assert requestkinds.wiki_page_url(no_wiki, "x") == ""


def test_wiki_page_url_prefers_the_wiki_named_by_web_wiki_source() -> None:
    sources = [{"name": "dossier", "kind": "dokuwiki-dir", "path": ".",
                "base_url": "https://dossier/doku.php"},
               {"name": "api", "kind": "dokuwiki", "url": "https://api/doku.php"}]
    named = config_module.from_dict({"sources": sources, "web": {"wiki_source": "api"}})
    assert requestkinds.wiki_page_url(named, "faq:x") == "https://api/doku.php?id=faq:x"
    unnamed = config_module.from_dict({"sources": sources})
    assert requestkinds.wiki_page_url(unnamed, "faq:x") == "https://dossier/doku.php?id=faq:x"
