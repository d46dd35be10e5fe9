"""Sign-in, sessions, and who may reach which page."""

from __future__ import annotations

from pathlib import Path

import itsdangerous.timed
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.web import create_app
from tests.web.conftest import PASSWORD, USERS, csrf_token, login, post

# Every page, with the lowest role that may see it (GET routes; POST ones are in test_security).
PAGES = {
    "/": "agent",
    "/?q=rapprochement": "agent",
    "/brouillons": "agent",
    "/validations": "reviewer",
    "/admin/usage": "admin",
}


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("path", ["/sans-reponse", "/brouillons", "/brouillons/1/copie",
                                  "/brouillons/1/validation", "/validations/1"])
def test_anonymous_posts_are_refused(client: FlaskClient, path: str) -> None:
    response = client.post(path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


@pytest.mark.parametrize("name", ["agnes", "rene", "adam"])
@pytest.mark.parametrize("path", PAGES)
def test_each_role_reaches_its_pages_only(as_user, name: str, path: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(name)
    allowed = accounts.ROLES.index(USERS[name]) >= accounts.ROLES.index(PAGES[path])
    response = client.get(path)
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert "Accès refusé" in response.get_data(as_text=True)


def test_navigation_shows_only_reachable_pages(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("agnes").get("/").get_data(as_text=True)
    assert "/brouillons" in page and "/validations" not in page and "/admin/usage" not in page


def test_wrong_password_is_refused_with_a_french_message(client: FlaskClient) -> None:
    response = login(client, "agnes", "pas le bon")
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_goes_back_to_the_page_asked_for(client: FlaskClient) -> None:
    client.get("/brouillons")
    response = client.post("/connexion?next=/brouillons",
                           data={"name": "agnes", "password": PASSWORD,
                                 "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/brouillons"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil",
                                    "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    response = client.post("/connexion", query_string={"next": target},
                           data={"name": "agnes", "password": PASSWORD,
                                 "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


def test_repeated_failures_are_throttled(client: FlaskClient) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_NAME):
        login(client, "agnes", "pas le bon")
    response = login(client, "agnes", PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= accounts.THROTTLE_WINDOW + 1


def test_session_cookie_is_protected_and_expires(client: FlaskClient, settings: Config) -> None:
    response = login(client, "agnes")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kbtool_session=")
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Expires="):
        assert flag in cookie
    assert settings.get("web.session_hours") * 3600 == \
        client.application.permanent_session_lifetime.total_seconds()


def test_expired_session_is_refused(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    login(client, "agnes")
    assert client.get("/").status_code == 200
    lifetime = client.application.permanent_session_lifetime.total_seconds()
    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + lifetime + 60)
    assert client.get("/").status_code == 302


def test_sign_out_ends_the_session(as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("agnes")
    response = post(client, "/deconnexion")
    assert response.headers["Location"] == "/connexion"
    assert client.get("/").status_code == 302


def test_password_change_ends_open_sessions(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    client = as_user("agnes")
    conn = store.connect(settings.get("web.database"))
    accounts.set_password(conn, "agnes", "nouveau mot de passe")
    conn.close()
    assert client.get("/").status_code == 302


def test_disabled_account_is_signed_out_and_cannot_sign_in(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    client = as_user("agnes")
    conn = store.connect(settings.get("web.database"))
    accounts.set_active(conn, "agnes", False)
    conn.close()
    assert client.get("/").status_code == 302
    assert login(client, "agnes").status_code == 200


def test_login_form_needs_its_csrf_token(client: FlaskClient) -> None:
    response = client.post("/connexion", data={"name": "agnes", "password": PASSWORD})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


def test_app_creates_its_secret_key_once(settings: Config, app: Flask) -> None:
    key_file = Path(settings.get("web.secret_key_file"))
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert create_app(settings).secret_key == app.secret_key


def test_a_cookie_copied_before_sign_out_is_refused_after(app: Flask) -> None:
    agent = app.test_client()
    login(agent, "agnes")
    copied = agent.get_cookie("kbtool_session").value
    post(agent, "/deconnexion")
    thief = app.test_client()
    thief.set_cookie("kbtool_session", copied)
    response = thief.get("/brouillons")
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")
    assert login(agent, "agnes").status_code == 302  # signing in again works


def test_a_cookie_copied_before_a_password_change_is_refused_after(app: Flask,
                                                                    settings: Config) -> None:
    agent = app.test_client()
    login(agent, "agnes")
    copied = agent.get_cookie("kbtool_session").value
    conn = store.connect(settings.get("web.database"))
    accounts.set_password(conn, "agnes", "nouveau mot de passe")
    conn.close()
    thief = app.test_client()
    thief.set_cookie("kbtool_session", copied)
    assert thief.get("/brouillons").status_code == 302
