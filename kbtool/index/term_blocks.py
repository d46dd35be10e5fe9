"""A field's posting blocks and term-table rows, written from arrays as Whoosh 3 writes them.

Why: handing Whoosh's ``W3PostingsWriter`` one block at a time still cost ~30 µs per term (a
``W3TermInfo`` object, block statistics gathered in Python, a Python delta encoder, a ``tell()``
per write), about 9 s of CPU for the ~300,000 terms of a full corpus build.  Here the statistics
of every block and term of a field are computed at once with numpy, and what is left per term is
its pickles, its compression and one write.  The bytes are those of
``W3PostingsWriter._write_block``/``finish_postings`` and ``W3FieldWriter.finish_term`` of the
exactly pinned whoosh3 (``tests/index/test_segment.py`` compares the files with Whoosh's); the
Whoosh internals this needs are reached through ``kbtool.index.whoosh_private``.

    postings file, per term: b"W3Bl", then per block: int32 ±length (negative for the last),
        pickle (count, last id, max weight, compression, min length byte, max length byte),
        pickle (id deltas, weights or None or the one weight, values), zlib'd from 80 bytes
    term table: (field number, term bytes) → W3TermInfo bytes (statistics, offset, length)
"""

from __future__ import annotations

import zlib
from pickle import dumps

import numpy as np
from whoosh.codec.base import FieldWriter
from whoosh.fields import FieldType
from whoosh.system import pack_int, pack_ushort

from kbtool.index.whoosh_private import (COMPRESSION_MIN_SIZE, WHOOSH3_HEADER_MAGIC,
                                         add_term_rows, start_field, term_info_bytes)


def write_field(writer: FieldWriter, name: str, field: FieldType, texts: list[bytes],
                bounds: np.ndarray, docs: np.ndarray, freqs: np.ndarray,
                length_bytes: np.ndarray) -> None:
    """Write the terms of one field: ``texts`` in byte order, term ``i`` owning the postings
    ``bounds[i]:bounds[i + 1]`` of ``docs`` (ascending within a term), ``freqs`` and the
    documents' ``length_bytes`` (0: no length)."""
    files = start_field(writer, name, field)
    blocks = _Blocks(bounds, files.block_limit, docs, freqs, length_bytes)
    term_stats = _TermStats(bounds, docs, freqs, length_bytes)
    fixed = field.format.fixed_value_size()
    values = freqs.astype(">u4").tobytes() if fixed else b""
    offset = files.postfile.tell()
    block = 0
    rows = []
    for term, text in enumerate(texts):
        chunks = [WHOOSH3_HEADER_MAGIC]
        last = block + blocks.per_term[term] - 1
        for number in range(block, last + 1):
            chunks += blocks.encode(number, files.compression, values, number == last)
        block = last + 1
        data = b"".join(chunks)
        files.postfile.write(data)
        rows.append((pack_ushort(files.number) + text, term_stats.encode(term, offset, len(data))))
        offset += len(data)
    add_term_rows(files.term_table, rows)
    writer.finish_field()


class _Blocks:
    """Every block of a field: where it starts and ends, its id deltas and its statistics."""

    def __init__(self, bounds: np.ndarray, limit: int, docs: np.ndarray, freqs: np.ndarray,
                 length_bytes: np.ndarray) -> None:
        counts = np.diff(bounds)
        per_term = (counts + limit - 1) // limit
        first = np.repeat(np.cumsum(per_term) - per_term, per_term)
        starts = (np.repeat(bounds[:-1], per_term)
                  + limit * (np.arange(int(per_term.sum())) - first))
        stops = np.minimum(starts + limit, np.repeat(bounds[1:], per_term))
        deltas = docs.astype(np.int64)
        deltas[1:] -= docs[:-1]
        deltas[starts] = docs[starts]  # each block's ids are delta-encoded from 0
        self.per_term = per_term.tolist()
        self.starts, self.stops = starts.tolist(), stops.tolist()
        self.deltas, self.docs, self.freqs = deltas.tolist(), docs.tolist(), freqs.tolist()
        self.max_freq = np.maximum.reduceat(freqs, starts).tolist()
        self.min_freq = np.minimum.reduceat(freqs, starts).tolist()
        self.max_length = np.maximum.reduceat(length_bytes, starts).tolist()
        self.min_length = _min_nonzero(length_bytes, starts)

    def encode(self, number: int, compression: int, values: bytes, last: bool) -> list[bytes]:
        """The block's length, info and data, as ``W3PostingsWriter._write_block``."""
        start, stop = self.starts[number], self.stops[number]
        low, high = self.min_freq[number], self.max_freq[number]
        if high == 1:
            weights: float | tuple[float, ...] | None = None
        elif low == high:
            weights = float(high)
        else:
            weights = tuple(map(float, self.freqs[start:stop]))
        data = dumps((tuple(self.deltas[start:stop]), weights,
                      values[4 * start:4 * stop] if values else None), 2)
        level = compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if level:
            data = zlib.compress(data, level)
        info = dumps((stop - start, self.docs[stop - 1], float(high), level,
                      self.min_length[number], self.max_length[number]), 2)
        size = len(info) + len(data)
        return [pack_int(-size if last else size), info, data]


class _TermStats:
    """Each term's W3TermInfo statistics: total weight, document frequency, length bytes,
    highest weight, first and last document."""

    def __init__(self, bounds: np.ndarray, docs: np.ndarray, freqs: np.ndarray,
                 length_bytes: np.ndarray) -> None:
        starts = bounds[:-1]
        self.weight = np.add.reduceat(freqs.astype(np.int64), starts).tolist()
        self.df = np.diff(bounds).tolist()
        self.min_length = _min_nonzero(length_bytes, starts)
        self.max_length = np.maximum.reduceat(length_bytes, starts).tolist()
        self.max_weight = np.maximum.reduceat(freqs, starts).tolist()
        self.first = docs[starts].tolist()
        self.last = docs[bounds[1:] - 1].tolist()

    def encode(self, term: int, offset: int, length: int) -> bytes:
        """The term's row in the term table, its postings at ``offset`` of ``length`` bytes."""
        return term_info_bytes(float(self.weight[term]), self.df[term], self.min_length[term],
                               self.max_length[term], float(self.max_weight[term]),
                               self.first[term], self.last[term], offset, length)


def _min_nonzero(length_bytes: np.ndarray, starts: np.ndarray) -> list[int]:
    """Smallest non-zero length byte from each start to the next, 0 when there is none."""
    lowest = np.minimum.reduceat(np.where(length_bytes == 0, 256, length_bytes.astype(np.int16)),
                                 starts)
    return np.where(lowest == 256, 0, lowest).tolist()
