"""Every use kbtool makes of Whoosh names that are not its public API, in one place.

Why: kbtool writes segments from arrays, commits several segments at once and reads posting
blocks as arrays (``segment``, ``build``, ``merge``, ``postings``, ``term_blocks``), which
Whoosh's public API does not offer; that needs Whoosh's internals, which the exactly pinned
whoosh3 release may change in any new one.  Gathered here, they are what to check when trying a
new release (docs/whoosh-upgrade.md); ``tests/index/test_whoosh_private.py`` fails if another
kbtool module uses a private Whoosh name, or if the list below is not what this module uses.

Private names used (checked against the code)::

    _lk                                    SegmentWriter(_lk=False): a writer without the lock
    _added                                 whether a writer's new segment holds documents
    _flush_segment                         overridden: what a new segment's files get written
    _finalize_segment                      a writer's new segment, its files finished
    _close_segment                         a writer's new segment, dropped (nothing added)
    _merge_segments                        a writer's merge policy run, without committing
    _commit_toc                            the table of contents written (the commit itself)
    _finish                                the writer closed and unlocked after the commit
    _terms                                 a segment reader's term table
    _codec                                 a segment reader's codec (its postings reader)
    _postfile                              the postings file (of a term table, a field writer)
    _perdoc                                a segment reader's per-document reader
    _cached_reader                         a per-document column reader, opened once
    _dbfile                                a column's file
    _basepos                               where a column starts in its file
    _count                                 how many values a column holds
    _read_ids                              a posting block's document numbers decoded
    _read_weights                          a posting block's weights decoded
    _ids                                   the decoded document numbers
    _weights                               the decoded weights
    _next_block                            the matcher moved to the next posting block
    _fieldmap                              a field writer's field numbers
    _postwriter                            a field writer's postings writer
    _blocklimit                            postings per block
    _compression                           zlib level of the posting blocks
    _tindex                                a field writer's term table
    _struct                                W3TermInfo's fixed part
    whoosh.codec.whoosh3.COMPRESSION_MIN_SIZE   blocks shorter than this are not compressed
    whoosh.codec.whoosh3.LENGTHS_COLUMN    the column type of field lengths
    whoosh.codec.whoosh3.W3TermInfo        a term's row in the term table
    whoosh.codec.whoosh3.WHOOSH3_HEADER_MAGIC   what each term's postings start with
    whoosh.filedb.filetables.OrderedHashWriter  the term table's writer
    whoosh.filedb.filetables.md5_hash      the term table's hash function
    whoosh.filedb.filestore.FileStorage    subclassed: index files opened as memory maps
    whoosh.filedb.structfile.StructFile    subclassed: a file read from a memory map
    _reader                                a reader of the segments about to be committed

Besides, ``add_term_rows`` writes ``OrderedHashWriter``'s attributes ``dbfile``, ``index``,
``buckets``, ``lastkey`` and ``hashfn`` itself, and the column of a field's lengths is named
``_<field>_len``: internals too, proved by the same tests.
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from hashlib import md5
from typing import BinaryIO

from whoosh.codec.base import FieldWriter, Segment
from whoosh.codec.whoosh3 import (COMPRESSION_MIN_SIZE, LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC,
                                  W3TermInfo)
from whoosh.fields import FieldType
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashWriter, md5_hash
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex
from whoosh.matching import Matcher
from whoosh.reading import IndexReader, SegmentReader
from whoosh.system import pack_int, pack_long
from whoosh.writing import SegmentWriter

__all__ = ["COMPRESSION_MIN_SIZE", "WHOOSH3_HEADER_MAGIC", "FieldFiles", "MappedStorage",
           "NewSegmentWriter", "add_term_rows", "commit_segments", "length_bytes",
           "merged_segments", "posting_blocks", "segments_reader", "start_field",
           "term_info_bytes", "term_postings"]

MergePolicy = Callable[[SegmentWriter, list[Segment]], list[Segment]]


class NewSegmentWriter(SegmentWriter):
    """Writes one new segment without taking the index lock and never commits it: the
    committing writer (``commit_segments``) lists it.  Subclasses write the postings
    (``write_postings``) and say when they added documents (``note_added``)."""

    def __init__(self, ix: FileIndex) -> None:
        super().__init__(ix, _lk=False)

    def note_added(self) -> None:
        """The segment holds documents: ``finish`` writes it."""
        self._added = True

    def write_postings(self, fieldwriter: FieldWriter) -> None:
        """Write every field's terms and postings (called once, when the segment is flushed)."""
        raise NotImplementedError

    def finish(self) -> Segment | None:
        """The finished segment, or None (and no files) when nothing was added."""
        return _finish_segment(self)

    def abandon(self) -> None:
        """Drop the segment's files."""
        self._close_segment()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        self.write_postings(self.fieldwriter)
        self.fieldwriter.close()


