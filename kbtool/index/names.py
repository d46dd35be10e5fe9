"""What each page is named: its page name, the names of the redirects to it, and its title, for
"what is X" questions (:mod:`kbtool.index.subject`).

A page named X is the page about X: the wiki's authors named it so (``swap.txt``, a redirect
``grub`` → ``amorcage``), or titled it so ("Le swap").  A name matching the subject exactly
counts 1; a title holding the subject and one word more ("Réactiver le swap", "Les dépôts APT")
counts ``NEAR_NAME``, so the page named exactly comes first.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np

from kbtool.index import schema as f
from kbtool.index.postings import Postings
from kbtool.index.analysis import index_tokens, stem_terms
from kbtool.index.query import QueryTerm
from kbtool.index.ranking import PageTable
from kbtool.index.writer import page_name

NEAR_NAME = 0.5      # a title holding the subject and one word more
TITLE_SLACK = 1      # words such a title may hold beside the subject's


def name_key(text: str) -> frozenset[str]:
    """The stems of a name's words, stop words left out, in any order ("live usb", "usb
    live"): as the index analyses it (cached per word), thousands of page names a second."""
    return frozenset(itertools.chain.from_iterable(map(stem_terms, index_tokens(text))))


class PageNames:
    """Page names and redirect names → the pages they name, for one reader."""

    def __init__(self, postings: Postings, table: PageTable) -> None:
        named: dict[frozenset[str], set[int]] = defaultdict(set)
        for number, page_id in enumerate(table.page_ids):
            named[name_key(page_name(page_id))].add(number)
        for _, docs in postings.field_terms(f.REDIRECT):
            for doc in docs:
                redirect = postings.reader.stored_fields(int(doc))[f.PAGE_ID]
                if table.about_of[doc] >= 0:
                    named[name_key(page_name(redirect))].add(int(table.about_of[doc]))
        self._named = {key: np.fromiter(pages, dtype=np.int64)
                       for key, pages in named.items() if key and pages}

    def closeness(self, terms: tuple[QueryTerm, ...], postings: Postings, table: PageTable
                  ) -> np.ndarray:
        """Per page, how closely its names are the subject ``terms``: 1 named so, or titled
        so; ``NEAR_NAME`` titled with one word more; else 0."""
        closeness = np.zeros(len(table.page_ids), dtype=np.float32)
        if not terms:
            return closeness
        for stems in _spellings(terms):
            pages = self._named.get(stems)
            if pages is not None:
                closeness[pages] = 1.0
        holding = _holding_all(terms, postings)
        if len(holding):
            lengths = postings.lengths[f.TITLE][holding]
            for docs, value in ((holding[lengths <= len(terms) + TITLE_SLACK], NEAR_NAME),
                                (holding[lengths <= len(terms)], 1.0)):
                pages = table.about_of[docs]
                pages = pages[pages >= 0]
                closeness[pages] = np.maximum(closeness[pages], value)
        return closeness


def _spellings(terms: tuple[QueryTerm, ...]) -> set[frozenset[str]]:
    """The subject's stems as a name may hold them: each term's typed or corrected stems."""
    keys: set[frozenset[str]] = {frozenset()}
    for term in terms:
        stems = {form.stem for form in term.forms if form.weight >= 1}
        keys = {key | {stem} for key in keys for stem in stems}
    return keys


def _holding_all(terms: tuple[QueryTerm, ...], postings: Postings) -> np.ndarray:
    """The entries whose title holds every subject term (one of its typed forms)."""
    holding: np.ndarray | None = None
    for term in terms:
        docs = np.unique(np.concatenate(
            [postings.term(f.TITLE, form.stem)[0] for form in term.forms if form.weight >= 1]))
        holding = docs if holding is None else np.intersect1d(holding, docs)
    return holding if holding is not None else np.empty(0, dtype=np.int64)
