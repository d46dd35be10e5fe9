"""What search learns from use: which words are kept (a table of hostile and personal inputs),
how uses count (per agent, decaying, kept for a time), removal and its audit log, pages that
leave the index, and the lift it gives a page in a real index."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest

from kbtool.accounts import User
from kbtool.index.search import Searcher
from kbtool.knowledge import learning
from kbtool.knowledge.learning import DAY, Habits
from kbtool.pipeline import reindex
from tests.kbfactory import local_config

HABITS = Habits(half_life_days=90.0, keep_days=365)
UserOf = Callable[[str], User]   # the ``user`` fixture: an account by its name
DOCUMENTED = {"windows", "tva", "ofx"}  # words "the documentation writes", for these tests

# (question, words learned).  Nothing personal or volatile may come out: no digit, no address,
# no name (a capitalised word the documentation does not write, an account's name), no markup.
NORMALISED = {
    "plural and accents": ("Comment envoyer des courriels groupés ?",
                           {"envoyer", "courriel", "groupe"}),
    "e-mail address": ("écrire à marie.dupont@example.org", {"ecrire"}),
    "e-mail in brackets": ("réponse <jean.martin@asso.fr> reçue", {"reponse", "recue"}),
    "mobile number": ("rappeler le 06 12 34 56 78", {"rappeler"}),
    "international number": ("+33 6 12 34 56 78 rappeler", {"rappeler"}),
    "dotted number": ("joindre au 06.12.34.56.78", {"joindre"}),
    "ticket number": ("ticket INC-4521 relancé", {"ticket", "relance"}),
    "hash reference": ("#4521 bloqué", {"bloque"}),
    "hash word reference": ("demande #ABCD bloquée", {"demande", "bloquee"}),
    "numbered request": ("demande n° 12345 bloquée", {"demande", "bloquee"}),
    "customer's name": ("Mme Durand ne reçoit rien", {"recoit", "rien"}),
    "name in capitals": ("DURAND ne reçoit rien", {"recoit", "rien"}),
    "first name and name": ("Marie Dupont imprime", {"imprime"}),
    "name inside a word's capitals": ("McDonald imprime", {"imprime"}),
    "account name typed in lower case": ("agnes demande le relevé", {"demande", "releve"}),
    "account e-mail's name": ("paul imprime le relevé", {"imprime", "releve"}),
    "product written with a capital": ("Windows plante", {"window", "plante"}),
    "acronym in capitals": ("TVA à déclarer", {"tva", "declarer"}),
    "web address": ("voir https://wiki.example.org/doku.php?id=faq:x", {"voir"}),
    "bare web address": ("www.example.org facture", {"facture"}),
    "HTML tags": ("<b onclick='x'>gras</b> imprimer", {"gra", "imprimer"}),
    "script": ("<script>alert(1)</script> relevé", {"alert", "releve"}),
    "HTML entities": ("&lt;b&gt; facture &#x27;", {"facture"}),
    "very long word": ("a" * 40 + " imprimer", {"imprimer"}),
    "word of 31 letters": ("b" * 31 + " imprimer", {"imprimer"}),
    "emoji": ("😀 imprimer 🎉", {"imprimer"}),
    "IBAN": ("FR76 3000 6000 0112 3456 7890 189 virement", {"virement"}),
    "date": ("12/03/2024 clôture", {"cloture"}),
    "amount": ("45,50 € remboursés", {"rembourse"}),
    "NUL byte": ("a\x00b relevé", {"releve"}),
    "identifier with underscore": ("jean_dupont facture", {"facture"}),
    "fullwidth letters": ("ｍａｉｌ imprimer", {"mail", "imprimer"}),
    "superscript digit": ("imprimer² relevé", {"releve"}),
    "arabic-indic digits": ("١٢ imprimer", {"imprimer"}),
    "greetings only": ("Bonjour, merci d'avance", set()),
    "hyphenated words": ("mise-à-jour échoue", {"mise", "jour", "echoue"}),
    "empty": ("", set()),
}


@pytest.mark.parametrize("label", sorted(NORMALISED))
def test_only_words_of_the_subject_are_learned(label: str) -> None:
    question, expected = NORMALISED[label]
    words = learning.question_words(question, DOCUMENTED.__contains__,
                                    frozenset({"agnes", "paul"}))
    assert {word.word for word in words} == expected
    for word in words:
        assert word.word.isalpha() and word.word == word.word.lower()
        assert learning.MIN_WORD <= len(word.word) <= learning.MAX_WORD


def test_without_the_index_no_capitalised_word_is_learned() -> None:
    assert {w.word for w in learning.question_words("Windows plante", None)} == {"plante"}


def test_people_are_the_parts_of_account_names_and_e_mail_addresses(
        conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE users SET email = 'paul.leroy@asso.fr' WHERE name = 'albert'")
    assert learning.people_names(conn) == {"agnes", "albert", "rene", "rita", "paul", "leroy"}


def test_a_long_question_teaches_at_most_max_words() -> None:
    words = " ".join("".join(chr(97 + (i + j) % 26) for j in range(6)) for i in range(30))
    assert len(learning.question_words(words)) == learning.MAX_WORDS


# -- Uses: per reply or gap and agent, dated --------------------------------------------------


def learn(conn: sqlite3.Connection, user: User, question: str, page: str, origin: str,
          anchor: str = "") -> int:
    return learning.learn(conn, question, user.id, origin, [(page, anchor)], None, HABITS)


def age(conn: sqlite3.Connection, days: float) -> None:
    """Every use so far made ``days`` earlier."""
    conn.execute("UPDATE learned_uses SET at = at - ?", (days * DAY,))


def test_learning_the_same_reply_again_is_one_use(conn: sqlite3.Connection, user: UserOf) -> None:
    agnes, albert = user("agnes"), user("albert")
    assert learn(conn, agnes, "mailing adhérents", "wiki/envoi.txt", "draft:1") == 2
    learn(conn, agnes, "mailing adhérents", "wiki/envoi.txt", "draft:1")  # copied twice
    learn(conn, albert, "mailing des adhérents", "wiki/envoi.txt", "draft:2")
    entries = {entry.word: entry for entry in learning.vocabulary(conn)}
    assert set(entries) == {"mailing", "adherent"}
    assert (entries["mailing"].uses, entries["mailing"].agents) == (2, 2)


def test_two_agents_weigh_more_than_one_agent_twice(conn: sqlite3.Connection, user: UserOf) -> None:
    learn(conn, user("agnes"), "mailing", "wiki/one.txt", "draft:1")
    learn(conn, user("agnes"), "mailing", "wiki/one.txt", "draft:2")
    learn(conn, user("agnes"), "mailing", "wiki/two.txt", "draft:3")
    learn(conn, user("albert"), "mailing", "wiki/two.txt", "draft:4")
    learn(conn, user("agnes"), "mailing", "wiki/once.txt", "draft:5")
    prior = learning.prior(conn, "mailing", HABITS)
    assert prior["wiki/two.txt"] > prior["wiki/one.txt"] > prior["wiki/once.txt"] > 0
    assert all(0 < value < 1 for value in prior.values())


def test_old_uses_weigh_less_then_are_forgotten(conn: sqlite3.Connection, user: UserOf) -> None:
    learn(conn, user("agnes"), "mailing", "wiki/old.txt", "draft:1")
    age(conn, 180)
    learn(conn, user("agnes"), "mailing", "wiki/new.txt", "draft:2")
    prior = learning.prior(conn, "mailing", HABITS)
    assert prior["wiki/old.txt"] < prior["wiki/new.txt"] / 2  # two half-lives: a quarter
    age(conn, 200)  # the old one is now 380 days old, past keep_days
    assert "wiki/old.txt" not in learning.prior(conn, "mailing", HABITS)
    learn(conn, user("albert"), "autre", "wiki/other.txt", "draft:3")  # learning purges
    assert {entry.page_id for entry in learning.vocabulary(conn)} == {"wiki/new.txt",
                                                                      "wiki/other.txt"}


def test_the_prior_is_the_share_of_the_question_use_speaks_to(conn: sqlite3.Connection,
                                                              user: UserOf) -> None:
    learn(conn, user("agnes"), "mailing adhérents", "wiki/envoi.txt", "draft:1", "envoi")
    learn(conn, user("agnes"), "mailing adhérents", "wiki/envoi.txt", "draft:1", "liste")
    assert learning.prior(conn, "courriel", HABITS) == {}
    both = learning.prior(conn, "mailing aux adhérents", HABITS)["wiki/envoi.txt"]
    half = learning.prior(conn, "mailing aux bénévoles", HABITS)["wiki/envoi.txt"]
    assert 0 < half < both < 1


def test_shared_words_count_by_their_rarity_in_the_documentation(conn: sqlite3.Connection,
                                                                  user: UserOf) -> None:
    """Half of the question's words, each weighed by how rare the documentation makes it: a
    shared word it never writes ("mailing") is the team's vocabulary and lifts; a word on every
    page ("année") shared alone does not."""
    learn(conn, user("agnes"), "mailing de fin d'année", "wiki/envoi.txt", "draft:1")
    stems = {word.word: word.stem for word in learning.question_words("mailing année paroisse")}
    rare_mailing = {stems["mailing"]: 8.0, stems["annee"]: 0.5, stems["paroisse"]: 2.0}
    assert "wiki/envoi.txt" in learning.prior(conn, "mailing année paroisse", HABITS,
                                              lambda _query: rare_mailing)
    common_annee = {stems["mailing"]: 8.0, stems["annee"]: 0.2, stems["paroisse"]: 3.0}
    assert learning.prior(conn, "paroisse année", HABITS, lambda _query: common_annee) == {}
    assert "wiki/envoi.txt" in learning.prior(conn, "paroisse année", HABITS)   # unweighed: 1/2


def test_one_common_word_of_a_longer_question_lifts_nothing(conn: sqlite3.Connection,
                                                           user: UserOf) -> None:
    """The replay benchmark's drift: a need about closing the year's accounts cited a page, and
    a question about members turning 80 this year shares only "année" with it."""
    learn(conn, user("agnes"), "fin d'année : comment on boucle les comptes", "wiki/cloture.txt",
          "draft:1")
    birthdays = "les membres qui fêtent leurs 80 ans cette année"
    # As the documentation weighs them: "année" is on most pages, the others on few.
    weights = {word.stem: 0.2 if word.word == "annee" else 3.0
               for word in learning.question_words(birthdays + " boucler comptes")}
    assert learning.prior(conn, birthdays, HABITS, lambda _query: weights) == {}
    assert "wiki/cloture.txt" in learning.prior(conn, "boucler les comptes de l'année", HABITS,
                                                lambda _query: weights)


# -- Removal and its audit log; pages that leave the index --------------------------------------


def test_a_removed_tie_is_audited_and_never_learned_again(conn: sqlite3.Connection,
                                                          user: UserOf) -> None:
    learn(conn, user("agnes"), "mailing", "wiki/envoi.txt", "draft:1")
    learn(conn, user("albert"), "mailing", "wiki/envoi.txt", "draft:2")
    [entry] = learning.vocabulary(conn)
    removed = learning.remove(conn, entry.id, user("rene").id)
    assert removed is not None and removed.word == "mailing"
    assert learning.vocabulary(conn) == []
    assert conn.execute("SELECT COUNT(*) FROM learned_uses").fetchone()[0] == 0
    [audit] = learning.removals(conn)
    assert (audit.word, audit.page_id, audit.uses, audit.agents, audit.removed_by) == \
        ("mailing", "wiki/envoi.txt", 2, 2, "rene")
    assert learn(conn, user("agnes"), "mailing", "wiki/envoi.txt", "draft:3") == 0
    assert learning.prior(conn, "mailing", HABITS) == {}
    assert learning.remove(conn, entry.id, user("rene").id) is None


def test_ties_of_pages_that_left_the_index_go_after_a_grace(conn: sqlite3.Connection,
                                                            user: UserOf) -> None:
    learn(conn, user("agnes"), "mailing", "wiki/gone.txt", "draft:1")
    learn(conn, user("agnes"), "mailing", "wiki/kept.txt", "draft:1")
    indexed = {"wiki/kept.txt"}.__contains__
    learning.forget(conn, HABITS, indexed)
    assert len(learning.vocabulary(conn)) == 2  # just cited: an article not yet indexed
    age(conn, 3)
    assert learning.forget(conn, HABITS, indexed) == 1
    assert [entry.page_id for entry in learning.vocabulary(conn)] == ["wiki/kept.txt"]


# -- The lift in a real index -----------------------------------------------------------------

WIKI = {
    "adherents/fiche.txt": (
        "====== Fiche d'un adhérent ======\nLa fiche de chaque adhérent garde son adresse, "
        "son téléphone et l'historique de ses cotisations (exemple : M. Durand).\n"),
    "adherents/envoi_groupe.txt": (
        "====== Communication ======\nEnvoyez un message à tous les membres depuis le menu "
        "Communication ; chaque adhérent le reçoit à son adresse.\n"),
    "adherents/adresses.txt": (
        "====== Adresses des adhérents ======\nExportez les adresses postales des adhérents.\n"),
    "compta/journal.txt": "====== Journal ======\nLe journal des écritures comptables.\n",
    "compta/import.txt": "====== Import ======\nImporter un relevé OFX.\n",
}
ENVOI, FICHE, ADRESSES = (f"wiki/adherents/{name}.txt" for name in
                          ("envoi_groupe", "fiche", "adresses"))


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    config = local_config(tmp_path_factory.mktemp("kb"), wiki=WIKI,
                          docs={"notes.md": "# Notes\n\nRien.\n"})
    assert reindex(config).ok
    return Searcher(config.index_dir)


def ranked(searcher: Searcher, conn: sqlite3.Connection, query: str) -> list[str]:
    prior = learning.prior(conn, query, HABITS)
    return [hit.page_id for hit in searcher.search(query, learned=prior).hits]


def test_a_page_cited_for_a_past_question_rises_for_one_sharing_its_words(
        searcher: Searcher, conn: sqlite3.Connection, user: UserOf) -> None:
    question = "faire un mailing aux adhérents"
    before = ranked(searcher, conn, question)
    assert before[0] != ENVOI and ENVOI in before
    learn(conn, user("agnes"), "mailing à tous les adhérents", ENVOI, "draft:1")
    assert ranked(searcher, conn, question)[0] == ENVOI
    assert ranked(searcher, conn, "journal comptable") == ["wiki/compta/journal.txt"]


def test_a_cited_page_comes_even_for_words_it_never_holds(searcher: Searcher,
                                                         conn: sqlite3.Connection,
                                                         user: UserOf) -> None:
    assert ranked(searcher, conn, "faire un mailing") == []   # the documentation never says it
    learn(conn, user("agnes"), "mailing aux membres", ENVOI, "draft:1")
    results = searcher.search("faire un mailing", learned=learning.prior(conn, "faire un mailing",
                                                                         HABITS))
    assert [hit.page_id for hit in results.hits] == [ENVOI]
    assert not results.confident and not results.hits[0].sure   # use alone is no sure answer
    assert results.hits[0].sections   # shown with its sections, as any result
    assert ranked(searcher, conn, "mailing journal") == ["wiki/compta/journal.txt", ENVOI]


def test_a_clearly_better_textual_match_is_never_buried(
        searcher: Searcher, conn: sqlite3.Connection, user: UserOf) -> None:
    question = "exporter les adresses postales des adhérents"
    assert ranked(searcher, conn, question)[0] == ADRESSES
    for number, name in enumerate(("agnes", "albert", "rene", "rita")):
        for origin in range(5):
            learn(conn, user(name), question, ENVOI, f"draft:{number}{origin}")
    prior = learning.prior(conn, question, HABITS)
    assert prior[ENVOI] > 0.95
    plain = {hit.page_id: hit.score for hit in searcher.search(question).hits}
    lifted = searcher.search(question, learned=prior).hits
    assert lifted[0].page_id == ADRESSES
    assert [hit.score for hit in lifted if hit.page_id == ENVOI][0] > 2.5 * plain[ENVOI]


def test_an_old_habit_lifts_less_than_a_fresh_one(searcher: Searcher, conn: sqlite3.Connection,
                                                  user: UserOf) -> None:
    question = "faire un mailing aux adhérents"
    learn(conn, user("agnes"), "mailing à tous les adhérents", ENVOI, "draft:1")
    fresh = searcher.search(question, learned=learning.prior(conn, question, HABITS))
    age(conn, 270)  # three half-lives
    old = searcher.search(question, learned=learning.prior(conn, question, HABITS))
    score = {hit.page_id: hit.score for hit in fresh.hits}
    assert {hit.page_id: hit.score for hit in old.hits}[ENVOI] < score[ENVOI]
    assert old.hits[0].page_id != ENVOI


def test_pages_no_longer_indexed_are_ignored(searcher: Searcher) -> None:
    plain = searcher.search("adhérents")
    with_ghost = searcher.search("adhérents", learned={"wiki/gone.txt": 1.0})
    assert with_ghost == plain


def test_common_words_are_those_the_documentation_writes_in_lower_case_or_capitals(
        searcher: Searcher) -> None:
    assert searcher.common_word("Adhérents") and searcher.common_word("FICHE")
    assert searcher.common_word("Ofx")   # an acronym: OFX
    assert not searcher.common_word("Durand")   # a name, written capitalised
    assert not searcher.common_word("Dupont")   # unknown
