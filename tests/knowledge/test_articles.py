"""Articles: drafts, revisions, decisions (no self-approval, one winner), diff and audit trail."""

from __future__ import annotations

import pytest

from kbtool.knowledge import articles, gaps, notices
from kbtool.knowledge.articles import ArticleError

NAMESPACES = ["kb", "kb:faq"]


def new_article(conn, author, title="Importer un relevé OFX", body="## Réponse\n\nMenu Banque."):
    article_id = articles.create(conn, author, "kb")
    articles.save(conn, articles.get(conn, article_id), author, title, "kb", body, NAMESPACES)
    return articles.get(conn, article_id)


def submitted(conn, author, **text):
    article = new_article(conn, author, **text)
    articles.submit(conn, article, author)
    return articles.get(conn, article.id)


@pytest.mark.parametrize("namespace, title, expected", [
    ("kb", "Importer un relevé OFX ?", "kb:importer_un_releve_ofx"),
    ("kb:faq", "Clôture : l'exercice décalé", "kb:faq:cloture_l_exercice_decale"),
    ("kb", "  ", ""),
])
def test_page_ids_are_made_as_dokuwiki_makes_them(namespace, title, expected):
    assert articles.page_id_for(namespace, title) == expected


def test_an_article_from_a_gap_is_prefilled(conn, user):
    agnes = user("agnes")
    gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "Comment importer un relevé OFX ?"))
    article = articles.get(conn, articles.create(conn, agnes, "kb", gap))
    assert article.title == "Comment importer un relevé OFX"
    assert article.page_id == "kb:comment_importer_un_releve_ofx"
    assert "## Question\n\nComment importer un relevé OFX ?" in article.body
    for heading in ("## Contexte", "## Réponse", "## Étapes", "## Liens"):
        assert heading in article.body
    assert [g.id for g in gaps.gaps_of_article(conn, article.id)] == [gap.id]


def test_only_the_author_edits_and_only_while_editable(conn, user):
    article = new_article(conn, user("agnes"))
    with pytest.raises(ArticleError, match="auteur"):
        articles.save(conn, article, user("albert"), "x", "kb", "y", NAMESPACES)
    with pytest.raises(ArticleError, match="Rubrique inconnue"):
        articles.save(conn, article, user("agnes"), "x", "ailleurs", "y", NAMESPACES)
    articles.submit(conn, article, user("agnes"))
    with pytest.raises(ArticleError, match="validation"):
        articles.save(conn, articles.get(conn, article.id), user("agnes"), "x", "kb", "y",
                      NAMESPACES)


def test_an_empty_article_cannot_be_submitted_but_is_kept(conn, user):
    agnes = user("agnes")
    article = new_article(conn, agnes, title="", body="un début")
    with pytest.raises(ArticleError, match="titre"):
        articles.submit(conn, article, agnes)
    assert articles.get(conn, article.id).body == "un début"


def test_an_author_never_approves_their_own_article(conn, user):
    rene = user("rene")
    article = submitted(conn, rene)
    with pytest.raises(ArticleError, match="propre article"):
        articles.decide(conn, article, rene, "approve", "", article.revision)
    assert articles.get(conn, article.id).status == articles.SUBMITTED


def test_agents_do_not_decide(conn, user):
    article = submitted(conn, user("agnes"))
    with pytest.raises(ArticleError, match="relecteur"):
        articles.decide(conn, article, user("albert"), "approve", "", article.revision)


def test_sending_back_or_rejecting_needs_a_reason(conn, user):
    article = submitted(conn, user("agnes"))
    for decision in ("changes", "reject"):
        with pytest.raises(ArticleError, match="Expliquez"):
            articles.decide(conn, article, user("rene"), decision, " ", article.revision)


def test_of_two_reviewers_acting_at_once_only_the_first_wins(conn, user):
    article = submitted(conn, user("agnes"))
    seen_by_both = articles.get(conn, article.id)
    articles.decide(conn, seen_by_both, user("rene"), "changes", "Ajoutez les étapes.", 1)
    with pytest.raises(ArticleError, match="changé entre-temps"):
        articles.decide(conn, seen_by_both, user("rita"), "approve", "", 1)
    final = articles.get(conn, article.id)
    assert (final.status, final.reviewer) == (articles.CHANGES, "rene")


def test_a_decision_on_an_old_revision_is_refused(conn, user):
    agnes = user("agnes")
    article = submitted(conn, agnes)
    articles.decide(conn, article, user("rene"), "changes", "Précisez.", 1)
    articles.submit(conn, articles.get(conn, article.id), agnes)
    with pytest.raises(ArticleError, match="changé entre-temps"):
        articles.decide(conn, articles.get(conn, article.id), user("rita"), "approve", "", 1)
    articles.decide(conn, articles.get(conn, article.id), user("rita"), "approve", "", 2)
    assert articles.get(conn, article.id).status == articles.APPROVED


def test_every_submission_is_a_revision_and_the_diff_shows_the_change(conn, user):
    agnes = user("agnes")
    article = submitted(conn, agnes, body="## Réponse\n\nMenu Banque.\n")
    assert articles.diff_since_last(conn, article.id) == []
    articles.decide(conn, article, user("rene"), "changes", "Et le format ?", 1)
    articles.save(conn, articles.get(conn, article.id), agnes, article.title, "kb",
                  "## Réponse\n\nMenu Banque > Importer, fichier OFX.\n", NAMESPACES)
    assert articles.submit(conn, articles.get(conn, article.id), agnes) == 2
    assert [r.number for r in articles.revisions(conn, article.id)] == [1, 2]
    diff = articles.diff_since_last(conn, article.id)
    assert "-Menu Banque." in diff and "+Menu Banque > Importer, fichier OFX." in diff


def test_the_audit_trail_records_who_did_what(conn, user):
    agnes, rene = user("agnes"), user("rene")
    article = submitted(conn, agnes)
    articles.comment(conn, article, rene, "Bien, un détail :")
    articles.decide(conn, article, rene, "reject", "Doublon de kb:import", 1)
    trail = [(e.user, e.action, e.detail) for e in articles.events(conn, article.id)]
    assert trail == [("agnes", "created", ""), ("agnes", "submitted", "révision 1"),
                     ("rene", "comment", "Bien, un détail :"),
                     ("rene", "rejected", "révision 1 : Doublon de kb:import")]
    assert [n.message for n in notices.unread(conn, agnes.id)] == [
        "Votre article « Importer un relevé OFX » : refusé par rene : « Doublon de kb:import »"]


def test_a_rejected_article_frees_its_gap(conn, user):
    agnes = user("agnes")
    gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "importer un relevé OFX"))
    article = articles.get(conn, articles.create(conn, agnes, "kb", gap))
    articles.submit(conn, article, agnes)
    articles.decide(conn, articles.get(conn, article.id), user("rene"), "reject", "Doublon", 1)
    freed = gaps.get_gap(conn, gap.id)
    assert (freed.status, freed.article_id) == ("open", None)


def test_the_review_queue_is_ordered_by_demand_then_age(conn, user):
    agnes, albert = user("agnes"), user("albert")
    older = submitted(conn, agnes, title="Sans question")
    gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "changer de trésorier"))
    gaps.record(conn, albert.id, "changer le trésorier")
    wanted = articles.get(conn, articles.create(conn, albert, "kb", gap))
    articles.submit(conn, wanted, albert)
    assert [(a.id, demand) for a, demand in articles.review_queue(conn)] == [
        (wanted.id, 2), (older.id, 0)]
