"""The records that cross from the crawler to the index: a page, its sections, a failure.

Every source, local or remote, produces these same frozen values, so the index never needs to
know where a page came from and the crawler never needs to know how it is indexed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """One heading of a page and the text under it, up to the next heading.

    ``anchor`` is the fragment that lands on the heading in the published page (DokuWiki's own
    section id, an HTML heading id, ``page=N`` for a PDF page); empty for the text before the
    first heading.
    """

    heading: str
    anchor: str
    text: str
    level: int = 1


@dataclass(frozen=True)
class Document:
    """One page of a source, ready to be indexed.

    ``page_id`` is the page's identity across runs and in evaluations:
    ``<source name>/<path relative to the source root>`` (``wiki/tutoriel/x.txt`` for the
    DokuWiki page ``tutoriel:x``).  ``version`` changes whenever the page changes (an mtime, a
    wiki revision or a content hash) and drives incremental reindexing.  ``links`` are the
    page ids of the same source's pages this one links to; only wikis fill it: a wiki's links
    are written by its authors (a "burning CDs" page lists the burning programs), while a
    documentation site's are mostly its navigation (previous, next, contents).  ``redirect``
    is set on a wiki's redirect-only page (no sections): the page id it sends readers to, which
    its name then also describes (as a wiki's authors made ``screenshot`` lead to
    ``capture_d_ecran``); it is never a search result itself.
    """

    source: str
    page_id: str
    title: str
    url: str
    namespace: str
    version: str
    sections: tuple[Section, ...]
    modified: float = 0.0
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    redirect: str = ""

    def section_url(self, anchor: str) -> str:
        """Deep link to one section of the page (the page itself when ``anchor`` is empty)."""
        return section_url(self.url, anchor)


def section_url(page_url: str, anchor: str) -> str:
    """``page_url#anchor``, or the page URL alone when there is no anchor."""
    if not anchor:
        return page_url
    return f"{page_url.split('#', 1)[0]}#{anchor}"


@dataclass(frozen=True)
class Failure:
    """A page or source that could not be read: where, and why, in words a person can act on."""

    source: str
    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.location}: {self.reason}"


@dataclass(frozen=True)
class SourceDown(Failure):
    """A source whose server stopped answering in the middle of a run (several connections
    in a row refused or dropped): its pages not read yet are not asked for, since each would
    only wait for its retries, and keep their last indexed version."""


@dataclass(frozen=True)
class Listing:
    """What a source holds right now: page id → version, and what failed while listing.

    ``complete`` is False when the listing itself failed part-way: the reindex then must not
    delete pages it did not see, since their absence proves nothing.
    """

    versions: dict[str, str] = field(default_factory=dict)
    failures: tuple[Failure, ...] = ()
    complete: bool = True