def _finish_segment(writer: SegmentWriter) -> Segment | None:
    if writer._added:
        return writer._finalize_segment()
    writer._close_segment()
    return None


def merged_segments(writer: SegmentWriter, policy: MergePolicy) -> list[Segment]:
    """The index's segments once ``policy`` has merged them (and the writer's own new
    segment, if it got documents), nothing committed yet."""
    kept = writer._merge_segments(policy, None, None)
    own = _finish_segment(writer)
    return kept if own is None else [*kept, own]


def segments_reader(ix: FileIndex, segments: list[Segment], generation: int) -> IndexReader:
    """A reader of ``segments`` as the index will be once they are committed as ``generation``
    (the same document numbers; the deletions marked in the segments)."""
    return FileIndex._reader(ix.storage, ix.schema, list(segments), generation)


def commit_segments(writer: SegmentWriter, segments: list[Segment]) -> None:
    """Commit: the index is made of ``segments`` (with the writer's deletions), then the
    writer is closed and the lock released."""
    writer._commit_toc(segments)
    writer._finish()


def term_postings(leaf: SegmentReader, field: str) -> Iterator[tuple[bytes, Matcher]]:
    """Each term of ``field`` in one segment with a matcher of its postings (deleted
    documents included), in one pass over the segment's term table."""
    terms, format_ = leaf._terms, leaf.schema[field].format
    for (name, text), info in terms.items_from(field, b""):
        if name != field:
            break
        yield text, leaf._codec.postings_reader(terms._postfile, info, format_)


def posting_blocks(matcher: Matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A posting list's (document numbers, weights), block by block, as the matcher decodes
    them (no per-posting call)."""
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield matcher._ids, matcher._weights
        matcher._next_block()


def length_bytes(leaf: SegmentReader, field: str) -> bytes | None:
    """A segment's length bytes of ``field``, read whole (the documents after the last one
    that has the field have none); None when no document of the segment has it."""
    column = leaf._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is None:
        return None
    return column._dbfile.get(column._basepos, min(column._count, leaf.doc_count_all()))


@dataclass
class FieldFiles:
    """Where a field writer puts one field's postings and term rows, and how."""

    number: int                 # the field's number in term keys
    postfile: BinaryIO
    block_limit: int            # postings per block
    compression: int            # zlib level of blocks of at least COMPRESSION_MIN_SIZE bytes
    term_table: OrderedHashWriter


def start_field(writer: FieldWriter, name: str, field: FieldType) -> FieldFiles:
    """Start writing a field (``writer.finish_field()`` ends it) and say where it goes."""
    writer.start_field(name, field)
    postings = writer._postwriter
    return FieldFiles(writer._fieldmap[name], writer._postfile, postings._blocklimit,
                      postings._compression, writer._tindex)


_TERM_STATS = W3TermInfo._struct


def term_info_bytes(weight: float, doc_freq: int, min_length: int, max_length: int,
                    max_weight: float, first: int, last: int, offset: int, size: int) -> bytes:
    """``W3TermInfo.to_bytes`` of a term whose postings (``size`` bytes at ``offset`` of the
    postings file) are not inlined."""
    return _TERM_STATS.pack(False, weight, doc_freq, min_length, max_length, max_weight,
                            first, last) + pack_long(offset) + pack_int(size)


_ROW_LENGTHS = struct.Struct("!ii")  # filetables' key and value lengths before each row


