"""One run's changes: new sections in this process or in workers, deletions, one commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index
from whoosh.index import FileIndex

from kbtool.index import build as build_module
from kbtool.index.build import IndexBuilder
from kbtool.index.schema import make_schema
from kbtool.index.segment import MIN_SECTIONS
from kbtool.index.writer import add_page, delete_page
from tests.index.corpus import contents, pages


def build(path: Path, procs: int, limitmb: float = 128) -> FileIndex:
    path.mkdir()
    ix = index.create_in(str(path), make_schema())
    builder = IndexBuilder(ix, procs=procs, limitmb=limitmb)
    for doc in pages(300):
        add_page(builder, doc)
    builder.commit()
    return index.open_dir(str(path))


def test_workers_build_the_same_index(tmp_path: Path) -> None:
    alone, workers = build(tmp_path / "alone", 1), build(tmp_path / "workers", 2)
    assert len(workers._segments()) == 2
    assert contents(workers) == contents(alone)


@pytest.mark.parametrize("procs", [1, 2])
def test_a_memory_bound_splits_new_sections_into_segments(tmp_path: Path, procs: int) -> None:
    """At its bound a writer writes its segment and starts another (here one every 100
    sections, the fewest a segment gets): the index holds the same sections."""
    bounded = build(tmp_path / "bounded", procs, limitmb=0.01)
    sections = sum(len(doc.sections) for doc in pages(300))
    assert len(bounded._segments()) >= sections // MIN_SECTIONS
    # Only each writer's last segment may hold fewer.
    assert sum(s.doc_count_all() < MIN_SECTIONS for s in bounded._segments()) <= procs
    assert contents(bounded) == contents(build(tmp_path / "unbounded", 1))


def test_deletes_sections_of_earlier_commits_and_merges_small_segments(tmp_path: Path) -> None:
    ix = build(tmp_path / "index", 1)
    docs = pages(300)
    builder = IndexBuilder(ix)
    delete_page(builder, docs[5].page_id)
    add_page(builder, docs[5])
    builder.commit()
    ix = index.open_dir(str(tmp_path / "index"))
    assert ix.doc_count() == sum(len(doc.sections) for doc in docs)
    with ix.searcher() as searcher:
        assert len(list(searcher.documents(page_id=docs[5].page_id))) == len(docs[5].sections)
    assert contents(ix) == contents(build(tmp_path / "fresh", 1))


@pytest.mark.parametrize("procs", [1, 2])
def test_cancel_leaves_the_index_as_it_was(tmp_path: Path, procs: int) -> None:
    ix = build(tmp_path / "index", 1)
    before = contents(ix)
    builder = IndexBuilder(ix, procs=procs)
    delete_page(builder, pages(1)[0].page_id)
    for doc in pages(250):
        add_page(builder, doc)
    builder.cancel()
    assert contents(index.open_dir(str(tmp_path / "index"))) == before


def test_a_failing_worker_fails_the_commit(tmp_path: Path) -> None:
    ix = index.create_in(str(tmp_path), make_schema())
    builder = IndexBuilder(ix, procs=2)
    builder.add_document(key="a#0", no_such_field="x")
    with pytest.raises(RuntimeError, match="no_such_field"):
        builder.commit()
    assert index.open_dir(str(tmp_path)).doc_count_all() == 0
    ix.writer().cancel()  # the failed commit let go of the lock


def test_stopped_while_rewriting_worn_segments_the_index_stays_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ix = build(tmp_path / "index", 1)
    before = contents(ix)
    builder = IndexBuilder(ix)
    for doc in pages(300)[:100]:  # a third of the only segment: it is rewritten at commit
        delete_page(builder, doc.page_id)
        add_page(builder, doc)

    def interrupted(writer, segments):
        raise KeyboardInterrupt  # Ctrl+C, or SIGTERM, while older segments are merged
    monkeypatch.setattr(build_module, "MERGE_SMALL", interrupted)
    with pytest.raises(KeyboardInterrupt):
        builder.commit()
    assert contents(index.open_dir(str(tmp_path / "index"))) == before
    ix.writer().cancel()  # the stopped commit let go of the lock
