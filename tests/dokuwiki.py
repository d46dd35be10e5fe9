"""A throw-away real DokuWiki for tests: Debian's package, unpacked, served by ``php -S``.

``scripts/install-system-deps.sh`` unpacks two releases of the ``dokuwiki`` package without
installing them: Debian 12's 2022-07-31 "Igor", whose remote API is XML-RPC, and Debian 13's
2024-02-06 "Kaos", which adds JSON-RPC (``RELEASES``).  Debian's build cannot run twice side by
side as shipped: ``inc/preload.php``
hard-codes ``/etc/dokuwiki`` and conf/ and data/ are symlinks into ``/var/lib``.  So each test
wiki gets its own overlay of the code (symlinks, plus a preload pointing at its own ``conf/``
and ``data/`` folders, both outside the web root), its own users, ACL and settings, and its
own ``php -S`` process in its own process group on a free loopback port.

Pages are written with DokuWiki's own ``bin/dwpage.php commit`` (so they have a history and a
changelog, as in a real wiki) and indexed with ``bin/indexer.php`` (the remote API lists pages
from the search index, not from the folder).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence

from tests.servers import free_port


@dataclass(frozen=True)
class Release:
    """One unpacked ``dokuwiki`` package: where the install script puts it, unless the
    environment variable ``variable`` says otherwise."""

    name: str
    variable: str
    default_dir: str

    @property
    def package_dir(self) -> Path:
        return Path(os.environ.get(self.variable, self.default_dir))

    @property
    def code(self) -> Path:
        return self.package_dir / "usr/share/dokuwiki"

    @property
    def default_conf(self) -> Path:
        return self.package_dir / "etc/dokuwiki"


IGOR = Release("igor", "KBTOOL_DOKUWIKI_DIR", "/opt/kbtool-test/dokuwiki")
KAOS = Release("kaos", "KBTOOL_DOKUWIKI_KAOS_DIR", "/opt/kbtool-test/dokuwiki-kaos")
RELEASES = (IGOR, KAOS)
_DATA_DIRS = ("pages", "attic", "meta", "media", "media_attic", "media_meta", "cache", "index",
              "locks", "tmp", "log")

# Refuses the folders that must never be served (they are not under the web root here anyway,
# except inc/, bin/ and vendor/, but a router that refuses them all documents the intent).
_ROUTER = """<?php
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH));
if (preg_match('#^/(conf|data|inc|bin|vendor)(/|$)#', $path)) {
    http_response_code(403);
    echo "Forbidden\\n";
    return true;
}
return false;
"""


def skip_reason(release: Release = IGOR) -> str | None:
    """Why a real DokuWiki of that release cannot run here, or None when it can."""
    if shutil.which("php") is None:
        return "php is not installed (run scripts/install-system-deps.sh as root)"
    if not (release.code / "doku.php").is_file():
        return (f"DokuWiki {release.name} is not unpacked in {release.package_dir} (run "
                f"scripts/install-system-deps.sh as root, or set {release.variable})")
    return None


@dataclass(frozen=True)
class User:
    """An account of the test wiki (``users.auth.php``)."""

    name: str
    password: str
    groups: tuple[str, ...] = ("user",)


# What most tests need: a crawler account that may also write in ``kb``, an administrator, an
# account outside ``remoteuser``, a French wiki whose remote API is open to the ``user`` group,
# and a namespace (``prive``) the crawler may not read.
BOT = User("robot", "mot de passe du robot", ("user", "bot"))
ADMIN = User("admin", "mot de passe admin", ("admin", "user"))
OUTSIDER = User("lecteur", "mot de passe lecteur", ("lecteur",))
SETTINGS: dict[str, Any] = {
    "title": "Wiki de test",
    "lang": "fr",
    "useacl": 1,
    "superuser": "@admin",
    "remote": 1,
    "remoteuser": "@user",
    "useheading": 1,
    "dnslookups": 0,
    "updatecheck": 0,
    "userewrite": 0,
}
ACL = (
    "*          @ALL    0",
    "*          @user   1",
    "*          @lecteur 1",
    "kb:*       @bot    8",
    "prive:*    @user   0",
)
PAGES = {
    "start": ("====== Accueil ======\n"
              "Bienvenue sur le wiki du support : [[tutoriel:installation]].\n"),
    "tutoriel:installation": (
        "====== Installer le logiciel ======\n"
        "Téléchargez l'installateur depuis l'espace client.\n\n"
        "===== Prérequis =====\n"
        "Windows 10 ou plus récent, 4 Go de mémoire.\n\n"
        "===== Mise à jour =====\n"
        "Lancez l'installateur par-dessus l'ancienne version.\n"),
    "tutoriel:sauvegarde": (
        "====== Sauvegarder le dossier ======\n"
        "Menu //Fichier > Sauvegarder//, puis choisissez un disque externe.\n"),
    "tutoriel:ancienne_installation": "~~REDIRECT>tutoriel:installation~~\n",
    "prive:salaires": "====== Grille des salaires ======\nConfidentiel.\n",
}


class TestWiki:
    """One DokuWiki in its own folder; ``start()`` serves it, ``stop()`` kills its server."""

    __test__ = False  # not a pytest test class despite its name

    def __init__(self, root: Path, users: Sequence[User] = (BOT, ADMIN, OUTSIDER),
                 acl: Sequence[str] = ACL, settings: Mapping[str, Any] | None = None,
                 reuse: bool = False, release: Release = IGOR) -> None:
        self.root = Path(root)
        self.release = release
        self.users = tuple(users)
        self.settings = dict(SETTINGS if settings is None else settings)
        self.port = free_port()
        self._server: subprocess.Popen[bytes] | None = None
        if not (reuse and self.built):
            self._build(acl)

    @property
    def built(self) -> bool:
        """Whether ``root`` already holds a wiki: with ``reuse=True`` it is served as it is (a
        benchmark seeds thousands of pages once and keeps the folder between runs)."""
        return (self.root / "conf/local.php").is_file()

    @property
    def url(self) -> str:
        """Base URL of the wiki, with its trailing slash."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def code_dir(self) -> Path:
        return self.root / "dokuwiki"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def page_file(self, wiki_id: str) -> Path:
        """The text file of a page (ASCII ids only: enough for tests)."""
        return self.data_dir / "pages" / (wiki_id.replace(":", "/") + ".txt")

    # -- building --------------------------------------------------------------------------

    def _build(self, acl: Sequence[str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        _overlay_code(self.release, self.code_dir, self.root / "conf")
        (self.root / "router.php").write_text(_ROUTER)
        conf = self.root / "conf"
        conf.mkdir()
        for item in self.release.default_conf.iterdir():
            if item.is_file() and not item.is_symlink():
                shutil.copy(item, conf / item.name)
        for name in _DATA_DIRS:
            (self.data_dir / name).mkdir(parents=True)
        self.write_settings()
        (conf / "acl.auth.php").write_text("\n".join(acl) + "\n")
        self.write_users(self.users)

    def write_settings(self, **changes: Any) -> None:
        """Rewrite ``conf/local.php`` with the settings, updated by ``changes``; takes effect on
        the next request (PHP reads it each time)."""
        self.settings.update(changes)
        values = {"savedir": str(self.data_dir), **self.settings}
        lines = [f"$conf[{_php(key)}] = {_php(value)};" for key, value in values.items()]
        (self.root / "conf/local.php").write_text("<?php\n" + "\n".join(lines) + "\n")

    def write_users(self, users: Sequence[User]) -> None:
        """Rewrite ``conf/users.auth.php`` with bcrypt hashes made by PHP itself."""
        self.users = tuple(users)
        hashes = self._php_eval(
            "foreach (json_decode(stream_get_contents(STDIN)) as $p) "
            "echo password_hash($p, PASSWORD_BCRYPT), \"\\n\";",
            json.dumps([u.password for u in users]))
        lines = [f"{u.name}:{h}:{u.name}:{u.name}@example.org:{','.join(u.groups)}"
                 for u, h in zip(users, hashes.split())]
        (self.root / "conf/users.auth.php").write_text("\n".join(lines) + "\n")

    # -- pages -----------------------------------------------------------------------------

    def save(self, wiki_id: str, text: str, summary: str = "test", user: str = "admin") -> None:
        """Create or edit a page through DokuWiki (history, changelog, search index), making
        sure its new revision falls in a later second than the previous one so that the
        revision (a timestamp) really changes."""
        self._after_last_revision(wiki_id)
        self._commit(wiki_id, text, summary, user)
        self._php_run("bin/indexer.php", "-q")

    def seed(self, pages: Mapping[str, str]) -> None:
        """Create many pages at once (one indexer run)."""
        for wiki_id, text in pages.items():
            self._commit(wiki_id, text, "seed", "admin")
        self._php_run("bin/indexer.php", "-q")

    def seed_files(self, pages: Path, timeout: float | None = None) -> None:
        """Copy a folder of page files (``ns/page.txt``) into the wiki as raw files, then index
        them: much faster than :meth:`seed` for thousands of pages, but without history (the
        indexer alone takes minutes for 4,000 pages, hence no timeout by default)."""
        shutil.copytree(pages, self.data_dir / "pages", dirs_exist_ok=True)
        self._php_run("bin/indexer.php", "-q", timeout=timeout)

    def _commit(self, wiki_id: str, text: str, summary: str, user: str) -> None:
        work = self.root / "work.txt"
        work.write_text(text, encoding="utf-8")
        self._php_run("bin/dwpage.php", "-u", user, "commit", "-m", summary, str(work), wiki_id)

    def delete(self, wiki_id: str) -> None:
        """Delete a page as DokuWiki does: saving it empty."""
        self.save(wiki_id, "", summary="supprimée")

    def last_change(self, wiki_id: str) -> dict[str, str]:
        """The page's latest changelog entry: ``user``, ``type`` (C/E/D…) and ``summary``."""
        changes = self.data_dir / "meta" / (wiki_id.replace(":", "/") + ".changes")
        fields = changes.read_text(encoding="utf-8").splitlines()[-1].split("\t")
        return {"user": fields[4], "type": fields[2], "summary": fields[5]}

    def _after_last_revision(self, wiki_id: str) -> None:
        page = self.page_file(wiki_id)
        if page.exists():
            wait = int(page.stat().st_mtime) + 1 - time.time()
            if wait > 0:
                time.sleep(wait)

    # -- server ----------------------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> None:
        """Serve the wiki on its port and wait until it answers."""
        if self._server is not None:
            return
        log = open(self.root / "server.log", "ab")
        self._server = subprocess.Popen(
            ["php", "-d", "opcache.revalidate_freq=0", "-S", f"127.0.0.1:{self.port}",
             "-t", str(self.code_dir), str(self.root / "router.php")],
            cwd=self.code_dir, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True)
        log.close()
        self._wait_until_up(timeout)

    def set_latency(self, seconds: float) -> None:
        """Make every request wait ``seconds`` before it is served, as a wiki reached across a
        network does (a benchmark's remote-wiki case; the wait costs the server no CPU).  The
        router is read again on each request, so this holds from the next one on."""
        wait = f"usleep({round(seconds * 1_000_000)});\n" if seconds > 0 else ""
        (self.root / "router.php").write_text(_ROUTER.replace("<?php\n", "<?php\n" + wait, 1))

    @property
    def server_pid(self) -> int | None:
        """Process id of the running ``php -S`` (a benchmark reads its CPU time)."""
        return None if self._server is None else self._server.pid

    def stop(self) -> None:
        """Kill the server's whole process group."""
        if self._server is None:
            return
        try:
            os.killpg(self._server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self._server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self._server.pid, signal.SIGKILL)
            self._server.wait()
        self._server = None

    @contextmanager
    def settings_changed(self, **changes: Any) -> Iterator[None]:
        """Change settings for the duration of a ``with`` block (turn the API off…)."""
        before = dict(self.settings)
        self.write_settings(**changes)
        try:
            yield
        finally:
            self.settings = before
            self.write_settings()

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self._server is not None
            if self._server.poll() is not None:
                raise RuntimeError(f"php -S exited: {self._server_log()}")
            try:
                with urllib.request.urlopen(self.url + "doku.php", timeout=2):
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"DokuWiki did not answer on {self.url} within "
                                       f"{timeout:.0f} s: {self._server_log()}")
                time.sleep(0.05)

    def _server_log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")[-2000:]

    # -- php -------------------------------------------------------------------------------

    def _php_run(self, script: str, *args: str, timeout: float | None = 60) -> str:
        done = subprocess.run(["php", str(self.code_dir / script), *args], cwd=self.code_dir,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{script} {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def _php_eval(self, code: str, stdin: str) -> str:
        done = subprocess.run(["php", "-r", code], input=stdin, capture_output=True, text=True,
                              timeout=60, check=True)
        return done.stdout


@contextmanager
def running_wiki(root: Path, pages: Mapping[str, str] = PAGES,
                 **kwargs: Any) -> Iterator[TestWiki]:
    """A wiki built in ``root``, seeded with ``pages`` and served until the block ends."""
    wiki = TestWiki(root, **kwargs)
    if pages:
        wiki.seed(pages)
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()


def _overlay_code(release: Release, target: Path, conf: Path) -> None:
    """A copy of DokuWiki's code made of symlinks, except for what decides where the
    configuration is: the entry scripts (they set ``DOKU_INC`` from their own folder),
    ``inc/init.php`` (it loads the ``preload.php`` next to it) and a ``preload.php`` of our own
    naming ``conf``.  Copying the 3,000 files took seconds on a busy machine; this takes
    milliseconds.  Debian's absolute links into /var/lib (plugins, template) point at the
    unpacked package instead; the one into /etc is dropped.  Nothing is ever written through
    a link: that would change the package for every wiki."""
    code = release.code
    target.mkdir()
    for item in code.iterdir():
        if item.name in ("inc", "lib", "bin"):
            continue
        if item.is_symlink():
            _relink(release, item, target / item.name)
        elif item.suffix == ".php":
            shutil.copy(item, target / item.name)
        else:
            (target / item.name).symlink_to(item)
    shutil.copytree(code / "bin", target / "bin")
    _mirror(release, code / "inc", target / "inc", copies={"init.php"}, skip={"preload.php"})
    (target / "inc/preload.php").write_text(
        f"<?php\ndefine('DOKU_CONF', {_php(str(conf) + '/')});\n")
    _mirror(release, code / "lib", target / "lib", copies=set(), skip={"exe"})
    shutil.copytree(code / "lib/exe", target / "lib/exe")


def _mirror(release: Release, source: Path, target: Path, copies: set[str],
            skip: set[str]) -> None:
    """``target`` as a real folder whose entries link to ``source``'s (``copies`` are copied,
    ``skip`` left for the caller)."""
    target.mkdir()
    for item in source.iterdir():
        if item.name in skip:
            continue
        if item.name in copies:
            shutil.copy(item, target / item.name)
        elif item.is_symlink():
            _relink(release, item, target / item.name)
        else:
            (target / item.name).symlink_to(item)


def _relink(release: Release, link: Path, copy: Path) -> None:
    """Copy a symlink of the package, re-pointing an absolute one into the unpacked package
    (dropping it when the package has no such file)."""
    destination = Path(os.readlink(link))
    if not destination.is_absolute():
        destination = link.parent / destination
    else:
        destination = release.package_dir / destination.relative_to("/")
    if destination.exists():
        copy.symlink_to(destination)


PASSWORD_VAR = "KBTOOL_TEST_WIKI_PASSWORD"


def kbtool_toml(wiki: TestWiki, tables: str = "") -> str:
    """A ``kbtool.toml`` with this wiki as the ``dokuwiki`` source ``wiki``, read with the bot's
    account (password in ``$KBTOOL_TEST_WIKI_PASSWORD``) and no politeness delay; ``tables`` are
    settings tables put before it (``[index]``, ``[web]``…)."""
    return f"""{tables}
[http]
delay = 0
retries = 0
timeout = 10
[[sources]]
name = "wiki"
kind = "dokuwiki"
url = "{wiki.url}"
user = "{BOT.name}"
password_env = "{PASSWORD_VAR}"
"""


def _php(value: Any) -> str:
    """A Python scalar as a PHP literal."""
    if isinstance(value, bool) or isinstance(value, int):
        return str(int(value))
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"
