"""A documentation web site, crawled breadth-first inside a URL prefix, politely and incrementally.

A web site has no other way to list its pages than following its links, so ``listing()`` crawls:
from the start URLs (and the sitemap, if any) it follows links that stay under
``allowed_prefix``, obeys robots.txt (rules and Crawl-delay) and stops after ``max_pages``.
Pages parsed during the crawl are kept for ``fetch()``, which therefore costs nothing more.

What one run learnt of each URL (ETag, Last-Modified, version, links) is saved as JSON in the
source's state folder, so the next run asks with ``If-None-Match``/``If-Modified-Since``: a 304
keeps the old version without downloading or parsing, and the old links are followed, so pages
under an unchanged page are still reached.  A page that fails (timeout, 5xx, 403, oversized,
wrong content type, broken PDF, redirect loop) becomes a Failure and, if it was known, stays
listed with its old version, so the index keeps the copy it has.  A page that answers 404 or
410 is gone, even if other pages still link to it: it is not listed, so the reindex removes it
(a start URL that does is a failure: more likely a wrong setting than a site gone).  A host
that stops answering (``HostUnreachable``) stops the crawl: the listing is then incomplete and
every page keeps its indexed version.

    prefix https://doc.example.org/manuel/, source "docs":
    https://doc.example.org/manuel/guide/dons.html → page id "docs/guide/dons.html",
    namespace "guide"; https://doc.example.org/manuel/ → "docs/index.html"
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import deque
from dataclasses import asdict, dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from lxml import etree
from requests.utils import requote_uri

from kbtool import stopping
from kbtool.config import Config, ConfigError, SourceConfig
from kbtool.crawler.html_page import parse_html
from kbtool.crawler.parsed import ParsedPage
from kbtool.crawler.pdf_page import parse_pdf
from kbtool.crawler.robots import RobotsRules
from kbtool.documents import Document, Failure, Listing, SourceDown
from kbtool.net.http import HostUnreachable, HttpClient, HttpError, HttpSettings, Response

log = logging.getLogger(__name__)

ACCEPTED = ("text/html", "application/xhtml+xml", "application/pdf")
STATE_FILE = "pages.json"
STATE_FORMAT = 1
INDEX_PAGE = "index.html"
GONE = frozenset({404, 410})  # statuses saying a page no longer exists


class PageError(Exception):
    """A page that was downloaded but cannot be used; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class KnownPage:
    """What a run learnt of one URL: enough for a conditional request and to go on crawling."""

    page_id: str
    version: str
    etag: str = ""
    last_modified: str = ""
    links: tuple[str, ...] = ()


@dataclass
class _Run:
    """The mutable state of one crawl (never kept between runs except through the state file)."""

    known: dict[str, KnownPage]
    queue: deque[str]
    seen: set[str] = field(default_factory=set)
    visited: int = 0
    versions: dict[str, str] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    learnt: dict[str, KnownPage] = field(default_factory=dict)
    complete: bool = True


class Scope:
    """The URLs of a site under one prefix, and the page ids they map to."""

    def __init__(self, source_name: str, prefix: str):
        self.source_name = source_name
        self.prefix = normalize(prefix)

    def contains(self, url: str) -> bool:
        """Whether ``url`` (normalized) is under the prefix."""
        return url.startswith(self.prefix)

    def page_id(self, url: str) -> str:
        """``<source>/<path relative to the prefix>``; a folder URL names its ``index.html``."""
        relative = unquote(url[len(self.prefix):]).lstrip("/")
        path, query = relative.split("?", 1) if "?" in relative else (relative, "")
        if not path or path.endswith("/"):
            path += INDEX_PAGE
        return f"{self.source_name}/{path}" + (f"?{query}" if query else "")

    def namespace(self, page_id: str) -> str:
        """The folder of the page relative to the prefix ("" at the top)."""
        return page_id.split("?", 1)[0].partition("/")[2].rpartition("/")[0]

    def links(self, page_url: str, hrefs: tuple[str, ...]) -> tuple[str, ...]:
        """The links of a page that lead to pages in scope, absolute, normalized, once each."""
        urls = (normalize(urljoin(page_url, href)) for href in hrefs)
        return tuple(dict.fromkeys(u for u in urls if _is_web(u) and self.contains(u)))


