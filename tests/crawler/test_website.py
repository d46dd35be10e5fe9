"""The website source against a real site on 127.0.0.1: what is indexed, what fails and why,
robots.txt, the page cap, and the conditional requests of a second run."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool.config import ConfigError, from_dict
from kbtool.crawler.website import Scope, WebsiteSource, normalize
from kbtool.documents import Document, Listing
from tests.crawler.pdf_factory import make_pdf
from tests.servers import LoopbackServer, Reply, Route, Seen

FIXTURES = Path(__file__).parent / "fixtures" / "site"
LAST_MODIFIED = "Mon, 04 Mar 2024 10:00:00 GMT"
# Served without a charset header: only the page's own <meta charset> names its encoding.
NO_CHARSET = {"/docs/guide/recus.html"}
# Served with Last-Modified only, so that If-Modified-Since is exercised as well as ETags.
NO_ETAG = {"/docs/guide/sub/deep.html"}
HTTP = {"timeout": 0.3, "retries": 1, "max_bytes": 50_000, "delay": 0.0,
        "user_agent": "kbtool-test/1.0"}
GOOD_PAGES = {"docs/index.html", "docs/guide/dons.html", "docs/guide/recus.html",
              "docs/guide/sub/deep.html", "docs/manuel.pdf", "docs/errors/busy.html"}


class Site:
    """The fixture files plus generated ones, served with validators; edit ``files`` or
    ``server.routes`` between runs to change the site."""

    def __init__(self) -> None:
        self.files = {"/" + p.relative_to(FIXTURES).as_posix(): p.read_bytes()
                      for p in FIXTURES.rglob("*") if p.is_file()}
        self.files["/docs/manuel.pdf"] = make_pdf(
            [["Installation", "Lancer le programme d'installation."],
             ["Sauvegarde", "Copier le dossier des données."]], title="Manuel Trésorio")
        self.files["/docs/errors/busy.html"] = b"<title>Occup\xc3\xa9</title><p>Enfin servi.</p>"
        self.server = LoopbackServer({**{path: self.serve for path in self.files},
                                      **self._misbehaving()})

    def url(self, path: str) -> str:
        return self.server.url(path)

    def serve(self, seen: Seen) -> Reply:
        """A file with ETag (or only Last-Modified) that answers 304 when the client has it."""
        body = self.files[seen.path]
        headers = {"Content-Type": _content_type(seen.path), "Last-Modified": LAST_MODIFIED}
        if seen.path in NO_ETAG:
            unchanged = seen.header("If-Modified-Since") == LAST_MODIFIED
        else:
            headers["ETag"] = etag_of(body)
            unchanged = seen.header("If-None-Match") == headers["ETag"]
        return Reply(304, headers=headers) if unchanged else Reply(200, body, headers)

    def _misbehaving(self) -> dict[str, Route]:
        busy: list[Seen] = []

        def busy_once(seen: Seen) -> Reply:
            busy.append(seen)
            return Reply(503, b"", {"Retry-After": "0"}) if len(busy) == 1 else self.serve(seen)

        html = {"Content-Type": "text/html; charset=utf-8"}
        return {
            "/docs/errors/500.html": lambda s: Reply(500, b"boom", html),
            "/docs/errors/busy.html": busy_once,
            "/docs/errors/slow.html": lambda s: Reply(200, b"<p>trop tard</p>", html, delay=0.6),
            "/docs/errors/loop.html": lambda s: Reply(302, headers={"Location": s.path}),
            "/docs/errors/big.html": lambda s: Reply(200, b"<p>" + b"x" * 60_000, html),
            "/docs/errors/broken.pdf": lambda s: Reply(200, b"%PDF-1.4 garbage",
                                                       {"Content-Type": "application/pdf"}),
            "/docs/errors/json.html": lambda s: Reply(200, b"<h1>JSON?</h1>",
                                                      {"Content-Type": "application/json"}),
        }


def etag_of(body: bytes) -> str:
    return '"%s"' % hashlib.sha1(body).hexdigest()[:12]


def _content_type(path: str) -> str:
    if path.endswith(".pdf"):
        return "application/pdf"
    if path.endswith(".txt"):
        return "text/plain"
    if path.endswith(".xml"):
        return "application/xml"
    return "text/html" if path in NO_CHARSET else "text/html; charset=utf-8"


def make_source(site: Site, state_dir: Path, start: str = "/docs/index.html",
                **options: object) -> WebsiteSource:
    entry = {"name": "docs", "kind": "website", "start_urls": [site.url(start)], **options}
    config = from_dict({"http": HTTP, "sources": [entry]})
    return WebsiteSource(config.sources[0], config, state_dir=state_dir)


def page_requests(site: Site) -> list[Seen]:
    return [seen for seen in site.server.seen if seen.path != "/robots.txt"]


@pytest.fixture()
def site() -> Iterator[Site]:
    served = Site()
    with served.server:
        yield served


class Crawled:
    """A site crawled twice with the same state folder (shared by the tests below: each run
    takes about a second because of the slow route and the Crawl-delay)."""

    def __init__(self, site: Site, state_dir: Path):
        self.site = site
        self.first = make_source(site, state_dir)
        self.first_listing = self.first.listing()
        self.first_requests = list(site.server.seen)
        self.second = make_source(site, state_dir)
        self.second_listing = self.second.listing()
        self.second_requests = site.server.seen[len(self.first_requests):]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    served = Site()
    with served.server:
        yield Crawled(served, tmp_path_factory.mktemp("state"))


def test_first_run_lists_the_good_pages_inside_the_prefix(crawled):
    assert set(crawled.first_listing.versions) == GOOD_PAGES
    assert crawled.first_listing.complete


def test_first_run_reports_each_bad_page_with_its_url_and_reason(crawled):
    reasons = {f.location: f.reason for f in crawled.first_listing.failures}
    expected = {"500.html": "HTTP 500", "slow.html": "no answer within 0.3 s",
                "loop.html": "too many redirects", "big.html": "over the limit of 50000 bytes",
                "broken.pdf": "not a readable PDF",
                "json.html": "unexpected content type application/json"}
    assert set(reasons) == {crawled.site.url(f"/docs/errors/{name}") for name in expected}
    for name, reason in expected.items():
        assert reason in reasons[crawled.site.url(f"/docs/errors/{name}")]
    assert {f.source for f in crawled.first_listing.failures} == {"docs"}


def test_nothing_outside_the_prefix_nor_disallowed_is_fetched(crawled):
    paths = [seen.path for seen in crawled.first_requests]
    assert paths.count("/robots.txt") == 1
    assert all(p.startswith("/docs/") for p in paths if p != "/robots.txt")
    assert "/outside.html" not in paths
    assert "/docs/private/secret.html" not in paths
    assert all(seen.header("User-Agent") == "kbtool-test/1.0" for seen in crawled.first_requests)


def test_each_page_is_requested_once_whatever_the_spelling_of_its_links(crawled):
    paths = [seen.path for seen in crawled.first_requests]
    assert paths.count("/docs/guide/dons.html") == 1
    assert paths.count("/docs/errors/busy.html") == 2  # a 503 with Retry-After, then the page


def test_requests_are_spaced_by_the_robots_crawl_delay(crawled):
    times = [seen.at for seen in crawled.first_requests]
    assert min(later - earlier for earlier, later in zip(times, times[1:])) >= 0.029


def test_versions_are_the_servers_validators(crawled):
    versions = crawled.first_listing.versions
    assert versions["docs/index.html"] == etag_of(crawled.site.files["/docs/index.html"])
    assert versions["docs/guide/sub/deep.html"] == LAST_MODIFIED


def test_pages_parsed_during_the_crawl_are_fetched_without_a_request(crawled):
    before = len(crawled.site.server.seen)
    dons = crawled.first.fetch("docs/guide/dons.html")
    assert isinstance(dons, Document)
    assert len(crawled.site.server.seen) == before
    assert (dons.source, dons.title, dons.url, dons.namespace) == (
        "docs", "Saisir un don", crawled.site.url("/docs/guide/dons.html"), "guide")
    assert [s.anchor for s in dons.sections] == ["dons", "montant", "recu"]
    assert dons.version == crawled.first_listing.versions["docs/guide/dons.html"]


def test_latin1_page_without_charset_header_is_decoded_by_its_meta_charset(crawled):
    recus = crawled.first.fetch("docs/guide/recus.html")
    assert recus.title == "Reçus fiscaux"
    assert "Le reçu est émis après l'encaissement du don." in recus.sections[0].text


def test_pdf_becomes_one_section_per_page(crawled):
    manual = crawled.first.fetch("docs/manuel.pdf")
    assert manual.title == "Manuel Trésorio" and manual.namespace == ""
    assert [s.anchor for s in manual.sections] == ["page=1", "page=2"]
    assert "Copier le dossier des données." in manual.sections[1].text


def test_second_run_sends_conditional_requests_and_keeps_the_versions(crawled):
    assert crawled.second_listing.versions == crawled.first_listing.versions
    good = {"/" + page_id for page_id in GOOD_PAGES}
    conditional = [s for s in crawled.second_requests if s.path in good]
    assert sorted(s.path for s in conditional) == sorted(good)
    for seen in conditional:
        assert seen.header("If-None-Match") or seen.header("If-Modified-Since") == LAST_MODIFIED


def test_second_run_still_reports_the_bad_pages(crawled):
    first = {(f.location, f.reason) for f in crawled.first_listing.failures}
    assert {(f.location, f.reason) for f in crawled.second_listing.failures} == first


def test_unchanged_page_is_downloaded_in_full_only_when_fetched(crawled):
    before = crawled.site.server.count("/docs/guide/dons.html")
    dons = crawled.second.fetch("docs/guide/dons.html")
    assert dons.title == "Saisir un don"
    fetched = crawled.site.server.requests_to("/docs/guide/dons.html")
    assert len(fetched) == before + 1
    assert not fetched[-1].header("If-None-Match")


def test_changed_page_gets_a_new_version_and_its_new_content(site, tmp_path):
    make_source(site, tmp_path, "/docs/guide/dons.html").listing()
    site.files["/docs/guide/dons.html"] = site.files["/docs/guide/dons.html"].replace(
        b"toutes taxes comprises", b"hors taxes")
    source = make_source(site, tmp_path, "/docs/guide/dons.html")
    listing = source.listing()
    new_etag = etag_of(site.files["/docs/guide/dons.html"])
    assert listing.versions["docs/dons.html"] == new_etag  # the prefix is /docs/guide/
    assert "hors taxes" in source.fetch("docs/dons.html").sections[1].text


def test_known_page_that_now_fails_stays_listed_with_its_old_version(site, tmp_path):
    first = make_source(site, tmp_path, "/docs/guide/dons.html",
                        allowed_prefix=site.url("/docs/guide/")).listing()
    site.server.routes["/docs/guide/dons.html"] = lambda s: Reply(500, b"boom")
    second = make_source(site, tmp_path, "/docs/guide/dons.html",
                         allowed_prefix=site.url("/docs/guide/")).listing()
    assert second.versions == first.versions  # deep.html too, through the remembered links
    assert [(f.location, f.reason) for f in second.failures] == [
        (site.url("/docs/guide/dons.html"), "HTTP 500 Internal Server Error")]
    assert not second.complete  # it is the start URL


def test_failing_start_url_makes_the_listing_incomplete(site, tmp_path):
    listing = make_source(site, tmp_path, "/docs/errors/500.html",
                          allowed_prefix=site.url("/docs/")).listing()
    assert listing == Listing(versions={}, failures=listing.failures, complete=False)
    assert [f.location for f in listing.failures] == [site.url("/docs/errors/500.html")]


def test_page_cap_stops_the_crawl_and_says_so(site, tmp_path):
    listing = make_source(site, tmp_path, max_pages=2).listing()
    assert len(page_requests(site)) == 2
    assert set(listing.versions) == {"docs/index.html", "docs/guide/dons.html"}
    assert "max_pages=2" in listing.failures[-1].reason
    assert not listing.complete


def test_sitemap_adds_pages_no_link_leads_to(site, tmp_path):
    site.files["/docs/sitemap.xml"] = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<url><loc>{site.url("/docs/orphan.html")}</loc></url>'
        f'<url><loc>{site.url("/outside.html")}</loc></url></urlset>').encode()
    site.server.routes["/docs/sitemap.xml"] = site.serve
    listing = make_source(site, tmp_path, "/docs/guide/sub/deep.html",
                          allowed_prefix=site.url("/docs/"),
                          sitemap=site.url("/docs/sitemap.xml")).listing()
    assert set(listing.versions) == {"docs/guide/sub/deep.html", "docs/orphan.html"}
    assert site.server.count("/outside.html") == 0


def test_redirect_inside_the_prefix_lists_the_target_once(site, tmp_path):
    site.server.routes["/docs/ancien.html"] = lambda s: Reply(
        301, headers={"Location": "/docs/guide/sub/deep.html"})
    listing = make_source(site, tmp_path, "/docs/ancien.html").listing()
    assert set(listing.versions) == {"docs/guide/sub/deep.html"}


def test_unreachable_robots_txt_forbids_the_whole_host(site, tmp_path):
    site.server.routes["/robots.txt"] = lambda s: Reply(500, b"")
    listing = make_source(site, tmp_path, "/docs/guide/sub/deep.html").listing()
    assert (listing.versions, listing.complete) == ({}, False)
    assert "robots.txt unreachable" in listing.failures[0].reason
    assert site.server.count("/docs/guide/sub/deep.html") == 0


def test_missing_robots_txt_allows_everything(site, tmp_path):
    site.server.routes["/robots.txt"] = lambda s: Reply(404, b"")
    listing = make_source(site, tmp_path, "/docs/private/secret.html").listing()
    assert (set(listing.versions), listing.failures) == ({"docs/secret.html"}, ())


def test_start_url_disallowed_by_robots_txt_is_reported_and_not_fetched(site, tmp_path):
    listing = make_source(site, tmp_path, "/docs/private/secret.html").listing()
    assert listing.versions == {}
    assert [f.reason for f in listing.failures] == ["start URL disallowed by robots.txt"]
    assert site.server.count("/docs/private/secret.html") == 0


def test_fetching_a_page_the_crawl_did_not_reach_is_a_failure(site, tmp_path):
    failure = make_source(site, tmp_path).fetch("docs/nowhere.html")
    assert failure.reason == "not reached by this run's crawl"


def test_start_url_outside_the_prefix_is_a_configuration_error(site, tmp_path):
    with pytest.raises(ConfigError, match="outside allowed_prefix"):
        make_source(site, tmp_path, "/outside.html", allowed_prefix=site.url("/docs/"))


@pytest.mark.parametrize("url, normalized", [
    ("HTTP://Example.ORG:80/docs/a b.html#top", "http://example.org/docs/a%20b.html"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org:8443/d/r%C3%A9sum%C3%A9.html?x=1",
     "https://example.org:8443/d/r%C3%A9sum%C3%A9.html?x=1"),
    ("https://example.org/d/résumé.html", "https://example.org/d/r%C3%A9sum%C3%A9.html"),
])
def test_normalize(url, normalized):
    assert normalize(url) == normalized


@pytest.mark.parametrize("url, page_id, namespace", [
    ("http://h/docs/", "docs/index.html", ""),
    ("http://h/docs/guide/", "docs/guide/index.html", "guide"),
    ("http://h/docs/guide/sub/deep.html", "docs/guide/sub/deep.html", "guide/sub"),
    ("http://h/docs/r%C3%A9sum%C3%A9.html", "docs/résumé.html", ""),
    ("http://h/docs/page.php?id=3", "docs/page.php?id=3", ""),
])
def test_page_ids_are_paths_relative_to_the_prefix(url, page_id, namespace):
    scope = Scope("docs", "http://h/docs/")
    assert scope.page_id(url) == page_id
    assert scope.namespace(page_id) == namespace
