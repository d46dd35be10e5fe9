"""The French analyzers, as tables of input → tokens."""

import pytest

from kbtool.index.analysis import (accented_stems, fold_accents, plain_word, stem_analyzer,
                                   stem_word, words_analyzer)


def tokens(analyzer, text):
    return [t.text for t in analyzer(text)]


@pytest.mark.parametrize("text, expected", [
    ("Les comptabilités d'une paroisse", ["comptabl", "paroiss"]),
    ("comptable", ["comptabl"]),                       # ↔ comptabilité: fold after stemming
    ("l'exercice qu'il clôture", ["exercic", "clotur"]),  # elisions and accents
    ("L’adhérent", ["adherent"]),                        # typographic apostrophe
    ("adhérents", ["adherent"]),                         # plural
    ("les reçus fiscaux", ["recu", "fiscal"]),           # Snowball keeps the -s of reçus
    ("compte 411 et 445660", ["compt", "411", "445660"]),  # account numbers stay exact
    ("formulaire 2042-RICI", ["formulair", "2042-rici", "2042", "ric"]),
    ("export FEC", ["export", "fec"]),
    ("la mise-à-jour", ["mis", "jour"]),                 # joined words split
    ("le Wi-Fi", ["wif", "wi", "fi"]),                   # a hyphenated pair also as one word
    ("pas de son", ["son"]),                             # "son" is also "sound"
    ("Comment ouvrir un fichier ?", ["ouvr", "fichi"]),  # question words are stop words
])
def test_stem_analyzer(text, expected):
    assert tokens(stem_analyzer(), text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Les comptabilités d'une paroisse", ["comptabilite", "paroisse"]),
    ("opérations planifiées", ["operation", "planifiee"]),
    ("operations planifiees", ["operation", "planifiee"]),  # typed without accents: same
    ("journaux", ["journal"]),
    ("ERR-4012 Ubuntu 20.04", ["err-4012", "err", "4012", "ubuntu", "20.04", "20", "04"]),
    ("œuvre", ["oeuvre"]),
    ("virus bus", ["virus", "bus"]),
])
def test_words_analyzer(text, expected):
    assert tokens(words_analyzer(), text) == expected


def test_positions_leave_gaps_for_stop_words_and_share_code_parts():
    found = [(t.text, t.pos) for t in stem_analyzer()("le code 2042-RICI", positions=True)]
    assert found == [("cod", 1), ("2042-rici", 2), ("2042", 2), ("ric", 2)]


@pytest.mark.parametrize("word, expected", [
    ("Comptabilité", "Comptabilite"), ("reçu", "recu"), ("Œuvre", "OEuvre"), ("déjà", "deja"),
    ("compte 411-A", "compte 411-A"),
])
def test_fold_accents(word, expected):
    assert fold_accents(word) == expected


@pytest.mark.parametrize("word, expected", [
    ("cotisations", "cotisation"), ("prix", "prix"), ("bus", "bus"), ("mas", "mas"),
    ("chevaux", "cheval"), ("classe", "classe"),
])
def test_plain_word(word, expected):
    assert plain_word(word) == expected


def test_analyzers_survive_pickling():
    """The index stores its analyzers: they must pickle and compare equal after loading."""
    import pickle
    for analyzer in (stem_analyzer(), words_analyzer()):
        assert pickle.loads(pickle.dumps(analyzer)) == analyzer


def test_character_offsets_point_at_the_token_for_highlighting():
    """Snippets mark matches by the offsets the analyzer gives; a code's parts share its span."""
    text = "Voir l'ERR-4012, puis la mise-à-jour du Reçu."
    found = [(t.text, text[t.startchar:t.endchar])
             for t in words_analyzer()(text, chars=True, start_char=0)]
    assert found == [("voir", "Voir"), ("err-4012", "ERR-4012"), ("err", "ERR-4012"),
                     ("4012", "ERR-4012"), ("puis", "puis"), ("mise", "mise-à-jour"),
                     ("jour", "mise-à-jour"),
                     ("recu", "Reçu")]


@pytest.mark.parametrize("word, expected", [
    ("securite", {"secur", "securit"}),              # sécurité stems apart from securite
    ("planifiees", {"planifi", "planifie"}),
    ("sécurité", {"secur"}),                         # typed with accents: its own stem only
    ("ofx", {"ofx"}),
])
def test_accented_stems_cover_the_spellings_with_accents(word, expected):
    assert accented_stems(word) >= {stem_word(word)}
    assert expected <= accented_stems(word)
    if not word.isascii():
        assert accented_stems(word) == expected
