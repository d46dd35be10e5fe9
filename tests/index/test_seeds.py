"""Synonym pairs read in the documentation's own sentences, and sentences that give none."""

from __future__ import annotations

import re

import pytest

from kbtool.index import seeds as seeds_module
from kbtool.index.seeds import (ACRONYM, BRACKETED, MAX_SEEDS_PER_TEXT, NAMED, Seed,
                                pair_of, pair_term, seeds)


@pytest.mark.parametrize("sentence, expected", [
    ("Envoyez un courriel (e-mail) au support.", [("courriel", "e-mail", BRACKETED)]),
    ("Les processus, aussi appelés programmes en cours, occupent la mémoire.",
     [("processus", "programmes en cours", NAMED)]),
    ("Un micrologiciel (appelé aussi firmware) est chargé au démarrage.",
     [("micrologiciel", "firmware", NAMED)]),
    ("L'hibernation (appelée aussi Veille prolongée) économise l'énergie.",
     [("hibernation", "veille prolongée", NAMED)]),
    ("Le pare-feu, également appelé firewall, filtre le réseau.",
     [("pare-feu", "firewall", NAMED)]),
    ("On attribue une étiquette (en anglais : label) à chaque partition.",
     [("étiquette", "label", NAMED)]),
    ("Les signets, aussi appelés marque-pages ou favoris, se rangent dans un dossier.",
     [("signets", "marque-pages", NAMED), ("signets", "favoris", NAMED)]),
    ("Le Système de Gestion de Base de Données (SGBD) stocke les fiches.",
     [("système de gestion de base de données", "sgbd", ACRONYM)]),
    ("Le fichier QIF (Quicken Interchange Format) se télécharge sur le site de la banque.",
     [("qif", "quicken interchange format", ACRONYM)]),
    ("Demandez au fournisseur d'accès à internet (FAI) vos identifiants.",
     [("fournisseur d'accès à internet", "fai", ACRONYM)]),
])
def test_the_documentation_names_a_thing_twice(sentence: str,
                                                expected: list[tuple[str, str, str]]) -> None:
    assert [(s.term, s.synonym, s.kind) for s in seeds(sentence)] == expected


@pytest.mark.parametrize("sentence", [
    "Les détails sont au chapitre suivant (voir page 3).",
    "La loi de finances (2019) a changé le plafond.",
    "Indiquez le numéro de téléphone (facultatif).",
    "Le montant est reporté (cf. article 238 bis).",
    "Installez le paquet (ou désinstallez-le) depuis la logithèque.",
    "Cochez la case (par défaut).",
    "Le réglage est activé, c'est-à-dire que la machine redémarre.",
    "Cliquez sur Valider (en bas à droite de la fenêtre qui vient de s'ouvrir).",
    "La sauvegarde (qui prend du temps et que l'on oublie souvent) se lance le soir.",
    "Le compte 512 (banque) est débité.",
    "Ouvrez le menu (2).",
    "La connexion sécurisée (Oui) est proposée.",
    "Le script (appelé 01_install.sh) se lance au démarrage.",
    "",
    "()" * 1000,
    "Un texte " + "(x) " * 5000,
])
def test_sentences_that_name_nothing_twice(sentence: str) -> None:
    assert seeds(sentence) == []


@pytest.mark.parametrize("sentence", [
    "Cliquez sur le bureau (Gnome) puis sur Fichiers.",
    "Si vous voyez des erreurs (fail), relancez.",
])
def test_a_bracketed_word_is_only_a_candidate(sentence: str) -> None:
    assert {s.kind for s in seeds(sentence)} == {BRACKETED}


@pytest.mark.parametrize("text", [
    "le truc aussi appelé machin " * 5000,      # was quadratic: 95 s
    "le mot (appelé chose " * 5000,
    "Le Système De Gestion (SDG) " * 5000,
    "a" * 200_000 + " (b)",
    ("mot " * 30 + "(ABCDEF) ") * 2000,
    "(" * 100_000,
])
def test_long_texts_built_to_be_slow_are_read_in_linear_time(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each cue's sides are looked for within a bounded window: the text scanned grows with the
    text, not with its square (counted, not timed: the first text took 95 s before)."""
    scanned = []

    class Counting:
        def __init__(self, pattern: re.Pattern) -> None:
            self.pattern = pattern

        def search(self, rest: str) -> re.Match | None:
            scanned.append(len(rest))
            return self.pattern.search(rest)

    monkeypatch.setattr(seeds_module, "_RIGHT_END", Counting(seeds_module._RIGHT_END))
    assert len(seeds(text)) <= MAX_SEEDS_PER_TEXT
    assert max(scanned, default=0) <= 200   # each scan bounded, whatever the text's length


def test_a_glossary_gives_a_bounded_number_of_pairs() -> None:
    text = " ".join(f"Le Mot{n} Tres{n} (MT) est utile." for n in range(1000))
    assert len(seeds(text)) <= MAX_SEEDS_PER_TEXT


def test_the_sentence_is_kept_to_show_reviewers() -> None:
    seed, = seeds("Intro.\nLe pare-feu, également appelé firewall, filtre le réseau.\nSuite.")
    assert seed.sentence == "Le pare-feu, également appelé firewall, filtre le réseau."


@pytest.mark.parametrize("term", ["courriel\x1fe-mail\x1fbracketed", "a\x1fb\x1fnamed"])
def test_index_terms_give_back_the_pair(term: str) -> None:
    term_, synonym, kind = pair_of(term)
    assert pair_term(Seed(term_, synonym, "", kind)) == term


@pytest.mark.parametrize("term", ["", "courriel", "a\x1fb", "a\x1fb\x1fother", "\x1f\x1fnamed",
                                  "a\x1fb\x1fnamed\x1fx"])
def test_other_index_terms_are_no_pairs(term: str) -> None:
    assert pair_of(term) is None
