"""What a search returns: pages, each with its best sections, and whether the answer is confident.

These frozen values are all the web UI and the CLI see of the index.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionHit:
    """One matching section; ``snippet`` is safe HTML (text escaped, matches in ``<mark>``),
    ``text`` the section's plain text as indexed (so an agent reads it before citing it)."""

    heading: str
    anchor: str
    url: str
    snippet: str
    score: float
    text: str = ""


@dataclass(frozen=True)
class IndexedSection:
    """One section of a page as the index holds it now, in the page's order: what a citation
    made earlier is compared with."""

    page_id: str
    page_title: str
    heading: str
    anchor: str
    url: str
    text: str


@dataclass(frozen=True)
class PageHit:
    """One page, ranked by its best section; ``sure`` when it is one of the pages a confident
    search judges to answer."""

    page_id: str
    source: str
    namespace: str
    title: str
    url: str
    modified: float
    score: float
    sections: tuple[SectionHit, ...]
    sure: bool = False


@dataclass(frozen=True)
class SearchResults:
    """A page of results.  ``confident`` is False when no page holds enough of the query's key
    terms to be an answer: the UI then offers to write the missing article.  ``answers``
    counts the pages of the whole ranking that answer (those worth reading; 0 unless
    confident), ``total`` every page holding a key term; ``also_searched`` the synonyms
    searched beside the typed words ("recherché aussi : courriel")."""

    query: str
    hits: tuple[PageHit, ...]
    total: int
    page: int
    page_count: int
    confident: bool
    suggestion: str | None = None
    answers: int = 0
    also_searched: tuple[str, ...] = ()
