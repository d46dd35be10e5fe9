"""Search that learns the team's words, through the routes agents and reviewers use: a reply
copied or sent for validation and a gap closed by a page teach search; another agent's search in
other words then finds the cited page first; the learning survives a full rebuild of the index;
a reviewer reads the learned vocabulary and removes a tie, which the audit log keeps."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kbtool import store
from kbtool.cli import main
from kbtool.config import Config
from kbtool.knowledge import gaps, learning
from kbtool.web import create_app
from tests.web.conftest import SAMPLE, login, post, sample_settings, with_test_accounts
from tests.web.drafting import QUERY, body_of, new_draft, ticked
from tests.web.world import CUSTOMER, QUESTION

ASKED = "impossible de me connecter"           # how Agnès put it; the FAQ page answers
ASKED_AGAIN = "je n'arrive plus à me connecter"  # how Albert puts it later
ANSWER = "wiki/faq/mot_de_passe_oublie.txt"
HIT_PAGE = re.compile(r'<li class="hit" data-page="([^"]*)">')


def vocabulary(settings: Config) -> list[learning.Entry]:
    conn = store.connect(settings.get("web.database"))
    try:
        return learning.vocabulary(conn)
    finally:
        conn.close()


def other(client: FlaskClient, name: str) -> FlaskClient:
    """Another browser signed in as ``name``."""
    browser = client.application.test_client()
    assert login(browser, name).status_code == 302
    return browser


def first_pages(client: FlaskClient, query: str) -> list[str]:
    """The page ids of the results, in order, as the search page ranks them."""
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    return HIT_PAGE.findall(page)


def reply_to(client: FlaskClient, query: str, copy: bool = True) -> str:
    """Search, tick the first result, draft the reply and copy it as proposed; the draft's path."""
    [pick], _ = ticked(client, 1, query)
    path = post(client, "/brouillons", {"q": query, "pick": [pick]}).headers["Location"]
    if copy:
        body = body_of(client.get(path).get_data(as_text=True))
        assert post(client, path + "/copie", {"body": body, "format": "text"}).status_code == 204
    return path


