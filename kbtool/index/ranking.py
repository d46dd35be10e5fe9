"""Scoring sections and pages: BM25 over fields, re-weighted by coverage of the key terms.

Each key term scores BM25 in headings (×2) and body, in its plain form and, at half weight, its
stemmed form (and the stems of its word family, weighing less: see :mod:`kbtool.index.query`); what
the whole page is about (title ×3, DokuWiki tags and page name) is scored once per page.  Scores
are multiplied by the share of the query's weighted key terms held (to the power 1.5), because a
question's rare words (OFX, azerty, décès) are what separates the answer from pages sharing its
common words.  A page scores what it is about plus its sections, best first, each next one counting
less, divided by a small power of the page's section count (a 60-page PDF manual gathers passing
mentions from many pages: without it, long documents crowd out short ones that answer); the share
of key terms the whole page holds lifts it.  A wiki redirect's page name counts as what its target
is about (``PageTable.about_of``).  Last, a wiki page linked with one of the first three pages
gains a share of that page's score (``_lift_linked``).  All of it runs on numpy arrays (see
:mod:`kbtool.index.postings`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from kbtool.index import schema as f
from kbtool.index.postings import Postings
from kbtool.index.query import QueryTerm

# (field, analyzer form, weight, field whose lengths normalise it, BM25 b, page-level).
# The plain form counts twice the stemmed one: stemming finds "comptable" for "comptabilité" but
# also conflates words apart (installer / installation, fusionner / fusion).
FIELDS = (
    (f.TITLE, "stem", 1.5, f.TITLE, 0.3, True),
    (f.LABELS, "stem", 0.75, f.LABELS, 0.3, True),
    (f.HEADING, "stem", 1.0, f.HEADING, 0.3, False),
    (f.BODY, "stem", 0.5, f.BODY, 0.75, False),
    (f.TITLE_WORDS, "word", 3.0, f.TITLE, 0.3, True),
    (f.HEADING_WORDS, "word", 2.0, f.HEADING, 0.3, False),
    (f.BODY_WORDS, "word", 1.0, f.BODY, 0.75, False),
)
LENGTH_FIELDS = (f.TITLE, f.LABELS, f.HEADING, f.BODY)
K1 = 1.2
COVERAGE_POWER = 1.5
SECTION_DECAY = 0.85         # weight of a page's 2nd best section (then its square…)
ABOUT_WEIGHT = 2.0           # weight of the page-level fields beside the sections
PAGE_COVERAGE_FLOOR = 0.5
PAGE_LENGTH_POWER = 0.125    # a page's passages are divided by its section count to this power
LINK_PAGES = 3               # the first pages whose linked pages are lifted…
LINK_WEIGHT = 0.3            # …by this share of such a page's score, times their own coverage


@dataclass(frozen=True)
class PageTable:
    """Which page each indexed section belongs to (``page_of``, -1: none), which page what an
    entry is about describes (``about_of``: its own, but a redirect's name describes its
    target), how many sections each page has, and which pages are linked with which (either
    way), for one reader.  Pages are numbered in page id order, whatever the segments (ties
    rank alike after any reindex)."""

    page_of: np.ndarray            # per section
    about_of: np.ndarray           # per section
    section_counts: np.ndarray     # per page
    linked_pages: np.ndarray       # the pages linked with page p: from linked_starts[p]…
    linked_starts: np.ndarray      # …to linked_starts[p + 1]

    @classmethod
    def read_from(cls, postings: Postings) -> PageTable:
        """The table of the reader of ``postings``, read from its page id, redirect and link
        terms."""
        sections: dict[str, list[np.ndarray]] = defaultdict(list)
        for page_id, docs in postings.field_terms(f.PAGE_ID):
            sections[page_id].append(docs)
        numbers = {page_id: n for n, page_id in enumerate(sorted(sections))}
        page_of = np.full(postings.doc_count, -1, dtype=np.int64)
        for page_id, docs in sections.items():
            page_of[np.concatenate(docs)] = numbers[page_id]
        about_of = page_of.copy()
        for target, docs in postings.field_terms(f.REDIRECT):
            # A redirect's entry is no section of any page; its name describes its target.
            page_of[docs] = -1
            about_of[docs] = numbers.get(target, -1)
        inside = page_of >= 0
        section_counts = np.bincount(page_of[inside], minlength=len(numbers))
        return cls(page_of, about_of, section_counts, *_link_graph(postings, numbers, page_of))

    @property
    def page_count(self) -> int:
        """How many pages are indexed with text."""
        return len(self.section_counts)

    def linked(self, page: int) -> np.ndarray:
        """Pages that ``page`` links to or that link to it."""
        return self.linked_pages[self.linked_starts[page]:self.linked_starts[page + 1]]


def _link_graph(postings: Postings, numbers: dict[str, int], page_of: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of every link between indexed pages, grouped by page (an index from
    before links were indexed has none)."""
    pairs = [np.empty((0, 2), dtype=np.int64)]
    for page_id, docs in postings.field_terms(f.LINKS):
        target = numbers.get(page_id)
        if target is not None:
            pages = page_of[docs]
            pages = pages[(pages >= 0) & (pages != target)]
            pairs += [np.column_stack((pages, np.full_like(pages, target))),
                      np.column_stack((np.full_like(pages, target), pages))]
    edges = np.unique(np.concatenate(pairs), axis=0)
    return edges[:, 1], np.searchsorted(edges[:, 0], np.arange(len(numbers) + 1))


