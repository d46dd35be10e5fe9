"""Search as agents use it: pages with deep-linked sections, French forms, typos, codes,
filters, paging, safe snippets, and a searcher that follows reindexes without reopening."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kbtool.config import Config
from kbtool.index.build import IndexBuilder
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from kbtool.index.writer import add_page
from kbtool.pipeline import reindex
from tests.index.corpus import pages as corpus_pages
from tests.kbfactory import DOC_PAGES, WIKI_PAGES, local_config, rewrite

WIKI = {
    **WIKI_PAGES,
    "logiciel/banque/virements.txt": (
        "====== Virements SEPA ======\nLe rapprochement des virements se fait chaque mois.\n"
        "===== Fichier de remise =====\nLe fichier XML est déposé sur le site de la banque.\n"),
    "logiciel/cotisations.txt": (
        "====== Cotisations des adhérents ======\nSaisissez les cotisations annuelles ; "
        "le rapprochement des cotisations encaissées suit.\n"),
    "erreurs/err-4012.txt": (
        "====== Erreur ERR-4012 ======\nLe formulaire 2042-RICI est refusé quand le montant "
        "dépasse le plafond.\n"),
    "faq/securite.txt": (
        "====== Sécurité du libellé ======\nSi un libellé contient <script>alert(1)</script>, "
        "Trésorio l'affiche tel quel.\n===== Exemple =====\nUn abonnement mensuel.\n"
        "===== Exemple =====\nUne cotisation trimestrielle payée par prélèvement.\n"
        "===== Relevés & écarts ? =====\nLes écarts de centimes.\n"),
}
DOCS = {
    **DOC_PAGES,
    **{f"tresorier/{name}.md": f"# {title}\n\nLe trésorier {text}.\n" for name, title, text in [
        ("role", "Rôle", "tient les comptes"),
        ("mandat", "Mandat", "est élu pour trois ans"),
        ("passation", "Passation", "sortant remet les clés"),
        ("signature", "Signature", "signe les chèques")]},
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    """One index of the pages above for the whole module (read-only tests)."""
    config = local_config(tmp_path_factory.mktemp("kb"), wiki=WIKI, docs=DOCS)
    assert reindex(config).ok
    return Searcher(config.index_dir)


def page_ids(results) -> list[str]:
    return [hit.page_id for hit in results.hits]


def test_hits_are_pages_with_sections_linking_to_dokuwiki_anchors(searcher: Searcher) -> None:
    results = searcher.search("importer le fichier OFX")
    top = results.hits[0]
    assert top.page_id == "wiki/logiciel/rapprochement.txt"
    assert (top.title, top.source, top.namespace) == ("Rapprochement bancaire", "wiki", "logiciel")
    assert top.url == "https://wiki.example.org/doku.php?id=logiciel:rapprochement"
    best = top.sections[0]
    assert (best.heading, best.anchor) == ("Importer un relevé OFX", "importer_un_releve_ofx")
    assert best.url == top.url + "#importer_un_releve_ofx"
    assert len(page_ids(results)) == len(set(page_ids(results)))   # grouped: one hit per page


@pytest.mark.parametrize("query, anchor", [
    ("cotisation trimestrielle prélèvement", "exemple1"),   # a repeated heading gets "1"
    ("écarts de centimes", "releves_ecarts"),                # accents and punctuation dropped
])
def test_section_anchors_follow_dokuwiki_rules(searcher: Searcher, query: str,
                                               anchor: str) -> None:
    top = searcher.search(query).hits[0]
    assert top.page_id == "wiki/faq/securite.txt"
    assert top.sections[0].url == f"https://wiki.example.org/doku.php?id=faq:securite#{anchor}"


def test_markdown_sections_link_to_their_heading_ids(searcher: Searcher) -> None:
    top = searcher.search("charges constatées d'avance").hits[0]
    assert top.sections[0].url == \
        "https://docs.example.org/tresorier/cloture.md#ecritures-dinventaire"


@pytest.mark.parametrize("query, page_id", [
    ("ecritures d'inventaire cloture", "docs/tresorier/cloture.md"),   # typed without accents
    ("recu fiscal numerotation", "wiki/logiciel/recus_fiscaux.txt"),    # accents and singular
    ("cotisation adherent", "wiki/logiciel/cotisations.txt"),           # singular for plural
    ("virement", "wiki/logiciel/banque/virements.txt"),
    ("445660", "docs/notes.txt"),                                       # account number
    ("2042-RICI", "wiki/erreurs/err-4012.txt"),                         # form code
    ("ERR-4012", "wiki/erreurs/err-4012.txt"),                          # error code
])
def test_forms_and_codes_find_the_page(searcher: Searcher, query: str, page_id: str) -> None:
    results = searcher.search(query)
    assert page_ids(results)[:1] == [page_id]
    assert results.confident


def test_codes_match_exactly(searcher: Searcher) -> None:
    assert page_ids(searcher.search("445661")) == []
    assert page_ids(searcher.search("2042-RICI")) == ["wiki/erreurs/err-4012.txt"]


@pytest.mark.parametrize("typed, suggestion", [
    ("rapprochment bancaire", "rapprochement bancaire"),   # a letter left out
    ("rpaprochement bancaire", "rapprochement bancaire"),  # first letters swapped
    ("rzpprochement bancaire", "rapprochement bancaire"),  # second letter wrong
    ("cmoment rapprochement bancaire", "comment rapprochement bancaire"),  # stop word mistyped
])
def test_typo_is_corrected_and_suggested(searcher: Searcher, typed: str, suggestion: str) -> None:
    results = searcher.search(typed)
    assert results.suggestion == suggestion
    assert page_ids(results)[0] == "wiki/logiciel/rapprochement.txt"
    assert results.confident
    assert searcher.search(suggestion).suggestion is None


def test_confidence_tells_an_answer_from_words_the_kb_lacks(searcher: Searcher) -> None:
    assert searcher.search("rapprochement bancaire du relevé").confident
    assert not searcher.search("licorne spatiale photosynthèse").confident
    assert not searcher.search("").confident


def test_a_confident_search_tells_which_of_its_pages_answer(searcher: Searcher) -> None:
    """"41 pages trouvées" for a precise question: the pages sharing a word are not all worth
    reading; those that answer are counted and marked."""
    results = searcher.search("importer le fichier OFX", limit=50)
    assert results.confident and results.total == len(results.hits)
    assert 1 <= results.answers < results.total
    assert [hit.sure for hit in results.hits].count(True) == results.answers
    assert results.hits[0].sure


@pytest.mark.parametrize("query", ["licorne spatiale photosynthèse", "licorne banque", ""])
def test_an_unsure_search_marks_no_page_as_an_answer(searcher: Searcher, query: str) -> None:
    results = searcher.search(query, limit=50)
    assert not results.confident
    assert results.answers == 0 and not any(hit.sure for hit in results.hits)


def test_source_and_namespace_filters(searcher: Searcher) -> None:
    everywhere = set(page_ids(searcher.search("rapprochement", limit=50)))
    assert {"docs/tresorier/cloture.md", "wiki/logiciel/banque/virements.txt"} <= everywhere

    docs = searcher.search("rapprochement", sources=["docs"], limit=50)
    assert page_ids(docs) == ["docs/tresorier/cloture.md"]
    logiciel = set(page_ids(searcher.search("rapprochement", namespaces=["logiciel"], limit=50)))
    assert logiciel == {p for p in everywhere if p.startswith("wiki/logiciel/")}
    assert "wiki/logiciel/banque/virements.txt" in logiciel                # sub-namespace
    banque = searcher.search("rapprochement", namespaces=["logiciel:banque"], limit=50)
    assert page_ids(banque) == ["wiki/logiciel/banque/virements.txt"]
    assert page_ids(searcher.search("rapprochement", sources=["docs"],
                                    namespaces=["logiciel"])) == []


def test_paging(searcher: Searcher) -> None:
    everything = searcher.search("trésorier", limit=50)
    assert everything.total == len(everything.hits) >= 5
    pages = [searcher.search("trésorier", limit=2, page=n)
             for n in range(1, math.ceil(everything.total / 2) + 1)]
    assert all(p.total == everything.total for p in pages)
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    assert {p.page_count for p in pages} == {len(pages)}
    assert [pid for p in pages for pid in page_ids(p)] == page_ids(everything)
    beyond = searcher.search("trésorier", limit=2, page=99)
    assert beyond.page == len(pages) and page_ids(beyond) == page_ids(pages[-1])


def test_snippets_escape_page_html_and_mark_matches(searcher: Searcher) -> None:
    hit = searcher.search("libellé affiché tel quel").hits[0]
    snippet = hit.sections[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark" in snippet and "</mark>" in snippet


def test_has_page(searcher: Searcher) -> None:
    assert searcher.has_page("wiki/logiciel/rapprochement.txt")
    assert searcher.has_page("docs/notes.txt")
    assert not searcher.has_page("wiki/logiciel/inexistante.txt")


@pytest.mark.parametrize("page_id, anchor, text", [
    ("wiki/faq/securite.txt", "exemple", "Un abonnement mensuel."),
    ("wiki/faq/securite.txt", "exemple1", "Une cotisation trimestrielle payée par prélèvement."),
    ("wiki/faq/securite.txt", "releves_ecarts", "Les écarts de centimes."),
    ("wiki/faq/securite.txt", "inexistante", None),       # section gone since the reply
    ("wiki/faq/inexistante.txt", "exemple", None),       # page gone
    ("", "", None),
    ("wiki/faq/securite.txt#1", "exemple", None),          # an index key is not a page id
    ("wiki/faq/*", "exemple", None),                      # no pattern matching
    ("WIKI/FAQ/SECURITE.TXT", "exemple", None),           # ids are exact
])
def test_section_text_is_the_text_as_indexed(searcher: Searcher, page_id: str, anchor: str,
                                             text: str | None) -> None:
    found = searcher.section_text(page_id, anchor)
    assert found == text if text is None else found.strip() == text


def test_word_weights_follow_rarity_in_the_documentation(searcher: Searcher) -> None:
    weights = searcher.word_weights("relevé ofx licorne")
    assert len(weights) == 3
    relevé, ofx, licorne = weights.values()       # in the query's order
    assert licorne > ofx and licorne > relevé      # never written: weighs most
    assert searcher.word_weights("") == {}


def test_facets_list_sources_and_their_namespaces(searcher: Searcher) -> None:
    assert searcher.facets() == {"docs": ["tresorier"],
                                 "wiki": ["erreurs", "faq", "logiciel", "logiciel:banque"]}


@pytest.mark.parametrize("full", [False, True])
def test_refresh_sees_a_reindex_without_reopening(tmp_path: Path, full: bool) -> None:
    config: Config = local_config(tmp_path)
    reindex(config)
    searcher = Searcher(config.index_dir)
    generation = IndexStore(config.index_dir).generation()
    version = searcher.version()
    assert page_ids(searcher.search("grand-livre")) == []

    rewrite(tmp_path / "wiki/logiciel/rapprochement.txt",
            "====== Rapprochement ======\nPointez le grand-livre.\n")
    reindex(config, full=full)
    assert (IndexStore(config.index_dir).generation() != generation) == full
    seen = searcher.version()
    searcher.refresh()
    changed = searcher.version()
    assert changed != seen                    # what callers cached from the old state is stale
    searcher.refresh()
    assert searcher.version() == changed      # nothing changed since

    assert page_ids(searcher.search("grand-livre")) == ["wiki/logiciel/rapprochement.txt"]
    assert page_ids(searcher.search("relevé OFX")) == []
    assert searcher.version() != version


def test_page_sections_are_in_the_page_order_and_a_redirect_has_none(searcher: Searcher) -> None:
    sections = searcher.page_sections("wiki/faq/securite.txt")
    assert [s.anchor for s in sections][1:] == ["exemple", "exemple1", "releves_ecarts"]
    assert {s.page_id for s in sections} == {"wiki/faq/securite.txt"}
    assert sections[1].url.endswith("#exemple") and sections[1].text.strip() == \
        "Un abonnement mensuel."
    assert searcher.page_sections("wiki/faq/ancienne_page.txt") == ()  # a skipped redirect
    assert searcher.page_sections("wiki/faq/inexistante.txt") == ()


def test_the_same_answer_ranks_higher_alone_than_amid_unrelated_sections(tmp_path: Path) -> None:
    """A page's sections add up, divided by a small power of how many it has: otherwise a long
    manual gathers passing mentions from many sections and crowds out the short page."""
    answer = "===== Clôture =====\nLa clôture de l'exercice se fait en fin d'année.\n"
    padding = "".join(f"===== Chapitre {n} =====\nLes journaux du mois {n}.\n" for n in range(20))
    wiki = {"a_manuel.txt": "====== Guide ======\n" + answer + padding,
            "b_fiche.txt": "====== Fiche ======\n" + answer}
    config = local_config(tmp_path, wiki=wiki, docs={"vide.txt": "Rien.\n"})
    assert reindex(config).ok
    found = Searcher(config.index_dir)
    try:
        hits = found.search("clôture de l'exercice").hits
        assert [hit.page_id for hit in hits] == ["wiki/b_fiche.txt", "wiki/a_manuel.txt"]
        assert hits[0].score > hits[1].score
    finally:
        found.close()


@pytest.mark.parametrize("with_answer", [True, False])
def test_confidence_looks_at_the_first_pages_not_only_the_first(tmp_path: Path,
                                                                with_answer: bool) -> None:
    """A long page on bank transfers outranks the short one on rejected transfers: the search
    is still confident, since a page among the first holds every key word."""
    wiki = {"a_virements.txt": "====== Virements bancaires ======\n" + "".join(
                f"===== Virement {n} =====\nLe virement {n} part de la banque chaque mois ; "
                "le virement suivant aussi.\n" for n in range(12)),
            **{f"autre{n}.txt": f"====== Autre {n} ======\nLes cotisations rejetées du mois {n}.\n"
               for n in range(6)}}
    if with_answer:
        wiki["b_rejet.txt"] = ("====== Incidents ======\nUn virement rejeté par la banque revient "
                               "sous cinq jours.\n")
    config = local_config(tmp_path, wiki=wiki, docs={"vide.txt": "Rien.\n"})
    assert reindex(config).ok
    found = Searcher(config.index_dir)
    try:
        results = found.search("virement rejeté banque")
        assert results.hits[0].page_id == "wiki/a_virements.txt"
        assert results.confident is with_answer
    finally:
        found.close()


@pytest.mark.parametrize("linked", [True, False])
def test_pages_linked_with_the_first_results_are_lifted(tmp_path: Path, linked: bool) -> None:
    """The page that answers lists the programs; a program's page that also matches the
    question is lifted above an equal page nobody links to.  A linked page that does not match
    is not brought in."""
    body = "Le logiciel sait graver un DVD de données.\n"
    hub = "====== Gravure ======\nPour graver un DVD de données, voir les logiciels : "
    hub += "[[brasero]], [[sans_rapport]].\n" if linked else "brasero.\n"
    wiki = {"gravure.txt": hub,
            "a_lecteur.txt": "====== Lecteur ======\n" + body,
            "brasero.txt": "====== Brasero ======\n" + body,
            "sans_rapport.txt": "====== Clavier ======\nLa disposition du clavier.\n"}
    config = local_config(tmp_path, wiki=wiki, docs={"vide.txt": "Rien.\n"})
    assert reindex(config).ok
    found = Searcher(config.index_dir)
    try:
        ranked = page_ids(found.search("graver un DVD de données"))
    finally:
        found.close()
    assert sorted(ranked) == ["wiki/a_lecteur.txt", "wiki/brasero.txt", "wiki/gravure.txt"]
    programs = [page for page in ranked if page != "wiki/gravure.txt"]
    assert programs == (["wiki/brasero.txt", "wiki/a_lecteur.txt"] if linked
                        else ["wiki/a_lecteur.txt", "wiki/brasero.txt"])


def built_searcher(folder: Path, memory_mb: float) -> tuple[Searcher, int]:
    """A searcher over the pages of ``tests.index.corpus`` built with that memory bound, and
    how many segments the build wrote."""
    store = IndexStore(folder)
    generation = store.create_generation()
    builder = IndexBuilder(generation, limitmb=memory_mb)
    for doc in corpus_pages(400):
        add_page(builder, doc)
    builder.commit()
    store.publish(generation)
    return Searcher(folder), len(store.open()._segments())


def test_a_build_bounded_in_memory_finds_the_same_results(tmp_path: Path) -> None:
    bounded, segments = built_searcher(tmp_path / "bounded", memory_mb=0.01)
    unbounded, one = built_searcher(tmp_path / "unbounded", memory_mb=512)
    assert segments >= 5 and one == 1
    for query in ("comptabilité paroisse", "mise à jour ubuntu grub", "échéancier virements",
                  "ERR-4012", "numéro 12", "Œuvres reçues élus", "formulaire 2042-RICI"):
        assert bounded.search(query, limit=50) == unbounded.search(query, limit=50), query
