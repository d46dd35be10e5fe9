"""The usage log's figures, as the admin page shows them."""

from __future__ import annotations

from flask.testing import FlaskClient

from kbtool import store
from kbtool.config import Config
from kbtool.knowledge import usage
from tests.web.conftest import post


def test_links_in_a_reply() -> None:
    text = ("Voir https://wiki/doku.php?id=a#b. Et (https://docs/x.html), "
            "puis https://wiki/doku.php?id=a#b encore ; http://y/z»")
    assert usage.links_in(text) == ["https://wiki/doku.php?id=a#b", "https://docs/x.html",
                                    "http://y/z"]


def test_summary_counts_searches_copies_and_empty_questions(settings: Config) -> None:
    conn = store.connect(settings.get("web.database"))
    usage.record(conn, usage.SEARCH, 1, query="TVA", hits=9, confident=True)
    usage.record(conn, usage.SEARCH, 1, query="tarte tatin", hits=7, confident=False)
    usage.record(conn, usage.SEARCH, 2, query="Tarte Tatin ", hits=7, confident=False)
    usage.record(conn, usage.UNANSWERED, 1, query="four à pain", detail="aucun")
    usage.record(conn, usage.COPY, 1, hits=2, detail="text")
    usage.record(conn, usage.COPY, 1, hits=0, detail="text")
    figures = usage.summary(conn)
    conn.close()
    assert (figures.searches, figures.unconfident_searches, figures.unanswered) == (3, 2, 1)
    assert (figures.copies, figures.copies_with_links, figures.linked_share) == (2, 1, 0.5)
    assert figures.empty_queries == [("tarte tatin", 2), ("four à pain", 1)]


def test_a_question_counts_once_per_agent_and_day(settings: Config) -> None:
    """An agent's search without answer, their click on "Aucun de ces résultats" and the same
    search again are one question; the same agent asking again another day is a second one."""
    conn = store.connect(settings.get("web.database"))
    for kind in (usage.SEARCH, usage.UNANSWERED, usage.SEARCH):
        usage.record(conn, kind, 1, query="four à pain", hits=3, confident=False)
    assert usage.summary(conn).empty_queries == [("four à pain", 1)]
    conn.execute("UPDATE events SET at = at - ?", (usage.DAY,))
    usage.record(conn, usage.SEARCH, 1, query="four à pain", hits=3, confident=False)
    assert usage.summary(conn).empty_queries == [("four à pain", 2)]
    conn.close()


def test_admin_page_shows_the_figures(as_user) -> None:  # type: ignore[no-untyped-def]
    admin: FlaskClient = as_user("adam")
    admin.get("/", query_string={"q": "recette tarte tatin"})
    post(admin, "/sans-reponse", {"q": "recette tarte tatin", "reason": "aucun"},
         follow_redirects=True)
    page = admin.get("/admin/usage").get_data(as_text=True)
    assert "<td>recette tarte tatin</td><td>1</td>" in page
    board = admin.get("/tableau-de-bord").get_data(as_text=True)
    assert "<tr><td>recette tarte tatin</td><td>1</td></tr>" in board


def test_the_redirect_after_aucun_is_not_a_second_search(as_user,  # type: ignore[no-untyped-def]
                                                         settings: Config) -> None:
    """« Aucun de ces résultats » shows the same results again: that view is not logged, but
    the agent's next search of the same words is."""
    agent: FlaskClient = as_user("agnes")
    agent.get("/", query_string={"q": "recette tarte tatin"})
    page = post(agent, "/sans-reponse", {"q": "recette tarte tatin", "reason": "aucun"},
                follow_redirects=True).get_data(as_text=True)
    assert "la question est notée comme sans réponse" in page and 'class="hit"' in page
    conn = store.connect(settings.get("web.database"))
    assert usage.summary(conn).searches == 1
    agent.get("/", query_string={"q": "recette tarte tatin"})
    assert usage.summary(conn).searches == 2
    conn.close()
