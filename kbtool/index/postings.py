"""Whoosh's posting lists and field lengths as numpy arrays, for vectorised scoring.

Why: Whoosh scores a disjunction of many terms across six fields one document at a time in
Python (~300 ms a query on the 28,000 sections of the shared corpus).  Reading each term's
postings block by block into arrays and scoring them with numpy takes a few milliseconds.  The
blocks are decoded by Whoosh's own matcher (``W3LeafMatcher`` of the exactly pinned whoosh3),
reached through ``kbtool.index.whoosh_private``.
"""

from __future__ import annotations

import threading
from typing import Iterator

import numpy as np
from cachetools import LRUCache, cached
from whoosh.matching import FilterMatcher, Matcher
from whoosh.reading import IndexReader, SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length

from kbtool.index.whoosh_private import length_bytes, posting_blocks, term_postings


_BYTE_LENGTHS = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float32)
# Bytes of posting arrays kept for the terms queries ask again and again, per reader: a bound in
# terms bounded nothing, as a frequent term's arrays grow with the base.
TERM_CACHE_BYTES = 64 * 2**20


class Postings:
    """Posting arrays of one reader (one index generation and commit), cached per term.

    ``live`` (documents not deleted) and ``lengths`` (each document's length in each length
    field) come with the reader: read from it by :meth:`read`, or mapped from the files
    written beside its commit (``kbtool.index.arrays``)."""

    def __init__(self, reader: IndexReader, live: np.ndarray, lengths: dict[str, np.ndarray],
                 cache_bytes: int = TERM_CACHE_BYTES) -> None:
        self.reader = reader
        self.leaves = segment_readers(reader)
        self.doc_count = reader.doc_count_all()
        self.live = live
        self.lengths = lengths
        self.average_length = {name: float(values[self.live].mean()) if self.live.any() else 1.0
                               for name, values in self.lengths.items()}
        self.term = cached(LRUCache(cache_bytes, getsizeof=_array_bytes),
                           lock=threading.Lock())(self.read)

    @classmethod
    def read_from(cls, reader: IndexReader, length_fields: tuple[str, ...],
                  cache_bytes: int = TERM_CACHE_BYTES) -> Postings:
        """Posting arrays of ``reader``, its live mask and field lengths read from it."""
        leaves = segment_readers(reader)
        return cls(reader, live_mask(reader),
                   {name: field_lengths(reader.doc_count_all(), leaves, name)
                    for name in length_fields}, cache_bytes)

    def read(self, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of ``text`` in ``field``, live documents only;
        ``term`` is the same, cached for the terms queries ask again and again."""
        blocks: list[tuple[np.ndarray, np.ndarray]] = []
        for leaf, offset in self.leaves:
            try:
                matcher = leaf.postings(field, text)
            except TermNotFound:
                continue
            if isinstance(matcher, FilterMatcher):  # deleted documents: the live mask drops them
                matcher = matcher.child
            blocks += _blocks(matcher, offset)
        return self._live(blocks)

    def field_terms(self, field: str) -> Iterator[tuple[str, np.ndarray]]:
        """Each term of ``field`` with its live documents, segment by segment (a term may come
        once per segment), read in one pass over each segment's term table rather than one
        lookup per term: what a searcher's page table reads for every page and link."""
        for leaf, offset in self.leaves:
            if field not in leaf.schema:
                continue
            for text, blocks in segment_terms(leaf, field, offset):
                docs, _ = self._live(blocks)
                if len(docs):
                    yield text.decode("utf-8"), docs

    def _live(self, blocks: list[tuple[np.ndarray, np.ndarray]]
              ) -> tuple[np.ndarray, np.ndarray]:
        if not blocks:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        docs = np.concatenate([ids for ids, _ in blocks])
        freqs = np.concatenate([weights for _, weights in blocks])
        keep = self.live[docs]
        return docs[keep], freqs[keep]

    def mask(self, field: str, texts: tuple[str, ...]) -> np.ndarray:
        """Documents holding any of ``texts`` in ``field`` (for filters)."""
        result = np.zeros(self.doc_count, dtype=bool)
        for text in texts:
            result[self.term(field, text)[0]] = True
        return result



def segment_readers(reader: IndexReader) -> list[tuple[SegmentReader, int]]:
    """The readers of ``reader``'s segments with the number of their first document (none for
    an index without segments, whose reader is Whoosh's ``EmptyReader``)."""
    return [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.doc_count_all()]


def live_mask(reader: IndexReader) -> np.ndarray:
    """Which documents of ``reader`` are not deleted."""
    live = np.zeros(reader.doc_count_all(), dtype=bool)
    live[list(reader.all_doc_ids())] = True
    return live


def field_lengths(doc_count: int, leaves: list[tuple[SegmentReader, int]],
                  field: str) -> np.ndarray:
    """Every document's length in ``field``.  Whoosh keeps one length byte per document in a
    column: it is read whole and decoded through a table (one call per document took ~0.15 s
    of each searcher opening on the shared corpus)."""
    values = np.zeros(doc_count, dtype=np.float32)
    for leaf, offset in leaves:
        raw = length_column(leaf, field)
        if raw is not None:
            values[offset:offset + len(raw)] = _BYTE_LENGTHS[raw]
    return values


def _array_bytes(value: tuple[np.ndarray, np.ndarray]) -> int:
    """Bytes a cached term's (document numbers, frequencies) take."""
    return value[0].nbytes + value[1].nbytes


def segment_terms(leaf: SegmentReader, field: str, offset: int = 0
                  ) -> Iterator[tuple[bytes, list[tuple[np.ndarray, np.ndarray]]]]:
    """Each term of ``field`` in one segment with its posting blocks (deleted documents
    included, numbers shifted by ``offset``), in one pass over the segment's term table."""
    for text, matcher in term_postings(leaf, field):
        yield text, _blocks(matcher, offset)


def length_column(leaf: SegmentReader, field: str) -> np.ndarray | None:
    """A segment's length byte of ``field`` for each of its documents (0: none), read whole;
    None when no document of the segment has the field."""
    raw = length_bytes(leaf, field)
    if raw is None:
        return None
    values = np.frombuffer(raw, dtype=np.uint8)
    return np.pad(values, (0, leaf.doc_count_all() - len(values)))


def _blocks(matcher: Matcher, offset: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A posting list's (document numbers, frequencies), one array per block."""
    return [(np.asarray(ids, dtype=np.int64) + offset, np.asarray(weights, dtype=np.float32))
            for ids, weights in posting_blocks(matcher)]
