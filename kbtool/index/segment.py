"""Writing freshly read sections into a new Whoosh segment, without Whoosh's per-posting Python.

Why: Whoosh's own ``SegmentWriter`` spent ~45 s of CPU on a full build of the 4,347-page wiki
(4 million postings): each word went through a Token object and a generic posting pool with
size accounting, the pool was sorted as 4 million tuples, and each posting was then written by
its own method call, its field length read back from disk.  Here a document's terms are counted
in C (``FrenchTokenizer.term_counts``), a field's postings are kept in flat arrays (term number,
frequency; document number and length per document), the flush orders them with numpy, and
``term_blocks`` writes each field's blocks and term table from those arrays.  The files are the
ones Whoosh writes for the same documents (``tests/index/test_segment.py`` compares them).

Only what kbtool's schema needs is supported: Frequency and Existence formats with a field
boost of 1, no vectors, spelling fields or columns (checked at start).  Deleting, merging older
segments and committing stay with Whoosh's writer: see ``kbtool.index.build``; the Whoosh
internals this needs are reached through ``kbtool.index.whoosh_private``.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from whoosh.codec.base import FieldWriter, Segment
from whoosh.fields import FieldType
from whoosh.formats import Existence, Frequency
from whoosh.index import FileIndex
from whoosh.util.numeric import length_to_byte

from kbtool.index.term_blocks import write_field
from kbtool.index.whoosh_private import NewSegmentWriter


# Bytes a buffered term costs beside its postings (its text and its entry in the field's dict).
TERM_BYTES = 120
# Memory a segment takes at its peak, its flush, per byte of postings held: the flush orders and
# encodes the largest field's postings as numpy arrays and Python lists (measured on the corpus).
PEAK_PER_HELD_BYTE = 5
# Fewest sections a segment is given whatever the memory bound (each segment costs every search
# a term lookup, so a bound set absurdly low must not write one per section); the bound is also
# checked only every this many sections.
MIN_SECTIONS = 100


class SectionWriter(NewSegmentWriter):
    """Adds documents to one new segment, handed back by ``finish`` (never committed by
    itself: it takes no lock and leaves the table of contents to the caller)."""

    def __init__(self, ix: FileIndex) -> None:
        super().__init__(ix)
        unsupported = [name for name, field in self.schema.items() if not _supported(field)]
        if unsupported:
            raise ValueError(f"SectionWriter cannot index fields {unsupported}")
        self.field_postings = {name: _FieldPostings(field)
                               for name, field in self.schema.items() if field.indexed}

    def add_document(self, **fields: Any) -> None:
        """Index one document (fields in Whoosh's order, so stored values pickle alike)."""
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        for name in sorted(fields):
            value = fields[name]
            if value is None:
                continue
            field = self.schema[name]
            length = self.field_postings[name].add(docnum, value) if field.indexed else 0
            perdoc.add_field(name, field, value if field.stored else None, length)
        perdoc.finish_doc()
        self.note_added()
        self.docnum += 1

    def held_bytes(self) -> int:
        """Memory the postings buffered so far take (what grows until the flush)."""
        return sum(postings.held_bytes() for postings in self.field_postings.values())

    def write_postings(self, fieldwriter: FieldWriter) -> None:
        """Write the postings, field by field and term by term in Whoosh's order."""
        for name in sorted(self.field_postings):
            self.field_postings[name].write(fieldwriter, name)


class SegmentSeries:
    """Sections written into as many new segments as it takes to stay within a memory bound.

    Why: a ``SectionWriter`` holds every posting of its segment until it writes it, so a full
    build of a large base held them all (2 GB per writer process at ten times the shared
    corpus).  Here a segment is written, and a new one started, once what its flush would take
    (``PEAK_PER_HELD_BYTE`` times the postings held) reaches ``memory_mb``.
    """

    def __init__(self, ix: FileIndex, memory_mb: float) -> None:
        self.ix = ix
        self.bound = memory_mb * 2**20
        self.finished: list[Segment] = []
        self.writer = SectionWriter(ix)

    def add_document(self, **fields: Any) -> None:
        """Index one section; write the segment if it is full."""
        self.writer.add_document(**fields)
        if self.writer.docnum % MIN_SECTIONS == 0 and \
                self.writer.held_bytes() * PEAK_PER_HELD_BYTE >= self.bound:
            self.finished.append(self.writer.finish())
            self.writer = SectionWriter(self.ix)

    def finish(self) -> list[Segment]:
        """Every segment written, in the order of their sections (none if nothing was added)."""
        last = self.writer.finish()
        return self.finished if last is None else [*self.finished, last]

    def abandon(self) -> None:
        """Drop the segment being written (those already written are not committed, and go
        at the next commit's clean-up or with their generation)."""
        self.writer.abandon()


def _supported(field: FieldType) -> bool:
    if field.vector or field.column_type or field.separate_spelling():
        return False
    return not field.indexed or (type(field.format) in (Frequency, Existence)
                                 and field.format.field_boost == 1.0)


class _FieldPostings:
    """One field's postings in arrival order: per posting its term number and frequency, per
    document its number, how many terms it has and its length byte (for block statistics)."""

    def __init__(self, field: FieldType) -> None:
        self.field = field
        self.terms: dict[str | bytes, int] = {}
        self.term_numbers = array("i")
        self.freqs = array("i")
        self.docnums = array("i")
        self.sizes = array("i")
        self.length_bytes = array("B")
        self._term_counts = getattr(field.analyzer, "term_counts", None)
        # Ids, namespaces and section numbers come back section after section (a page's id on
        # each of its sections), so their terms are worked out once per run of a value (typed:
        # 1 and 1.0 may index differently).
        self._index_terms = lru_cache(maxsize=64, typed=True)(self._field_terms)

    def add(self, docnum: int, value: Any) -> int:
        """Record a document's terms; its field length (0 when the field is not scorable)."""
        counts = self._counts(value)
        if not counts:
            return 0
        terms = self.terms
        for term in set(counts).difference(terms):
            terms[term] = len(terms)
        self.term_numbers.extend(map(terms.__getitem__, counts))
        self.freqs.extend(counts.values())
        length = sum(counts.values()) if self.field.scorable else 0
        self.docnums.append(docnum)
        self.sizes.append(len(counts))
        self.length_bytes.append(length_to_byte(length) if length else 0)
        return length

    def held_bytes(self) -> int:
        """Bytes of the buffered postings and terms."""
        arrays = (self.term_numbers, self.freqs, self.docnums, self.sizes, self.length_bytes)
        return sum(a.itemsize * len(a) for a in arrays) + TERM_BYTES * len(self.terms)

    def _counts(self, value: Any) -> Mapping[str | bytes, int]:
        if self._term_counts is not None and isinstance(value, str):
            return self._term_counts(value)
        if isinstance(value, (str, int, float)):
            return self._index_terms(value)
        return self._field_terms(value)

    def _field_terms(self, value: Any) -> dict[str | bytes, int]:
        return {text: freq for text, freq, _, _ in self.field.index(value)}

    def write(self, writer: FieldWriter, name: str) -> None:
        """Every term of the field in byte order, each with its postings in document order."""
        if not self.terms:
            return
        texts = sorted((term.encode("utf-8") if isinstance(term, str) else term, number)
                       for term, number in self.terms.items())
        rank = np.empty(len(texts), dtype=np.int64)
        rank[[number for _, number in texts]] = np.arange(len(texts))
        sizes = np.frombuffer(self.sizes, dtype=np.int32)
        ranks = rank[np.frombuffer(self.term_numbers, dtype=np.int32)]
        order = np.argsort(ranks, kind="stable")  # stable: documents stay in order
        docs = np.repeat(np.frombuffer(self.docnums, dtype=np.int32), sizes)[order]
        freqs = np.frombuffer(self.freqs, dtype=np.int32)[order]
        lengths = np.repeat(np.frombuffer(self.length_bytes, dtype=np.uint8), sizes)[order]
        bounds = np.searchsorted(ranks[order], np.arange(len(texts) + 1))
        write_field(writer, name, self.field, [text for text, _ in texts], bounds, docs, freqs,
                    lengths)
