"""Knowledge that stays true, through the test client: a section cited by a reply and then edited
in the wiki folder is listed on the reviewers' dashboard until a reviewer marks it verified; the
comparison runs once per index version; a reopened draft never offers a dead anchor."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from kbtool import accounts, store
from kbtool.cli import main
from kbtool.config import Config
from kbtool.knowledge import citations, drafts, gaps
from kbtool.web import create_app
from tests.kbfactory import rewrite
from tests.web.conftest import login, post
from tests.web.drafting import body_of
from tests.web.reverifying import (ANCHOR, BANQUE, CLOTURE, IMPORT, PAGE_ID, draft_citing,
                                   edit_wiki, folder_settings, kept)

QUERY = "importer un relevé OFX"
HEAVY = BANQUE.replace(IMPORT, "L'import manuel est supprimé : la synchronisation bancaire "
                               "s'en charge chaque nuit.")
RENAMED = BANQUE.replace("Importer un relevé =", "Importer un relevé bancaire (OFX) =")
SECTION_DELETED = BANQUE.replace(f"===== Importer un relevé =====\n{IMPORT}\n", "")


@pytest.fixture()
def settings(tmp_path: Path) -> Config:
    return folder_settings(tmp_path)


@pytest.fixture()
def app(settings: Config) -> Flask:
    return create_app(settings, testing=True)


def signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def dashboard(client: FlaskClient) -> str:
    return client.get("/tableau-de-bord").get_data(as_text=True)


def to_reverify(page: str) -> str:
    """The "À re-vérifier" part of the dashboard."""
    return page.split('id="a-reverifier"', 1)[1].split('id="articles-a-verifier"', 1)[0]


def test_a_heavily_edited_section_is_listed_with_its_reply_until_a_reviewer_verifies_it(
        app: Flask, settings: Config) -> None:
    agent, reviewer = signed_in(app, "agnes"), signed_in(app, "rene")
    path = draft_citing(agent, app, QUERY, ANCHOR)
    assert kept(settings).text == IMPORT  # as the agent cited it
    assert "Aucune section citée n'a changé." in to_reverify(dashboard(reviewer))

    edit_wiki(settings, {"logiciel/banque.txt": HEAVY})
    listed = to_reverify(dashboard(reviewer))
    assert "Banque – Importer un relevé" in listed and "modifiée (" in listed
    assert f"Réponse n° {path.rsplit('/', 1)[1]}" in listed and "de agnes" in listed

    response = post(reviewer, "/tableau-de-bord/verifie", {"section": kept(settings).id})
    assert response.status_code == 302
    assert "Aucune section citée n'a changé." in to_reverify(dashboard(reviewer))
    assert "synchronisation" in kept(settings).text  # the text verified is the reference now

    edit_wiki(settings, {"logiciel/banque.txt": BANQUE})  # changed back: heavy again
    assert "modifiée (" in to_reverify(dashboard(reviewer))


def test_a_small_edit_is_not_listed(app: Flask, settings: Config) -> None:
    draft_citing(signed_in(app, "agnes"), app, QUERY, ANCHOR)
    edit_wiki(settings, {"logiciel/banque.txt": BANQUE.replace("validez", "confirmez")})
    assert "Aucune section citée n'a changé." in to_reverify(dashboard(signed_in(app, "rene")))


def test_moved_says_where_and_gone_is_listed_again_after_a_move_was_accepted(
        app: Flask, settings: Config) -> None:
    draft_citing(signed_in(app, "agnes"), app, QUERY, ANCHOR)
    reviewer = signed_in(app, "rene")
    edit_wiki(settings, {"logiciel/banque.txt": RENAMED})
    listed = to_reverify(dashboard(reviewer))
    assert "déplacée vers" in listed and "#importer_un_releve_bancaire_ofx" in listed
    assert str(escape("« Banque – Importer un relevé bancaire (OFX) »")) in listed
    post(reviewer, "/tableau-de-bord/verifie", {"section": kept(settings).id})
    assert "Aucune section citée n'a changé." in to_reverify(dashboard(reviewer))

    edit_wiki(settings, {"logiciel/banque.txt": None})
    assert "disparue (page supprimée)" in to_reverify(dashboard(reviewer))


def test_an_unknown_section_cannot_be_marked_verified(app: Flask, settings: Config) -> None:
    reviewer = signed_in(app, "rene")
    response = post(reviewer, "/tableau-de-bord/verifie", {"section": "999"})
    assert response.status_code == 302
    assert "pas à re-vérifier" in dashboard(reviewer)


def test_the_index_is_compared_once_per_index_version(app: Flask, settings: Config,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    examine = citations.examine
    monkeypatch.setattr(citations, "examine", lambda *args: calls.append(1) or examine(*args))
    draft_citing(signed_in(app, "agnes"), app, QUERY, ANCHOR)
    reviewer = signed_in(app, "rene")
    dashboard(reviewer)
    dashboard(reviewer)
    assert len(calls) == 1
    edit_wiki(settings, {"logiciel/banque.txt": HEAVY})
    dashboard(reviewer)
    dashboard(reviewer)
    assert len(calls) == 2


# The section a draft cites, edited away in the wiki: the link the reopened draft offers instead,
# and what the agent is told.
DEAD_ANCHORS = {
    "anchor renamed, same text": (RENAMED, "#importer_un_releve_bancaire_ofx",
                                  "a été déplacée : le lien mène maintenant à « Banque – "
                                  "Importer un relevé bancaire (OFX) »"),
    "section deleted": (SECTION_DELETED, "#banque",
                        "n'existe plus : le lien mène maintenant à la page « Banque »"),
    "page deleted": (None, None, "n'existe plus dans la documentation"),
}


@pytest.mark.parametrize("case", sorted(DEAD_ANCHORS))
def test_a_reopened_draft_never_offers_a_dead_anchor(app: Flask, settings: Config,
                                                     case: str) -> None:
    agent = signed_in(app, "agnes")
    path = draft_citing(agent, app, QUERY, ANCHOR)
    draft_id = int(path.rsplit("/", 1)[1])
    conn = store.connect(settings.get("web.database"))
    [cited] = drafts.get_draft(conn, draft_id).sections
    assert cited.url.endswith("#" + ANCHOR) and cited.url in drafts.get_draft(conn, draft_id).body
    text, new_anchor, message = DEAD_ANCHORS[case]
    edit_wiki(settings, {"logiciel/banque.txt": text})

    page = agent.get(path).get_data(as_text=True)
    assert str(escape(message)) in page
    body = body_of(page)
    if new_anchor is None:  # nothing to link to: pointed out, left to the agent
        assert 'role="alert"' in page and cited.url + "\n" in body
        return
    assert cited.url + "\n" not in body  # each link ends its line
    assert cited.url.replace("#" + ANCHOR, new_anchor) + "\n" in body
    [now] = drafts.get_draft(conn, draft_id).sections
    assert now.url.endswith(new_anchor)
    # Proposed again for a ticket, the reply keeps the live link.
    post(agent, path, {"ticket": "T-1", "body": body, "action": "recompose"})
    assert cited.url.replace("#" + ANCHOR, new_anchor) in drafts.get_draft(conn, draft_id).body


def test_a_reply_link_followed_by_more_of_a_url_is_not_rewritten(settings: Config) -> None:
    conn = store.connect(settings.get("web.database"))
    old = drafts.ChosenSection("Banque", "Importer", "https://w/doku.php?id=a#imp", PAGE_ID, "imp")
    new = drafts.ChosenSection("Banque", "", "https://w/doku.php?id=a#banque", PAGE_ID, "banque")
    draft_id = drafts.create_draft(conn, 1, "q", "", [old])
    text = "Voir https://w/doku.php?id=a#imp. Et https://w/doku.php?id=a#import_v2 ou #imp/x"
    conn.execute("UPDATE drafts SET body = ? WHERE id = ?", (text, draft_id))
    changed = drafts.replace_links(conn, drafts.get_draft(conn, draft_id), [(old, new)])
    assert changed.body == ("Voir https://w/doku.php?id=a#banque. Et "
                            "https://w/doku.php?id=a#import_v2 ou #imp/x")
    assert changed.sections == (new,)


def test_the_draft_made_from_a_page_that_still_has_the_section_is_left_alone(
        app: Flask, settings: Config) -> None:
    agent = signed_in(app, "agnes")
    path = draft_citing(agent, app, "clôture exercice charges constatées", "cloturer_l_exercice")
    edit_wiki(settings, {"logiciel/banque.txt": SECTION_DELETED})
    page = agent.get(path).get_data(as_text=True)
    assert "n'existe plus" not in page and "#cloturer_l_exercice" in body_of(page)
    assert CLOTURE in kept(settings, anchor="cloturer_l_exercice").text


def test_a_gap_closed_with_a_page_keeps_its_text_and_is_listed_when_it_goes(
        app: Flask, settings: Config) -> None:
    conn = store.connect(settings.get("web.database"))
    gap_id = gaps.record(conn, accounts.find_user(conn, "agnes").id, "Où importer un relevé ?")
    reviewer = signed_in(app, "rene")
    post(reviewer, f"/questions/{gap_id}/page", {"page_id": PAGE_ID})
    assert gaps.get_gap(conn, gap_id).status == gaps.CLOSED
    assert IMPORT in kept(settings, anchor="", whole_page=True).text
    edit_wiki(settings, {"logiciel/banque.txt": None})
    listed = to_reverify(dashboard(reviewer))
    assert "disparue (page supprimée)" in listed
    assert str(escape("Question « Où importer un relevé ? »")) in listed


def test_reindex_reports_what_needs_a_look_before_its_summary(app: Flask, settings: Config,
                                                              capsys) -> None:  # type: ignore[no-untyped-def]
    draft_citing(signed_in(app, "agnes"), app, QUERY, ANCHOR)
    rewrite(Path(settings.sources[0].get("path"), "logiciel/banque.txt"), HEAVY)
    capsys.readouterr()
    assert main(["--config", str(settings.file), "reindex"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == ("to re-verify on the reviewers' dashboard: 1 cited section(s), "
                         "0 article(s)")
    assert lines[-1].startswith("reindex: ")  # the summary stays the last line


def test_reindex_succeeds_when_the_database_cannot_be_read(settings: Config,
                                                           capsys) -> None:  # type: ignore[no-untyped-def]
    Path(settings.get("web.database")).write_bytes(b"not a database" * 100)
    assert main(["--config", str(settings.file), "reindex"]) == 0
    assert "cited sections not checked: " in capsys.readouterr().err


def test_a_citation_older_than_kept_texts_is_named_as_its_draft_named_it(
        app: Flask, settings: Config) -> None:
    conn = store.connect(settings.get("web.database"))
    old = drafts.ChosenSection("Banque", "Importer un relevé", "https://wiki.example.org/"
                               "doku.php?id=logiciel:banque#importer_un_releve", PAGE_ID, ANCHOR)
    drafts.create_draft(conn, accounts.find_user(conn, "agnes").id, "relevé", "", [old])
    assert kept(settings) is None  # made outside the app's doors: nothing kept
    edit_wiki(settings, {"logiciel/banque.txt": SECTION_DELETED})
    listed = to_reverify(dashboard(signed_in(app, "rene")))
    assert "disparue (section supprimée)" in listed
    assert f'<a href="{old.url}">Banque – Importer un relevé</a>' in listed
