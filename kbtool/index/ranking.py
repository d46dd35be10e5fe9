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
gains a share of that page's score (``_lift_linked``), and a page the team cited for past questions
sharing words with this one is lifted, never past a page holding clearly more of the query's key
terms (``_lift_learned``).  All of it runs on numpy arrays (see :mod:`kbtool.index.postings`).
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
LEARNED_LIFT = 2.0           # a cited page gains up to this times the best comparable score…
LEARNED_COVERAGE_MARGIN = 0.4    # …never passing a page holding this much more of the query
LEARNED_FLOOR = 1e-3         # the best score of comparable pages when none holds a key term


@dataclass(frozen=True)
class PageTable:
    """Which page each indexed section belongs to (``page_of``, -1: none), which page what an
    entry is about describes (``about_of``: its own, but a redirect's name describes its
    target), how many sections each page has, its sections grouped by page, and which pages are
    linked with which (either way), for one reader.  Pages are numbered in page id order,
    whatever the segments (ties rank alike after any reindex).  Arrays only: written beside
    each commit and memory-mapped by searchers (:mod:`kbtool.index.arrays`)."""

    page_ids: np.ndarray           # per page, its id (sorted)
    page_of: np.ndarray            # per section
    about_of: np.ndarray           # per section
    section_counts: np.ndarray     # per page
    by_page: np.ndarray            # the sections of pages, grouped by page: page p's from…
    page_starts: np.ndarray        # …page_starts[p] to page_starts[p + 1]
    linked_pages: np.ndarray       # the pages linked with page p: from linked_starts[p]…
    linked_starts: np.ndarray      # …to linked_starts[p + 1]

    @classmethod
    def read_from(cls, postings: Postings) -> PageTable:
        """The table of the reader of ``postings``, read from its page id, redirect and link
        terms."""
        sections: dict[str, list[np.ndarray]] = defaultdict(list)
        for page_id, docs in postings.field_terms(f.PAGE_ID):
            sections[page_id].append(docs)
        page_ids = sorted(sections)
        numbers = {page_id: n for n, page_id in enumerate(page_ids)}
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
        linked_pages, linked_starts = _link_graph(postings, numbers, page_of)
        return cls(page_ids=np.array(page_ids, dtype=np.str_).reshape(len(page_ids)),
                   page_of=page_of, about_of=about_of, section_counts=section_counts,
                   by_page=np.flatnonzero(inside)[np.argsort(page_of[inside], kind="stable")],
                   page_starts=np.concatenate(([0], np.cumsum(section_counts))).astype(np.int64),
                   linked_pages=linked_pages, linked_starts=linked_starts)

    @property
    def page_count(self) -> int:
        """How many pages are indexed with text."""
        return len(self.section_counts)

    def sections_of(self, pages: np.ndarray) -> np.ndarray:
        """The sections of ``pages`` (read off the table grouped by page: no pass over every
        section of the base, whose number grows with it)."""
        counts = self.section_counts[pages]
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return self.by_page[np.repeat(self.page_starts[pages], counts) + within]

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
         allowed: np.ndarray | None = None, learned: np.ndarray | None = None,
         named: np.ndarray | None = None) -> Ranking:
    """Score every section and page for ``terms`` and rank the pages (``allowed``: filter;
    ``learned``: per page number, how strongly use ties it to the question, 0 to 1;
    ``named``: how closely each page's name is the subject of a "what is" question, from 0 to
    1 (``kbtool.index.names``): such pages are ranked first, the closest first)."""
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
            docs, freqs = _postings_of(postings, field, text)
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
        matched[table.sections_of(np.flatnonzero(term_about > 0))] = True   # the title speaks
        held = np.flatnonzero(matched)                              # for each section
        section_cov[held] += term.weight / total
        pages = np.zeros(n_pages, dtype=bool)
        pages[table.page_of[held]] = True
        page_cov[pages] += term.weight / total
    candidates = section_cov > 0        # (the sections with a score, and those titles speak for)
    scores[candidates] *= section_cov[candidates] ** COVERAGE_POWER
    about *= page_cov ** COVERAGE_POWER
    if learned is not None:   # a page the team cited for such questions, even in other words
        candidates |= (learned > 0)[table.page_of] & inside
    if allowed is not None:
        candidates &= allowed
    return _group(scores, candidates & inside, about, table, page_cov, learned, named)


