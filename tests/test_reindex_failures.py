"""``kbtool reindex`` when a source fails under it, against a real DokuWiki and a real web site
on loopback: a page that cannot be read is a failure that loses nothing, a page the site says
is gone leaves the index, and a server that stops mid-run is given up at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests.adapters

from kbtool.cli import main
from kbtool.config import load
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from tests.dokuwiki import BOT, PASSWORD_VAR, TestWiki, kbtool_toml
from tests.servers import LoopbackServer, Reply

# Pages of our own, many more than the few requests a stopped wiki may still cost.
LOT = {f"lot:page_{n:02d}": f"====== Fiche {n} ======\nLe mot repere{n:02d} est unique.\n"
       for n in range(24)}


class Tap:
    """Sees every request the crawler sends over the real network, and runs ``action`` once,
    just before the ``nth`` request that ``matches``."""

    def __init__(self, matches: Callable[[requests.PreparedRequest], bool], nth: int,
                 action: Callable[[], object]) -> None:
        self.matches, self.nth, self.action = matches, nth, action
        self.calls = 0       # requests that matched
        self.after = -1      # requests sent from the action on (-1: not acted yet)

    def watching(self, monkeypatch: pytest.MonkeyPatch) -> Tap:
        send = requests.adapters.HTTPAdapter.send

        def tapped(adapter, request, *args, **kwargs):
            if self.matches(request):
                self.calls += 1
                if self.calls == self.nth:
                    self.after = 0
                    self.action()
            if self.after >= 0:
                self.after += 1
            return send(adapter, request, *args, **kwargs)

        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", tapped)
        return self


def calling(method: str) -> Callable[[requests.PreparedRequest], bool]:
    """Whether a request is a remote API call of ``method`` (XML-RPC or JSON-RPC body)."""
    def matches(request: requests.PreparedRequest) -> bool:
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        return method.encode() in body
    return matches


@pytest.fixture(scope="module")
def wiki(dokuwiki: TestWiki) -> TestWiki:
    dokuwiki.seed(LOT)
    return dokuwiki


@pytest.fixture()
def config_path(wiki: TestWiki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(PASSWORD_VAR, BOT.password)
    path = tmp_path / "kbtool.toml"
    path.write_text(kbtool_toml(wiki, '[index]\ndir = "index"'), encoding="utf-8")
    assert main(["--config", str(path), "reindex"]) == 0
    return path


def reindex(config: Path, *args: str) -> int:
    return main(["--config", str(config), "reindex", *args])


def lot_found(config: Path) -> set[str]:
    """The pages of LOT that a search for their own unique word finds."""
    searcher = Searcher(load(config).index_dir)
    return {wiki_id for n, wiki_id in enumerate(LOT)
            if [h.page_id for h in searcher.search(f"repere{n:02d}").hits]
            == [f"wiki/{wiki_id.replace(':', '/')}.txt"]}


def versions(config: Path) -> dict[str, str]:
    return IndexStore(load(config).index_dir).versions(skipped=False)


def failed_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("failed: ")]


def updated(out: str) -> int:
    """The number of pages the summary line says were updated."""
    summary = out.strip().splitlines()[-1]
    return int(summary.split(" updated")[0].rsplit(" ", 1)[1])


def lot_folder_moved(wiki: TestWiki) -> tuple[Callable[[], object], Callable[[], object]]:
    """Take the LOT pages' files away (the wiki then answers their text as empty, status 200
    on Igor), and put them back."""
    folder, aside = wiki.data_dir / "pages/lot", wiki.root / "lot-aside"
    return (lambda: folder.rename(aside)), lambda: aside.exists() and aside.rename(folder)


def remoteuser_changed(wiki: TestWiki) -> tuple[Callable[[], object], Callable[[], object]]:
    """``$conf['remoteuser']`` changed in ``conf/local.php`` (the bot no longer in it), and
    changed back."""
    return (lambda: wiki.write_settings(remoteuser="@admin")), \
        lambda: wiki.write_settings(remoteuser="@user")


@pytest.mark.parametrize("refusal", [remoteuser_changed, lot_folder_moved])
def test_pages_the_wiki_stops_serving_mid_run_fail_keep_their_version_and_are_read_again(
        wiki, config_path, monkeypatch, capsys, refusal):
    before = versions(config_path)
    assert lot_found(config_path) == set(LOT)
    change, undo = refusal(wiki)
    Tap(calling("getPage"), 3, change).watching(monkeypatch)
    capsys.readouterr()
    try:
        status = reindex(config_path, "--full")
    finally:
        undo()
    out, err = capsys.readouterr()
    failed = failed_lines(err)
    assert status == 1
    assert len(failed) >= len(LOT) - 2 and f"{len(failed)} failed" in out
    assert versions(config_path) == before  # carried over from the previous generation
    assert lot_found(config_path) == set(LOT)
    with wiki.settings_changed(remote=0):  # a run that cannot even list the pages
        assert reindex(config_path) == 1
    capsys.readouterr()
    assert reindex(config_path) == 0
    assert updated(capsys.readouterr().out) == len(failed)  # read again, same revisions


def test_a_wiki_that_stops_mid_run_is_given_up_after_a_few_attempts(wiki, config_path,
                                                                   monkeypatch, capsys):
    before = versions(config_path)
    tap = Tap(calling("getPage"), 3, wiki.stop).watching(monkeypatch)
    capsys.readouterr()
    try:
        status = reindex(config_path, "--full")
    finally:
        wiki.start()
    out, err = capsys.readouterr()
    assert status == 1
    assert 1 <= tap.after <= 4 < len(LOT)  # not one attempt (or more) per page left
    failed = failed_lines(err)
    assert len(failed) <= 4
    assert "unreachable" in failed[-1] and "stopped reading this source" in failed[-1]
    assert versions(config_path) == before
    assert lot_found(config_path) == set(LOT)
    assert reindex(config_path) == 0
    assert updated(capsys.readouterr().out) >= len(LOT) - 2


# -- a web site ------------------------------------------------------------------------------

NOTES = {f"/doc/note{n:02d}.html": f"<h1>Note {n}</h1><p>Le mot note{n:02d}unique.</p>"
         for n in range(20)}
SITE = {
    "/doc/index.html": '<h1>Accueil</h1><p>Voir <a href="a.html">A</a> et <a href="b.html">B</a>.'
                       + "".join(f'<a href="{path[5:]}">note</a>' for path in NOTES) + "</p>",
    "/doc/a.html": '<h1>Page A</h1><p>Le mot alphaunique. <a href="b.html">B</a></p>',
    "/doc/b.html": "<h1>Page B</h1><p>Le mot betaunique.</p>",
    **NOTES,
}


@pytest.fixture()
def site() -> Iterator[LoopbackServer]:
    def page(seen) -> Reply:
        return Reply(200, SITE[seen.path].encode(), {"Content-Type": "text/html; charset=utf-8"})

    with LoopbackServer({path: page for path in SITE}) as server:
        yield server


@pytest.fixture()
def site_config(site: LoopbackServer, tmp_path: Path) -> Path:
    path = tmp_path / "kbtool.toml"
    path.write_text(f"""[index]
