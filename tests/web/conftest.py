"""Fixtures of the web UI tests: the sample index (built once), an app per test, signed-in clients.

CSRF protection stays on in these tests: helpers read the token from the page like a browser.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from kbtool import accounts, config as config_module, pipeline, store
from kbtool.config import Config
from kbtool.web import create_app
from tests.dokuwiki import BOT, PASSWORD_VAR, kbtool_toml

SAMPLE = Path(config_module.__file__).parent / "sample" / "kbtool.toml"
PASSWORD = "mot de passe sûr"
USERS = {"agnes": "agent", "albert": "agent", "rene": "reviewer", "adam": "admin"}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def sample_settings(index_dir: Path, var: Path) -> Config:
    """The bundled sample's configuration, with the index and the app's data in ``var``."""
    raw = tomllib.loads(SAMPLE.read_text(encoding="utf-8"))
    raw["index"] = {**raw.get("index", {}), "dir": str(index_dir)}
    raw["web"] = {"database": str(var / "app.sqlite3"),
                  "secret_key_file": str(var / "secret_key")}
    return config_module.from_dict(raw, SAMPLE)


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample knowledge base indexed once for the whole session."""
    index_dir = tmp_path_factory.mktemp("index")
    pipeline.reindex(sample_settings(index_dir, tmp_path_factory.mktemp("unused")), full=True)
    return index_dir


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at minimal cost: these tests check the app, not the hasher's strength."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                            parallelism=1))


@pytest.fixture()
def settings(sample_index: Path, tmp_path: Path) -> Config:
    """Configuration of one test: shared sample index, own database with the test accounts."""
    return with_test_accounts(sample_settings(sample_index, tmp_path))


def with_test_accounts(config: Config) -> Config:
    """The configuration, once its database holds the accounts of ``USERS``."""
    conn = store.connect(config.get("web.database"))
    for name, role in USERS.items():
        accounts.create_user(conn, name, role, PASSWORD)
    conn.close()
    return config


@pytest.fixture()
def app(settings: Config) -> Flask:
    return create_app(settings, testing=True)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/connexion") -> str:
    """The CSRF token of this client's session, read from a page as a browser would."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in through the form; returns the response (a redirect on success)."""
    return client.post("/connexion", data={"name": name, "password": password,
                                           "csrf_token": csrf_token(client)})


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
    """POST a form with this session's CSRF token, as the page's form would."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)},
                       **kwargs)


@pytest.fixture()
def as_user(client: FlaskClient) -> Iterator:  # type: ignore[type-arg]
    """``as_user("agnes")`` signs the test client in as that account."""
    def sign_in(name: str) -> FlaskClient:
        response = login(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    yield sign_in


# -- Over the test DokuWiki (publication) --------------------------------------------------------


@pytest.fixture()
def wiki_config_file(dokuwiki, tmp_path: Path,  # type: ignore[no-untyped-def]
                     monkeypatch: pytest.MonkeyPatch) -> Path:
    """kbtool.toml over the test wiki: its bot may write in ``kb``, where articles go."""
    monkeypatch.setenv(PASSWORD_VAR, BOT.password)
    path = tmp_path / "kbtool.toml"
    path.write_text(kbtool_toml(dokuwiki, """
[index]
dir = "index"
lock_timeout = 30
[web]
database = "app.sqlite3"
secret_key_file = "secret_key"
namespaces = ["kb", "tutoriel"]
wiki_source = "wiki"
"""), encoding="utf-8")
    return path


@pytest.fixture()
def wiki_settings(wiki_config_file: Path) -> Config:
    """Settings over the test wiki, indexed, with the test accounts; a module whose app
    publishes overrides ``settings`` with it."""
    config = config_module.load(wiki_config_file)
    assert pipeline.reindex(config, full=True).ok
    return with_test_accounts(config)


# -- In a real headless Chromium (helpers in browser.py) ------------------------------------------


@pytest.fixture()
def live_server(app: Flask) -> Iterator[str]:
    """The app on a threaded HTTP server on a free loopback port (a thread per request, stopped
    cleanly from another thread); yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture()
def page(live_server: str) -> Iterator[Any]:
    """A fresh Chromium page (``playwright.sync_api.Page``) allowed to use the clipboard on the
    app's origin; the test is skipped without Chromium or Playwright."""
    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server, locale="fr-FR",
                                      viewport={"width": 1200, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        page = context.new_page()
        page.csp_errors = []
        page.on("console", lambda message: "Content Security Policy" in message.text
                and page.csp_errors.append(message.text))
        yield page
        browser.close()
