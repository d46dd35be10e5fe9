"""Cited texts against the index: how much two texts differ (the threshold's table), and what
became of cited sections after the wiki folder was edited and reindexed (a fixture index)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool import pipeline
from kbtool.config import Config
from kbtool.index.search import Searcher
from kbtool.knowledge import citations
from kbtool.knowledge.citations import (CHANGED, HEAVY_CHANGE, MOVED, OK, PAGE_GONE,
                                        SECTION_GONE, similarity)
from kbtool.knowledge.reply import ChosenSection
from tests.kbfactory import local_config, rewrite

IMPORT = ("Pour importer un relevé bancaire, ouvrez le menu Banque puis Importer. Choisissez le "
          "fichier OFX téléchargé depuis votre banque et validez. Les écritures apparaissent "
          "dans le rapprochement, où vous pouvez les pointer une à une.")
FIRST, SECOND, THIRD = (sentence + "." for sentence in IMPORT.rstrip(".").split(". "))
SHORT = "Chaque reçu porte un numéro unique."

# (edit, old text, new text, heavy?).  Small edits keep 0.57 and more of the word pairs (the
# lowest: one word inserted in a six-word sentence), heavy ones 0.29 and less: HEAVY_CHANGE = 0.5
# sits between, with room on both sides.
EDITS = [
    ("spacing and case only", SHORT, "chaque  reçu porte un NUMÉRO unique", False),
    ("a typo fixed", IMPORT, IMPORT.replace("téléchargé", "téléchargée"), False),
    ("one word changed", IMPORT, IMPORT.replace("validez", "confirmez"), False),
    ("a sentence added", IMPORT, IMPORT + " Un relevé déjà importé est ignoré.", False),
    ("a menu renamed", IMPORT, IMPORT.replace("le menu Banque puis Importer",
                                              "le menu Trésorerie puis Import"), False),
    ("sentences reordered", IMPORT, f"{THIRD} {SECOND} {FIRST}", False),
    ("one sentence of three removed", IMPORT, f"{FIRST} {THIRD}", False),
    ("a word inserted in a short text", SHORT, "Chaque reçu fiscal porte un numéro unique.",
     False),
    ("two sentences of three rewritten", IMPORT,
     f"{FIRST} Le format QIF n'est plus accepté depuis la version 5 ; convertissez vos fichiers "
     "avant de les envoyer.", True),
    ("cut to its first sentence", IMPORT, FIRST, True),
    ("rewritten", IMPORT, "Depuis la version 6, l'import des relevés se fait automatiquement par "
     "la synchronisation bancaire : aucune manipulation n'est nécessaire.", True),
    ("short text reversed in meaning", SHORT, "Les reçus ne sont plus numérotés.", True),
    ("emptied", IMPORT, "", True),
]


@pytest.mark.parametrize(("old", "new", "heavy"), [case[1:] for case in EDITS],
                         ids=[case[0] for case in EDITS])
def test_small_edits_stay_above_the_threshold_and_heavy_ones_fall_below(old: str, new: str,
                                                                      heavy: bool) -> None:
    score = similarity(old, new)
    assert (score < HEAVY_CHANGE) is heavy, score
    assert abs(score - HEAVY_CHANGE) >= 0.05  # no edit of the table sits on the threshold


def test_similarity_is_one_for_the_same_words_and_zero_for_none_shared() -> None:
    assert similarity(IMPORT, IMPORT) == 1.0
    assert similarity("", "") == 1.0
    assert similarity("a b c", "d e f") == 0.0


def page(heading: str, sections: dict[str, str]) -> str:
    """A DokuWiki page: its title, then one level-2 heading per section."""
    return f"====== {heading} ======\nIntroduction de la page.\n" + "".join(
        f"===== {title} =====\n{text}\n" for title, text in sections.items())


CLOTURE = ("Avant la clôture de l'exercice, vérifiez que le rapprochement bancaire est fait, que "
           "les charges constatées d'avance sont passées et que le report à nouveau est juste.")
RECUS = ("Les reçus fiscaux se font depuis le menu Dons : cochez les dons de l'année, vérifiez "
         "l'adresse des donateurs puis imprimez ou envoyez les reçus par courriel.")
WIKI = {
    "logiciel/banque.txt": page("Banque", {"Importer un relevé": IMPORT,
                                           "Clôturer l'exercice": CLOTURE}),
    "logiciel/dons.txt": page("Dons", {"Reçus fiscaux": RECUS}),
    "logiciel/unchanged.txt": page("Sauvegardes", {"Sauvegarder": SHORT + " " + CLOTURE}),
}


class Wiki:
    """A wiki folder indexed, a store, and a searcher over the index."""

    def __init__(self, config: Config, conn: sqlite3.Connection) -> None:
        self.config, self.conn = config, conn
        self.root = Path(config.sources[0].get("path"))
        self.searcher = Searcher(config.index_dir)

    def cite(self, page_id: str, heading: str) -> citations.Cited:
        """Cite the section of that heading as a reply does; its kept text."""
        [section] = [s for s in self.searcher.page_sections(page_id) if s.heading == heading]
        citations.keep_sections(self.conn, self.searcher, [ChosenSection(
            section.page_title, heading, section.url, page_id, section.anchor)])
        kept = citations.find(self.conn, page_id, section.anchor, False)
        assert kept is not None and kept.text == section.text
        return kept

    def edit(self, pages: dict[str, str | None]) -> None:
        """Change the wiki's files behind kbtool's back (None deletes), then reindex."""
        for relative, text in pages.items():
            if text is None:
                (self.root / relative).unlink()
            else:
                rewrite(self.root / relative, text)
        assert pipeline.reindex(self.config).ok
        self.searcher.refresh()


@pytest.fixture()
def wiki(tmp_path: Path, conn: sqlite3.Connection) -> Iterator[Wiki]:
    config = local_config(tmp_path, wiki=WIKI, docs={"vide.txt": "Rien."})
    assert pipeline.reindex(config, full=True).ok
    indexed = Wiki(config, conn)
    yield indexed
    indexed.searcher.close()


BANQUE, DONS = "wiki/logiciel/banque.txt", "wiki/logiciel/dons.txt"
EDITED = {
    "small edit": {"logiciel/banque.txt": page("Banque", {
        "Importer un relevé": IMPORT.replace("validez", "confirmez"), "Clôturer l'exercice":
        CLOTURE})},
    "heavy edit": {"logiciel/banque.txt": page("Banque", {
        "Importer un relevé": "L'import manuel est supprimé : la synchronisation bancaire s'en "
        "charge chaque nuit.", "Clôturer l'exercice": CLOTURE})},
    "anchor renamed, same text": {"logiciel/banque.txt": page("Banque", {
        "Importer un relevé bancaire (OFX)": IMPORT, "Clôturer l'exercice": CLOTURE})},
    "section moved to another page": {
        "logiciel/banque.txt": page("Banque", {"Clôturer l'exercice": CLOTURE}),
        "logiciel/import.txt": page("Import", {"Depuis un fichier": IMPORT})},
    "section deleted": {"logiciel/banque.txt": page("Banque", {"Clôturer l'exercice":
                                                               CLOTURE})},
    "page deleted": {"logiciel/banque.txt": None},
}
# What became of the cited section "Importer un relevé", and where it is now if it moved.
EXPECTED = {
    "unchanged": (OK, None),
    "small edit": (OK, None),
    "heavy edit": (CHANGED, None),
    "anchor renamed, same text": (MOVED, (BANQUE, "importer_un_releve_bancaire_ofx")),
    "section moved to another page": (MOVED, ("wiki/logiciel/import.txt", "depuis_un_fichier")),
    "section deleted": (SECTION_GONE, None),
    "page deleted": (PAGE_GONE, None),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_what_became_of_a_cited_section_after_the_wiki_was_edited(wiki: Wiki, case: str) -> None:
    kept = wiki.cite(BANQUE, "Importer un relevé")
    wiki.edit(EDITED.get(case, {}))
    finding = citations.examine(wiki.searcher, kept)
    status, place = EXPECTED[case]
    assert finding.status == status, finding
    moved = finding.moved_to
    assert (moved.page_id, moved.anchor) == place if place else moved is None
    if moved:  # where it went, as the dashboard links it
        assert moved.url.endswith("#" + place[1]) and moved.label


def test_a_whole_page_renamed_is_found_under_its_new_name(wiki: Wiki) -> None:
    kept = citations.keep_page(wiki.conn, wiki.searcher, DONS)
    assert "Reçus fiscaux" in kept.text and kept.page_title == "Dons"
    wiki.edit({"logiciel/dons.txt": None, "logiciel/dons_et_recus.txt": WIKI["logiciel/dons.txt"]})
    finding = citations.examine(wiki.searcher, kept)
    assert (finding.status, finding.moved_to.page_id) == (MOVED, "wiki/logiciel/dons_et_recus.txt")


def test_a_whole_page_cited_then_rewritten_or_deleted(wiki: Wiki) -> None:
    kept = citations.keep_page(wiki.conn, wiki.searcher, DONS)
    wiki.edit({"logiciel/dons.txt": page("Dons", {"Reçus fiscaux": "Voir le nouveau module."})})
    assert citations.examine(wiki.searcher, kept).status == CHANGED
    wiki.edit({"logiciel/dons.txt": None})
    assert citations.examine(wiki.searcher, kept).status == PAGE_GONE


def test_the_first_citation_stays_the_reference_until_written_fresh(wiki: Wiki) -> None:
    kept = wiki.cite(BANQUE, "Importer un relevé")
    wiki.edit(EDITED["heavy edit"])
    again = citations.keep_page(wiki.conn, wiki.searcher, BANQUE)  # another kind: its own row
    assert again.id != kept.id
    citations.keep_sections(wiki.conn, wiki.searcher, [ChosenSection(
        "Banque", "Importer un relevé", "u", BANQUE, kept.anchor)])
    assert citations.find(wiki.conn, BANQUE, kept.anchor, False).text == IMPORT
    fresh = citations.keep_page(wiki.conn, wiki.searcher, BANQUE, fresh=True)
    assert fresh.id == again.id and "synchronisation" in fresh.text
