"""The arrays a searcher ranks with, written beside each commit and memory-mapped by searchers.

Why: ranking needs, for every section of the index, whether it is live, its length in four
fields and which page it belongs to, and the links between pages (``Postings``, ``PageTable``).
Read from Whoosh's terms at each opening, they took 0.75 s of CPU on the shared corpus, in each
web worker, each keeping its own copy.  The reindex that commits the index writes them once, as
``.npy`` files in a folder of the generation named after the state of the segments they describe
(``search-<digest of segment ids and deleted sections>``), before the commit that makes that
state visible; a searcher maps them read-only: opening copies nothing and the web workers share
the pages.

A folder is checked before use: its manifest (document count, each array's type, shape and
CRC-32) must match the reader and the files.  Without a folder (an index written by an older
kbtool, or committed by Whoosh's own writer) the searcher reads the arrays from the index as it
used to; with a damaged one too, saying so in the log: a wrong array would be a wrong ranking.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from whoosh.codec.base import Segment
from whoosh.reading import IndexReader

from kbtool.index.postings import Postings
from kbtool.index.ranking import LENGTH_FIELDS, PageTable

log = logging.getLogger(__name__)

PREFIX = "search-"
MANIFEST = "manifest.json"
_LENGTH = "length."


@dataclass(frozen=True)
class SearchArrays:
    """What ranking needs of one state of the index beside Whoosh's own files."""

    live: np.ndarray                  # per section: not deleted
    lengths: dict[str, np.ndarray]    # length field → per section, its length
    pages: PageTable

    def named(self) -> dict[str, np.ndarray]:
        """Each array by the name of its file."""
        return {"live": self.live,
                **{f"{_LENGTH}{name}": values for name, values in self.lengths.items()},
                **{field.name: getattr(self.pages, field.name) for field in fields(PageTable)}}


def read_arrays(reader: IndexReader) -> SearchArrays:
    """The arrays of ``reader``, read from its terms and length columns."""
    postings = Postings.read_from(reader, LENGTH_FIELDS)
    return SearchArrays(postings.live, postings.lengths, PageTable.read_from(postings))


def open_arrays(index_folder: Path, reader: IndexReader) -> SearchArrays:
    """The arrays of ``reader``: mapped from the files written for its state when they are
    there and whole, else read from it."""
    segments = [segment for leaf, _ in reader.leaf_readers()
                if (segment := leaf.segment()) is not None]
    folder = arrays_folder(index_folder, segments)
    return load_arrays(folder, reader.doc_count_all()) or read_arrays(reader)


def arrays_folder(index_folder: Path, segments: list[Segment]) -> Path:
    """Where the arrays of an index made of ``segments`` (in that order, with their deleted
    sections) are written: segment files never change, so these name the arrays' contents."""
    digest = hashlib.sha256()
    for segment in segments:
        digest.update(f"{segment.segment_id()}:".encode("ascii"))
        digest.update(np.sort(np.fromiter(segment.deleted_docs(), dtype=np.int64)).tobytes())
        digest.update(b";")
    return index_folder / f"{PREFIX}{digest.hexdigest()[:24]}"


def write_arrays(index_folder: Path, segments: list[Segment], reader: IndexReader) -> Path:
    """Write the arrays of ``reader``, the index as ``segments`` make it, unless they are
    there and whole already (a commit that changed nothing); their folder."""
    folder = arrays_folder(index_folder, segments)
    if load_arrays(folder, reader.doc_count_all()) is not None:
        return folder
    building = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    manifest: dict[str, object] = {"documents": reader.doc_count_all()}
    for name, values in read_arrays(reader).named().items():
        np.save(building / f"{name}.npy", values)
        manifest[name] = {"dtype": values.dtype.str, "shape": list(values.shape),
                          "crc32": zlib.crc32(np.ascontiguousarray(values))}
    (building / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(building, folder)
    return folder


def drop_other_arrays(index_folder: Path, keep: Path) -> None:
    """Remove the arrays of states other than ``keep`` (and unfinished ones); a searcher that
    mapped them keeps them until it lets go (POSIX unlink semantics)."""
    for path in [*index_folder.glob(f"{PREFIX}*"), *index_folder.glob(f".{PREFIX}*")]:
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)