class WebsiteSource:
    """The ``website`` source (see the module docstring)."""

    def __init__(self, source: SourceConfig, config: Config, state_dir: Path | None = None):
        self.name = source.name
        self.start_urls = [normalize(url) for url in source.get("start_urls")]
        if not self.start_urls:
            raise ConfigError(f"source {self.name!r}: start_urls is empty")
        self.scope = Scope(self.name, source.get("allowed_prefix")
                           or self.start_urls[0].rpartition("/")[0] + "/")
        outside = [url for url in self.start_urls if not self.scope.contains(url)]
        if outside:
            raise ConfigError(f"source {self.name!r}: start URL {outside[0]} is outside "
                              f"allowed_prefix {self.scope.prefix}")
        self.sitemap = source.get("sitemap")
        self.max_pages = source.get("max_pages")
        settings = HttpSettings.from_config(config)
        self.client = HttpClient(settings)
        self.robots = RobotsRules(self.client, settings.user_agent)
        folder = state_dir or config.index_dir.parent / "crawl-state" / self.name
        self.state_file = folder / STATE_FILE
        self._documents: dict[str, Document | None] = {}
        self._urls: dict[str, str] = {}

    def listing(self) -> Listing:
        """Crawl the site: every page reached with its version, failures as values."""
        run = _Run(known=load_state(self.state_file), queue=deque(self.start_urls))
        run.queue.extend(self._sitemap_urls(run))
        while run.queue and run.visited < self.max_pages:
            stopping.check()
            url = run.queue.popleft()
            page_id = self.scope.page_id(url)
            if page_id not in run.seen:
                run.seen.add(page_id)
                self._visit(run, url, page_id)
        self._check_cap(run)
        save_state(self.state_file, run.learnt)
        log.info("%s: %d pages listed, %d requests, %d failures", self.name, len(run.versions),
                 run.visited, len(run.failures))
        return Listing(versions=run.versions, failures=tuple(run.failures),
                       complete=run.complete)

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The page parsed during the listing, else downloaded now (a 304 page whose content
        the index lacks); None for a page without text or no longer allowed."""
        if page_id in self._documents:
            return self._documents[page_id]
        url = self._urls.get(page_id)
        if url is None:
            return Failure(self.name, page_id, "not reached by this run's crawl")
        try:
            if not self.robots.allowed(url):
                return None
            return self._download(url, page_id, None)[0]
        except HostUnreachable as error:
            return SourceDown(self.name, url, error.reason)
        except (HttpError, PageError) as error:
            return None if _gone(error) else Failure(self.name, url, error.reason)

    def _visit(self, run: _Run, url: str, page_id: str) -> None:
        """Fetch one URL (conditionally if known) and record its version and links."""
        old = run.known.get(url)
        try:
            if not self.robots.allowed(url):
                self._disallowed(run, url)
                return
            run.visited += 1
            found = self._download(url, page_id, old)
        except HostUnreachable as error:
            self._host_down(run, url, error.reason)
            return
        except (HttpError, PageError) as error:
            if _gone(error) and url not in self.start_urls:
                log.info("%s: %s is gone (%s)", self.name, url, error.reason)
            else:
                self._failed(run, url, old, error.reason)
            return
        if found is None:
            self._keep(run, url, old)
            return
        document, page = found
        if page.page_id != page_id and page.page_id in run.seen:
            return
        run.seen.add(page.page_id)
        self._documents[page.page_id] = document
        self._remember(run, url, page)

    def _download(self, url: str, page_id: str,
                  old: KnownPage | None) -> tuple[Document | None, KnownPage] | None:
        """The parsed page and what to remember of it; None when unchanged since ``old``."""
        response = self.client.get(url, accept=ACCEPTED, etag=old.etag if old else "",
                                   last_modified=old.last_modified if old else "")
        if response.not_modified:
            if old is None:
                raise PageError("HTTP 304 to a request that was not conditional")
            return None
        final = normalize(response.url)
        if final != url:
            if not self.scope.contains(final):
                raise PageError(f"redirected outside {self.scope.prefix} to {final}")
            page_id = self.scope.page_id(final)
        parsed = _parse(response)
        page = KnownPage(page_id=page_id, version=_version(response), etag=response.etag,
                         last_modified=response.last_modified,
                         links=self.scope.links(final, parsed.links))
        return self._document(final, page, parsed, response), page

    def _document(self, url: str, page: KnownPage, parsed: ParsedPage,
                  response: Response) -> Document | None:
        if not any(section.heading or section.text for section in parsed.sections):
            log.info("%s: no text, left out", url)
            return None
        title = parsed.title or page.page_id.rpartition("/")[2]
        return Document(source=self.name, page_id=page.page_id, title=title, url=url,
                        namespace=self.scope.namespace(page.page_id), version=page.version,
                        sections=parsed.sections, modified=_timestamp(response.last_modified),
                        tags=parsed.tags)

    def _remember(self, run: _Run, url: str, page: KnownPage) -> None:
        """List the page, keep it for the next run and queue its links."""
        run.versions[page.page_id] = page.version
        run.learnt[url] = page
        self._urls[page.page_id] = url
        run.queue.extend(page.links)

    def _keep(self, run: _Run, url: str, old: KnownPage | None) -> None:
        """An unchanged or failed page keeps the version and links it had last time."""
        if old is not None:
            self._remember(run, url, old)

    def _failed(self, run: _Run, url: str, old: KnownPage | None, reason: str) -> None:
        log.warning("%s: %s: %s", self.name, url, reason)
        run.failures.append(Failure(self.name, url, reason))
        if url in self.start_urls:
            run.complete = False
        self._keep(run, url, old)

    def _host_down(self, run: _Run, url: str, reason: str) -> None:
        """Stop the crawl: what was not visited yet keeps what the last run knew of it."""
        log.warning("%s: %s: %s", self.name, url, reason)
        run.failures.append(Failure(self.name, url, f"{reason}; crawl stopped, the pages not "
                                                    "visited keep their indexed version"))
        run.queue.clear()
        _keep_unvisited(run)

    def _disallowed(self, run: _Run, url: str) -> None:
        log.info("%s: %s disallowed by robots.txt", self.name, url)
        if url in self.start_urls:
            run.failures.append(Failure(self.name, url, "start URL disallowed by robots.txt"))

    def _check_cap(self, run: _Run) -> None:
        """A crawl cut short by max_pages has not seen the whole site: say so, and keep what
        the last run knew of the pages it did not reach."""
        pending = {self.scope.page_id(url) for url in run.queue} - run.seen
        if not pending:
            return
        run.failures.append(Failure(
            self.name, self.scope.prefix,
            f"stopped at max_pages={self.max_pages}; at least {len(pending)} more pages not "
            "visited (raise max_pages)"))
        _keep_unvisited(run)

    def _sitemap_urls(self, run: _Run) -> list[str]:
        if not self.sitemap:
            return []
        try:
            return self._read_sitemap(self.sitemap, nested=False)
        except (HttpError, PageError) as error:
            log.warning("%s: %s: %s", self.name, self.sitemap, error.reason)
            run.failures.append(Failure(self.name, self.sitemap, error.reason))
            run.complete = False
            return []

    def _read_sitemap(self, url: str, nested: bool) -> list[str]:
        """Page URLs in scope listed by a sitemap, or by the sitemaps of a sitemap index."""
        root = _xml(self.client.get(url).body)
        locations = [loc.text.strip() for loc in root.iter("{*}loc") if loc.text]
        if etree.QName(root).localname != "sitemapindex":
            return [u for u in map(normalize, locations) if self.scope.contains(u)]
        if nested:
            raise PageError("sitemap index inside a sitemap index")
        return [page for child in locations for page in self._read_sitemap(child, nested=True)]


def _keep_unvisited(run: _Run) -> None:
    """A crawl that did not see the whole site: the listing is incomplete (the reindex deletes
    nothing), and the state keeps what the last run knew of the pages not visited."""
    run.complete = False
    for url, page in run.known.items():
        run.learnt.setdefault(url, page)


def _gone(error: HttpError | PageError) -> bool:
    return isinstance(error, HttpError) and error.status in GONE


def normalize(url: str) -> str:
    """One spelling per page: no fragment, lower-case scheme and host, no default port,
    ``/`` for an empty path, percent-encoding made uniform."""
    parts = urlsplit(requote_uri(url.strip()))
    netloc = parts.netloc.lower()
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme.lower(), "")
    if default_port and netloc.endswith(default_port):
        netloc = netloc[:-len(default_port)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def load_state(path: Path) -> dict[str, KnownPage]:
    """URL → what the last run learnt; empty (every page fetched in full) if missing or bad."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != STATE_FORMAT:
            raise ValueError(f"unknown format {raw.get('format')!r}")
        return {url: KnownPage(**{**page, "links": tuple(page["links"])})
                for url, page in raw["pages"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("%s: crawl state unreadable, fetching every page in full (%s)", path, exc)
        return {}


def save_state(path: Path, pages: dict[str, KnownPage]) -> None:
    """Write the state atomically, so an interrupted run leaves the previous one intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"format": STATE_FORMAT, "pages": {url: asdict(page) for url, page in pages.items()}}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _parse(response: Response) -> ParsedPage:
    try:
        if response.content_type == "application/pdf":
            return parse_pdf(response.body)
        return parse_html(response.body, response.encoding)
    except ValueError as exc:
        raise PageError(str(exc)) from None
    except Exception as exc:  # a parser bug must not stop the run; the trace goes to the log
        log.exception("unexpected error parsing %s", response.url)
        raise PageError(f"unexpected error: {exc!r}") from None


def _xml(body: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise PageError(f"not a readable sitemap: {exc}") from None


def _version(response: Response) -> str:
    """The server's validator when it gives one, else a hash of the content."""
    return (response.etag or response.last_modified
            or "sha256:" + hashlib.sha256(response.body).hexdigest()[:16])


def _timestamp(http_date: str) -> float:
    try:
        return parsedate_to_datetime(http_date).timestamp() if http_date else 0.0
    except (TypeError, ValueError):
        return 0.0


def _is_web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")
