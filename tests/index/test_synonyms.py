"""Query expansion by synonyms on a small index: the documentation's pairs apply by themselves,
the team's pairs (one-way or both ways) and rejected seeds come as rules, and a synonym fills
the typed word's slot at a lower weight, boundedly."""

from __future__ import annotations

import pytest

from kbtool.index.expansion import MAX_EXPANSIONS, SYNONYM_WEIGHT
from kbtool.index.search import Searcher
from kbtool.index.seeds import BRACKETED, NAMED
from kbtool.index.synonym_rules import SynonymPair, SynonymRules, unordered
from kbtool.pipeline import reindex
from tests.kbfactory import local_config

WIKI = {
    "messagerie/courriel.txt": ("====== Configurer le courriel ======\n"
                                "Le courriel se règle dans Thunderbird : serveur et identifiant.\n"),
    "systeme/glossaire.txt": ("====== Glossaire ======\n"
                              "Les processus, aussi appelés programmes en cours, occupent la "
                              "mémoire.\n"),
    "systeme/arreter.txt": ("====== Arrêter un processus ======\nUn processus bloqué s'arrête "
                            "avec kill.\n===== Voir les processus =====\nLe moniteur système "
                            "liste chaque processus et sa mémoire.\n"),
    "systeme/priorite.txt": ("====== Priorité ======\nUn processus gourmand se ralentit avec "
                             "nice.\n"),
    "logiciel/programmes.txt": ("====== Programmes ======\nLa liste des programmes installés "
                                "est dans la logithèque.\n"),
    "bureau/theme.txt": ("====== Thème ======\nLe bureau (Gnome) change de couleurs.\n"),
    "messagerie/imap.txt": ("====== Relever le courrier ======\nLe protocole IMAP (Internet "
                            "Message Access Protocol) garde les messages sur le serveur.\n"),
    "messagerie/compte.txt": "====== Compte ======\nChoisissez IMAP dans Thunderbird.\n",
    "donnees/sgbd.txt": ("====== Fiches ======\nUn système de gestion de base de données "
                         "(SGBD) garde les fiches.\n"),
    **{f"donnees/{name}.txt": (f"====== {name} ======\nLe système de gestion de la base "
                               f"garde les données de {name}.\n")
       for name in ("adherents", "dons", "budget")},
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    config = local_config(tmp_path_factory.mktemp("kb"), wiki=WIKI, docs={"vide.md": "# Vide\n"})
    assert reindex(config).ok
    return Searcher(config.index_dir)


def ids(results) -> list[str]:
    return [hit.page_id for hit in results.hits]


MAIL = SynonymRules(pairs=(SynonymPair("mail", "courriel", both_ways=False),))


def test_a_team_pair_finds_the_documentation_word(searcher: Searcher) -> None:
    assert ids(searcher.search("mail")) == []
    results = searcher.search("mail", synonyms=MAIL)
    assert ids(results)[0] == "wiki/messagerie/courriel.txt"
    assert results.also_searched == ("courriel",)
    assert results.confident        # the synonym covers the typed word's slot


def test_a_one_way_pair_leads_one_way(searcher: Searcher) -> None:
    assert searcher.search("courriel", synonyms=MAIL).also_searched == ()
    both = SynonymRules(pairs=(SynonymPair("mail", "courriel"),))
    assert searcher.search("courriel", synonyms=both).also_searched == ("mail",)


def test_a_synonym_weighs_less_than_the_typed_word(searcher: Searcher) -> None:
    results = searcher.search("courriel thunderbird", synonyms=SynonymRules(
        pairs=(SynonymPair("thunderbird", "processus"),)))
    assert ids(results)[0] == "wiki/messagerie/courriel.txt"
    assert 0 < SYNONYM_WEIGHT < 1


def test_the_documentation_s_own_pair_applies_without_rules(searcher: Searcher) -> None:
    results = searcher.search("les programmes en cours")
    assert "processus" in results.also_searched
    found = ids(results)
    assert "wiki/systeme/arreter.txt" in found
    assert found.index("wiki/systeme/arreter.txt") < found.index("wiki/logiciel/programmes.txt")


def test_an_acronym_s_words_lead_to_the_acronym_not_the_reverse(searcher: Searcher) -> None:
    assert searcher.search("internet message access protocol").also_searched == ("imap",)
    assert searcher.search("imap").also_searched == ()
    assert searcher.search("sgbd").also_searched == ()     # rarer than its words, still alone


def test_a_rejected_seed_no_longer_applies(searcher: Searcher) -> None:
    rules = SynonymRules(rejected=frozenset({unordered("Programmes en cours", "processus")}))
    results = searcher.search("les programmes en cours", synonyms=rules)
    assert "processus" not in results.also_searched
    assert "wiki/systeme/arreter.txt" not in ids(results)


def test_a_bracketed_candidate_waits_for_a_reviewer(searcher: Searcher) -> None:
    assert searcher.search("gnome").also_searched == ()
    accepted = SynonymRules(pairs=(SynonymPair("bureau", "gnome"),))
    assert searcher.search("gnome", synonyms=accepted).also_searched == ("bureau",)


def test_seeds_are_listed_with_their_sentence_and_pages(searcher: Searcher) -> None:
    listed = {(s.seed.term, s.seed.synonym, s.seed.kind): s for s in searcher.seed_sources(50)}
    named = listed[("processus", "programmes en cours", NAMED)]
    assert named.seed.sentence.startswith("Les processus, aussi appelés programmes en cours")
    assert named.page_ids == ("wiki/systeme/glossaire.txt",)
    assert ("bureau", "gnome", BRACKETED) in listed
    assert len(searcher.seed_sources(1)) == 1


HOSTILE_PAIRS = [
    ("mail", "<script>alert(1)</script>"),
    ("mail", "a.*b( AND OR NOT title:x ~2 \"\\"),
    ("mail", ""),
    ("", "courriel"),
    ("mail", "mail"),
    ("mail", "m" * 10_000),
    ("mail", "\x00\x1f courriel"),
    ("mail", "courriel " * 50),
]


@pytest.mark.parametrize("term, synonym", HOSTILE_PAIRS)
def test_hostile_pairs_never_break_a_search(searcher: Searcher, term: str, synonym: str) -> None:
    rules = SynonymRules(pairs=(SynonymPair(term, synonym),))
    results = searcher.search("mail", synonyms=rules)
    assert all(len(name) <= 80 for name in results.also_searched)


def test_thousands_of_pairs_and_cycles_stay_bounded(searcher: Searcher) -> None:
    pairs = tuple(SynonymPair("mail", f"courriel{n}") for n in range(5000))
    cycle = (SynonymPair("mail", "courriel"), SynonymPair("courriel", "message"),
             SynonymPair("message", "mail"))
    results = searcher.search("mail message courriel thunderbird processus",
                              synonyms=SynonymRules(pairs=cycle + pairs))
    assert len(results.also_searched) <= MAX_EXPANSIONS
    assert ids(searcher.search("mail", synonyms=SynonymRules(pairs=cycle)))[0] == \
        "wiki/messagerie/courriel.txt"