def test_a_copied_reply_teaches_its_search_words_to_the_sections_it_cites(
        as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    path, _links = new_draft(agnes, count=2)
    assert vocabulary(settings) == []
    body = body_of(agnes.get(path).get_data(as_text=True))
    assert post(agnes, path + "/copie", {"body": body, "format": "text"}).status_code == 204
    entries = vocabulary(settings)
    assert {entry.word for entry in entries} == {"importer", "releve", "ofx"}  # "OFX": documented
    assert len({(e.page_id, e.anchor) for e in entries}) == 2 and all(e.anchor for e in entries)
    assert {(entry.uses, entry.agents) for entry in entries} == {(1, 1)}
    post(agnes, path + "/copie", {"body": body, "format": "html"})   # the same reply again
    assert {(entry.uses, entry.agents) for entry in vocabulary(settings)} == {(1, 1)}


def test_a_link_deleted_before_copying_teaches_nothing(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    path, links = new_draft(agnes, count=2)
    body = body_of(agnes.get(path).get_data(as_text=True))
    kept = "\n".join(line for line in body.split("\n") if links[1] not in line)
    post(agnes, path + "/copie", {"body": kept, "format": "text"})
    assert len({(e.page_id, e.anchor) for e in vocabulary(settings)}) == 1


def test_a_reply_sent_for_validation_teaches_search(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    path, _ = new_draft(agnes, count=1)
    body = body_of(agnes.get(path).get_data(as_text=True))
    post(agnes, path + "/validation", {"ticket": "INC-4521", "body": body})
    assert {entry.word for entry in vocabulary(settings)} == {"importer", "releve", "ofx"}


def test_a_refused_validation_request_teaches_nothing(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    path, _ = new_draft(agnes, count=1)
    post(agnes, path + "/validation", {"ticket": "n'importe quoi !", "body": "texte"})
    assert vocabulary(settings) == []


def test_a_gap_closed_by_a_page_teaches_its_questions_without_the_customer(
        as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    agnes.get("/", query_string={"q": QUESTION})
    conn = store.connect(settings.get("web.database"))
    [gap] = gaps.open_gaps(conn)
    page = "wiki/logiciel/import_releves.txt"
    response = post(agnes, f"/questions/{gap.id}/page", {"page_id": page})
    assert response.status_code == 302
    entries = vocabulary(settings)
    assert {entry.word for entry in entries} == {"importer", "releve", "ofx"}
    assert {(entry.page_id, entry.anchor) for entry in entries} == {(page, "")}
    assert CUSTOMER.lower() not in str(conn.execute("SELECT * FROM learned").fetchall()).lower()


def test_another_agent_asking_in_other_words_finds_the_cited_page_first(
        as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    albert = other(agnes, "albert")
    before = first_pages(albert, ASKED_AGAIN)
    assert before[0] != ANSWER and ANSWER in before
    assert first_pages(agnes, ASKED)[0] == ANSWER
    reply_to(agnes, ASKED)
    assert first_pages(albert, ASKED_AGAIN)[0] == ANSWER
    assert first_pages(albert, QUERY)[0] == "wiki/logiciel/import_releves.txt"  # untouched


def test_a_draft_never_copied_nor_sent_teaches_nothing(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    reply_to(agnes, ASKED, copy=False)
    assert vocabulary(settings) == []
    assert first_pages(agnes, ASKED_AGAIN)[0] != ANSWER


@pytest.fixture()
def own_index(sample_index: Path, tmp_path: Path) -> Config:
    """Settings over a copy of the sample index, which this test may rebuild."""
    index = tmp_path / "index"
    shutil.copytree(sample_index, index, symlinks=True)
    return with_test_accounts(sample_settings(index, tmp_path))


def test_learning_survives_a_full_rebuild_of_the_index(own_index: Config, tmp_path: Path) -> None:
    app = create_app(own_index)
    agnes = app.test_client()
    login(agnes, "agnes")
    reply_to(agnes, ASKED)
    toml = tmp_path / "kbtool.toml"
    sample = SAMPLE.read_text(encoding="utf-8")
    toml.write_text(f'[index]\ndir = "{own_index.index_dir}"\n'
                    + sample[sample.index("[[sources]]"):].replace(
                        'path = "', f'path = "{SAMPLE.parent}/'), encoding="utf-8")
    assert main(["--config", str(toml), "reindex", "--full"]) == 0
    albert = other(agnes, "albert")
    assert first_pages(albert, ASKED_AGAIN)[0] == ANSWER
    before = vocabulary(own_index)
    page = other(agnes, "rene").get("/vocabulaire-appris").get_data(as_text=True)
    assert "oublié mon mot de passe" in page and "absente de l'index" not in page
    assert vocabulary(own_index) == before and {e.page_id for e in before} == {ANSWER}


def test_reviewers_see_the_learned_vocabulary_and_remove_a_tie(as_user,
                                                               settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    reply_to(agnes, ASKED)
    assert "Vocabulaire appris" not in agnes.get("/").get_data(as_text=True)
    rene = other(agnes, "rene")
    assert "Vocabulaire appris" in rene.get("/").get_data(as_text=True)
    page = rene.get("/vocabulaire-appris").get_data(as_text=True)
    assert "connecter" in page and "oublié mon mot de passe" in page and "impossible" in page
    [tie] = [entry for entry in vocabulary(settings) if entry.word == "connecter"]
    response = post(rene, f"/vocabulaire-appris/{tie.id}/retrait")
    assert response.status_code == 302
    page = rene.get(response.headers["Location"]).get_data(as_text=True)
    assert "Association retirée" in page
    removed = page[page.index('id="removals"'):]
    assert "« connecter »" in removed and "retirée par rene" in removed
    assert "connecter" not in {entry.word for entry in vocabulary(settings)}
    reply_to(agnes, ASKED)   # the same habit again: the removed tie does not come back
    assert "connecter" not in {entry.word for entry in vocabulary(settings)}
    assert post(rene, f"/vocabulaire-appris/{tie.id}/retrait").status_code == 404
