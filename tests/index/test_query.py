"""From typed words to key terms: stems as the knowledge base holds them, typos, weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.index import query
from kbtool.index import schema
from kbtool.index.analysis import plain_word
from kbtool.index.query import key_terms, parse
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.kbfactory import local_config

WIKI = {
    "securite.txt": "====== Sécurité des données ======\nLa sécurité des données saisies.\n",
    "echeancier.txt": "====== Échéancier ======\nLes opérations planifiées du mois.\n",
    "gravure.txt": "====== Logiciel de gravure ======\nLa gravure des DVD et le graveur.\n",
    "modification.txt": "====== Modification d'une fiche ======\nLa modification.\n",
    "impression.txt": "".join(
        [f"===== Reçu {n} =====\nImprimer le reçu {n}.\n" for n in range(1, 21)]
        + ["===== Panne =====\nIls s'impriment mal.\n"]),
    "domaines.txt": "".join(f"===== Domaine {n} =====\nLe site exemple{n}.com.\n"
                            for n in range(5)),
    "maj.txt": "====== Mise à jour ======\nLa mise à jour du système.\n",
    "reseau.txt": "====== Réseau sans fil ======\nActiver le Wi-Fi.\n",
    "courriel.txt": "====== Courriel ======\nEnvoyer un email.\n",
    "moteur.txt": "====== Moteur de recherche ======\nLe moteur cherche un mot.\n",
    "sauvegarde.txt": "".join(f"===== Copie {n} =====\nLes fiches sauvegardées le {n}.\n"
                              for n in range(1, 4)),
    # Acronyms: OFX written in capitals; "tableur", "csv" and "échec" mostly in lower case.
    "import_ofx.txt": "====== Import de comptes ======\nImporter un fichier OFX ou un "
                      "tableur.\n",
    "cartes.txt": "====== Cartes ======\nImporter le relevé bancaire de la carte.\n",
    "outils.txt": "====== Outils ======\nLe format csv, le format CSV, le csv. Un échec, "
                  "l'échec, ECHEC.\n",
    # "pase": one slip from "passe", "paie" and "page"; "paie" shares its stem "pai" with the
    # many "paiement", "page" is the most frequent word, "passe" the one next to "mot".
    "paiements.txt": "".join(f"===== Paiement {n} =====\nLe paiement {n} est reçu.\n"
                             for n in range(1, 8)) + "===== Paie =====\nLa paie.\n",
    "pages.txt": "".join(f"===== Page {n} =====\nLa page {n} s'affiche.\n"
                         for n in range(1, 6)),
    "connexion.txt": "".join(f"===== Accès {n} =====\nLe mot de passe oublié du poste {n}.\n"
                             for n in range(1, 4)),
    "veille.txt": "".join(f"===== Veille {n} =====\nL'écran s'éteint : prendre une pause de "
                          f"{n} minutes.\n" for n in range(1, 5)),
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = local_config(tmp_path_factory.mktemp("kb"), wiki=WIKI,
                          docs={"notes.txt": "Les données du trésorier.\n"})
    assert reindex(config).ok
    return config.index_dir


@pytest.fixture(scope="module")
def searcher(index_dir: Path):
    opened = Searcher(index_dir)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def reader(index_dir: Path):
    with IndexStore(index_dir).open().reader() as opened:
        yield opened


def _family(reader, typed: str) -> dict[str, float]:
    """Stem → weight of the word-family forms added to the single term of ``typed``."""
    (term,) = parse(typed, reader).terms
    return {form.stem: form.weight for form in term.forms[1:] if not form.word}


def test_a_verb_brings_the_nouns_it_makes_that_the_index_holds(reader) -> None:
    family = _family(reader, "graver")
    assert set(family) == {"gravur", "graveur"}
    assert all(0 < weight < 1 for weight in family.values())


def test_a_verb_snowball_leaves_conjugated_is_also_searched_by_its_infinitive(reader) -> None:
    parsed = parse("impriment", reader)              # held once, "imprimer" 20 times
    (term,) = parsed.terms
    assert [(form.word, form.stem) for form in term.forms] == [("impriment", "impriment"),
                                                               ("", "imprim")]
    assert parsed.corrections == {}                  # a rare conjugation is not a typo


@pytest.mark.parametrize(("typed", "stems"), [
    ("éteignent", ["eteignent", "eteint"]),      # the singular: "éteindre" is not held
    ("prennent", ["prennent", "prendr"]),        # the infinitive: "prend" is not held
    ("imprimons", ["imprimon", "imprim"]),
])
def test_other_verbs_snowball_leaves_conjugated_bring_the_forms_the_index_holds(
        reader, typed: str, stems: list[str]) -> None:
    (term,) = parse(typed, reader).terms
    assert [form.stem for form in term.forms] == stems


def test_a_mistyped_stop_word_in_ent_is_dropped_not_taken_for_a_verb(reader) -> None:
    parsed = parse("coment sauvegarder", reader)     # "com" is held, as in "exemple.com"
    assert [term.surface for term in parsed.terms] == ["sauvegarder"]
    assert parsed.corrections == {"coment": "comment"}


def test_a_conjugated_verb_whose_infinitive_the_index_lacks_stays_as_typed(reader) -> None:
    (term,) = parse("fêtent", reader).terms
    assert [form.stem for form in term.forms] == ["fetent"]


def test_an_irregular_verb_brings_its_past_participle(reader) -> None:
    assert set(_family(reader, "mettre")) == {"mis"}          # mettre à jour → mise à jour


def test_a_verb_in_ifier_brings_its_noun_in_ification(reader) -> None:
    assert set(_family(reader, "modifier")) == {"modif"}      # modifi / modif


def test_a_derived_word_brings_its_base_but_a_noun_not_its_derivations(reader) -> None:
    assert set(_family(reader, "gravure")) == set()      # "grav" only in verbs: not indexed
    assert set(_family(reader, "moteur")) == {"mot"}
    assert set(_family(reader, "mot")) == set()           # a noun: "moteur" is not its family


def test_the_family_finds_pages_the_typed_word_misses(searcher: Searcher) -> None:
    assert [hit.page_id for hit in searcher.search("graver").hits] == ["wiki/gravure.txt"]


@pytest.mark.parametrize("typed, page", [("wifi", "wiki/reseau.txt"),        # page: "Wi-Fi"
                                         ("wi-fi", "wiki/reseau.txt"),
                                         ("e-mail", "wiki/courriel.txt")])   # page: "email"
def test_a_hyphenated_pair_and_the_same_written_as_one_find_each_other(searcher: Searcher,
                                                                        typed: str,
                                                                        page: str) -> None:
    assert [hit.page_id for hit in searcher.search(typed).hits][:1] == [page]


@pytest.mark.parametrize("typed, stems", [
    ("securite des donnees", ["secur", "don"]),         # typed without accents
    ("sécurité des données", ["secur", "don"]),
    ("operations planifiees", ["oper", "planifi"]),
])
def test_words_typed_without_accents_take_the_stems_the_index_holds(reader, typed: str,
                                                                    stems: list[str]) -> None:
    assert [term.forms[0].stem for term in parse(typed, reader).terms] == stems


def test_rarer_terms_weigh_more(reader) -> None:
    weights = {term.surface: term.weight for term in parse("données planifiées", reader).terms}
    assert weights["planifiées"] > weights["données"]


@pytest.mark.parametrize("typed", ["relevé OFX tableur", "relevé ofx tableur"])
def test_a_word_the_documentation_writes_in_capitals_weighs_more(reader, typed: str) -> None:
    # "ofx" and "tableur" are in the same single section: equally rare.
    weights = {term.surface: term.weight for term in parse(typed, reader).terms}
    assert weights["ofx"] == pytest.approx(query.ACRONYM_FACTOR * weights["tableur"])


@pytest.mark.parametrize("typed", ["format CSV", "echec"])
def test_words_mostly_written_in_lower_case_are_not_taken_for_acronyms(
        reader, monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    # Written "csv" twice for "CSV" once; "échec" twice (accented) for "ECHEC" once.
    weights = [term.weight for term in parse(typed, reader).terms]
    monkeypatch.setattr(query, "ACRONYM_FACTOR", 1.0)
    assert weights == [term.weight for term in parse(typed, reader).terms]


def test_what_was_found_written_in_capitals_is_remembered(reader) -> None:
    remembered: dict[str, bool] = {}
    first = {t.surface: t.weight for t in parse("relevé OFX", reader, remembered).terms}
    assert remembered == {"releve": False, "ofx": True}
    remembered["ofx"] = False                 # read from the dict, not looked up again
    again = {t.surface: t.weight for t in parse("relevé OFX", reader, remembered).terms}
    assert again["ofx"] == pytest.approx(first["ofx"] / query.ACRONYM_FACTOR)


def test_the_page_naming_the_acronym_outranks_pages_with_the_other_words(
        searcher: Searcher) -> None:
    hits = searcher.search("importer un relevé bancaire OFX").hits
    assert hits[0].page_id == "wiki/import_ofx.txt"


@pytest.mark.parametrize("typed", [
    "Bonjour, je voudrais savoir comment sécuriser les données ? Merci d'avance",
    "je n'arrive pas à sécuriser les données, pourriez-vous m'aider svp",
])
def test_a_request_as_customers_write_it_keeps_only_its_subject(typed: str) -> None:
    assert [term.surface for term in key_terms(typed)] == ["sécuriser", "données"]


def test_a_query_of_request_words_only_keeps_them() -> None:
    assert [term.surface for term in key_terms("aide")] == ["aide"]


@pytest.mark.parametrize("typed, written", [
    ("fiches sauvegrdées", "sauvegardées"),      # written back with its accents
    ("fiche sauvegrdée", "sauvegardée"),         # and in the number typed
    ("fiches asuvegardees", "sauvegardées"),     # first letters swapped
])
def test_a_typo_is_corrected_to_the_word_as_the_documentation_writes_it(
        reader, typed: str, written: str) -> None:
    parsed = parse(typed, reader)
    assert list(parsed.corrections.values()) == [written]
    assert parsed.terms[1].forms[-1].stem == "sauvegard"


@pytest.mark.parametrize("typed, suggested", [
    ("pase", "page"),                     # alone: the word most often written
    ("mot de pase oublié", "passe"),      # next to "mot" and "oublié": the word written there
    ("pase de paiement", "page"),         # "paie" shares its stem with "paiement", not its word
])
def test_a_typo_is_corrected_to_a_word_by_the_words_written_not_their_stems(
        reader, typed: str, suggested: str) -> None:
    assert parse(typed, reader).corrections == {"pase": suggested}


@pytest.mark.parametrize("typed", ["pase", "mot de pase oublié", "fiches sauvegrdées",
                                   "fiche asuvegardee", "imprimmer le recu"])
def test_every_suggested_word_is_a_word_the_documentation_writes(reader, typed: str) -> None:
    """Whatever the typo, the suggestion replaces it by a word found as such in the indexed
    text (its plain form is a word of the index, in the number typed), never a stem."""
    corrections = parse(typed, reader).corrections
    assert corrections  # each typo has a close word in this index: something is checked
    for suggested in corrections.values():
        assert (schema.BODY_WORDS, plain_word(suggested)) in reader, suggested


def test_a_corrected_word_is_spelled_as_most_sections_spell_it(tmp_path: Path) -> None:
    """Not as the first section holding it does: which one is first depends on the build."""
    wiki = {"aaa_premiere.txt": "====== Export ======\nThe declaration file.\n",
            **{f"page_{n}.txt": f"====== Impôts {n} ======\nLa déclaration {n}.\n"
               for n in range(5)}}
    config = local_config(tmp_path, wiki=wiki, docs={"notes.txt": "Notes.\n"})
    assert reindex(config).ok
    with IndexStore(config.index_dir).open().reader() as opened:
        first = query._stored_texts(opened, "declaration", 1)
        assert "declaration file" in first[0]          # the minority spelling comes first
        assert parse("déclartaion", opened).corrections == {"déclartaion": "déclaration"}
