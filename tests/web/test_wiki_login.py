"""Sign-in against real DokuWikis (Debian's "Igor" and "Kaos", served by php -S on loopback): roles
from the wiki's ACL or, on Kaos, the groups it reports, wrong passwords throttled like local
ones, no role refused, the wiki down, local accounts first, and the feature off by default."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kbtool import accounts, config as config_module, store
from kbtool.cli import main
from kbtool.config import Config
from kbtool.net.http import HttpSettings
from kbtool.web import create_app
from kbtool.wiki import signin
from kbtool.wiki.signin import RoleMap
from tests import dokuwiki as harness
from tests.dokuwiki import ADMIN, BOT, OUTSIDER, User
from tests.web.conftest import PASSWORD, USERS, login

# Besides the harness's accounts: a support agent, whose group may edit ``support:*``, and an
# account of the ``user`` group alone, which may edit nothing.
SUPPORT = User("sophie", "mot de passe sophie", ("user", "support"))
PLAIN = User("nadia", "mot de passe nadia", ("user",))
# Debian's Igor cannot list groups: roles come from pages each group may edit.  Only the wiki's
# superuser (@admin) may edit ``admin:start``.
ROLE_PAGES = ["agent=support:start", "reviewer=kb:start", "admin=admin:start"]
REFUSED = "Identifiant ou mot de passe incorrect."


@pytest.fixture(scope="module", params=harness.RELEASES, ids=lambda r: r.name)
def wiki(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.TestWiki]:
    reason = harness.skip_reason(request.param)
    if reason:
        pytest.skip(reason)
    with harness.running_wiki(tmp_path_factory.mktemp("wiki"), pages={},
                              users=(BOT, ADMIN, OUTSIDER, SUPPORT, PLAIN),
                              acl=harness.ACL + ("support:* @support 2",),
                              release=request.param) as served:
        yield served


def write_config(path: Path, index_dir: Path, wiki_url: str, web: str) -> Path:
    path.write_text(f"""
[index]
dir = "{index_dir}"
[http]
timeout = 10
[web]
database = "app.sqlite3"
secret_key_file = "secret_key"
wiki_source = "wiki"
{web}
[[sources]]
name = "wiki"
kind = "dokuwiki"
url = "{wiki_url}"
""", encoding="utf-8")
    return path


@pytest.fixture()
def config_file(sample_index: Path, tmp_path: Path, wiki: harness.TestWiki) -> Path:
    return write_config(tmp_path / "kbtool.toml", sample_index, wiki.url,
                        f"wiki_login = true\nwiki_role_pages = {ROLE_PAGES!r}".replace("'", '"'))


@pytest.fixture()
def settings(config_file: Path) -> Config:
    """Overrides the web tests' settings: wiki sign-in on, and the local test accounts."""
    config = config_module.load(config_file)
    conn = store.connect(config.get("web.database"))
    for name, role in USERS.items():
        accounts.create_user(conn, name, role, PASSWORD)
    conn.close()
    return config


def user(settings: Config, name: str) -> accounts.User | None:
    conn = store.connect(settings.get("web.database"))
    try:
        return accounts.find_user(conn, name)
    finally:
        conn.close()


def api_requests(wiki: harness.TestWiki) -> int:
    """How many remote API calls the wiki has served (``php -S`` logs each request)."""
    served = (wiki.root / "server.log").read_text(errors="replace")
    return served.count("/lib/exe/xmlrpc.php") + served.count("/lib/exe/jsonrpc.php")


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("account, role", [(SUPPORT, "agent"), (BOT, "reviewer"),
                                           (ADMIN, "admin")])
