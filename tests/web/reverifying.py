"""A knowledge base in a folder the tests edit behind kbtool's back, with the app over it: what
the tests of re-verification share (test client and Chromium)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer

from kbtool import config as config_module, pipeline, store
from kbtool.config import Config
from kbtool.knowledge import citations
from kbtool.web.searching import PICK_SALT
from tests.kbfactory import CONFIG, rewrite, write_tree
from tests.web.conftest import post, with_test_accounts
from tests.web.drafting import PICK

IMPORT = ("Pour importer un relevé bancaire, ouvrez le menu Banque puis Importer. Choisissez le "
          "fichier OFX téléchargé depuis votre banque et validez.")
CLOTURE = ("Avant la clôture de l'exercice, vérifiez que le rapprochement bancaire est fait et "
           "que les charges constatées d'avance sont passées.")
BANQUE = ("====== Banque ======\nLes opérations de banque.\n"
          f"===== Importer un relevé =====\n{IMPORT}\n"
          f"===== Clôturer l'exercice =====\n{CLOTURE}\n")
PAGE_ID = "wiki/logiciel/banque.txt"
ANCHOR = "importer_un_releve"


def folder_settings(root: Path, pages: dict[str, str] | None = None) -> Config:
    """A wiki folder holding the bank page, indexed, and the app's data beside it, with the
    test accounts."""
    write_tree(root / "wiki", {"logiciel/banque.txt": BANQUE, **(pages or {})})
    write_tree(root / "docs", {"notes.txt": "Notes du trésorier.\n"})
    toml = CONFIG.format(index="") + ('\n[web]\ndatabase = "app.sqlite3"\n'
                                      'secret_key_file = "secret_key"\nsecure_cookies = false\n')
    config = config_module.load(write_tree(root, {"kbtool.toml": toml}) / "kbtool.toml")
    assert pipeline.reindex(config, full=True).ok
    return with_test_accounts(config)


def edit_wiki(config: Config, pages: dict[str, str | None]) -> None:
    """Change the wiki's files (None deletes one), then reindex as the nightly cron does."""
    root = Path(config.sources[0].get("path"))
    for relative, text in pages.items():
        if text is None:
            (root / relative).unlink()
        else:
            rewrite(root / relative, text)
    assert pipeline.reindex(config).ok


def draft_citing(client: FlaskClient, app: Flask, query: str, anchor: str) -> str:
    """Tick the result section with that anchor on the search page and make a draft of it;
    the draft page's path."""
    page = client.get("/", query_string={"q": query}).get_data(as_text=True)
    reader = URLSafeSerializer(app.secret_key, salt=PICK_SALT)
    [pick] = [token for token in PICK.findall(page) if reader.loads(token)[4] == anchor]
    response = post(client, "/brouillons", {"q": query, "pick": pick})
    assert response.status_code == 302
    return response.headers["Location"]


def kept(config: Config, page_id: str = PAGE_ID, anchor: str = ANCHOR,
         whole_page: bool = False) -> citations.Cited | None:
    """The text the store keeps of a cited section."""
    conn = store.connect(config.get("web.database"))
    try:
        return citations.find(conn, page_id, anchor, whole_page)
    finally:
        conn.close()
