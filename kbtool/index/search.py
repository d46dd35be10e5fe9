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
from bisect import bisect_left
from typing import Mapping, Sequence

import numpy as np
from whoosh import highlight
from whoosh.searching import Searcher as WhooshSearcher

from kbtool.config import declared_default
from kbtool.documents import section_url
from kbtool.index import schema as f
from kbtool.index.analysis import plain_word, stem_analyzer
from kbtool.index.arrays import open_arrays
from kbtool.index.expansion import SynonymTable, index_pairs
from kbtool.index.names import PageNames
from kbtool.index.postings import Postings
from kbtool.index.query import ParsedQuery, parse, spellings, word_weights
from kbtool.index.ranking import PageTable, Ranking, rank
from kbtool.index.results import IndexedSection, PageHit, SearchResults, SectionHit
from kbtool.index.seeds import APPLIED_KINDS, Seed, pair_of, seeds
from kbtool.index.store import IndexStore
from kbtool.index.subject import subject_of
from kbtool.index.synonym_rules import NO_RULES, SynonymRules

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
SYNONYM_TABLES = 4         # tables of synonyms kept per view (one per set of rules in use)


@dataclass(frozen=True)
class _View:
    """Everything searching needs from one commit of the index."""

    searcher: WhooshSearcher
    postings: Postings
    pages: PageTable
    acronyms: dict[str, bool]       # words found written in capitals, or not (see query.parse)
    tables: dict[SynonymRules, SynonymTable]   # the index's pairs under the rules in use
    applied: list[list[tuple[str, str, str]]]  # read once, by the first search (applied_of)
    names: list[PageNames]          # built by the first "what is" question (see names_of)

    def applied_of(self) -> list[tuple[str, str, str]]:
        """The index's synonym pairs that apply by themselves, read once per view."""
        if not self.applied:
            self.applied.append(_applied(self.postings))
        return self.applied[0]

    def names_of(self) -> PageNames:
        """The pages' names, read once per view, when a question first needs them."""
        if not self.names:
            self.names.append(PageNames(self.postings, self.pages))
        return self.names[0]


@dataclass(frozen=True)
class SeedSource:
    """A synonym pair the documentation gives, where: the sentence, and the pages saying it."""

    seed: Seed
    page_ids: tuple[str, ...]


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
                               arrays.pages, {}, {}, [], [])
            self._generation = generation

    def close(self) -> None:
        """Release the index files."""
        with self._lock:
            if self._view is not None:
                self._view.searcher.close()
                self._view = None

    def search(self, query: str, *, sources: Sequence[str] = (),
               namespaces: Sequence[str] = (),
               limit: int = declared_default("search.limit"), page: int = 1,
               learned: Mapping[str, float] | None = None,
               synonyms: SynonymRules = NO_RULES) -> SearchResults:
        """A page of results for what the agent typed; ``learned``: page id → how strongly
        the team's past citations tie that page to this question (0 to 1, see
        ``ranking._lift_learned``; pages no longer indexed are ignored); ``synonyms``: the
        team's pairs and rejected seeds, beside the synonyms the documentation gives (see
        :mod:`kbtool.index.expansion`)."""
        view = self._current()
        subject = subject_of(query)
        table = _table(view, synonyms)
        parsed = parse(subject or query, view.searcher.reader(), view.acronyms, view.postings,
                       named=table.names)
        terms, also = table.expand(parsed.terms)
        named = view.names_of().closeness(parsed.terms, view.postings, view.pages) \
            if subject else None
        ranking = rank(terms, view.postings, view.pages,
                       _allowed(view.postings, tuple(sources), tuple(namespaces)),
                       learned=_by_page_number(view.pages, learned), named=named)
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
                             suggestion=parsed.suggestion(query), answers=int(sure.sum()),
                             also_searched=also)

    def similar(self, text: str, limit: int = 5) -> tuple[PageHit, ...]:
        """Pages close to a title or question (to avoid writing a duplicate article)."""
        return self.search(text, limit=limit).hits

    def common_word(self, word: str) -> bool:
        """True when the documentation writes that word in lower case, or mostly in capitals
        (an acronym: OFX, TVA): a word, where one it only writes capitalised is a name (a
        person's, or a product's)."""
        written = spellings(plain_word(word.lower()), self._current().searcher.reader())
        capitals = sum(spelling.isupper() for spelling in written)
        return any(spelling.islower() for spelling in written) or 2 * capitals > len(written)

    def seed_sources(self, limit: int) -> list[SeedSource]:
        """The synonym pairs the documentation gives, those said on most pages first (at most
        ``limit``), each with the sentence of its first section: what reviewers accept or
        reject."""
        view = self._current()
        ranked = sorted(_seeded(view.postings).items(),
                        key=lambda item: (-len(np.unique(view.pages.page_of[item[1]])),
                                          item[0]))[:max(0, limit)]
        found = []
        for (term, synonym, kind), docs in ranked:
            fields = view.searcher.stored_fields(int(docs[0]))
            sentence = next((s.sentence for s in seeds(fields.get(f.BODY, ""))
                             if (s.term, s.synonym) == (term, synonym)), "")
            pages = sorted({view.pages.page_ids[page] for page in view.pages.page_of[docs]
                            if page >= 0})
            found.append(SeedSource(Seed(term, synonym, sentence, kind), tuple(pages)))
        return found

    def word_weights(self, text: str) -> dict[str, float]:
        """Stem → weight of each key word of ``text`` by its rarity in the documentation, as the
        ranking weighs it."""
        return word_weights(text, self._current().searcher.reader())

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
        for section in self.page_sections(page_id):
            if section.anchor == anchor:
                return section.text
        return None

    def page_sections(self, page_id: str) -> tuple[IndexedSection, ...]:
        """Every section of an indexed page in the page's order (none when it is not indexed)."""
        view = self._current()
        stored = [view.searcher.stored_fields(int(docnum))
                  for docnum in view.postings.term(f.PAGE_ID, page_id)[0]]
        stored.sort(key=lambda fields: fields.get(f.SECTION_NO, 0))
        return tuple(IndexedSection(page_id=page_id, page_title=fields.get(f.PAGE_TITLE, ""),
                                    heading=fields.get(f.HEADING, ""),
                                    anchor=fields.get(f.ANCHOR, ""),
                                    url=section_url(fields[f.URL], fields.get(f.ANCHOR, "")),
                                    text=fields.get(f.BODY, ""))
                     for fields in stored if not fields.get(f.KEY, "").endswith(f.SKIPPED_SUFFIX))

    def version(self) -> str:
        """Names the index as this searcher sees it (generation and commit): changes with
        every reindex that changed something, so work derived from the index is keyed on it."""
        view = self._current()
        return f"{self._generation}:{view.searcher.reader().generation()}"

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