@dataclass(frozen=True)
class Ranking:
    """Pages in rank order, the share of weighted key terms each holds, and their sections."""

    page_scores: np.ndarray            # per ranked page
    page_coverage: np.ndarray          # per ranked page
    section_scores: np.ndarray         # dense, per section number
    _sections: np.ndarray              # matching sections grouped by page, best first
    _starts: np.ndarray                # per ranked page: where its group starts and ends
    _ends: np.ndarray

    def __len__(self) -> int:
        return len(self.page_scores)

    def sections(self, rank: int) -> np.ndarray:
        """Section numbers of the page at ``rank`` (0-based), best first."""
        return self._sections[self._starts[rank]:self._ends[rank]]


def rank(terms: tuple[QueryTerm, ...], postings: Postings, table: PageTable,
         allowed: np.ndarray | None = None) -> Ranking:
    """Score every section and page for ``terms`` and rank the pages (``allowed``: filter)."""
    n_docs, n_pages = postings.doc_count, table.page_count
    inside = table.page_of >= 0
    scores = np.zeros(n_docs, dtype=np.float32)
    about = np.zeros(n_pages, dtype=np.float32)   # page-level fields: what the page is about
    section_cov = np.zeros(n_docs, dtype=np.float32)
    page_cov = np.zeros(n_pages, dtype=np.float32)
    total = sum(t.weight for t in terms) or 1.0
    live = int(postings.live.sum()) or 1
    for term in terms:
        matched = np.zeros(n_docs, dtype=bool)
        term_about = np.zeros(n_pages, dtype=np.float32)
        for (field, form, boost, length_field, b, page_level), variant in \
                itertools.product(FIELDS, term.forms):
            text = variant.stem if form == "stem" else variant.word
            if not text:
                continue
            docs, freqs = postings.term(field, text)
            if not len(docs):
                continue
            contribution = boost * variant.weight * _bm25(
                freqs, postings.lengths[length_field][docs], postings.average_length[length_field],
                b, len(docs), n_pages if page_level else live)
            if page_level:
                pages = table.about_of[docs]
                known = pages >= 0      # (a redirect to a page not indexed describes nothing)
                np.add.at(term_about, pages[known], contribution[known])
                continue
            scores[docs] += contribution
            matched[docs] = True
        about += term_about
        matched |= (term_about > 0)[table.page_of] & inside   # the title speaks for each section
        section_cov[matched] += term.weight / total
        pages = np.zeros(n_pages, dtype=bool)
        pages[table.page_of[matched]] = True
        page_cov[pages] += term.weight / total
    scores *= section_cov ** COVERAGE_POWER
    about *= page_cov ** COVERAGE_POWER
    candidates = section_cov > 0
    if allowed is not None:
        candidates &= allowed
    return _group(scores, candidates & inside, about, table, page_cov)


def _lift_linked(page_scores: np.ndarray, page_cov: np.ndarray, ranked: np.ndarray,
                 table: PageTable) -> np.ndarray:
    """Pages linked with one of the first pages gain a share of its score, times their coverage.

    A wiki's links are its authors' judgement of what goes together: the page that answers
    "graver un DVD" lists the burning programs, whose own pages say "graver" once or twice and
    would rank far below pages that merely mention DVDs.  Coverage keeps pages that do not
    match the question from being lifted by the link alone.
    """
    first = ranked[np.argsort(-page_scores[ranked], kind="stable")[:LINK_PAGES]]
    lift = np.zeros_like(page_scores)
    for page in first:
        lift[table.linked(int(page))] += page_scores[page]
    return page_scores + LINK_WEIGHT * lift * page_cov


def _bm25(freqs: np.ndarray, lengths: np.ndarray, average: float, b: float, matching: int,
          population: int) -> np.ndarray:
    """Okapi BM25 of one term for the units that hold it."""
    idf = np.log(1.0 + (population - matching + 0.5) / (matching + 0.5))
    return idf * freqs * (K1 + 1.0) / (freqs + K1 * (1.0 - b + b * lengths / average))


def _group(scores: np.ndarray, candidates: np.ndarray, about: np.ndarray, table: PageTable,
           page_cov: np.ndarray) -> Ranking:
    """Pages ranked by what they are about and their best sections (decaying weights)."""
    candidates = np.nonzero(candidates)[0]
    if not len(candidates):
        empty = np.empty(0, dtype=np.int64)
        return Ranking(empty.astype(np.float32), empty.astype(np.float32), scores, empty, empty,
                       empty)
    pages_of = table.page_of[candidates]
    order = np.lexsort((-scores[candidates], pages_of))
    sorted_candidates, sorted_pages = candidates[order], pages_of[order]
    ranked = np.unique(sorted_pages)
    starts = np.searchsorted(sorted_pages, ranked, side="left")
    ends = np.searchsorted(sorted_pages, ranked, side="right")
    place = np.arange(len(sorted_pages)) - np.repeat(starts, ends - starts)
    passages = np.zeros(table.page_count, dtype=np.float32)
    np.add.at(passages, sorted_pages, scores[sorted_candidates] * SECTION_DECAY ** place)
    passages /= np.maximum(table.section_counts, 1) ** PAGE_LENGTH_POWER
    page_scores = (passages + ABOUT_WEIGHT * about) * \
        (PAGE_COVERAGE_FLOOR + (1 - PAGE_COVERAGE_FLOOR) * page_cov)
    page_scores = _lift_linked(page_scores, page_cov, ranked, table)
    by_score = np.argsort(-page_scores[ranked], kind="stable")
    return Ranking(page_scores[ranked[by_score]], page_cov[ranked[by_score]], scores,
                   sorted_candidates, starts[by_score], ends[by_score])
