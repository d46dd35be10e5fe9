"""Whoosh's posting lists and field lengths as numpy arrays, for vectorised scoring.

Why: Whoosh scores a disjunction of many terms across six fields one document at a time in
Python (~300 ms a query on the 28,000 sections of the shared corpus).  Reading each term's
postings block by block into arrays and scoring them with numpy takes a few milliseconds.  This
module is the only one that touches Whoosh's on-disk posting format (``W3LeafMatcher`` of the
exactly pinned whoosh3), so a format change is met in one place.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.matching import FilterMatcher, Matcher
from whoosh.reading import IndexReader, SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length


_BYTE_LENGTHS = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float32)


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

    def _live_mask(self) -> np.ndarray:
        live = np.zeros(self.doc_count, dtype=bool)
        live[list(self.reader.all_doc_ids())] = True
        return live

    def _lengths(self, field: str) -> np.ndarray:
        """Every document's length in ``field``.  Whoosh keeps one length byte per document in
        a column: it is read whole and decoded through a table (one call per document took
        ~0.15 s of each searcher opening on the shared corpus)."""
        values = np.zeros(self.doc_count, dtype=np.float32)
        for leaf, offset in self.leaves:
            raw = length_column(leaf, field)
            if raw is not None:
                values[offset:offset + len(raw)] = _BYTE_LENGTHS[raw]
        return values


def segment_terms(leaf: SegmentReader, field: str, offset: int = 0
                  ) -> Iterator[tuple[bytes, list[tuple[np.ndarray, np.ndarray]]]]:
    """Each term of ``field`` in one segment with its posting blocks (deleted documents
    included, numbers shifted by ``offset``), in one pass over the segment's term table."""
    terms, format_ = leaf._terms, leaf.schema[field].format
    for (name, text), info in terms.items_from(field, b""):
        if name != field:
            break
        yield text, _blocks(leaf._codec.postings_reader(terms._postfile, info, format_), offset)


def length_column(leaf: SegmentReader, field: str) -> np.ndarray | None:
    """A segment's length byte of ``field`` for each of its documents (0: none), read whole;
    None when no document of the segment has the field."""
    column = leaf._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is None:
        return None
    count = leaf.doc_count_all()
    raw = np.frombuffer(column._dbfile.get(column._basepos, min(column._count, count)),
                        dtype=np.uint8)
    return np.pad(raw, (0, count - len(raw)))


def _blocks(matcher: Matcher, offset: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A posting list's (document numbers, frequencies), one block at a time: the matcher
    decodes each block's ids and weights as arrays."""
    blocks = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        blocks.append((np.asarray(matcher._ids, dtype=np.int64) + offset,
                       np.asarray(matcher._weights, dtype=np.float32)))
        matcher._next_block()
    return blocks
