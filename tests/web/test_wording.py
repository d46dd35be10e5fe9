"""The UI's French wording: labels agents understand, one name per figure, days written as
French writes them."""

from __future__ import annotations

import re

import pytest

from kbtool import store
from kbtool.config import Config
from kbtool.web.filters import days
from tests.web.conftest import post
from tests.web.drafting import new_draft


@pytest.mark.parametrize("count, shown", [
    (0.0, "0 jour"), (0.04, "0 jour"), (0.5, "0,5 jour"), (1, "1 jour"), (1.5, "1,5 jour"),
    (1.94, "1,9 jour"), (1.96, "2 jours"), (2, "2 jours"), (12.34, "12,3 jours"),
])
def test_days_have_a_decimal_comma_and_are_singular_below_two(count: float, shown: str) -> None:
    assert days(count) == shown


def test_reviewer_pages_have_distinct_names(as_user) -> None:  # type: ignore[no-untyped-def]
    nav = re.search(r"<nav.*?</nav>", as_user("rene").get("/").get_data(as_text=True), re.S)[0]
    badges = re.compile(r'<span class="badge".*?</span>', re.S)  # the counts beside the names
    links = [badges.sub("", text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", nav, re.S)]
    assert "Réponses à valider" in links and "Articles à relire" in links
    assert "Validations" not in links and "Relecture" not in links


def test_dashboard_figures_each_have_their_own_name(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    post(agnes, "/articles")  # an article waiting for review, submitted just now
    conn = store.connect(settings.get("web.database"))
    article_id = conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    conn.close()
    post(agnes, f"/articles/{article_id}", {"title": "Exercice décalé", "namespace": "kb",
                                            "body": "## Réponse\n\nParamètres.",
                                            "action": "submit"})
    post(agnes, "/deconnexion")
    page = as_user("rene").get("/tableau-de-bord").get_data(as_text=True)
    figures = re.findall(r"<dt>([^<]+)</dt>", page)
    charts = [re.sub(r" \(par semaine.*", "", c) for c in re.findall(r"<figcaption>([^<]+)", page)]
    assert len(set(figures + charts)) == len(figures + charts), figures + charts
    assert "Questions sans réponse encore ouvertes" in figures
    assert "Nouvelles questions sans réponse" in charts
    assert "<td>0 jour</td>" in page and " j</td>" not in page


def test_the_article_editor_says_rubrique(as_user) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    editor = post(agnes, "/articles", follow_redirects=True).get_data(as_text=True)
    assert '<label for="namespace">Rubrique</label>' in editor
    assert "Espace de noms" not in editor


def test_the_copy_buttons_say_what_they_copy(as_user) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    draft_url, _ = new_draft(agnes)
    draft = agnes.get(draft_url).get_data(as_text=True)
    assert "Copier en texte brut" in draft and "Copier avec la mise en forme" in draft
    assert "(texte" not in draft
