"""Scoring sections and pages: BM25 over fields, re-weighted by coverage of the key terms.

Each key term scores BM25 in the title (×3), headings (×2) and body, in its stemmed and its plain
form.  A section's score is then multiplied by the square of the share of the query's weighted
key terms it holds, because a question's rare words (OFX, azerty, décès) are what separates the
answer from pages sharing its common words.  Pages are ranked by their best section, lifted by
the share of key terms the whole page holds.  All of it runs on numpy arrays (see
:mod:`kbtool.index.postings`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kbtool.index import schema as f
from kbtool.index.postings import Postings
from kbtool.index.query import QueryTerm

# (field, analyzer form, weight, field whose lengths normalise it, BM25 b)
FIELDS = (
    (f.TITLE, "stem", 3.0, f.TITLE, 0.3),
    (f.HEADING, "stem", 2.0, f.HEADING, 0.3),
    (f.BODY, "stem", 1.0, f.BODY, 0.75),
    (f.TITLE_WORDS, "word", 1.5, f.TITLE, 0.3),
    (f.HEADING_WORDS, "word", 1.0, f.HEADING, 0.3),
    (f.BODY_WORDS, "word", 0.5, f.BODY, 0.75),
)
LENGTH_FIELDS = (f.TITLE, f.HEADING, f.BODY)
K1 = 1.2
COVERAGE_POWER = 2.0


class PageTable:
    """Which page each indexed section belongs to, for one reader."""

    def __init__(self, postings: Postings) -> None:
        self.page_of = np.full(postings.doc_count, -1, dtype=np.int64)
        self.page_ids: list[str] = []
        for term in postings.reader.lexicon(f.PAGE_ID):
            page_id = term.decode("utf-8")
            docs, _ = postings.term(f.PAGE_ID, page_id)
            if len(docs):
                self.page_of[docs] = len(self.page_ids)
                self.page_ids.append(page_id)


@dataclass(frozen=True)
class Ranking:
    """Pages in rank order with their sections (best first) and the key terms they hold."""

    pages: list[np.ndarray]            # per ranked page: its matching section numbers, best first
    page_scores: np.ndarray
    section_scores: np.ndarray         # dense, per section number
    page_coverage: np.ndarray          # per ranked page: share of weighted key terms held


def rank(terms: tuple[QueryTerm, ...], postings: Postings, table: PageTable,
         allowed: np.ndarray | None = None) -> Ranking:
    """Score every section for ``terms`` and rank the pages (``allowed``: filter mask)."""
    n_docs, n_pages = postings.doc_count, len(table.page_ids)
    scores = np.zeros(n_docs, dtype=np.float32)
    section_cov = np.zeros(n_docs, dtype=np.float32)
    page_cov = np.zeros(n_pages, dtype=np.float32)
    total = sum(t.weight for t in terms) or 1.0
    live = int(postings.live.sum()) or 1
    for term in terms:
        matched = np.zeros(n_docs, dtype=bool)
        for field, form, boost, length_field, b in FIELDS:
            docs, freqs = postings.term(field, term.stem if form == "stem" else term.word)
            if not len(docs):
                continue
            idf = np.log(1.0 + (live - len(docs) + 0.5) / (len(docs) + 0.5))
            norm = 1.0 - b + b * postings.lengths[length_field][docs] / \
                postings.average_length[length_field]
            scores[docs] += boost * idf * freqs * (K1 + 1.0) / (freqs + K1 * norm)
            matched[docs] = True
        section_cov[matched] += term.weight / total
        pages = np.zeros(n_pages, dtype=bool)
        pages[table.page_of[matched]] = True
        page_cov[pages] += term.weight / total
    scores *= section_cov ** COVERAGE_POWER
    if allowed is not None:
        scores[~allowed] = 0.0
    return _group(scores, table, page_cov)


def _group(scores: np.ndarray, table: PageTable, page_cov: np.ndarray) -> Ranking:
    candidates = np.nonzero(scores > 0)[0]
    candidates = candidates[table.page_of[candidates] >= 0]
    if not len(candidates):
        empty = np.empty(0, dtype=np.float32)
        return Ranking([], empty, scores, empty)
    pages_of = table.page_of[candidates]
    best = np.zeros(len(table.page_ids), dtype=np.float32)
    np.maximum.at(best, pages_of, scores[candidates])
    page_scores = best * (0.5 + 0.5 * page_cov)
    ranked = np.unique(pages_of)
    ranked = ranked[np.argsort(-page_scores[ranked], kind="stable")]
    order = np.lexsort((-scores[candidates], pages_of))
    sorted_candidates, sorted_pages = candidates[order], pages_of[order]
    starts = np.searchsorted(sorted_pages, ranked, side="left")
    ends = np.searchsorted(sorted_pages, ranked, side="right")
    sections = [sorted_candidates[s:e] for s, e in zip(starts, ends)]
    return Ranking(sections, page_scores[ranked], scores, page_cov[ranked])
