"""The remote API client against real DokuWikis, each test on both releases Debian packages:
2022-07-31 "Igor" (XML-RPC) and 2024-02-06 "Kaos" (JSON-RPC)."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request

import pytest

from kbtool.wiki.api import (
    FIRST_JSONRPC_VERSION, AccessDenied, ApiDisabled, DokuWikiAPI, DokuWikiError, LoginRefused,
    NotLoggedIn, PageInfo,
)
from kbtool.net.http import HttpClient, HttpSettings
from tests.dokuwiki import ADMIN, BOT, KAOS, OUTSIDER, PAGES
from tests.servers import LoopbackServer, Reply

FAST = HttpSettings(timeout=10, retries=0, delay=0, backoff=0)


def api_for(url: str, user: str = "", password: str = "") -> DokuWikiAPI:
    return DokuWikiAPI(url, HttpClient(FAST), user, password)


@pytest.fixture()
def bot(dokuwiki) -> DokuWikiAPI:
    return api_for(dokuwiki.url, BOT.name, BOT.password)


def is_kaos(wiki) -> bool:
    return wiki.release is KAOS


def test_igor_speaks_xmlrpc_version_11_and_kaos_a_json_rpc_version(dokuwiki, bot):
    version = bot.api_version()
    assert version >= FIRST_JSONRPC_VERSION if is_kaos(dokuwiki) else version == 11
    bot.list_pages()
    served = (dokuwiki.root / "server.log").read_text(errors="replace")
    assert ("/lib/exe/jsonrpc.php" in served) == is_kaos(dokuwiki)


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
    assert "/etc/dokuwiki/" in (dokuwiki.release.code / "inc/preload.php").read_text()


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


def test_recent_changes_since_a_time(dokuwiki, bot):
    changes = bot.recent_changes(0)
    assert {c.wiki_id for c in changes} >= set(PAGES) - {"prive:salaires"}
    assert [c.revision for c in changes] == sorted(c.revision for c in changes)
    # Igor's API does not return the edit summary.
    assert {c.summary for c in changes} == ({"seed"} if is_kaos(dokuwiki) else {""})
    assert bot.recent_changes(int(time.time()) + 3600) == []


def test_save_page_round_trip(dokuwiki, bot):
    text = "====== Réinitialiser le mot de passe ======\nCliquez sur « Mot de passe oublié ».\n"
    bot.save_page("kb:mot_de_passe", text, "Publié depuis kbtool")
    assert bot.get_page("kb:mot_de_passe") == text
    assert "kb:mot_de_passe" in {p.wiki_id for p in bot.list_pages()}
    assert bot.page_info("kb:mot_de_passe").author == BOT.name
    assert dokuwiki.last_change("kb:mot_de_passe") == {
        "user": BOT.name, "type": "C", "summary": "Publié depuis kbtool"}


def test_control_characters_of_a_page_are_not_fatal(dokuwiki, bot):
    # Igor copies them raw into its XML-RPC answer, which XML 1.0 forbids (5 pages of the
    # shared corpus hold some: pasted terminal output): they are dropped.  JSON escapes them.
    text = "====== Terminal ======\nTapez \x1b[0m puis\x04 Entrée.\n"
    dokuwiki.save("kb:terminal", text)
    assert bot.get_page("kb:terminal") == (
        text if is_kaos(dokuwiki) else "====== Terminal ======\nTapez [0m puis Entrée.\n")


def test_save_page_where_the_account_may_not_write(bot):
    with pytest.raises(AccessDenied):
        bot.save_page("tutoriel:installation", "vandalisme", "non")
    assert bot.get_page("tutoriel:installation") == PAGES["tutoriel:installation"]


def test_acl_check_gives_the_accounts_permission_and_kaos_its_groups(dokuwiki, bot):
    admin = api_for(dokuwiki.url, ADMIN.name, ADMIN.password)
    assert [bot.acl_check(page) for page in ("start", "kb:nouvelle", "prive:salaires")] == [1, 8, 0]
    assert admin.acl_check("prive:salaires") == 255
    assert bot.who_am_i() == (list(BOT.groups) if is_kaos(dokuwiki) else None)


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
