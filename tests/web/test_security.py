"""CSRF on every form, security headers, no inline script, guarded routes, French error pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import kbtool.web
from kbtool.config import Config
from kbtool.web import create_app
from kbtool.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import csrf_token, login

TEMPLATES = Path(kbtool.web.__file__).parent / "templates"
PUBLIC = {"static", "auth.login"}


def concrete(rule: str) -> str:
    """A URL for a rule, its variables filled with 1."""
    return re.sub(r"<[^>]+>", "1", rule)


def routes(app: Flask, method: str) -> list[str]:
    return sorted(concrete(r.rule) for r in app.url_map.iter_rules()
                  if method in (r.methods or ()) and r.endpoint not in PUBLIC)


def test_every_route_needs_a_signed_in_account(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client)
    for path in routes(app, "GET"):
        response = client.get(path)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"], path
    for path in routes(app, "POST"):
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 302 and "/connexion" in response.headers["Location"], path


def test_every_post_needs_the_csrf_token(app: Flask) -> None:
    client = app.test_client()
    login(client, "adam")
    paths = routes(app, "POST") + ["/connexion"]
    assert len(paths) >= 7
    for path in paths:
        response = client.post(path, data={"q": "x", "reason": "aucun"})
        assert response.status_code == 400, path
        assert "Le formulaire a expiré" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/connexion", "/", "/?q=banque", "/brouillons", "/inexistant",
                                  "/static/app.js"])
def test_security_headers_everywhere(as_user, path: str) -> None:  # type: ignore[no-untyped-def]
    response = as_user("agnes").get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_policy_forbids_inline_code() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_pages_are_not_cached(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("agnes").get("/?q=banque").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_no_inline_script_or_style(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", source)
    assert "<style" not in source and " style=" not in source
    assert not re.search(r"\son[a-z]+=", source)
    assert not re.search(r"\|\s*safe\b", source)  # only the snippet filter marks HTML safe, after cleaning


def test_404_is_french_and_plain(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("agnes").get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_405_is_french(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("agnes").get("/sans-reponse")
    assert response.status_code == 405
    assert "Action non permise" in response.get_data(as_text=True)


def test_500_is_french_and_leaks_nothing(settings: Config) -> None:
    app = create_app(settings)

    @app.route("/panne")
    def broken() -> str:
        raise RuntimeError("secret detail in /etc/kbtool")

    client = app.test_client()
    login(client, "agnes")
    response = client.get("/panne")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Erreur interne" in page
    assert "secret" not in page and "Traceback" not in page and "RuntimeError" not in page


def test_csrf_token_is_bound_to_the_session(app: Flask) -> None:
    stranger = app.test_client()
    stolen = csrf_token(stranger)
    victim = app.test_client()
    login(victim, "agnes")
    response = victim.post("/sans-reponse", data={"q": "x", "reason": "aucun",
                                                  "csrf_token": stolen})
    assert response.status_code == 400


def test_anonymous_error_pages_show_no_navigation(client: FlaskClient) -> None:
    page = client.get("/nulle-part").get_data(as_text=True)
    assert "Page introuvable" in page and "Se déconnecter" not in page
