"""Knowledge gaps: one gap per topic, demand counted by agent, and the three ways to close."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kbtool import store
from kbtool.index import analysis
from kbtool.knowledge import articles, gaps


@pytest.mark.parametrize("first, second", [
    ("Comment importer un relevé OFX ?", "importer releve ofx"),
    ("Import des relevés OFX", "comment IMPORTER un relevé ofx"),
    ("reçu fiscal annulé", "annuler un reçu fiscal"),
])
def test_questions_on_one_topic_share_a_gap(first, second):
    assert gaps.topic_of(first) == gaps.topic_of(second)


@pytest.mark.parametrize("first, second", [
    ("importer un relevé OFX", "exporter un relevé OFX"),
    ("TVA déductible", "TVA collectée"),
])
def test_different_topics_get_different_gaps(first, second):
    assert gaps.topic_of(first) != gaps.topic_of(second)


def test_repeated_questions_are_counted_on_one_gap(conn, user):
    agnes, albert = user("agnes"), user("albert")
    first = gaps.record(conn, agnes.id, "Comment importer un relevé OFX ?", "T-1")
    again = gaps.record(conn, agnes.id, "importer releve ofx")  # the same agent, minutes later
    other = gaps.record(conn, albert.id, "import des relevés OFX", "T-2")
    assert first == again == other
    gap = gaps.get_gap(conn, first)
    assert (gap.question, gap.ticket, gap.opened_by) == ("Comment importer un relevé OFX ?",
                                                          "T-1", "agnes")
    assert (gap.hits, gap.agents) == (2, 2)
    assert [(h.agent, h.question, h.ticket) for h in gaps.hits(conn, first)] == [
        ("agnes", "Comment importer un relevé OFX ?", "T-1"),
        ("albert", "import des relevés OFX", "T-2")]


@pytest.mark.parametrize("first, second, same", [
    ("importer un relevé OFX", "importer un relevé bancaire OFX", True),   # 3 of 4 words
    ("importer un relevé OFX", "importer un relevé CSV", False),           # 2 of 4
    ("reçu fiscal don par carte bancaire", "reçu fiscal don", False),      # 3 of 5
])
def test_close_enough_questions_join_an_open_gap(conn, user, first, second, same):
    agnes = user("agnes")
    assert (gaps.record(conn, agnes.id, first) == gaps.record(conn, agnes.id, second)) is same


def test_a_gap_opened_under_another_analysis_still_gathers_its_topic(conn, user,
                                                                      monkeypatch):
    """Gaps are compared by stems derived when read, not stored: a kbtool whose analysis
    stems otherwise (here, an older one that did not stem at all) still files a question
    with the gaps opened before it."""
    agnes, albert = user("agnes"), user("albert")
    with monkeypatch.context() as older_analysis:
        older_analysis.setattr(analysis, "stem_word", analysis.fold_accents)
        analysis.stem_terms.cache_clear()
        first = gaps.record(conn, agnes.id, "Importer les relevés bancaires")
    analysis.stem_terms.cache_clear()
    again = gaps.record(conn, albert.id, "import des relevés bancaires")
    assert again == first
    assert gaps.get_gap(conn, first).agents == 2


def test_a_gap_stored_with_stems_joins_its_topic_after_the_upgrade(tmp_path: Path) -> None:
    """A database whose gaps hold the stems of an earlier analysis: upgraded, they hold their
    question's words and gather the questions of their topic."""
    before = next(number for number, script in enumerate(store.MIGRATIONS)
                  if "DROP INDEX gaps_open_topic" in script)
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    store.migrate(old, migrations=store.MIGRATIONS[:before])
    old.executescript(
        "INSERT INTO users (name, role, created_at) VALUES ('agnes', 'agent', 0);"
        "INSERT INTO gaps (topic, question, user_id, created_at) VALUES "
        "('bancair import relev', 'Importer les RELEVÉS bancaires', 1, 0),"
        # The same question, filed apart by a kbtool that stemmed otherwise:
        "('bancaires importer releves', 'Importer les RELEVÉS bancaires', 1, 0),"
        "('ofx', 'Format OFX', 1, 0);")
    old.close()
    upgraded = store.connect(path)
    assert [row[0] for row in upgraded.execute("SELECT topic FROM gaps ORDER BY id")] == [
        "importer les relevÉs bancaires", "importer les relevÉs bancaires", "format ofx"]
    assert gaps.record(upgraded, 1, "import des relevés bancaires") in (1, 2)
    assert gaps.record(upgraded, 1, "le format OFX") == 3