def add_term_rows(table: OrderedHashWriter, rows: list[tuple[bytes, bytes]]) -> None:
    """``table.add(key, value)`` of each row (keys ascending), in one write: the row, its
    position in the ordered index and its MD5 hash in one of the 256 buckets."""
    if table.hashfn is not md5_hash or not rows:
        raise ValueError("term table rows need an MD5 hash table and at least one row")
    if rows[0][0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{rows[0][0]!r}")
    position = table.dbfile.tell()
    chunks = []
    for key, value in rows:
        table.index.append(position)
        hashed = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        table.buckets[hashed & 255].append((hashed, position))
        chunks += (_ROW_LENGTHS.pack(len(key), len(value)), key, value)
        position += _ROW_LENGTHS.size + len(key) + len(value)
    table.dbfile.write(b"".join(chunks))
    table.lastkey = rows[-1][0]


class MappedStorage(FileStorage):
    """An index folder whose files are read through read-only memory maps, never copied.

    Why: whoosh3 maps a segment's compound file, but hands each of its parts to a
    ``BufferFile`` that copies it into a ``BytesIO``: opening a reader copied every term table,
    posting file and length column into the process (1.3× the index), and the stored fields on
    first use, so each web worker held its own copy.  Here a part is read straight from the
    map: the pages are the kernel's page cache, shared by every process that opens the same
    generation, and opening one copies nothing.  (``supports_mmap`` is False so that whoosh's
    compound storage asks the file for its parts, ``MappedFile.subset``, instead of mapping
    and copying them itself.)
    """

    supports_mmap = False

    def open_file(self, name: str, **kwargs) -> StructFile:
        """The file, mapped (an empty one is opened plainly: it cannot be mapped)."""
        with open(os.path.join(self.folder, name), "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if not size:
                return super().open_file(name, **kwargs)
            mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapping, 0, size, name, **kwargs)


class _MapReader:
    """A read-only file over ``start:end`` of a memory map, as whoosh's ``BytesIO`` (each read
    copies only the bytes asked for).

    Each thread has its own position: a searcher's files are shared by the web server's
    threads, and whoosh reads a posting block by ``seek`` then ``read`` (its length, then its
    pickled header); with one position for all, another thread's seek in between made it read
    the wrong bytes ("Damaged postings block", 2 of 1,180 requests at 4 clients)."""

    def __init__(self, mapping: mmap.mmap, start: int, end: int) -> None:
        self.mapping, self.start, self.end = mapping, start, end
        self._where = threading.local()

    @property
    def position(self) -> int:
        """This thread's position in the map (the part's start until it seeks or reads)."""
        return getattr(self._where, "position", self.start)

    @position.setter
    def position(self, value: int) -> None:
        self._where.position = value

    def read(self, size: int | None = -1) -> bytes:
        stop = self.end if size is None or size < 0 else min(self.end, self.position + size)
        data = self.mapping[self.position:max(stop, self.position)]
        self.position += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        newline = self.mapping.find(b"\n", self.position, self.end)
        stop = self.end if newline < 0 else newline + 1
        return self.read(stop - self.position if size is None or size < 0
                         else min(size, stop - self.position))

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: self.start, os.SEEK_CUR: self.position, os.SEEK_END: self.end}
        self.position = max(self.start, base[whence] + offset)
        return self.position - self.start

    def tell(self) -> int:
        return self.position - self.start

    def close(self) -> None:
        """Nothing to release: the map is unmapped when no file uses it any more."""


class MappedFile(StructFile):
    """``start:end`` of a memory-mapped index file: what whoosh's ``BufferFile`` is, without
    copying.  Reads at a position (``get``) keep no state, so threads may share the file."""

    def __init__(self, mapping: mmap.mmap, start: int, end: int, name: str | None = None,
                 **kwargs) -> None:
        super().__init__(_MapReader(mapping, start, end), name=name, **kwargs)
        self.mapping, self.start, self.end = mapping, start, end

    def get(self, position: int, length: int) -> bytes:
        """``length`` bytes from ``position`` (fewer at the end of the file)."""
        begin = self.start + position
        return self.mapping[begin:min(begin + length, self.end)]

    def get_array(self, position: int, typecode: str, length: int) -> array:
        """An array of ``length`` big-endian items from ``position``."""
        values = array(typecode)
        values.frombytes(self.get(position, length * values.itemsize))
        if sys.byteorder == "little":
            values.byteswap()
        return values

    def subset(self, position: int, length: int, name: str | None = None) -> "MappedFile":
        """A part of this file (a compound file's member), mapped as well."""
        begin = self.start + position
        return MappedFile(self.mapping, begin, min(begin + length, self.end), name)
