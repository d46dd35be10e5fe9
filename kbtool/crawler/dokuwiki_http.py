"""A DokuWiki read over its remote API, for when the crawler cannot read the wiki's folder.

Pages get the same identity as with the ``dokuwiki-dir`` source (``wiki/tutoriel/x.txt`` for
``tutoriel:x``), so switching a wiki from one kind of source to the other keeps its evaluation
data and its index entries.  The version of a page is its current revision (a Unix time), which
the page list gives for every page in one call, so an incremental run costs one request plus one
per changed page.  The wiki's ACL applies: pages the account may not read are not listed.

A listing that fails (login refused, API off, wiki unreachable) comes back incomplete with the
reason, never as an empty wiki: the reindex then deletes nothing.  Likewise a listed page that
cannot be read is a Failure, never an empty page: refused (the wiki's ``remoteuser`` or ACL
changed during the run), or answered with no text although the page list gives it a size
(Igor's XML-RPC answers many errors with an empty value and status 200).  A wiki that stops
answering mid-run gives a ``SourceDown``, which stops the reading of this source.
"""

from __future__ import annotations

import logging

from kbtool.config import Config, SourceConfig
from kbtool.crawler.base import RawPage
from kbtool.wiki.api import (AccessDenied, DokuWikiAPI, DokuWikiError, PageRef,
                                          WikiUnreachable, connect)
from kbtool.crawler.dokuwiki_syntax import parse_dokuwiki, wiki_document
from kbtool.documents import Document, Failure, Listing, SourceDown
from kbtool.wiki.ids import page_id_for, wiki_id_from_path

log = logging.getLogger(__name__)


class DokuWikiHTTPSource:
    """``kind = "dokuwiki"``: settings ``url``, ``user``, ``password_env``/``password_file``."""

    def __init__(self, source: SourceConfig, config: Config):
        self.name = source.name
        self.url: str = source.get("url")
        self.api: DokuWikiAPI = connect(source, config)
        self._listed: dict[str, PageRef] = {}   # page id → what the page list said of it

    def listing(self) -> Listing:
        """Every page the account may read, page id → revision."""
        try:
            pages = self.api.list_pages()
        except DokuWikiError as exc:
            log.warning("%s: listing failed: %s", self.name, exc)
            return Listing(failures=(Failure(self.name, self.url, str(exc)),), complete=False)
        self._listed = {self.page_id(page.wiki_id): page for page in pages}
        return Listing(versions={pid: str(page.revision) for pid, page in self._listed.items()})

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The page parsed into sections (a redirect as its target's other name); None for an
        empty page, or for a page the listing did not give that is forbidden or missing."""
        raw = self.read(page_id)
        return self.parse(raw) if isinstance(raw, RawPage) else raw

    def read(self, page_id: str) -> RawPage | Failure | None:
        """The page's wiki text at its listed revision; a Failure when a listed page cannot be
        read; None for an empty page, or for an unlisted page the account may not read or that
        does not exist."""
        wiki_id = self.wiki_id(page_id)
        listed = self._listed.get(page_id)
        try:
            revision = listed.revision if listed else self._current_revision(wiki_id)
            text = self.api.get_page(wiki_id) if revision else ""
        except WikiUnreachable as exc:
            return SourceDown(self.name, self.url, str(exc))
        except AccessDenied as exc:
            if listed is not None:
                return Failure(self.name, wiki_id, f"read refused although the page list "
                                                   f"gives it: {exc}")
            log.info("%s: %s left out: %s", self.name, wiki_id, exc)
            return None
        except DokuWikiError as exc:
            return Failure(self.name, wiki_id, str(exc))
        if not text and listed is not None and listed.size > 0:
            return Failure(self.name, wiki_id, f"the wiki answered an empty text although its "
                                               f"page list gives the page {listed.size} bytes")
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