def load_arrays(folder: Path, documents: int) -> SearchArrays | None:
    """The arrays in ``folder``, mapped, if they are there and whole; None otherwise (logged
    when they are there but damaged)."""
    if not folder.is_dir():
        return None
    try:
        return _load(folder, documents)
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s: search arrays unusable (%s): read from the index instead; the next "
                    "reindex that changes the index writes them again", folder, exc)
        return None


def _load(folder: Path, documents: int) -> SearchArrays:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    if manifest["documents"] != documents:
        raise ValueError(f"written for {manifest['documents']} sections, the index has "
                         f"{documents}")
    names = [name for name in manifest if name != "documents"]
    arrays = {name: _mapped(folder / f"{name}.npy", manifest[name]) for name in names}
    lengths = {name[len(_LENGTH):]: arrays.pop(name) for name in names
               if name.startswith(_LENGTH)}
    if set(lengths) != set(LENGTH_FIELDS):
        raise ValueError(f"length arrays {sorted(lengths)}, not {sorted(LENGTH_FIELDS)}")
    live = arrays.pop("live")
    table = PageTable(**arrays)
    if any(len(values) != documents for values in (live, table.page_of, table.about_of,
                                                     *lengths.values())):
        raise ValueError(f"an array per section is not {documents} long")
    _check_table(table)
    return SearchArrays(live, lengths, table)


def _check_table(table: PageTable) -> None:
    """Raise ValueError unless the page numbers and the link graph's bounds hold together
    (what indexing with them relies on; the CRC only proves the files are as written)."""
    pages, starts = table.page_count, table.linked_starts
    if len(starts) != pages + 1 or starts[0] != 0 or starts[-1] != len(table.linked_pages):
        raise ValueError(f"link bounds do not fit {pages} pages")
    if np.any(np.diff(starts) < 0):
        raise ValueError("link bounds go backwards")
    for name in ("page_of", "about_of", "linked_pages"):
        values = getattr(table, name)
        low = 0 if name == "linked_pages" else -1
        if len(values) and (values.min() < low or values.max() >= pages):
            raise ValueError(f"{name} names pages outside 0…{pages - 1}")
    if table.section_counts.sum() != np.count_nonzero(table.page_of >= 0):
        raise ValueError("section counts do not add up to the sections of pages")
    if len(table.page_ids) != pages or np.any(table.page_ids[1:] <= table.page_ids[:-1]):
        raise ValueError(f"page ids are not {pages} ids in order")
    starts = table.page_starts
    if len(starts) != pages + 1 or starts[0] != 0 or starts[-1] != len(table.by_page) or \
            np.any(np.diff(starts) != table.section_counts):
        raise ValueError("the sections grouped by page do not fit the section counts")
    if len(table.by_page) and (table.by_page.min() < 0 or
                               table.by_page.max() >= len(table.page_of)):
        raise ValueError("the sections grouped by page name sections outside the index")
    if len(table.by_page) and not np.array_equal(table.page_of[table.by_page],
                                                 np.repeat(np.arange(pages), table.section_counts)):
        raise ValueError("the sections grouped by page are not those of their pages")


def _mapped(path: Path, expected: dict) -> np.ndarray:
    """The array of ``path`` mapped read-only, checked against its manifest entry."""
    values = np.load(path, mmap_mode="r", allow_pickle=False)
    if values.dtype.str != expected["dtype"] or list(values.shape) != expected["shape"]:
        raise ValueError(f"{path.name}: {values.dtype.str} {list(values.shape)} instead of "
                         f"{expected['dtype']} {expected['shape']}")
    if zlib.crc32(values) != expected["crc32"]:
        raise ValueError(f"{path.name}: its contents changed (CRC-32)")
    return np.asarray(values)
