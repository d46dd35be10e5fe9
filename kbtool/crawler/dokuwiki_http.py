"""A DokuWiki read over its remote API, for when the crawler cannot read the wiki's folder.

Pages get the same identity as with the ``dokuwiki-dir`` source (``wiki/tutoriel/x.txt`` for
``tutoriel:x``), so switching a wiki from one kind of source to the other keeps its evaluation
data and its index entries.  The version of a page is its current revision (a Unix time), which
the page list gives for every page in one call, so an incremental run costs one request plus one
per changed page.  The wiki's ACL applies: pages the account may not read are not listed.

A listing that fails (login refused, API off, wiki unreachable) comes back incomplete with the
reason, never as an empty wiki: the reindex then deletes nothing.
"""

from __future__ import annotations

import logging

from kbtool.config import Config, SourceConfig
from kbtool.crawler.base import RawPage
from kbtool.crawler.dokuwiki_api import AccessDenied, DokuWikiAPI, DokuWikiError, connect
from kbtool.crawler.dokuwiki_ids import page_id_for, wiki_id_from_path
from kbtool.crawler.dokuwiki_syntax import parse_dokuwiki, wiki_document
from kbtool.documents import Document, Failure, Listing

log = logging.getLogger(__name__)


class DokuWikiHTTPSource:
    """``kind = "dokuwiki"``: settings ``url``, ``user``, ``password_env``/``password_file``."""

    def __init__(self, source: SourceConfig, config: Config):
        self.name = source.name
        self.url: str = source.get("url")
        self.api: DokuWikiAPI = connect(source, config)
        self._revisions: dict[str, int] = {}

    def listing(self) -> Listing:
        """Every page the account may read, page id → revision."""
        try:
            pages = self.api.list_pages()
        except DokuWikiError as exc:
            log.warning("%s: listing failed: %s", self.name, exc)
            return Listing(failures=(Failure(self.name, self.url, str(exc)),), complete=False)
        self._revisions = {self.page_id(p.wiki_id): p.revision for p in pages}
        return Listing(versions={pid: str(rev) for pid, rev in self._revisions.items()})

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The page parsed into sections (a redirect as its target's other name); None for an
        empty or a forbidden page."""
        raw = self.read(page_id)
        return self.parse(raw) if isinstance(raw, RawPage) else raw

    def read(self, page_id: str) -> RawPage | Failure | None:
        """The page's wiki text at its listed revision; None for a page the account may not
        read or that no longer exists."""
        wiki_id = self.wiki_id(page_id)
        try:
            revision = self._revisions.get(page_id) or self._current_revision(wiki_id)
            text = self.api.get_page(wiki_id) if revision else ""
        except AccessDenied as exc:
            log.info("%s: %s left out: %s", self.name, wiki_id, exc)
            return None
        except DokuWikiError as exc:
            return Failure(self.name, wiki_id, str(exc))
        return RawPage(page_id, str(revision), text) if text.strip() else None

    def parse(self, raw: RawPage) -> Document | None:
        """Wiki text → Document, linked to the wiki's own pages and anchors."""
        wiki_id = self.wiki_id(raw.page_id)
        return wiki_document(parse_dokuwiki(raw.text, wiki_id), source=self.name,
                             page_id=raw.page_id, wiki_id=wiki_id, base_url=self.url,
                             version=raw.version, modified=float(raw.version))

    def page_id(self, wiki_id: str) -> str:
        """``tutoriel:x`` → ``<source>/tutoriel/x.txt`` (see ``page_id_for``)."""
        return page_id_for(self.name, wiki_id)

    def wiki_id(self, page_id: str) -> str:
        """Inverse of :meth:`page_id`."""
        return wiki_id_from_path(page_id.removeprefix(self.name + "/"))

    def _current_revision(self, wiki_id: str) -> int:
        info = self.api.page_info(wiki_id)
        return info.revision if info else 0
