"""Published articles due for verification: owner and "verified on" date, the window of
``knowledge.verify_after_months`` and what counts as still cited (dates stored, the check's
clock given: no waiting)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool import config as config_module, pipeline, store
from kbtool.accounts import User
from kbtool.config import Config
from kbtool.index.search import Searcher
from kbtool.knowledge import articles, drafts, gaps, verification
from kbtool.knowledge.articles import ArticleError
from kbtool.knowledge.reply import ChosenSection
from kbtool.knowledge.verification import DAY, MONTH
from tests.kbfactory import write_tree

T = 1_900_000_000.0                      # the check's "now"
WIKI_PAGE = "wiki/kb/import_ofx.txt"     # the index's id of the article's page kb:import_ofx


def settings(tmp_path: Path, **knowledge: int) -> Config:
    """A small folder, and a wiki (kind dokuwiki, never asked) articles are published to."""
    write_tree(tmp_path / "docs", {"notes.txt": "Notes du trésorier.\n"})
    return config_module.from_dict({
        "index": {"dir": str(tmp_path / "index")},
        "web": {"wiki_source": "wiki"}, "knowledge": knowledge,
        "sources": [{"name": "wiki", "kind": "dokuwiki", "url": "http://127.0.0.1:9/"},
                    {"name": "docs", "kind": "folder", "path": str(tmp_path / "docs")}]})


@pytest.fixture()
def searcher(tmp_path: Path) -> Iterator[Searcher]:
    """A searcher over the folder's index (the wiki's pages are not indexed: not needed)."""
    assert pipeline.reindex(settings(tmp_path), full=True, only=("docs",)).ok
    opened = Searcher(tmp_path / "index")
    yield opened
    opened.close()


def published(conn: sqlite3.Connection, author: User, verified_months_ago: float) -> int:
    """An article published as ``kb:import_ofx``, last verified that many months before T."""
    article_id = articles.create(conn, author, "kb")
    conn.execute("UPDATE articles SET status = ?, title = 'Import OFX', page_id = ?, "
                 "published_at = ?, verified_on = ?, owner_id = author_id WHERE id = ?",
                 (articles.PUBLISHED, "kb:import_ofx", T - 24 * MONTH,
                  T - verified_months_ago * MONTH, article_id))
    return article_id


def gap_closed_by(conn: sqlite3.Connection, agent: User, reviewer: User, article_id: int) -> None:
    gap = gaps.get_gap(conn, gaps.record(conn, agent.id, "Comment importer un relevé OFX ?"))
    gaps.attach_article(conn, gap, article_id)
    gaps.close_for_article(conn, article_id, "kb:import_ofx", reviewer.id)


def reply_citing(conn: sqlite3.Connection, agent: User, days_ago: float) -> None:
    draft_id = drafts.create_draft(conn, agent.id, "relevé", "", [ChosenSection(
        "Import OFX", "Étapes", "http://127.0.0.1:9/doku.php?id=kb:import_ofx#etapes",
        WIKI_PAGE, "etapes")])
    conn.execute("UPDATE drafts SET updated_at = ? WHERE id = ?", (T - days_ago * DAY, draft_id))


# (last verified, months ago; cited by a closed gap; a reply citing it, days ago; setting; listed)
WINDOW = {
    "13 months, its gap closed by it": (13, True, None, 12, True),
    "11 months, its gap closed by it": (11, True, None, 12, False),
    "13 months, cited by nothing": (13, False, None, 12, False),
    "13 months, a reply 30 days ago": (13, False, 30, 12, True),
    "13 months, a reply 100 days ago only": (13, False, 100, 12, False),
    "7 months, verify after 6": (7, True, None, 6, True),
    "5 months, verify after 6": (5, True, None, 6, False),
}


@pytest.mark.parametrize("case", list(WINDOW))
def test_articles_listed_for_verification(conn: sqlite3.Connection, user, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          searcher: Searcher, case: str) -> None:
    months, by_gap, reply_days, after, listed = WINDOW[case]
    config = settings(tmp_path, verify_after_months=after)
    article_id = published(conn, user("agnes"), months)
    if by_gap:
        gap_closed_by(conn, user("albert"), user("rene"), article_id)
    if reply_days is not None:
        reply_citing(conn, user("albert"), reply_days)
    due = verification.check(conn, searcher, config, at=T).articles
    assert [d.article.id for d in due] == ([article_id] if listed else [])
    if listed:
        assert {c.kind for c in due[0].citers} == {"gap" if by_gap else "draft"}
        assert due[0].article.owner == "agnes"


def test_verified_today_takes_it_off_the_list(conn: sqlite3.Connection, user, tmp_path: Path,  # type: ignore[no-untyped-def]
                                              searcher: Searcher) -> None:
    config = settings(tmp_path)
    article_id = published(conn, user("agnes"), 13)
    gap_closed_by(conn, user("albert"), user("rene"), article_id)
    article = articles.get(conn, article_id)
    with pytest.raises(ArticleError, match="relecteur"):
        articles.mark_verified(conn, article, user("albert"), at=T)
    articles.mark_verified(conn, article, user("rene"), at=T - DAY)
    assert articles.get(conn, article_id).verified_on == T - DAY
    assert not verification.check(conn, searcher, config, at=T).articles
    assert verification.check(conn, searcher, config, at=T + 12 * MONTH).articles


def test_the_owner_is_the_author_until_a_reviewer_hands_it_over(conn: sqlite3.Connection,  # type: ignore[no-untyped-def]
                                                                user) -> None:
    article = articles.get(conn, published(conn, user("agnes"), 1))
    assert (article.owner, article.verified_on) == ("agnes", T - MONTH)
    with pytest.raises(ArticleError, match="relecteur"):
        articles.set_owner(conn, article, user("agnes"), user("albert"))
    articles.set_owner(conn, article, user("rene"), user("albert"))
    assert articles.get(conn, article.id).owner == "albert"
    assert articles.events(conn, article.id)[-1].detail == "albert"


def test_the_migration_gives_published_articles_their_author_and_publication_date(
        tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    conn.row_factory = sqlite3.Row
    upto = next(i for i, m in enumerate(store.MIGRATIONS) if "cited_sections" in m)
    store.migrate(conn, migrations=store.MIGRATIONS[:upto])
    conn.execute("INSERT INTO users (name, role, created_at) VALUES ('agnes', 'agent', 0)")
    conn.execute("INSERT INTO articles (author_id, status, created_at, updated_at, published_at) "
                 "VALUES (1, 'published', 0, 0, 42), (1, 'draft', 0, 0, NULL)")
    store.migrate(conn)
    rows = conn.execute("SELECT owner_id, verified_on FROM articles ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(1, 42.0), (None, None)]
