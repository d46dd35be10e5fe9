"""What search reads from the index: the one surface the web UI, the CLI, the evaluation and
the knowledge workflow see of it.

Whoosh's ``kbtool.index.search.Searcher`` is its only implementation today; another engine
(see docs/scaling.md) would take its place by implementing this protocol, and its callers would
not change.  What crosses it is the frozen result records of ``kbtool.index.results`` and the
errors of ``kbtool.index.errors``: no engine type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from kbtool.index.results import IndexedSection, PageHit, SearchResults


@runtime_checkable
class SearchIndex(Protocol):
    """A query → ranked pages, each with its best sections and their snippets; and the few
    questions about single pages the workflow asks.  Safe to share between threads."""

    def refresh(self) -> None:
        """See the latest published changes of the index (cheap when there are none)."""

    def close(self) -> None:
        """Release what the index holds open."""

    def search(self, query: str, *, sources: Sequence[str] = (),
               namespaces: Sequence[str] = (), limit: int = ..., page: int = 1,
               learned: Mapping[str, float] | None = None) -> SearchResults:
        """A page of results for what the agent typed, within the chosen sources and
        namespaces (all when empty); ``learned``: page id → how strongly the team's past
        citations tie that page to this question (0 to 1), a bounded lift."""

    def similar(self, text: str, limit: int = 5) -> tuple[PageHit, ...]:
        """Pages close to a title or question (to avoid writing a duplicate article)."""

    def common_word(self, word: str) -> bool:
        """True when the documentation writes that word in lower case or as an acronym (a
        word, where one it only writes capitalised is a name)."""

    def word_weights(self, text: str) -> dict[str, float]:
        """Stem → weight of each key word of ``text`` by its rarity in the documentation (a
        word it never writes weighs most), as the ranking weighs it."""

    def has_page(self, page_id: str) -> bool:
        """True when that page is indexed with text."""

    def page(self, page_id: str) -> PageHit | None:
        """An indexed page as a result without sections; None when it is not indexed."""

    def section_text(self, page_id: str, anchor: str) -> str | None:
        """One section's text as indexed; None when the page or the section is gone."""

    def page_sections(self, page_id: str) -> tuple[IndexedSection, ...]:
        """Every section of an indexed page in the page's order (none when it is not indexed)."""

    def version(self) -> str:
        """Names the state of the index this reader sees: it changes with every reindex that
        changed something, so work derived from the index is keyed on it."""

    def facets(self) -> dict[str, list[str]]:
        """Source name → its namespaces (the filters of the search page)."""
