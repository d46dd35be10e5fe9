"""Searching the index: a long-lived searcher that ranks pages and builds their result entries.

One Searcher lives as long as the process and :meth:`Searcher.refresh` reopens only when a
reindex committed or swapped in a new generation.  Opening copies nothing: Whoosh's files and
the scoring arrays written beside each commit (``kbtool.index.arrays``) are memory-mapped, so
the web workers share them in the page cache.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from whoosh import highlight
from whoosh.searching import Searcher as WhooshSearcher

from kbtool.config import declared_default
from kbtool.documents import section_url
from kbtool.index import schema as f
from kbtool.index.analysis import stem_analyzer
from kbtool.index.arrays import open_arrays
from kbtool.index.postings import Postings
from kbtool.index.query import ParsedQuery, parse
from kbtool.index.ranking import PageTable, Ranking, rank
from kbtool.index.results import PageHit, SearchResults, SectionHit
from kbtool.index.store import IndexStore

_FORMATTER = highlight.HtmlFormatter(tagname="mark", classname="", between=" … ")
_FRAGMENTER = highlight.ContextFragmenter(maxchars=160, surround=60)
_SNIPPET_TEXT = 6_000      # characters of a section scanned for its snippet
_ANALYZER = stem_analyzer()
# A search is confident when one of its first pages holds enough of the query's key terms:
# whether the knowledge base answers should not hang on which of two close pages ranks first.
CONFIDENCE_PAGES = 3
# The pages worth reading of a confident search: holding enough of the key terms, and scoring at
# least this share of the best of those (on the dev queries, 0.3 / 0.5 / 0.7 keep 334 / 99 / 41
# pages, of which 21 / 49 / 76 % judged relevant, finding 70 / 49 / 31 % of the judged pages).
SURE_SCORE_SHARE = 0.5


@dataclass(frozen=True)
class _View:
    """Everything searching needs from one commit of the index."""

    searcher: WhooshSearcher
    postings: Postings
    pages: PageTable
    acronyms: dict[str, bool]       # words found written in capitals, or not (see query.parse)


class Searcher:
    """Search one index folder; thread-safe, cheap to refresh after a reindex."""

    def __init__(self, index_dir: Path,
                 min_coverage: float = declared_default("search.min_coverage"),
                 sections_per_page: int = declared_default("search.sections_per_page")) -> None:
        self.store = IndexStore(Path(index_dir))
        self.min_coverage = min_coverage
        self.sections_per_page = sections_per_page
        self._lock = threading.Lock()
        self._generation = ""
        self._view: _View | None = None
        self.refresh()

    def refresh(self) -> None:
        """See the latest commit or rebuilt generation (a no-op when nothing changed).

        A new Whoosh searcher is opened rather than ``refresh()``-ing the old one: whoosh3
        reuses the readers of segments it had open and so misses deletions committed into them,
        and it closes files that a search running in another thread may still be reading.  The
        old view is released when its last user drops it.
        """
        with self._lock:
            generation = self.store.generation()
            view = self._view
            if view is not None and generation == self._generation and \
                    view.searcher.up_to_date():
                return
            index = self.store.open()
            searcher = index.searcher()
            reader = searcher.reader()
            arrays = open_arrays(Path(index.storage.folder), reader)
            self._view = _View(searcher, Postings(reader, arrays.live, arrays.lengths),
                               arrays.pages, {})
            self._generation = generation

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._view is not None:
                self._view.searcher.close()
                self._view = None

    def search(self, query: str, *, sources: Sequence[str] = (),
               namespaces: Sequence[str] = (),
               limit: int = declared_default("search.limit"), page: int = 1) -> SearchResults:
        """A page of results for what the agent typed."""
        view = self._current()
        parsed = parse(query, view.searcher.reader(), view.acronyms)
        ranking = rank(parsed.terms, view.postings, view.pages,
                       _allowed(view.postings, tuple(sources), tuple(namespaces)))
        limit = max(1, limit)
        total = len(ranking)
        page_count = max(1, -(-total // limit))
        page = min(max(1, page), page_count)
        shown = range((page - 1) * limit, min(page * limit, total))
        confident = bool(total) and bool(parsed.terms) and \
            float(ranking.page_coverage[:CONFIDENCE_PAGES].max()) >= self.min_coverage
        sure = _sure_pages(ranking, self.min_coverage) if confident else np.zeros(total, bool)
        hits = tuple(self._page_hit(view, parsed, ranking, i, bool(sure[i])) for i in shown)
        return SearchResults(query=query, hits=hits, total=total, page=page,
                             page_count=page_count, confident=confident,
                             suggestion=parsed.suggestion(query), answers=int(sure.sum()))

    def similar(self, text: str, limit: int = 5) -> tuple[PageHit, ...]:
        """Pages close to a title or question (to avoid writing a duplicate article)."""
        return self.search(text, limit=limit).hits

    def has_page(self, page_id: str) -> bool:
        """True when that page is indexed with text (not a skipped redirect)."""
        return bool(len(self._current().postings.term(f.KEY, f"{page_id}#0")[0]))

    def page(self, page_id: str) -> PageHit | None:
        """An indexed page as a result without sections (None when it is not indexed): what
        to show of a page named by its id."""
        view = self._current()
        first = view.postings.term(f.KEY, f"{page_id}#0")[0]
        if not len(first):
            return None
        return _page_of(view.searcher.stored_fields(int(first[0])), 0.0, ())

    def section_text(self, page_id: str, anchor: str) -> str | None:
        """The text of one section as indexed (None when the page or the section is no longer
        there): what a reviewer reads of a section cited in a reply."""
        view = self._current()
        for docnum in view.postings.term(f.PAGE_ID, page_id)[0]:
            fields = view.searcher.stored_fields(int(docnum))
            if fields.get(f.ANCHOR, "") == anchor:
                return fields.get(f.BODY, "")
        return None

    def facets(self) -> dict[str, list[str]]:
        """Source name → its namespaces, for the filters of the search page."""
        view = self._current()
        result: dict[str, set[str]] = defaultdict(set)
        first_sections = view.postings.term(f.SECTION_NO, _numeric(view, 0))[0]
        for docnum in first_sections:
            fields = view.searcher.stored_fields(int(docnum))
            result[fields[f.SOURCE]].add(fields.get(f.NAMESPACE, ""))
        return {source: sorted(n for n in spaces if n) for source, spaces in sorted(result.items())}

    def _current(self) -> _View:
        if self._view is None:
            self.refresh()
        assert self._view is not None
        return self._view

    def _page_hit(self, view: _View, parsed: ParsedQuery, ranking: Ranking,
                  index: int, sure: bool) -> PageHit:
        sections = ranking.sections(index)[: self.sections_per_page]
        stored = [view.searcher.stored_fields(int(d)) for d in sections]
        best = stored[0]
        words = frozenset(form.stem for t in parsed.terms for form in t.forms)
        shown = tuple(_section_hit(fields, words, float(ranking.section_scores[d]))
                      for fields, d in zip(stored, sections))
        return _page_of(best, float(ranking.page_scores[index]), shown, sure)


def _page_of(fields: dict, score: float, sections: tuple[SectionHit, ...],
             sure: bool = False) -> PageHit:
    """A page as a result, from the stored fields of one of its sections."""
    return PageHit(page_id=fields[f.PAGE_ID], source=fields[f.SOURCE],
                   namespace=fields.get(f.NAMESPACE, ""), title=fields.get(f.PAGE_TITLE, ""),
                   url=fields[f.URL], modified=fields.get(f.MODIFIED, 0.0), score=score,
                   sections=sections, sure=sure)


def _sure_pages(ranking: Ranking, min_coverage: float) -> np.ndarray:
    """Mask of the ranked pages that answer: enough key terms held, and a score close to the
    best of such pages (a precise question shares words with many pages that do not answer)."""
    covered = ranking.page_coverage >= min_coverage
    if not covered.any():
        return covered
    best = float(ranking.page_scores[covered].max())
    return covered & (ranking.page_scores >= SURE_SCORE_SHARE * best)


def _allowed(postings: Postings, sources: tuple[str, ...],
             namespaces: tuple[str, ...]) -> np.ndarray | None:
    """Mask of the sections inside the chosen sources and namespaces (None: all)."""
    mask = None
    if sources:
        mask = postings.mask(f.SOURCE, sources)
    if namespaces:
        spaces = postings.mask(f.NAMESPACES, namespaces)
        mask = spaces if mask is None else mask & spaces
    return mask


def _numeric(view: _View, value: int) -> bytes:
    """The indexed term of a NUMERIC field value."""
    return view.searcher.schema[f.SECTION_NO].to_bytes(value)


def _section_hit(fields: dict, stems: frozenset[str], score: float) -> SectionHit:
    body = fields.get(f.BODY, "")
    text = body[:_SNIPPET_TEXT]
    snippet = highlight.highlight(text, stems, _ANALYZER, _FRAGMENTER, _FORMATTER, top=2)
    if not snippet:
        snippet = highlight.htmlescape(text[:200])
    anchor = fields.get(f.ANCHOR, "")
    return SectionHit(heading=fields.get(f.HEADING, ""), anchor=anchor,
                      url=section_url(fields[f.URL], anchor), snippet=snippet, score=score,
                      text=body)
