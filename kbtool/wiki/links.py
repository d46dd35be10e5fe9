"""Links to the team's own wiki: which link targets of an article are pages of it.

An author links a page of the wiki as DokuWiki names it (``[x](ns:page)``, ``ns:page#section``)
or by its address (``https://wiki…/doku.php?id=ns:page``, ``…/doku.php/ns:page``, or ``…/ns:page``
on a wiki that rewrites its URLs).  Published as an internal link (``[[ns:page|x]]``), the page
shows in the target's backlinks, the wiki marks it when the target does not exist, and kbtool's
crawler reads it as a link between pages, which lifts linked pages in search (see
:mod:`kbtool.index.ranking`).  The wiki is the ``dokuwiki`` source named by ``web.wiki_source``.

Ids are made as DokuWiki makes them (``cleanID``), anchors as it makes a heading's
(``sectionID``): what comes out holds only lowercase letters, digits, ``_``, ``-``, ``.`` and
``:``, never a character that ends or splits a link.  A bare id must be namespaced (``ns:page``):
``page`` alone would be relative to the article's namespace in DokuWiki and is left as it was (its
text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from kbtool.wiki.ids import page_url, resolve_link, section_id

# A page id as typed (after percent-decoding): words, spaces, '.', '-', at least one ':'.
_TYPED_ID = re.compile(r":?[\w .-]+(?::[\w .-]*)+")
_URL_SCHEMES = ("http", "https", "mailto")
# Paths of a wiki with rewritten URLs that are not pages.
_NOT_PAGES = ("lib/", "_media/", "_detail/", "_export/")


@dataclass(frozen=True)
class WikiPage:
    """A page of the wiki (its clean id) and a section anchor ('' for the top)."""

    wiki_id: str
    anchor: str = ""

    @property
    def target(self) -> str:
        """The target of a DokuWiki internal link to it (a page outside any namespace is
        written ``:page``, or DokuWiki would look for it in the linking page's namespace)."""
        absolute = self.wiki_id if ":" in self.wiki_id else f":{self.wiki_id}"
        return f"{absolute}#{self.anchor}" if self.anchor else absolute


@dataclass(frozen=True)
class WikiLinks:
    """The wiki at ``base_url`` (its ``doku.php`` or the folder holding it) as link targets."""

    base_url: str

    def page_of(self, href: str) -> WikiPage | None:
        """The page a link target names, or None when it is no page of this wiki."""
        address = urlsplit(href)
        if address.scheme.lower() in ("http", "https"):
            typed = self._id_in_address(address.netloc, address.path, address.query)
        elif _TYPED_ID.fullmatch(unquote(href.partition("#")[0])) and \
                href.partition(":")[0].lower() not in _URL_SCHEMES:
            typed = unquote(href.partition("#")[0])
        else:
            return None
        wiki_id = resolve_link("", typed) if typed else ""
        if not wiki_id:
            return None
        anchor = unquote(href.partition("#")[2])
        return WikiPage(wiki_id, section_id(anchor, None) if anchor.strip() else "")

    def url_of(self, page: WikiPage) -> str:
        """The public address of the page (and section)."""
        return page_url(self.base_url, page.wiki_id, page.anchor)

    def _id_in_address(self, host: str, path: str, query: str) -> str:
        """The page id an address of this wiki carries ('' when it names no page)."""
        base = urlsplit(self.base_url)
        folder = base.path if base.path.endswith("/") else base.path.rpartition("/")[0] + "/"
        if host.lower() != base.netloc.lower() or not path.startswith(folder):
            return ""
        rest = unquote(path[len(folder):])
        if query:
            fields = parse_qs(query)
            return fields["id"][0] if set(fields) == {"id"} and rest in ("", "doku.php") else ""
        if rest.startswith("doku.php/"):
            return rest.removeprefix("doku.php/")
        return "" if ".php" in rest or rest.startswith(_NOT_PAGES) else rest
