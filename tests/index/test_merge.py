"""Rewriting worn segments from arrays writes the files Whoosh's own merge writes."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.index import FileIndex

from kbtool.index.build import IndexBuilder
from kbtool.index.schema import make_schema
from kbtool.index.writer import add_page, add_skipped, delete_page
from tests.index.test_segment import pages, segment_files

GONE = range(0, 300, 3)  # a third of the pages: every segment is worn


def two_segments(path: Path) -> FileIndex:
    """The pages in two segments, written by two runs."""
    path.mkdir()
    ix = index.create_in(str(path), make_schema())
    for part in (pages(300)[:200], pages(300)[200:]):
        builder = IndexBuilder(ix)
        for doc in part:
            add_page(builder, doc)
        add_skipped(builder, f"wiki/redirect_{len(part)}.txt", "wiki", "7", "wiki:ns:page_1")
        builder.commit()
    return index.open_dir(str(path))


def test_worn_segments_are_rewritten_as_whoosh_merges_them(tmp_path: Path) -> None:
    docs = pages(300)
    by_whoosh = two_segments(tmp_path / "whoosh")
    writer = by_whoosh.writer()
    for n in GONE:
        delete_page(writer, docs[n].page_id)
    writer.commit(optimize=True)  # Whoosh's add_reader of both segments
    ours = two_segments(tmp_path / "ours")
    builder = IndexBuilder(ours)
    for n in GONE:
        delete_page(builder, docs[n].page_id)
    builder.commit()
    ours = index.open_dir(str(tmp_path / "ours"))
    assert ours.doc_count_all() == ours.doc_count() == by_whoosh.doc_count()
    assert segment_files(ours) == segment_files(index.open_dir(str(tmp_path / "whoosh")))