def _seeded(postings: Postings) -> dict[tuple[str, str, str], np.ndarray]:
    """The synonym pairs indexed sections give (field ``synonyms``), with those sections:
    every pair's postings are read, for the reviewers' page only."""
    found: dict[tuple[str, str, str], list[np.ndarray]] = defaultdict(list)
    for text, docs in postings.field_terms(f.SYNONYMS):
        pair = pair_of(text)
        if pair is not None:
            found[pair].append(docs)
    return {pair: np.concatenate(docs) for pair, docs in found.items()}


def _applied(postings: Postings) -> list[tuple[str, str, str]]:
    """The synonym pairs of live sections that apply by themselves: read off the term list,
    the postings of those kinds only (most pairs are candidates, and reading every pair's
    postings took most of a second under load on the shared corpus)."""
    if f.SYNONYMS not in postings.reader.schema:    # an index built before synonyms
        return []
    found = set()
    for raw in postings.reader.lexicon(f.SYNONYMS):
        text = raw.decode("utf-8")
        pair = pair_of(text)
        if pair is not None and pair[2] in APPLIED_KINDS and \
                len(postings.read(f.SYNONYMS, text)[0]):
            found.add(pair)
    return sorted(found)


def _table(view: _View, rules: SynonymRules) -> SynonymTable:
    """The synonym table of the index's pairs under ``rules``, built once per set of rules."""
    table = view.tables.get(rules)
    if table is None:
        if len(view.tables) >= SYNONYM_TABLES:
            view.tables.clear()     # one call: safe beside searches in other threads
        reader = view.searcher.reader()
        table = view.tables[rules] = SynonymTable(
            index_pairs(view.applied_of(), rules),
            lambda key: min(reader.doc_frequency(f.BODY, stem) for stem in key))
    return table


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


def _by_page_number(pages: PageTable, by_id: Mapping[str, float] | None) -> np.ndarray | None:
    """Values given by page id, as an array by page number (ids not indexed are dropped)."""
    if not by_id:
        return None
    values = np.zeros(len(pages.page_ids), dtype=np.float32)
    for page_id, value in by_id.items():
        number = bisect_left(pages.page_ids, page_id)
        if number < len(pages.page_ids) and pages.page_ids[number] == page_id:
            values[number] = value
    return values


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
