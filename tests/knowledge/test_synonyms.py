"""The team's synonym table: pairs added, edited, removed; seeds accepted or rejected; every
change a new version with who and when; what the searcher gets; refused pairs change nothing."""

from __future__ import annotations

import sqlite3

import pytest

from kbtool.index.synonym_rules import SynonymPair, unordered
from kbtool.knowledge import synonyms
from kbtool.knowledge.synonyms import SynonymError


def test_every_change_is_a_new_version_with_who_and_when(conn, user):
    rene, rita = user("rene"), user("rita")
    added = synonyms.add(conn, rene.id, "mail", "courriel", both_ways=False)
    edited = synonyms.edit(conn, rita.id, added.pair_id, "e-mail", "courriel", both_ways=True)
    removed = synonyms.remove(conn, rene.id, added.pair_id)
    assert (added.version, edited.version, removed.version) == (1, 2, 3)
    assert synonyms.version(conn) == 3
    assert [(c.version, c.term, c.both_ways, c.state, c.by) for c in synonyms.history(conn)] == [
        (3, "e-mail", True, synonyms.REMOVED, "rene"),
        (2, "e-mail", True, synonyms.ACTIVE, "rita"),
        (1, "mail", False, synonyms.ACTIVE, "rene")]
    assert all(c.at > 0 and c.pair_id == added.pair_id for c in synonyms.history(conn))
    assert synonyms.current(conn) == []


def test_the_searcher_gets_pairs_in_force_and_rejected_seeds(conn, user):
    rene = user("rene").id
    synonyms.add(conn, rene, "mail", "courriel", both_ways=False)
    synonyms.add(conn, rene, "processus", "programme en cours", both_ways=True)
    gone = synonyms.add(conn, rene, "appli", "logiciel", both_ways=True)
    synonyms.remove(conn, rene, gone.pair_id)
    synonyms.judge_seed(conn, rene, "installation", "postinstall", accept=False)
    synonyms.judge_seed(conn, rene, "bureau", "gnome", accept=True)
    rules = synonyms.rules(conn)
    assert set(rules.pairs) == {SynonymPair("mail", "courriel", False),
                                SynonymPair("processus", "programme en cours", True),
                                SynonymPair("bureau", "gnome", True)}
    assert rules.rejected == {unordered("installation", "postinstall")}
    assert synonyms.rules(conn) is rules            # built once per version
    synonyms.judge_seed(conn, rene, "POSTINSTALL", "Installation", accept=True)  # changed mind
    assert synonyms.rules(conn).rejected == frozenset()


def test_a_seed_pair_is_judged_not_edited(conn, user):
    rene = user("rene").id
    seed = synonyms.judge_seed(conn, rene, "bureau", "gnome", accept=True)
    with pytest.raises(SynonymError, match="s'accepte ou se rejette"):
        synonyms.edit(conn, rene, seed.pair_id, "bureau", "kde", both_ways=True)
    synonyms.add(conn, rene, "mail", "courriel", both_ways=False)
    with pytest.raises(SynonymError, match="déjà dans le tableau de l'équipe"):
        synonyms.judge_seed(conn, rene, "courriel", "mail", accept=False)


@pytest.mark.parametrize("term, synonym, message", [
    ("", "courriel", "à remplir"),
    ("mail", "   \t\n", "à remplir"),
    ("\x00\x1b", "courriel", "à remplir"),
    ("mail", "m" * 81, "80 caractères"),
    ("le la les", "courriel", "aucun mot cherché"),
    ("deux trois quatre cinq six", "courriel", "aucun mot cherché"),
    ("mail", "mail", "la même chose"),
    ("Mail", "MAILS", "la même chose"),
    ("courriel", "Courriel", "la même chose"),
    ("mail", "courriel", "déjà dans le tableau"),     # exists (below), either way round
    ("courriel", "mail", "déjà dans le tableau"),
])
def test_refused_pairs_change_nothing(conn: sqlite3.Connection, user, term: str, synonym: str,
                                      message: str) -> None:
    rene = user("rene").id
    synonyms.add(conn, rene, "mail", "courriel", both_ways=False)
    before = synonyms.history(conn)
    with pytest.raises(SynonymError, match=message):
        synonyms.add(conn, rene, term, synonym, both_ways=True)
    with pytest.raises(SynonymError, match=message):
        synonyms.judge_seed(conn, rene, term, synonym, accept=False)
    assert synonyms.history(conn) == before


@pytest.mark.parametrize("side", ['<script>alert(1)</script>', 'a.*b( AND title:x ~2 "\\',
                                  "l'appli ; DROP TABLE users; --", "courriel\u202e"])
def test_markup_and_query_syntax_are_kept_as_text(conn, user, side: str) -> None:
    entry = synonyms.add(conn, user("rene").id, "mail", side, both_ways=True)
    assert entry.synonym == " ".join(side.replace("\u202e", " ").split())
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 4


def test_a_removed_or_unknown_pair_cannot_change(conn, user):
    rene = user("rene").id
    entry = synonyms.add(conn, rene, "mail", "courriel", both_ways=False)
    synonyms.remove(conn, rene, entry.pair_id)
    for change in (lambda: synonyms.remove(conn, rene, entry.pair_id),
                   lambda: synonyms.edit(conn, rene, entry.pair_id, "appli", "logiciel", True),
                   lambda: synonyms.remove(conn, rene, 999)):
        with pytest.raises(SynonymError, match="n'est plus dans le tableau"):
            change()


def test_the_table_has_a_bound(conn, user, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synonyms, "MAX_PAIRS", 3)
    rene = user("rene").id
    for n in range(3):
        synonyms.add(conn, rene, f"mot{n}", f"terme{n}", both_ways=True)
    with pytest.raises(SynonymError, match="déjà 3 paires"):
        synonyms.add(conn, rene, "mot9", "terme9", both_ways=True)