def test_the_same_agent_later_is_another_hit(conn, user, monkeypatch):
    agnes = user("agnes")
    gap_id = gaps.record(conn, agnes.id, "clôture de l'exercice")
    later = gaps.now() + gaps.REPEAT_WINDOW + 1
    monkeypatch.setattr(gaps, "now", lambda: later)
    gaps.record(conn, agnes.id, "clôture exercice")
    assert (gaps.get_gap(conn, gap_id).hits, gaps.get_gap(conn, gap_id).agents) == (2, 1)


def test_open_gaps_by_demand_and_per_agent(conn, user):
    agnes, albert = user("agnes"), user("albert")
    lonely = gaps.record(conn, agnes.id, "changer de trésorier")
    popular = gaps.record(conn, albert.id, "importer un relevé OFX")
    gaps.record(conn, agnes.id, "importer un relevé OFX")
    assert [g.id for g in gaps.open_gaps(conn)] == [popular, lonely]
    assert [g.id for g in gaps.open_gaps(conn, albert, mine=True)] == [popular]


def test_closing_with_a_page_needs_an_indexed_page(conn, user):
    agnes = user("agnes")
    gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "exercice décalé"))
    indexed = {"wiki/faq/exercice_decale.txt"}.__contains__
    with pytest.raises(gaps.GapError, match="n'existe pas"):
        gaps.close_with_page(conn, gap, agnes, "wiki/faq/inventee.txt", indexed)
    with pytest.raises(gaps.GapError, match="Seuls"):
        gaps.close_with_page(conn, gap, user("albert"), "wiki/faq/exercice_decale.txt", indexed)
    gaps.close_with_page(conn, gap, agnes, "wiki/faq/exercice_decale.txt", indexed)
    closed = gaps.get_gap(conn, gap.id)
    assert (closed.status, closed.closed_how, closed.closed_detail, closed.closed_by) == (
        "closed", "page", "wiki/faq/exercice_decale.txt", "agnes")
    assert gaps.open_gaps(conn) == []


def test_a_closed_topic_asked_again_opens_a_new_gap(conn, user):
    agnes = user("agnes")
    gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "exercice décalé"))
    gaps.dismiss(conn, gap, user("rene"), "hors sujet")
    assert gaps.record(conn, agnes.id, "exercice décalé") != gap.id


def test_only_reviewers_dismiss_and_with_a_reason(conn, user):
    gap = gaps.get_gap(conn, gaps.record(conn, user("agnes").id, "question floue"))
    with pytest.raises(gaps.GapError, match="relecteur"):
        gaps.dismiss(conn, gap, user("agnes"), "doublon")
    with pytest.raises(gaps.GapError, match="pourquoi"):
        gaps.dismiss(conn, gap, user("rene"), "  ")
    gaps.dismiss(conn, gap, user("rene"), "question trop vague")
    closed = gaps.get_gap(conn, gap.id)
    assert (closed.closed_how, closed.closed_detail) == ("dismissed", "question trop vague")
    with pytest.raises(gaps.GapError, match="déjà close"):
        gaps.dismiss(conn, closed, user("rita"), "encore")


def test_an_article_closes_its_gaps_only_when_published(conn, user):
    from kbtool.knowledge import articles

    agnes = user("agnes")
    gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "importer un relevé OFX"))
    article_id = articles.create(conn, agnes, "kb", gap)
    with pytest.raises(gaps.GapError, match="déjà en cours"):
        articles.create(conn, user("albert"), "kb", gaps.get_gap(conn, gap.id))
    assert gaps.get_gap(conn, gap.id).status == "open"
    assert gaps.close_for_article(conn, article_id, "kb:importer", agnes.id) == [gap.id]
    assert gaps.get_gap(conn, gap.id).closed_how == "article"