def test_wiki_accounts_sign_in_with_the_role_their_acl_gives(
        client: FlaskClient, settings: Config, account: User, role: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = login(client, account.name, account.password)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    signed_in = user(settings, account.name)
    assert signed_in is not None and (signed_in.role, signed_in.origin) == (role, "dokuwiki")
    conn = store.connect(settings.get("web.database"))
    hashed = conn.execute("SELECT password_hash FROM users WHERE name = ?",
                          (account.name,)).fetchone()[0]
    conn.close()
    assert hashed is None
    assert account.password not in caplog.text


def test_the_role_follows_the_wiki_at_each_sign_in(client: FlaskClient, settings: Config,
                                                   capsys: pytest.CaptureFixture[str],
                                                   config_file: Path) -> None:
    assert login(client, SUPPORT.name, SUPPORT.password).status_code == 302
    conn = store.connect(settings.get("web.database"))
    accounts.set_role(conn, SUPPORT.name, "admin")
    conn.close()
    other = client.application.test_client()
    assert login(other, SUPPORT.name, SUPPORT.password).status_code == 302
    assert user(settings, SUPPORT.name).role == "agent"  # type: ignore[union-attr]
    capsys.readouterr()
    assert main(["--config", str(config_file), "user", "list"]) == 0
    assert f"{SUPPORT.name}\tagent\tactive\tdokuwiki" in capsys.readouterr().out.splitlines()


def test_a_wrong_wiki_password_is_refused_and_throttled(client: FlaskClient,
                                                        settings: Config) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_NAME):
        response = login(client, SUPPORT.name, "pas le bon")
        assert response.status_code == 200 and REFUSED in page(response)
    assert user(settings, SUPPORT.name) is None
    assert login(client, SUPPORT.name, SUPPORT.password).status_code == 429


@pytest.mark.parametrize("account", [PLAIN, OUTSIDER], ids=["edits-nothing", "no-api-access"])
def test_a_wiki_account_with_no_mapped_role_is_refused(client: FlaskClient, settings: Config,
                                                       account: User) -> None:
    response = login(client, account.name, account.password)
    assert response.status_code == 200
    assert "aucun rôle dans kbtool" in page(response)
    assert user(settings, account.name) is None
    assert client.get("/").status_code == 302


def test_a_local_account_is_never_taken_over_from_the_wiki(client: FlaskClient,
                                                           settings: Config) -> None:
    conn = store.connect(settings.get("web.database"))
    accounts.create_user(conn, ADMIN.name, "agent", PASSWORD)
    conn.close()
    assert REFUSED in page(login(client, ADMIN.name, ADMIN.password))
    assert login(client, ADMIN.name, PASSWORD).status_code == 302
    assert user(settings, ADMIN.name).origin == "local"  # type: ignore[union-attr]


def test_a_disabled_wiki_account_stays_out(client: FlaskClient, settings: Config) -> None:
    assert login(client, SUPPORT.name, SUPPORT.password).status_code == 302
    conn = store.connect(settings.get("web.database"))
    accounts.set_active(conn, SUPPORT.name, False)
    conn.close()
    assert client.get("/").status_code == 302
    assert REFUSED in page(login(client, SUPPORT.name, SUPPORT.password))


def test_wiki_down_says_so_and_local_accounts_still_sign_in(client: FlaskClient,
                                                            settings: Config,
                                                            wiki: harness.TestWiki) -> None:
    wiki.stop()
    try:
        response = login(client, SUPPORT.name, SUPPORT.password)
        assert response.status_code == 200
        assert "Le wiki est injoignable" in page(response)
        assert user(settings, SUPPORT.name) is None
        assert login(client, "adam", PASSWORD).status_code == 302
        assert client.get("/admin/usage").status_code == 200
    finally:
        wiki.start()


def test_off_by_default_the_wiki_is_never_asked(sample_index: Path, tmp_path: Path,
                                                wiki: harness.TestWiki) -> None:
    config = config_module.load(write_config(tmp_path / "kbtool.toml", sample_index,
                                             wiki.url, ""))
    assert config.get("web.wiki_login") is False
    before = api_requests(wiki)
    client = create_app(config, testing=True).test_client()
    assert REFUSED in page(login(client, SUPPORT.name, SUPPORT.password))
    assert api_requests(wiki) == before
    conn = store.connect(config.get("web.database"))
    assert accounts.find_user(conn, SUPPORT.name) is None
    conn.close()


def test_kaos_reports_groups_that_map_to_roles_igor_cannot(wiki: harness.TestWiki) -> None:
    def role_for(groups: tuple[tuple[str, str], ...], password: str) -> str | None:
        directory = signin.WikiDirectory(wiki.url, HttpSettings(timeout=10, retries=0, delay=0),
                                           RoleMap(groups=groups))
        return directory.role_for(BOT.name, password)

    assert role_for((("bot", "agent"),), "pas le bon") is None
    if wiki.release is harness.KAOS:
        assert role_for((("user", "agent"), ("bot", "reviewer")), BOT.password) == "reviewer"
        with pytest.raises(signin.WikiSignInError, match="aucun rôle dans kbtool"):
            role_for((("n2", "admin"),), BOT.password)
    else:
        with pytest.raises(signin.WikiSignInError, match="aucun rôle dans kbtool"):
            role_for((("bot", "reviewer"),), BOT.password)
