"""Gaps, the article editor and the review pages through the Flask test client (no wiki here:
publication against a real DokuWiki is in test_publish.py)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.knowledge import articles, gaps
from tests.web.conftest import login, post

UNANSWERED = "recette de la tarte tatin"
HOSTILE = ('<script>alert("x")</script>\n\n[clic](javascript:alert(1)) '
           '<img src=x onerror=alert(2)> <a href="JAVASCRIPT:alert(3)">a</a>')


def db(settings: Config):  # type: ignore[no-untyped-def]
    return store.connect(settings.get("web.database"))


def other_client(client: FlaskClient, name: str) -> FlaskClient:
    """A second browser, signed in as ``name``."""
    second = client.application.test_client()
    assert login(second, name).status_code == 302
    return second


def open_article(agent: FlaskClient, gap_id: int | None = None) -> int:
    response = post(agent, "/articles", {"gap": gap_id} if gap_id else {})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def write(agent: FlaskClient, article_id: int, title: str, body: str,
          action: str = "save"):  # type: ignore[no-untyped-def]
    return post(agent, f"/articles/{article_id}", {"title": title, "namespace": "kb",
                                                   "body": body, "action": action})


def test_searches_without_answer_become_one_gap_per_topic(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": UNANSWERED})
    post(agnes, "/sans-reponse", {"q": UNANSWERED, "reason": "aucun", "ticket": "T-42"})
    agnes.get("/", query_string={"q": "importer un relevé OFX"})  # a confident answer: no gap
    albert = other_client(agnes, "albert")
    albert.get("/", query_string={"q": "tarte tatin recette"})
    [gap] = gaps.open_gaps(db(settings))
    assert (gap.question, gap.hits, gap.agents) == (UNANSWERED, 2, 2)
    assert [h.ticket for h in gaps.hits(db(settings), gap.id)] == ["T-42", ""]


def test_agents_see_their_open_gaps_at_home_reviewers_see_all(as_user) -> None:
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": UNANSWERED})
    assert UNANSWERED in agnes.get("/").get_data(as_text=True)
    albert = other_client(agnes, "albert")
    assert UNANSWERED not in albert.get("/").get_data(as_text=True)
    assert UNANSWERED not in albert.get("/questions").get_data(as_text=True)
    rene = other_client(agnes, "rene")
    assert UNANSWERED in rene.get("/questions").get_data(as_text=True)


def test_the_offer_button_leads_to_the_gap_with_similar_pages(as_user) -> None:
    agnes = as_user("agnes")
    response = post(agnes, "/sans-reponse", {"q": "rapprochement bancaire écart inexpliqué",
                                             "reason": "offre"})
    page = agnes.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rédiger la réponse comme nouvel article" in page
    assert "Cette page répond" in page  # the sample has pages about bank reconciliation


def test_a_gap_closes_with_an_indexed_page_only(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    gap_id = gaps.record(db(settings), 2, "écart de rapprochement")  # not agnes's gap
    assert agnes.get(f"/questions/{gap_id}").status_code == 404
    gap_id = gaps.record(db(settings), 1, "écart de rapprochement")
    page = agnes.get(f"/questions/{gap_id}", query_string={"q": "rapprochement écart"})
    assert f"/questions/{gap_id}/verifier?page_id=wiki%2Ffaq%2Fecart_rapprochement.txt" in \
        page.get_data(as_text=True)
    post(agnes, f"/questions/{gap_id}/page", {"page_id": "wiki/faq/inventee.txt"})
    assert gaps.get_gap(db(settings), gap_id).status == "open"
    post(agnes, f"/questions/{gap_id}/page", {"page_id": "wiki/faq/ecart_rapprochement.txt"})
    gap = gaps.get_gap(db(settings), gap_id)
    assert (gap.status, gap.closed_detail) == ("closed", "wiki/faq/ecart_rapprochement.txt")


def test_closing_a_gap_with_a_page_shows_it_beside_the_question_first(
        as_user, settings: Config) -> None:
    """"Cette page répond" next to a list of pages closed the gap in one click, and closing by
    hand asked for an index id: now a page is picked by searching, then confirmed after being
    seen beside the question (how the search sees it for that question)."""
    agnes = as_user("agnes")
    gap_id = gaps.record(db(settings), 1, "écart de rapprochement bancaire")
    page = agnes.get(f"/questions/{gap_id}", query_string={"q": "rapprochement écart"})
    text = page.get_data(as_text=True)
    assert f'action="/questions/{gap_id}/page"' not in text   # nothing closes from the list
    assert "wiki/faq/ma_page.txt" not in text and 'name="page_id"' not in text
    confirm = f"/questions/{gap_id}/verifier?page_id=wiki%2Ffaq%2Fecart_rapprochement.txt"
    assert confirm in text

    text = agnes.get(confirm).get_data(as_text=True)
    assert "Cette page répond-elle à « écart de rapprochement bancaire » ?" in text
    assert "Mon rapprochement bancaire ne tombe pas juste" in text      # the page's title
    assert 'name="page_id" value="wiki/faq/ecart_rapprochement.txt"' in text
    assert 'class="section-link"' in text and "juge comme une réponse sûre" in text
    assert gaps.get_gap(db(settings), gap_id).status == "open"
    unrelated = agnes.get(f"/questions/{gap_id}/verifier",
                          query_string={"page_id": "wiki/logiciel/recus_fiscaux.txt"})
    assert "juge comme une réponse sûre" not in unrelated.get_data(as_text=True)
    assert "vérifiez qu" in unrelated.get_data(as_text=True)
    missing = agnes.get(f"/questions/{gap_id}/verifier", query_string={"page_id": "wiki/x.txt"})
    assert missing.status_code == 302
    assert "existe pas dans l" in agnes.get(missing.headers["Location"]).get_data(
        as_text=True)

    post(agnes, f"/questions/{gap_id}/page", {"page_id": "wiki/faq/ecart_rapprochement.txt"})
    assert gaps.get_gap(db(settings), gap_id).status == "closed"


def test_pages_the_agent_already_saw_are_not_offered_as_new_answers(as_user) -> None:
    """"Aucun de ces résultats" on a confident search: its pages, older than the question, are
    not proposed back as the answer published since."""
    agnes = as_user("agnes")
    post(agnes, "/sans-reponse", {"q": "importer un relevé OFX", "reason": "aucun"})
    assert "answer-found" not in agnes.get("/").get_data(as_text=True)
    assert "answer-found" not in agnes.get("/questions").get_data(as_text=True)


def test_open_gaps_answers_are_searched_once_per_index_state(as_user, settings: Config,
                                                             monkeypatch) -> None:
    """The home page checks the agent's open gaps against the index on every load: the answers
    are kept while the index is the same, so a reload costs no search."""
    agnes = as_user("agnes")
    conn = db(settings)
    agnes_id = accounts.find_user(conn, "agnes").id
    gap_ids = [gaps.record(conn, agnes_id, question)
               for question in ("importer un relevé OFX", UNANSWERED)]
    with store.transaction(conn):   # asked before the pages were written: they answer it since
        conn.execute("UPDATE gap_hits SET at = 0")
        conn.execute("UPDATE gaps SET created_at = 0")
    searcher = agnes.application.extensions["kbtool.searcher"].get()
    searched: list[str] = []
    search = searcher.search
    monkeypatch.setattr(searcher, "search", lambda query, **kw: searched.append(query) or
                        search(query, **kw))
    for _ in range(2):
        assert agnes.get("/").get_data(as_text=True).count('class="answer-found"') == 1
    assert sorted(searched) == sorted(["importer un relevé OFX", UNANSWERED])
    state = searcher.version()          # as after refresh() opened another commit or generation
    monkeypatch.setattr(searcher, "version", lambda: state + "+1")
    agnes.get("/")
    assert len(searched) == 2 * len(gap_ids)


def test_reviewers_group_one_need_worded_twice_from_the_gap_page(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    fiches = gaps.record(db(settings), 1, "imprimer les fiches de paie")
    bulletins = gaps.record(db(settings), 2, "imprimer les bulletins de paie")
    assert "Questions proches" not in agnes.get(f"/questions/{fiches}").get_data(as_text=True)
    rene = other_client(agnes, "rene")
    page = rene.get(f"/questions/{fiches}").get_data(as_text=True)
    assert "Questions proches" in page and "imprimer les bulletins de paie" in page
    assert f'name="other" value="{bulletins}"' in page
    post(rene, f"/questions/{fiches}/regrouper", {"other": str(bulletins)})
    grouped = gaps.get_gap(db(settings), fiches)
    assert (grouped.agents, grouped.hits) == (2, 2)
    assert gaps.get_gap(db(settings), bulletins).status == "closed"
    assert "Questions regroupées" in rene.get(f"/questions/{fiches}").get_data(as_text=True)


def test_reviewers_dismiss_a_gap_with_a_reason(as_user, settings: Config) -> None:
    rene = as_user("rene")
    gap_id = gaps.record(db(settings), 1, "question hors sujet")
    post(rene, f"/questions/{gap_id}/ecarter", {"reason": ""})
    assert gaps.get_gap(db(settings), gap_id).status == "open"
    post(rene, f"/questions/{gap_id}/ecarter", {"reason": "hors périmètre du support"})
    assert gaps.get_gap(db(settings), gap_id).closed_how == "dismissed"


def test_an_article_from_a_gap_opens_a_prefilled_editor(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    gap_id = gaps.record(db(settings), 1, "Comment annuler un reçu fiscal ?")
    article_id = open_article(agnes, gap_id)
    page = agnes.get(f"/articles/{article_id}").get_data(as_text=True)
    assert 'value="Comment annuler un reçu fiscal"' in page
    assert "kb:comment_annuler_un_recu_fiscal" in page
    assert "## Contexte" in page and 'id="preview"' in page and "editor.js" in page


def test_autosave_preview_and_similar_pages(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = open_article(agnes)
    saved = post(agnes, f"/articles/{article_id}/brouillon",
                 {"title": "Rapprochement bancaire : écart", "namespace": "kb", "body": "**x**"},
                 headers={"X-CSRFToken": "ignored"})
    assert saved.get_json()["page_id"] == "kb:rapprochement_bancaire_ecart"
    assert articles.get(db(settings), article_id).body == "**x**"
    preview = post(agnes, "/articles/apercu", {"body": "**gras**\n\n" + HOSTILE})
    html = preview.get_data(as_text=True)
    assert "<strong>gras</strong>" in html
    assert "<script" not in html and "javascript:" not in html.lower() and "onerror" not in html
    similar = agnes.get("/articles/similaires", query_string={"titre": "rapprochement bancaire"})
    assert any("approchement" in page["title"] for page in similar.get_json()["pages"])


def test_a_failed_submit_keeps_the_text(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = open_article(agnes)
    response = write(agnes, article_id, "", "Tout un texte tapé.", action="submit")
    assert "Donnez un titre" in agnes.get(response.headers["Location"]).get_data(as_text=True)
    article = articles.get(db(settings), article_id)
    assert (article.status, article.body) == ("draft", "Tout un texte tapé.")


def test_others_cannot_see_or_edit_a_draft(as_user) -> None:
    agnes = as_user("agnes")
    article_id = open_article(agnes)
    albert = other_client(agnes, "albert")
    assert albert.get(f"/articles/{article_id}").status_code == 404
    assert post(albert, f"/articles/{article_id}/brouillon", {"title": "x"}).status_code == 404


def test_send_back_revise_and_the_reviewer_sees_the_diff(as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = open_article(agnes)
    write(agnes, article_id, "Exercice décalé", "## Réponse\n\nParamètres > Exercice.",
          action="submit")
    rene = other_client(agnes, "rene")
    assert "Exercice décalé" in rene.get("/relecture").get_data(as_text=True)
    post(rene, f"/relecture/{article_id}/decision",
         {"decision": "changes", "reason": "Donnez les dates.", "revision": 1})
    home = agnes.get("/").get_data(as_text=True)
    assert "renvoyé pour modifications par rene : « Donnez les dates. »" in home
    write(agnes, article_id, "Exercice décalé",
          "## Réponse\n\nParamètres > Exercice, dates de début et de fin.", action="submit")
    page = rene.get(f"/relecture/{article_id}").get_data(as_text=True)
    assert "révision 2" in page
    assert re.search(r'class="del">-Paramètres &gt; Exercice\.<', page)
    assert re.search(r'class="add">\+Paramètres &gt; Exercice, dates', page)
    assert "Donnez les dates." in page  # the audit trail
    assert "===== Réponse =====\n\nParamètres &gt; Exercice, dates" in page  # what will be sent


def test_approval_without_a_wiki_keeps_the_article_approved_with_the_reason(
        as_user, settings: Config) -> None:
    agnes = as_user("agnes")
    article_id = open_article(agnes)
    write(agnes, article_id, "Changer de trésorier", "Texte.", action="submit")
    rene = other_client(agnes, "rene")
    response = post(rene, f"/relecture/{article_id}/decision",
                    {"decision": "approve", "revision": 1})
    page = rene.get(response.headers["Location"]).get_data(as_text=True)
    assert "validé, pas encore publié" in page and "web.wiki_source is not set" in page
    assert 'id="retry"' in page
    assert articles.get(db(settings), article_id).status == "approved"


def test_an_author_who_reviews_cannot_approve_their_own(as_user, settings: Config) -> None:
    rene = as_user("rene")
    article_id = open_article(rene)
    write(rene, article_id, "Mot de passe oublié", "Texte.", action="submit")
    response = post(rene, f"/relecture/{article_id}/decision",
                    {"decision": "approve", "revision": 1})
    assert "propre article" in rene.get(response.headers["Location"]).get_data(as_text=True)
    assert articles.get(db(settings), article_id).status == "submitted"


@pytest.mark.parametrize("viewer, path", [("agnes", "/articles/{id}"),
                                          ("rene", "/relecture/{id}")])
def test_hostile_markdown_never_reaches_a_page_unescaped(as_user, viewer: str, path: str) -> None:
    agnes = as_user("agnes")
    article_id = open_article(agnes)
    write(agnes, article_id, '<script>alert("t")</script>', HOSTILE, action="submit")
    client = agnes if viewer == "agnes" else other_client(agnes, viewer)
    page = client.get(path.format(id=article_id)).get_data(as_text=True)
    assert "<script>alert" not in page and "<img" not in page
    assert 'href="javascript' not in page.lower() and "onerror=" not in page
    assert "&lt;script&gt;" in page  # the title, shown as text


def test_the_dashboard_draws_its_charts(as_user, settings: Config) -> None:
    rene = as_user("rene")
    gaps.record(db(settings), 1, UNANSWERED)
    page = rene.get("/tableau-de-bord").get_data(as_text=True)
    assert page.count("<svg") == 4 and '<rect' in page
    assert UNANSWERED in page and 'id="open-gaps">1<' in page
    agnes = other_client(rene, "agnes")
    assert agnes.get("/tableau-de-bord").status_code == 403


def test_a_hostile_question_is_shown_as_text_everywhere(as_user, settings: Config) -> None:
    question = '<script>alert("q")</script><img src=x onerror=alert(1)>'
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": question})
    [gap] = gaps.open_gaps(db(settings))
    article_id = open_article(agnes, gap.id)
    rene = other_client(agnes, "rene")
    for client, path in ((agnes, "/"), (agnes, f"/questions/{gap.id}"),
                         (agnes, f"/articles/{article_id}"), (rene, "/questions"),
                         (rene, "/tableau-de-bord")):
        page = client.get(path).get_data(as_text=True)
        assert "&lt;script&gt;" in page, path
        assert "<script>alert" not in page and "<img" not in page, path
