"""Searching the index: section hits ranked by coverage of the query, grouped back into pages.

Whoosh's BM25F finds and scores candidate sections; a second pass rewards the sections (and
pages) that hold *more of the query's key terms*, weighted by rarity, since a question's rare
words (OFX, azerty, décès) are what separates the answer from pages sharing its common words.
The same coverage says whether the best page is a confident answer at all.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from whoosh import highlight
from whoosh.searching import Hit
from whoosh.searching import Searcher as WhooshSearcher

from kbtool.documents import section_url
from kbtool.index import schema as f
from kbtool.index.query import ParsedQuery, parse, restrict
from kbtool.index.results import PageHit, SearchResults, SectionHit
from kbtool.index.store import IndexStore

CANDIDATES = 400          # sections fetched from Whoosh before re-ranking
COVERAGE_POWER = 2.0      # how strongly missing key terms pull a section down
TITLE_TERM_FIELDS = (f.TITLE, f.TITLE_WORDS)


@dataclass(frozen=True)
class _Section:
    """A candidate section with what it matched."""

    hit: Hit
    score: float
    covered: frozenset[str]


class Searcher:
    """A long-lived searcher over one index folder; cheap to refresh after a reindex."""

    def __init__(self, index_dir: Path, min_coverage: float = 0.6,
                 sections_per_page: int = 3) -> None:
        self.store = IndexStore(Path(index_dir))
        self.min_coverage = min_coverage
        self.sections_per_page = sections_per_page
        self._lock = threading.Lock()
        self._generation = ""
        self._searcher: WhooshSearcher | None = None
        self.refresh()

    def refresh(self) -> None:
        """See the latest commit or rebuilt generation (a no-op when nothing changed)."""
        with self._lock:
            generation = self.store.generation()
            if self._searcher is not None and generation == self._generation:
                if self._searcher.up_to_date():
                    return
                self._searcher = self._searcher.refresh()
                return
            old, self._searcher = self._searcher, self.store.open().searcher()
            self._generation = generation
            if old is not None:
                old.close()

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def search(self, query: str, *, sources: Sequence[str] = (),
               namespaces: Sequence[str] = (), limit: int = 10, page: int = 1) -> SearchResults:
        """A page of results for what the agent typed."""
        searcher = self._current()
        parsed = parse(query, searcher.reader())
        ranked = self._rank_pages(searcher, parsed, restrict(tuple(sources), tuple(namespaces)))
        limit = max(1, limit)
        page_count = max(1, -(-len(ranked) // limit))
        page = min(max(1, page), page_count)
        shown = ranked[(page - 1) * limit: page * limit]
        hits = tuple(self._page_hit(parsed, sections) for sections in shown)
        return SearchResults(query=query, hits=hits, total=len(ranked), page=page,
                             page_count=page_count,
                             confident=self._confident(parsed, ranked),
                             suggestion=parsed.suggestion(query))

    def similar(self, text: str, limit: int = 5) -> tuple[PageHit, ...]:
        """Pages close to a title or question (to avoid writing a duplicate article)."""
        return self.search(text, limit=limit).hits

    def has_page(self, page_id: str) -> bool:
        """True when that page is indexed."""
        return self._current().document_number(**{f.PAGE_ID: page_id}) is not None

    def facets(self) -> dict[str, list[str]]:
        """Source name → its namespaces, for the filters of the search page."""
        searcher = self._current()
        result: dict[str, set[str]] = defaultdict(set)
        for fields in searcher.all_stored_fields():
            if fields.get(f.SECTION_NO) == 0:
                result[fields[f.SOURCE]].add(fields.get(f.NAMESPACE, ""))
        return {source: sorted(n for n in spaces if n) for source, spaces in sorted(result.items())}

    def _current(self) -> WhooshSearcher:
        if self._searcher is None:
            self.refresh()
        assert self._searcher is not None
        return self._searcher

    def _rank_pages(self, searcher: WhooshSearcher, parsed: ParsedQuery,
                    restriction) -> list[list[_Section]]:
        if parsed.query is None:
            return []
        results = searcher.search(parsed.query, limit=CANDIDATES, filter=restriction,
                                  terms=True)
        weights = {t.stem: t.weight for t in parsed.terms}
        total = sum(weights.values()) or 1.0
        by_page: dict[str, list[_Section]] = defaultdict(list)
        for hit in results:
            covered = _covered_terms(parsed, hit)
            coverage = sum(weights[s] for s in covered) / total
            by_page[hit[f.PAGE_ID]].append(
                _Section(hit=hit, score=hit.score * coverage ** COVERAGE_POWER, covered=covered))
        pages = [sorted(sections, key=lambda s: -s.score) for sections in by_page.values()]
        pages.sort(key=lambda sections: -_page_score(sections, weights, total))
        return pages

    def _confident(self, parsed: ParsedQuery, ranked: list[list[_Section]]) -> bool:
        """Does the best page hold enough of the query's weighted key terms?"""
        if not ranked or not parsed.terms:
            return False
        weights = {t.stem: t.weight for t in parsed.terms}
        covered = frozenset().union(*(s.covered for s in ranked[0]))
        return sum(weights[s] for s in covered) / sum(weights.values()) >= self.min_coverage

    def _page_hit(self, parsed: ParsedQuery, sections: list[_Section]) -> PageHit:
        best = sections[0].hit
        shown = tuple(_section_hit(s) for s in sections[: self.sections_per_page])
        return PageHit(page_id=best[f.PAGE_ID], source=best[f.SOURCE],
                       namespace=best.get(f.NAMESPACE, ""), title=best.get(f.TITLE, ""),
                       url=best[f.URL], modified=best.get(f.MODIFIED, 0.0),
                       score=sections[0].score, sections=shown)


def _covered_terms(parsed: ParsedQuery, hit: Hit) -> frozenset[str]:
    """Stems of the query terms this section matches, in any field and either form."""
    matched = {(field, text.decode("utf-8") if isinstance(text, bytes) else text)
               for field, text in hit.matched_terms()}
    return frozenset(t.stem for t in parsed.terms
                     if (f.BODY, t.stem) in matched or (f.TITLE, t.stem) in matched
                     or (f.HEADING, t.stem) in matched or (f.BODY_WORDS, t.word) in matched
                     or (f.TITLE_WORDS, t.word) in matched
                     or (f.HEADING_WORDS, t.word) in matched)


def _page_score(sections: list[_Section], weights: dict[str, float], total: float) -> float:
    """Best section, lifted by the share of key terms the page holds across its sections."""
    covered = frozenset().union(*(s.covered for s in sections))
    page_coverage = sum(weights[s] for s in covered) / total
    return sections[0].score * (0.5 + 0.5 * page_coverage)


_FORMATTER = highlight.HtmlFormatter(tagname="mark", classname="", between=" … ")
_FRAGMENTER = highlight.ContextFragmenter(maxchars=160, surround=60)


def _section_hit(section: _Section) -> SectionHit:
    hit = section.hit
    snippet = hit.highlights(f.BODY, top=2, fragmenter=_FRAGMENTER, formatter=_FORMATTER)
    if not snippet:
        snippet = highlight.htmlescape(hit.get(f.BODY, "")[:200])
    anchor = hit.get(f.ANCHOR, "")
    url = section_url(hit[f.URL], anchor)
    return SectionHit(heading=hit.get(f.HEADING, ""), anchor=anchor, url=url, snippet=snippet,
                      score=section.score)