dir = "index"
[http]
delay = 0
retries = 0
timeout = 10
[[sources]]
name = "doc"
kind = "website"
start_urls = ["{site.url('/doc/index.html')}"]
""", encoding="utf-8")
    assert reindex(path) == 0
    return path


def found(config: Path, word: str) -> list[str]:
    return [hit.page_id for hit in Searcher(load(config).index_dir).search(word).hits]


@pytest.mark.parametrize("status", [404, 410])
def test_a_site_page_that_answers_404_or_410_leaves_the_index_though_still_linked(
        site, site_config, status):
    assert found(site_config, "betaunique") == ["doc/b.html"]
    site.routes["/doc/b.html"] = lambda seen: Reply(status, b"")
    assert reindex(site_config) == 0
    assert found(site_config, "betaunique") == []
    assert found(site_config, "alphaunique") == ["doc/a.html"]


@pytest.mark.parametrize("status", [403, 500])
def test_a_site_page_that_cannot_be_read_keeps_its_version_and_fails_the_run(
        site, site_config, status, capsys):
    served = site.routes["/doc/b.html"]
    site.routes["/doc/b.html"] = lambda seen: Reply(status, b"")
    capsys.readouterr()
    assert reindex(site_config, "--full") == 1
    assert f"HTTP {status}" in capsys.readouterr().err
    assert found(site_config, "betaunique") == ["doc/b.html"]
    site.routes["/doc/b.html"] = served
    assert reindex(site_config) == 0


def test_a_site_that_stops_mid_crawl_is_given_up_after_a_few_attempts(site, site_config,
                                                                      monkeypatch, capsys):
    before = versions(site_config)
    tap = Tap(lambda request: "/doc/note" in request.url, 3,
              lambda: site.__exit__(None, None, None)).watching(monkeypatch)
    capsys.readouterr()
    assert reindex(site_config, "--full") == 1
    assert 1 <= tap.after <= 4 < len(NOTES)
    failed = failed_lines(capsys.readouterr().err)
    assert len(failed) <= 4
    assert any("unreachable" in line and "crawl stopped" in line for line in failed)
    assert versions(site_config) == before
    assert all(found(site_config, f"note{n:02d}unique") for n in range(len(NOTES)))