def _postings_of(postings: Postings, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's postings; for several words (a synonym of many words, see
    ``kbtool.index.expansion``), the units holding all of them, each counted as often as its
    rarest word."""
    if " " not in text:
        return postings.term(field, text)
    docs, freqs = postings.term(field, text.split()[0])
    for word in text.split()[1:]:
        other_docs, other_freqs = postings.term(field, word)
        both, mine, theirs = np.intersect1d(docs, other_docs, assume_unique=True,
                                            return_indices=True)
        docs, freqs = both, np.minimum(freqs[mine], other_freqs[theirs])
    return docs, freqs


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


def _lift_learned(page_scores: np.ndarray, page_cov: np.ndarray, ranked: np.ndarray,
                  learned: np.ndarray | None) -> np.ndarray:
    """Pages the team cited for questions sharing words with this one, lifted toward the best
    score among the pages whose coverage is not clearly better than theirs.

    A page's lift is ``LEARNED_LIFT`` × its learned strength (0 to 1) × that best score, added
    to its own score.  What the team cited is often a page that says the subject in other words
    than the question (the question's words hold it barely, and BM25 ranks it far below pages
    that merely repeat them): a lift relative to its own score would never bring it up, one
    relative to comparable pages does, graded by how strong and fresh the use is.  Such a page
    may hold none of the question's words (the team says "mailing", the page "envoi groupé"):
    it is then a candidate scoring 0 (see :func:`rank`), lifted among the pages that hold as
    little of the question, and ranked by strength alone when none does (``LEARNED_FLOOR``).
    One bound keeps use from burying a better textual match: a lifted page stays below every
    page holding clearly more of the key terms (``LEARNED_COVERAGE_MARGIN`` more of their
    weighted share) that scored above it, so the pages that made a search confident keep their
    places.  Every page is lifted from the scores as they were, so the order in which they
    are lifted does not matter.
    """
    if learned is None:
        return page_scores
    lifted = page_scores.copy()
    scores, coverage = page_scores[ranked], page_cov[ranked]
    for page in ranked[learned[ranked] > 0]:
        own = page_scores[page]
        comparable = coverage <= page_cov[page] + LEARNED_COVERAGE_MARGIN
        ceiling = max(float(scores[comparable].max()), LEARNED_FLOOR)
        raised = own + LEARNED_LIFT * min(float(learned[page]), 1.0) * ceiling
        better = ~comparable & (scores > own)
        if better.any():   # just below the lowest of them
            raised = min(raised, np.nextafter(scores[better].min(), np.float32(0)))
        lifted[page] = max(own, raised)
    return lifted


def _bm25(freqs: np.ndarray, lengths: np.ndarray, average: float, b: float, matching: int,
          population: int) -> np.ndarray:
    """Okapi BM25 of one term for the units that hold it."""
    idf = np.log(1.0 + (population - matching + 0.5) / (matching + 0.5))
    return idf * freqs * (K1 + 1.0) / (freqs + K1 * (1.0 - b + b * lengths / average))


def _by_page_then_score(pages: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The order of sections by page, then best score first, ties as given: what
    ``np.lexsort((-scores, pages))`` returns, in one sort of one key instead of two.

    At ten times the corpus a frequent word's query has 200,000 candidate sections, and the
    lexsort was a third of its ranking time.  A score is never negative, so its float32 bits
    read as an unsigned integer order alike, inverted for best first, below the page number.
    """
    key = (pages.astype(np.uint64) << np.uint64(32)) | \
        (~scores.astype(np.float32).view(np.uint32)).astype(np.uint64)
    return np.argsort(key, kind="stable")


def _group(scores: np.ndarray, candidates: np.ndarray, about: np.ndarray, table: PageTable,
           page_cov: np.ndarray, learned: np.ndarray | None = None,
           named: np.ndarray | None = None) -> Ranking:
    """Pages ranked by what they are about and their best sections (decaying weights)."""
    candidates = np.nonzero(candidates)[0]
    if not len(candidates):
        empty = np.empty(0, dtype=np.int64)
        return Ranking(empty.astype(np.float32), empty.astype(np.float32), scores, empty, empty,
                       empty)
    pages_of = table.page_of[candidates]
    order = _by_page_then_score(pages_of, scores[candidates])
    sorted_candidates, sorted_pages = candidates[order], pages_of[order]
    starts = np.flatnonzero(np.diff(sorted_pages, prepend=-1))   # each page's first section
    ranked = sorted_pages[starts]
    ends = np.append(starts[1:], len(sorted_pages))
    place = np.arange(len(sorted_pages)) - np.repeat(starts, ends - starts)
    passages = np.bincount(sorted_pages, scores[sorted_candidates] * SECTION_DECAY ** place,
                           minlength=table.page_count).astype(np.float32)
    passages /= np.maximum(table.section_counts, 1) ** PAGE_LENGTH_POWER
    page_scores = (passages + ABOUT_WEIGHT * about) * \
        (PAGE_COVERAGE_FLOOR + (1 - PAGE_COVERAGE_FLOOR) * page_cov)
    page_scores = _lift_learned(_lift_linked(page_scores, page_cov, ranked, table), page_cov,
                                ranked, learned)
    if named is not None and named[ranked].any():
        page_scores = page_scores + 2 * named * float(page_scores[ranked].max())
    by_score = np.argsort(-page_scores[ranked], kind="stable")
    return Ranking(page_scores[ranked[by_score]], page_cov[ranked[by_score]], scores,
                   sorted_candidates, starts[by_score], ends[by_score])
