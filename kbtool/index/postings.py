"""Whoosh's posting lists and field lengths as numpy arrays, for vectorised scoring.

Why: Whoosh scores a disjunction of many terms across six fields one document at a time in
Python (~300 ms a query on the 28,000 sections of the shared corpus).  Reading each term's
postings block by block into arrays and scoring them with numpy takes a few milliseconds.  This
module is the only one that touches Whoosh's on-disk posting format (``W3LeafMatcher`` of the
exactly pinned whoosh3), so a format change is met in one place.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from whoosh.matching import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound


class Postings:
    """Posting arrays of one reader (one index generation and commit), cached per term."""

    def __init__(self, reader: IndexReader, length_fields: tuple[str, ...]) -> None:
        self.reader = reader
        self.leaves = [(leaf, offset) for leaf, offset in reader.leaf_readers()]
        self.doc_count = reader.doc_count_all()
        self.live = self._live_mask()
        self.lengths = {name: self._lengths(name) for name in length_fields}
        self.average_length = {name: float(values[self.live].mean()) if self.live.any() else 1.0
                               for name, values in self.lengths.items()}
        self.term = lru_cache(maxsize=4096)(self.read)

    def read(self, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of ``text`` in ``field``, live documents only;
        ``term`` is the same, cached for the terms queries ask again and again."""
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for leaf, offset in self.leaves:
            try:
                matcher = leaf.postings(field, text)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):  # deleted documents: the live mask drops them
                matcher = matcher.child
            while matcher.is_active():
                # One block at a time: the matcher decodes ids and weights as arrays.
                matcher._read_ids()
                matcher._read_weights()
                ids.append(np.asarray(matcher._ids, dtype=np.int64) + offset)
                weights.append(np.asarray(matcher._weights, dtype=np.float32))
                matcher._next_block()
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        docs, freqs = np.concatenate(ids), np.concatenate(weights)
        keep = self.live[docs]
        return docs[keep], freqs[keep]

    def mask(self, field: str, texts: tuple[str, ...]) -> np.ndarray:
        """Documents holding any of ``texts`` in ``field`` (for filters)."""
        result = np.zeros(self.doc_count, dtype=bool)
        for text in texts:
            result[self.term(field, text)[0]] = True
        return result

    def _live_mask(self) -> np.ndarray:
        live = np.zeros(self.doc_count, dtype=bool)
        live[list(self.reader.all_doc_ids())] = True
        return live

    def _lengths(self, field: str) -> np.ndarray:
        values = np.zeros(self.doc_count, dtype=np.float32)
        for leaf, offset in self.leaves:
            for docnum in range(leaf.doc_count_all()):
                values[offset + docnum] = leaf.doc_field_length(docnum, field) or 0
        return values
