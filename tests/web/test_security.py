"""CSRF on every form, security headers, no inline script, guarded routes, French error pages,
and crafted input to every parameter of every route: never a 500, never a change when refused."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, got_request_exception
from flask.testing import FlaskClient

import kbtool.web
from kbtool import accounts, store
from kbtool.config import Config
from kbtool.knowledge import articles
from kbtool.web import create_app
from kbtool.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import PASSWORD, csrf_token, login
from tests.web.drafting import PICK
from tests.web.world import UNCHANGED, answer_of, build_world, every_route, rows

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


# -- Crafted input: a 4xx or an ordinary page, never a 500 ---------------------------------------

# Raw (already percent-encoded) values, sent in query strings and form bodies as they are.
HOSTILE = {
    "superscript digit": quote("²"),
    "circled digit": quote("①"),
    "arabic-indic digits": quote("١٢"),
    "fullwidth digits": quote("１２"),
    "beyond SQLite integers": str(2**63),
    "huge number": "9" * 5000,
    "negative": "-1",
    "zero": "0",
    "decimal": "1.5",
    "empty": "",
    "NUL byte": "%00",
    "NUL inside": "1%00b",
    "CR LF": "%0D%0ASet-Cookie:%20x=1",
    "very long": "a" * 200_000,
    "invalid UTF-8": "%ff%fe%c3",
    "UTF-8 surrogate": "%ed%a0%80",
    "markup": quote('"><script>alert(1)</script>'),
}
HOSTILE_IDS = [str(2**63), "9" * 40, "-1", "0", quote("²"), quote("١٢"), "%00", "1%0D%0A"]

# Every parameter each route reads, and ordinary values for the others, so that a hostile value
# in one of them reaches as deep into the route as it can.  Each route is asked by who gets
# furthest in it: Agnès (author of the draft and the editable article), René (reviewer), Adam.
ROUTE_PARAMS: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("search.index", "GET"): ("agnes", {"q": "relevé", "source": "wiki", "ns": "faq",
                                        "page": "2", "kind": "bug"}),
    ("search.unanswered", "POST"): ("agnes", {"q": "tarte", "reason": "aucun", "ticket": "T-1"}),
    ("search.notices_read", "POST"): ("agnes", {}),
    ("auth.login", "GET"): ("anonymous", {"next": "/brouillons"}),
    ("auth.login", "POST"): ("anonymous", {"name": "agnes", "password": PASSWORD,
                                           "next": "/brouillons"}),
    ("auth.logout", "POST"): ("agnes", {}),
    ("drafts.index", "GET"): ("agnes", {}),
    ("drafts.create", "POST"): ("agnes", {"q": "relevé", "ticket": "T-1", "pick": "{pick}",
                                           "kind": "compta"}),
    ("drafts.edit", "GET"): ("agnes", {}),
    ("drafts.edit", "POST"): ("agnes", {"ticket": "T-1", "body": "Bonjour", "action": "save"}),
    ("drafts.autosave", "POST"): ("agnes", {"ticket": "T-1", "body": "Bonjour"}),
    ("drafts.copied", "POST"): ("agnes", {"body": "Bonjour", "format": "text"}),
    ("drafts.ask_validation", "POST"): ("agnes", {"body": "Bonjour"}),
    ("reviews.queue", "GET"): ("rene", {}),
    ("reviews.review", "GET"): ("rene", {}),
    ("reviews.counts", "GET"): ("rene", {}),
    ("reviews.review", "POST"): ("rene", {"decision": "approve", "comment": "Vu",
                                          "body": "Bonjour, corrigé"}),
    ("gaps.index", "GET"): ("rene", {}),
    ("gaps.show", "GET"): ("rene", {"q": "relevé"}),
    ("gaps.confirm_page", "GET"): ("rene", {"page_id": "wiki/faq/start.txt"}),
    ("gaps.close_with_page", "POST"): ("rene", {"page_id": "wiki/faq/start.txt"}),
    ("gaps.dismiss", "POST"): ("rene", {"reason": "hors sujet"}),
    ("gaps.merge", "POST"): ("rene", {"other": "1"}),
    ("articles.create", "POST"): ("rene", {"gap": "{gap_id}"}),
    ("articles.mine", "GET"): ("agnes", {}),
    ("articles.edit", "GET"): ("agnes", {}),
    ("articles.edit", "POST"): ("agnes", {"title": "Titre", "namespace": "kb", "body": "Texte",
                                          "action": "submit"}),
    ("articles.autosave", "POST"): ("agnes", {"title": "Titre", "namespace": "kb",
                                              "body": "Texte"}),
    ("articles.comment", "POST"): ("agnes", {"comment": "Un avis", "back": "review"}),
    ("articles.preview", "POST"): ("agnes", {"body": "**gras**"}),
    ("articles.similar", "GET"): ("agnes", {"titre": "relevé"}),
    ("review.queue", "GET"): ("rene", {}),
    ("review.show", "GET"): ("rene", {}),
    ("review.decide", "POST"): ("rene", {"decision": "changes", "revision": "1",
                                         "reason": "À revoir"}),
    ("review.retry", "POST"): ("rene", {}),
    ("review.overwrite", "POST"): ("rene", {"revision": "1"}),
    ("review.rename", "POST"): ("rene", {"page_name": "autre"}),
    ("dashboard.page", "GET"): ("rene", {}),
    ("dashboard.verified", "POST"): ("rene", {"section": "1"}),
    ("review.owner", "POST"): ("rene", {"owner": "adam"}),
    ("review.verified", "POST"): ("rene", {"back": "dashboard"}),
    ("synonyms.page", "GET"): ("rene", {}),
    ("synonyms.add", "POST"): ("rene", {"term": "appli", "synonym": "logiciel",
                                        "direction": "both"}),
    ("synonyms.edit", "POST"): ("rene", {"term": "mail", "synonym": "messagerie",
                                         "direction": "one"}),
    ("synonyms.remove", "POST"): ("rene", {}),
    ("synonyms.judge", "POST"): ("rene", {"term": "installation", "synonym": "postinstall",
                                          "decision": "reject"}),
    ("admin.usage_page", "GET"): ("adam", {}),
    ("learning.page", "GET"): ("rene", {}),
    ("learning.remove", "POST"): ("rene", {}),
    ("tickets.new", "GET"): ("agnes", {"q": "relevé", "pick": "{pick}"}),
    ("tickets.new", "POST"): ("agnes", {
        "q": "relevé", "have": "version", "title": "Import refusé", "description": "Échoue",
        "steps": "Importer", "environment": "5.2", "observed": "Erreur", "expected": "Importé",
        "urgency": "haute", "reproduced": "y", "due": "2027-01-12", "number": "BUG-1",
        "action": "ticket"}),
    ("tickets.deadlines", "POST"): ("agnes", {"text": "Corrigé sous 48 h", "number": "BUG-1"}),
    ("profile.page", "GET"): ("agnes", {}),
    ("profile.page", "POST"): ("agnes", {"signature": "Agnès\nSupport Trésorio"}),
    ("static", "GET"): ("anonymous", {}),
}
# Saving what the author typed before refusing a submit is the point (nothing typed is lost).
SAVES_THEN_REFUSES = {"articles.edit", "drafts.ask_validation"}
EVERY_PARAM = sorted({name for _, params in ROUTE_PARAMS.values() for name in params})
_READ = re.compile(r'request\.(?:args|form)(?:\.(?:get|getlist)\(\s*"(\w+)"|\["(\w+)"\])'
                   r'|^\s+(\w+) = \w+Field\(', re.M)


def test_the_hostile_input_table_knows_every_route_and_parameter(app: Flask) -> None:
    assert set(ROUTE_PARAMS) == every_route(app)
    read = {next(filter(None, match)) for path in TEMPLATES.parent.glob("*.py")
            for match in _READ.findall(path.read_text(encoding="utf-8"))}
    assert read <= set(EVERY_PARAM), f"add {read - set(EVERY_PARAM)} to ROUTE_PARAMS"


class Visitors:
    """Agnès's world as in test_routes_by_role, but with an editable article for the author
    routes; every request starts from the same database and the same signed-in cookie."""

    def __init__(self, settings: Config) -> None:
        world = build_world(settings)
        conn = store.connect(settings.get("web.database"))
        agnes = accounts.find_user(conn, "agnes")
        self.ids = {**world.ids, "draft_article_id": articles.create(conn, agnes, "kb")}
        self.pristine = sqlite3.connect(":memory:")
        conn.backup(self.pristine)
        self.live = conn  # kept open: requests' connections then close without a checkpoint
        self.pristine_rows = rows(conn)
        self.debris: list[tuple[str, str, int]] = []  # refused requests that changed the store
        self.app = create_app(settings)  # the app's real error handling, not TESTING's
        self.failures: list[BaseException] = []
        got_request_exception.connect(lambda _app, exception, **_: self.failures.append(
            exception), self.app, weak=False)
        self.cookies: dict[str, tuple[str, str]] = {}
        for name in ("anonymous", "agnes", "rene", "adam"):
            client = self.app.test_client()
            if name != "anonymous":
                assert login(client, name).status_code == 302
            token = csrf_token(client)  # puts the token's secret in the session: first
            self.cookies[name] = (client.get_cookie("kbtool_session").value, token)
        self.pick = PICK.findall(client.get("/?q=relevé").get_data(as_text=True))[0]

    def path(self, endpoint: str, overrides: dict[str, str] | None = None) -> str:
        """The route's URL for Agnès's things, some variables replaced by raw text."""
        [rule] = [r for r in self.app.url_map.iter_rules() if r.endpoint == endpoint]
        values = {name: self._value(endpoint, name) for name in rule.arguments}
        values.update(overrides or {})
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)

    def _value(self, endpoint: str, name: str) -> str:
        if name == "filename":
            return "app.js"
        if name == "article_id" and endpoint.startswith("articles."):
            return str(self.ids["draft_article_id"])  # the author's routes: the editable one
        return str(self.ids[name])

    def send(self, endpoint: str, method: str, who: str, pairs: list[tuple[str, str]],
             path: str | None = None) -> int:
        """One request from a fresh state; its status (every field raw-encoded as given)."""
        self.pristine.backup(self.live)
        client = self.app.test_client()
        cookie, token = self.cookies[who]
        client.set_cookie("kbtool_session", cookie)
        raw = "&".join(f"{name}={value}" for name, value in pairs)
        path = path or self.path(endpoint)
        if method == "GET":
            response = client.get(f"{path}?{raw}")
        else:
            response = client.post(path, data=f"csrf_token={token}&{raw}".encode("latin-1"),
                                   content_type="application/x-www-form-urlencoded")
        if answer_of(client, response) in UNCHANGED and endpoint not in SAVES_THEN_REFUSES \
                and rows(self.live) != self.pristine_rows:
            self.debris.append((endpoint, raw[:200], response.status_code))
        return response.status_code


@pytest.fixture()
def visitors(settings: Config) -> Iterator[Visitors]:
    world = Visitors(settings)
    yield world
    world.live.close()


def _ordinary(params: dict[str, str], visitors: Visitors) -> dict[str, str]:
    return {name: quote(value.format(pick=visitors.pick, **visitors.ids))
            for name, value in params.items()}


@pytest.mark.parametrize(("endpoint", "method"), sorted(ROUTE_PARAMS),
                         ids=[f"{m} {e}" for e, m in sorted(ROUTE_PARAMS)])
def test_hostile_values_in_every_parameter_are_never_a_500(visitors: Visitors, endpoint: str,
                                                           method: str) -> None:
    who, params = ROUTE_PARAMS[(endpoint, method)]
    ordinary = _ordinary(params, visitors)
    assert visitors.send(endpoint, method, who, [*ordinary.items()]) < 400  # it goes deep
    answers = {}
    for label, value in HOSTILE.items():
        for name in params:
            replaced = [*{**ordinary, name: value}.items()]
            repeated = [*ordinary.items(), (name, value)]  # an array: the ordinary one, then it
            for shape, pairs in (("replaced", replaced), ("repeated", repeated)):
                answers[(label, name, shape)] = visitors.send(endpoint, method, who, pairs)
        everywhere = [(name, value) for name in EVERY_PARAM]  # parameters the table forgot
        answers[(label, "*", "everywhere")] = visitors.send(endpoint, method, who, everywhere)
    assert not visitors.failures, visitors.failures
    assert not [key for key, status in answers.items() if status >= 500]
    assert not visitors.debris


@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_hostile_ids_in_every_route_are_never_a_500(visitors: Visitors, value: str) -> None:
    answers = {}
    for (endpoint, method), (who, params) in ROUTE_PARAMS.items():
        [rule] = [r for r in visitors.app.url_map.iter_rules() if r.endpoint == endpoint]
        for name in rule.arguments - {"filename"}:
            path = visitors.path(endpoint, {name: value})
            answers[(endpoint, method)] = visitors.send(
                endpoint, method, who, [*_ordinary(params, visitors).items()], path)
    assert answers and not visitors.failures, visitors.failures
    assert {status for status in answers.values()} <= {400, 404}, answers
    assert not visitors.debris


@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_a_hostile_next_after_a_good_sign_in_goes_home_or_stays_on_site(
        visitors: Visitors, label: str) -> None:
    for target in (HOSTILE[label], "/" + HOSTILE[label], "/brouillons?x=" + HOSTILE[label]):
        client = visitors.app.test_client()
        token = csrf_token(client)
        response = client.post(f"/connexion?next={target}",
                               data={"name": "agnes", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302 and not visitors.failures, visitors.failures
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")
        assert not any(ord(c) < 32 or ord(c) == 127 for c in location)
