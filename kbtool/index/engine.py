"""Which engine holds the index: the one place that names it.

Everything outside ``kbtool.index`` gets the index through these two functions and sees it
through the protocols of ``kbtool.index.reading`` and ``kbtool.index.updating``; replacing
Whoosh (docs/scaling.md) changes this module, not its callers.
"""

from __future__ import annotations

from kbtool.config import Config
from kbtool.index.reading import SearchIndex
from kbtool.index.search import Searcher
from kbtool.index.updating import UpdatableIndex
from kbtool.index.whoosh_index import WhooshIndex


def search_index(config: Config) -> SearchIndex:
    """The configured index, to search (``IndexMissing`` when none has been built yet)."""
    return Searcher(config.index_dir, min_coverage=config.get("search.min_coverage"),
                    sections_per_page=config.get("search.sections_per_page"))


def updatable_index(config: Config) -> UpdatableIndex:
    """The configured index, as the reindex pipeline updates it (and ``kbtool status`` counts
    its pages)."""
    return WhooshIndex(config.index_dir, memory_mb=config.get("index.memory_mb"))
