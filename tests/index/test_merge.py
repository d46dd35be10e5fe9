"""Rewriting worn segments from arrays writes the files a fresh build of their live sections
writes."""

from __future__ import annotations

from pathlib import Path

from whoosh import index
from whoosh.index import FileIndex

from kbtool.index.build import IndexBuilder
from kbtool.index.schema import make_schema
from kbtool.index.writer import add_page, add_skipped, delete_page
from tests.index.corpus import contents, pages, segment_files

DOCS = pages(300)
PARTS = (DOCS[:200], DOCS[200:])
GONE = {doc.page_id for doc in DOCS[::3]}  # a third of the pages: every segment is worn


def build(path: Path, parts: list[list], one_run: bool) -> FileIndex:
    """The pages of each part, and a redirect after each, written by one run per part (so in
    a segment each) or all by one run."""
    path.mkdir()
    ix = index.create_in(str(path), make_schema())
    numbered = list(enumerate(parts))
    for run in [numbered] if one_run else [[part] for part in numbered]:
        builder = IndexBuilder(ix)
        for number, part in run:
            for doc in part:
                add_page(builder, doc)
            add_skipped(builder, f"wiki/redirect_{number}.txt", "wiki", "7", "wiki:ns:page_1")
        builder.commit()
    return index.open_dir(str(path))


def test_worn_segments_are_rewritten_as_a_fresh_build_of_their_live_sections(
        tmp_path: Path) -> None:
    worn = build(tmp_path / "worn", PARTS, one_run=False)
    assert len(worn._segments()) == 2
    builder = IndexBuilder(worn)
    for page_id in GONE:
        delete_page(builder, page_id)
    builder.commit()
    rewritten = index.open_dir(str(tmp_path / "worn"))
    fresh = build(tmp_path / "fresh", [[doc for doc in part if doc.page_id not in GONE]
                                       for part in PARTS], one_run=True)
    assert rewritten.doc_count_all() == rewritten.doc_count() == fresh.doc_count()
    assert segment_files(rewritten) == segment_files(fresh)
    assert contents(rewritten) == contents(fresh)
