"""Rewriting older segments without their deleted sections, from arrays rather than posting by
posting.

Why: ``IndexBuilder.keep_segments`` (``kbtool.index.build``) rewrites a segment once a fifth of
its sections are deleted.  Whoosh's ``add_reader`` copies each posting through its posting pool
(a tuple, a sort and a write call each), and so took as long as a full rebuild on the shared
corpus.  Here each term's posting blocks are read as arrays (as the searcher reads them,
``kbtool.index.postings``), renumbered and ordered with numpy, and written by ``term_blocks`` as
a new segment's are: the files are those of a fresh build of the same sections in the same order
(``tests/index/test_merge.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.codec.base import FieldWriter, Segment
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from kbtool.index.postings import length_column, segment_terms
from kbtool.index.segment import SectionWriter
from kbtool.index.term_blocks import write_field

_BYTE_LENGTHS = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.int64)


@dataclass
class _Copied:
    """One field's live postings read from one segment, renumbered, in term order."""

    texts: list[bytes]
    term_ids: np.ndarray       # per posting, its term's position in ``texts``
    docs: np.ndarray
    freqs: np.ndarray
    length_bytes: np.ndarray


def copy_live_sections(ix: FileIndex, segments: list[Segment]) -> Segment | None:
    """One new segment holding the live sections of ``segments``, in their order (None when
    there are no segments)."""
    copier = SegmentCopier(ix)
    try:
        for segment in segments:
            copier.add_segment(segment)
        return copier.finish()
    except BaseException:
        copier.abandon()
        raise


class SegmentCopier(SectionWriter):
    """Copies the live sections of older segments into one new segment, handed back by
    ``finish`` (no lock, no commit, as ``SectionWriter``)."""

    def __init__(self, ix: FileIndex) -> None:
        super().__init__(ix)
        self._copies: dict[str, list[_Copied]] = {}  # field → its postings, segment by segment

    def add_segment(self, segment: Segment) -> None:
        """Copy the segment's live sections after those already copied."""
        reader = SegmentReader(self.storage, self.schema, segment)
        try:
            columns = {name: column for name in self.schema.names()
                       if (column := length_column(reader, name)) is not None}
            renumber = self._copy_documents(reader, columns)
            for name in self.field_postings:
                copied = _read_field(reader, name, renumber, columns.get(name))
                if copied is not None:
                    self._copies.setdefault(name, []).append(copied)
            self.note_added()
        finally:
            reader.close()

    def _copy_documents(self, reader: SegmentReader,
                        columns: dict[str, np.ndarray]) -> np.ndarray:
        """Copy each live section's stored fields and field lengths (``columns``: the length
        bytes by field), fields in the order a new section's are written; its new number by
        old number (-1: deleted).  (Whoosh's ``write_per_doc`` looks each length up on its
        own, a file ``stat`` each.)"""
        names = sorted(self.schema.names())
        lengths = {name: _BYTE_LENGTHS[column].tolist() for name, column in columns.items()}
        fields = [(name, self.schema[name], lengths.get(name)) for name in names]
        renumber = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        perdoc = self.perdocwriter
        for docnum, stored in reader.iter_docs():
            renumber[docnum] = self.docnum
            perdoc.start_doc(self.docnum)
            for name, field, length in fields:
                perdoc.add_field(name, field, stored.get(name), length[docnum] if length else 0)
            perdoc.finish_doc()
            self.docnum += 1
        return renumber

    def write_postings(self, fieldwriter: FieldWriter) -> None:
        """Write the copied postings, field by field and term by term in Whoosh's order."""
        for name in sorted(self._copies):
            _write_copies(self, fieldwriter, name, self._copies[name])


def _read_field(reader: SegmentReader, name: str, renumber: np.ndarray,
                lengths: np.ndarray | None) -> _Copied | None:
    """The live postings of one field of a segment, documents renumbered, with the field's
    length bytes (``lengths``, None: the segment has none); None if no posting."""
    texts: list[bytes] = []
    counts: list[int] = []
    blocks: list[tuple[np.ndarray, np.ndarray]] = []
    for text, term_blocks in segment_terms(reader, name):
        texts.append(text)
        counts.append(sum(len(ids) for ids, _ in term_blocks))
        blocks += term_blocks
    if not blocks:
        return None
    old_docs = np.concatenate([ids for ids, _ in blocks])
    term_ids = np.repeat(np.arange(len(texts)), counts)
    docs = renumber[old_docs]
    live = docs >= 0
    length_bytes = (lengths[old_docs] if lengths is not None
                    else np.zeros(len(old_docs), dtype=np.uint8))
    freqs = np.concatenate([weights for _, weights in blocks])
    return _Copied(texts, term_ids[live], docs[live],
                   np.rint(freqs[live]).astype(np.int32), length_bytes[live])


def _write_copies(writer: SegmentCopier, fieldwriter: FieldWriter, name: str,
                  parts: list[_Copied]) -> None:
    """One field's postings from every copied segment: terms in byte order, each term's
    documents ascending (later segments were given higher numbers)."""
    texts = sorted({part.texts[i] for part in parts for i in np.unique(part.term_ids).tolist()})
    if not texts:
        return
    rank = {text: number for number, text in enumerate(texts)}
    term_ids = np.concatenate([
        np.array([rank.get(text, -1) for text in part.texts], dtype=np.int64)[part.term_ids]
        for part in parts])
    docs = np.concatenate([part.docs for part in parts])
    order = np.lexsort((docs, term_ids))
    bounds = np.searchsorted(term_ids[order], np.arange(len(texts) + 1))
    write_field(fieldwriter, name, writer.schema[name], texts, bounds,
                docs[order].astype(np.int32),
                np.concatenate([part.freqs for part in parts])[order],
                np.concatenate([part.length_bytes for part in parts])[order])