def test_one_need_worded_twice_is_grouped_by_a_reviewer_with_its_agents_and_times(conn, user):
    """"fiches de paie" and "bulletins de paie" share one word in three: two gaps.  A reviewer
    sees them side by side and groups them: one gap, both agents, every time asked."""
    agnes, albert, rene = user("agnes"), user("albert"), user("rene")
    fiches = gaps.record(conn, agnes.id, "imprimer les fiches de paie", "T-1")
    bulletins = gaps.record(conn, albert.id, "imprimer les bulletins de paie", "T-2")
    unrelated = gaps.record(conn, albert.id, "clôture de l'exercice")
    assert fiches != bulletins
    gap = gaps.get_gap(conn, fiches)
    assert [other.id for other in gaps.related(conn, gap)] == [bulletins]
    with pytest.raises(gaps.GapError):
        gaps.merge(conn, gaps.get_gap(conn, fiches, agnes), bulletins, agnes)   # agents cannot
    for refused in (fiches, unrelated + 100):
        with pytest.raises(gaps.GapError):
            gaps.merge(conn, gap, refused, rene)
    gaps.merge(conn, gap, bulletins, rene)
    grouped = gaps.get_gap(conn, fiches)
    assert (grouped.status, grouped.agents, grouped.hits) == ("open", 2, 2)
    assert [(h.agent, h.question, h.ticket) for h in gaps.hits(conn, fiches)] == [
        ("agnes", "imprimer les fiches de paie", "T-1"),
        ("albert", "imprimer les bulletins de paie", "T-2")]
    closed = gaps.get_gap(conn, bulletins)
    assert (closed.status, closed.closed_how, closed.closed_detail) == (
        "closed", "dismissed", f"regroupée avec la question n° {fiches}")
    # Albert sees the grouped gap through his own wording only.
    assert gaps.visible(conn, fiches, albert).question == "imprimer les bulletins de paie"
    assert [h.question for h in gaps.hits(conn, fiches, albert)] == [
        "imprimer les bulletins de paie"]
    with pytest.raises(gaps.GapError):
        gaps.merge(conn, grouped, bulletins, rene)                # already grouped
    # The grouping sticks: the other wording is counted on the gap it was grouped into.
    assert gaps.record(conn, rene.id, "Imprimer les bulletins de paie ?") == fiches
    assert gaps.get_gap(conn, fiches).hits == 3


def test_groupings_follow_the_gap_they_were_grouped_into(conn, user):
    """b grouped into a, then a into c: b's wording lands on c; once c is closed (answered),
    it opens a gap of its own again."""
    rene = user("rene")
    a = gaps.record(conn, rene.id, "imprimer les fiches de paie")
    b = gaps.record(conn, rene.id, "imprimer les bulletins de paie")
    c = gaps.record(conn, rene.id, "éditer les feuilles de salaire")
    gaps.merge(conn, gaps.get_gap(conn, a), b, rene)
    gaps.merge(conn, gaps.get_gap(conn, c), a, rene)
    assert gaps.record(conn, rene.id, "imprimer les bulletins de paie") == c
    assert gaps.record(conn, rene.id, "imprimer les fiches de paie") == c
    gaps.dismiss(conn, gaps.get_gap(conn, c), rene, "hors périmètre")
    reopened = gaps.record(conn, rene.id, "imprimer les bulletins de paie")
    assert reopened not in (a, b, c)


def test_two_gaps_each_with_its_article_are_not_grouped(conn, user):
    agnes, rene = user("agnes"), user("rene")
    first = gaps.record(conn, agnes.id, "imprimer les fiches de paie")
    second = gaps.record(conn, agnes.id, "imprimer les bulletins de paie")
    for gap_id in (first, second):                                # each its own article
        articles.create(conn, agnes, "kb", gaps.get_gap(conn, gap_id))
    with pytest.raises(gaps.GapError, match="déjà son article"):
        gaps.merge(conn, gaps.get_gap(conn, first), second, rene)
    assert gaps.get_gap(conn, second).status == "open"
