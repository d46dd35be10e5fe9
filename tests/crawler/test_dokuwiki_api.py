"""The remote API client against a real DokuWiki Igor (XML-RPC), and against a loopback server
answering as DokuWiki Kaos does over JSON-RPC (no Kaos package exists to test with: the fake
follows ``inc/Remote/JsonRpcServer.php`` and ``ApiCore.php`` of DokuWiki 2024-02-06 "Kaos")."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
import xmlrpc.client

import pytest

from kbtool.crawler.dokuwiki_api import (
    AccessDenied, ApiDisabled, CallRejected, DokuWikiAPI, DokuWikiError, LoginRefused,
    NotLoggedIn, PageChange, PageInfo, PageRef,
)
from kbtool.crawler.http import HttpClient, HttpSettings
from tests.dokuwiki import ADMIN, BOT, OUTSIDER, PACKAGE_DIR, PAGES
from tests.servers import LoopbackServer, Reply, Seen

FAST = HttpSettings(timeout=10, retries=0, delay=0, backoff=0)


def api_for(url: str, user: str = "", password: str = "") -> DokuWikiAPI:
    return DokuWikiAPI(url, HttpClient(FAST), user, password)


@pytest.fixture()
def bot(dokuwiki) -> DokuWikiAPI:
    return api_for(dokuwiki.url, BOT.name, BOT.password)


# -- Igor, the real thing -------------------------------------------------------------------------


def test_igor_speaks_xmlrpc_version_11(bot):
    assert bot.api_version() == 11


@pytest.mark.parametrize("path", ["inc/init.php", "conf/local.php", "bin/dwpage.php",
                                  "vendor/autoload.php", "data/pages/start.txt"])
def test_the_test_wiki_serves_no_private_file(dokuwiki, path):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(dokuwiki.url + path, timeout=5)
    assert refused.value.code == 403


def test_the_test_wiki_shows_pages_and_leaves_the_package_alone(dokuwiki):
    with urllib.request.urlopen(dokuwiki.url + "doku.php?id=start", timeout=10) as page:
        assert "<title>Accueil [Wiki de test]</title>" in page.read().decode()
    with urllib.request.urlopen(dokuwiki.url + "lib/tpl/dokuwiki/images/logo.png") as logo:
        assert logo.headers["Content-Type"] == "image/png"
    assert "/etc/dokuwiki/" in (PACKAGE_DIR / "usr/share/dokuwiki/inc/preload.php").read_text()


def test_list_pages_gives_every_readable_page_with_its_file_mtime(dokuwiki, bot):
    pages = {p.wiki_id: p for p in bot.list_pages()}
    assert set(pages) == set(PAGES) - {"prive:salaires"}
    for wiki_id, page in pages.items():
        stat = dokuwiki.page_file(wiki_id).stat()
        assert page.revision == int(stat.st_mtime)
        assert page.size == stat.st_size


def test_the_acl_decides_what_is_listed(dokuwiki):
    admin = api_for(dokuwiki.url, ADMIN.name, ADMIN.password)
    assert "prive:salaires" in {p.wiki_id for p in admin.list_pages()}
    assert admin.get_page("prive:salaires") == PAGES["prive:salaires"]


def test_get_page_returns_the_raw_text(bot):
    assert bot.get_page("tutoriel:installation") == PAGES["tutoriel:installation"]
    assert bot.get_page("tutoriel:nulle_part") == ""


def test_a_forbidden_page_cannot_be_read(bot):
    with pytest.raises(AccessDenied, match="refused at"):
        bot.get_page("prive:salaires")


def test_page_info_gives_revision_and_author(dokuwiki, bot):
    info = bot.page_info("tutoriel:sauvegarde")
    mtime = int(dokuwiki.page_file("tutoriel:sauvegarde").stat().st_mtime)
    assert info == PageInfo("tutoriel:sauvegarde", mtime, "admin")
    assert bot.page_info("tutoriel:nulle_part") is None


def test_recent_changes_since_a_time(bot):
    changes = bot.recent_changes(0)
    assert {c.wiki_id for c in changes} >= set(PAGES) - {"prive:salaires"}
    assert [c.revision for c in changes] == sorted(c.revision for c in changes)
    assert bot.recent_changes(int(time.time()) + 3600) == []


def test_save_page_round_trip(dokuwiki, bot):
    text = "====== Réinitialiser le mot de passe ======\nCliquez sur « Mot de passe oublié ».\n"
    bot.save_page("kb:mot_de_passe", text, "Publié depuis kbtool")
    assert bot.get_page("kb:mot_de_passe") == text
    assert "kb:mot_de_passe" in {p.wiki_id for p in bot.list_pages()}
    assert bot.page_info("kb:mot_de_passe").author == BOT.name
    assert dokuwiki.last_change("kb:mot_de_passe") == {
        "user": BOT.name, "type": "C", "summary": "Publié depuis kbtool"}


def test_control_characters_of_a_page_are_dropped_not_fatal(dokuwiki, bot):
    # Igor copies them raw into its XML-RPC answer, which XML 1.0 forbids (5 pages of the
    # shared corpus hold some: pasted terminal output).
    dokuwiki.save("kb:terminal", "====== Terminal ======\nTapez \x1b[0m puis\x04 Entrée.\n")
    assert bot.get_page("kb:terminal") == "====== Terminal ======\nTapez [0m puis Entrée.\n"


def test_save_page_where_the_account_may_not_write(bot):
    with pytest.raises(AccessDenied):
        bot.save_page("tutoriel:installation", "vandalisme", "non")
    assert bot.get_page("tutoriel:installation") == PAGES["tutoriel:installation"]


def test_acl_check_gives_the_accounts_permission_and_igor_has_no_who_am_i(dokuwiki, bot):
    admin = api_for(dokuwiki.url, ADMIN.name, ADMIN.password)
    assert [bot.acl_check(page) for page in ("start", "kb:nouvelle", "prive:salaires")] == [1, 8, 0]
    assert admin.acl_check("prive:salaires") == 255
    assert bot.who_am_i() is None


def test_wrong_password_is_refused_clearly_and_never_shown(dokuwiki, caplog):
    caplog.set_level(logging.DEBUG)
    api = api_for(dokuwiki.url, BOT.name, "mauvais secret")
    with pytest.raises(LoginRefused) as refused:
        api.list_pages()
    assert str(refused.value).startswith(f"login refused for user robot at {dokuwiki.url}")
    assert "mauvais secret" not in str(refused.value) + caplog.text


def test_without_login_the_api_asks_for_one(dokuwiki):
    with pytest.raises(NotLoggedIn, match="needs a login"):
        api_for(dokuwiki.url).list_pages()


def test_an_account_outside_remoteuser_is_refused(dokuwiki):
    with pytest.raises(AccessDenied, match="remoteuser"):
        api_for(dokuwiki.url, OUTSIDER.name, OUTSIDER.password).list_pages()


def test_a_lost_session_is_reopened(dokuwiki):
    http = HttpClient(FAST)
    api = DokuWikiAPI(dokuwiki.url, http, BOT.name, BOT.password)
    before = api.list_pages()
    http.session.cookies.clear()
    assert api.list_pages() == before


def test_api_switched_off(dokuwiki):
    with dokuwiki.settings_changed(remote=0):
        with pytest.raises(ApiDisabled, match="remote API is off at .*enable `remote`"):
            api_for(dokuwiki.url, BOT.name, BOT.password).list_pages()


def test_not_a_dokuwiki():
    with LoopbackServer({"/lib/exe/xmlrpc.php": lambda seen: Reply(
            200, b"<html>Bienvenue</html>", {"Content-Type": "text/html"})}) as server:
        with pytest.raises(DokuWikiError, match="unexpected content type text/html"):
            api_for(server.base + "/").api_version()


# -- Kaos, answered by a loopback server ----------------------------------------------------------


class FakeKaos:
    """Answers ``dokuwiki.getXMLRPCAPIVersion`` over XML-RPC and ``core.*`` over JSON-RPC
    the way Kaos does: results in ``result``, refusals as HTTP 400/401/403 and 404 when the
    API is off.  Records each JSON-RPC request."""

    def __init__(self, remote: bool = True):
        self.remote = remote
        self.calls: list[dict] = []
        self.logged_in = False
        self.pages = {"start": "====== Accueil ======\nBonjour\n"}
        self.summaries: dict[str, str] = {}
        self.locked = False

    def xmlrpc(self, seen: Seen) -> Reply:
        params, method = xmlrpc.client.loads(seen.body)
        assert method == "dokuwiki.getXMLRPCAPIVersion" and params == ()
        return Reply(200, xmlrpc.client.dumps((14,), methodresponse=True).encode(),
                     {"Content-Type": "text/xml"})

    def jsonrpc(self, seen: Seen) -> Reply:
        if not self.remote:
            return self._reply(404, None, {"code": -32605, "message": "JSON-RPC server not enabled."})
        assert seen.header("Content-Type").startswith("application/json")
        request = json.loads(seen.body)
        self.calls.append(request)
        method, params = request["method"], request["params"]
        if method == "core.login":
            self.logged_in = params == {"user": "robot", "pass": "secret"}
            return self._reply(200, request["id"], result=self.logged_in)
        if not self.logged_in:
            return self._reply(401, request["id"], {"code": -32603, "message": "not authorized"})
        return self._answer(request["id"], method, params)

    def _answer(self, call_id: int, method: str, params: dict) -> Reply:
        if method == "core.listPages":
            assert params == {"namespace": "", "depth": 0}
            return self._reply(200, call_id, result=[
                {"id": page, "revision": 1714557600, "size": len(text), "title": page,
                 "permission": 1, "hash": "", "author": ""} for page, text in self.pages.items()])
        if method == "core.getPage":
            return self._reply(200, call_id, result=self.pages.get(params["page"], ""))
        if method == "core.getPageInfo":
            if params["page"] not in self.pages:
                return self._reply(400, call_id, {"code": 121,
                                                  "message": "The requested page does not exist"})
            return self._reply(200, call_id, result={
                "id": params["page"], "revision": 1714557600, "size": 10, "title": "Accueil",
                "permission": 1, "hash": "", "author": "admin"})
        if method == "core.getRecentPageChanges":
            return self._reply(200, call_id, result=[
                {"id": "start", "revision": 1714557600, "author": "admin", "ip": "127.0.0.1",
                 "summary": "créée", "type": "C", "sizechange": 20},
                {"id": "old", "revision": 1714550000, "author": "bob", "ip": "127.0.0.1",
                 "summary": "", "type": "E", "sizechange": 2}])
        if method == "core.aclCheck":
            return self._reply(200, call_id, result=8 if params["page"].startswith("kb:") else 1)
        if method == "core.whoAmI":
            return self._reply(200, call_id, result={
                "login": "robot", "name": "Robot", "mail": "robot@example.org",
                "groups": ["user", "bot"], "isadmin": False, "ismanager": False})
        if method == "core.savePage" and self.locked:
            return self._reply(400, call_id, {"code": 133,
                                              "message": "The page is currently locked"})
        if method == "core.savePage":
            self.pages[params["page"]] = params["text"]
            self.summaries[params["page"]] = params["summary"]
            return self._reply(200, call_id, result=True)
        return self._reply(200, call_id, {"code": -32601, "message": f"Method {method} does not exist"})

    @staticmethod
    def _reply(status: int, call_id: int | None, error: dict | None = None,
               result: object = None) -> Reply:
        body = {"jsonrpc": "2.0", "id": call_id}
        body.update({"error": error} if error else {"result": result})
        return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def kaos_server():
    """One loopback server for the module (stopping one takes half a second); each test puts
    a fresh FakeKaos behind it."""
    current: list[FakeKaos] = []
    routes = {"/lib/exe/xmlrpc.php": lambda seen: current[-1].xmlrpc(seen),
              "/lib/exe/jsonrpc.php": lambda seen: current[-1].jsonrpc(seen)}
    with LoopbackServer(routes) as server:
        yield server, current


@pytest.fixture()
def kaos(kaos_server):
    server, current = kaos_server
    current.append(FakeKaos())
    return current[-1], api_for(server.base + "/", "robot", "secret")


def test_kaos_is_spoken_to_in_json_rpc_after_logging_in(kaos):
    fake, api = kaos
    assert api.api_version() == 14
    assert api.list_pages() == [PageRef("start", 1714557600, len(fake.pages["start"]))]
    assert [c["method"] for c in fake.calls] == ["core.login", "core.listPages"]
    assert all(c["jsonrpc"] == "2.0" for c in fake.calls)


def test_kaos_pages_info_and_changes(kaos):
    fake, api = kaos
    assert api.get_page("start") == fake.pages["start"]
    assert api.page_info("start") == PageInfo("start", 1714557600, "admin")
    assert api.page_info("absente") is None
    assert api.recent_changes(1714500000) == [
        PageChange("old", 1714550000, "bob", ""), PageChange("start", 1714557600, "admin", "créée")]
    assert fake.calls[-1]["params"] == {"timestamp": 1714500000}


def test_kaos_save_page(kaos):
    fake, api = kaos
    api.save_page("kb:nouvelle", "Texte", "Publié depuis kbtool")
    assert fake.pages["kb:nouvelle"] == "Texte"
    assert fake.summaries["kb:nouvelle"] == "Publié depuis kbtool"
    assert fake.calls[-1]["params"]["isminor"] is False


def test_kaos_acl_check_and_who_am_i(kaos):
    fake, api = kaos
    assert api.acl_check("kb:start") == 8
    assert fake.calls[-1]["params"] == {"page": "kb:start"}
    assert api.who_am_i() == ["user", "bot"]


def test_kaos_wrong_password(kaos):
    _, api = kaos
    api = api_for(api.url, "robot", "faux")
    with pytest.raises(LoginRefused, match="login refused for user robot"):
        api.list_pages()


def test_kaos_refusal_and_api_off(kaos):
    fake, api = kaos
    fake.locked = True
    with pytest.raises(CallRejected, match="core.savePage rejected by .* \\(HTTP 400\\)"):
        api.save_page("start", "Autre texte", "modification")
    fake.remote = False
    with pytest.raises(ApiDisabled, match="remote API is off"):
        api.get_page("start")
