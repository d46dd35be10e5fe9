"""Pages read ahead of indexing by a thread: order kept, errors handed over, early stop clean."""

from __future__ import annotations

import threading

import pytest

from kbtool import pipeline
from kbtool.documents import Failure


class CountingSource:
    """Returns a Failure per page (cheap to build), raises on ``boom``, records the thread."""

    name = "src"

    def __init__(self, boom: str = "") -> None:
        self.boom = boom
        self.threads: set[str] = set()
        self.read: list[str] = []

    def fetch(self, page_id: str):
        self.threads.add(threading.current_thread().name)
        if page_id == self.boom:
            raise KeyboardInterrupt
        self.read.append(page_id)
        return Failure(self.name, page_id, "read")


def test_pages_come_in_order_from_one_other_thread():
    source = CountingSource()
    ids = [f"src/p{n}" for n in range(100)]
    got = [page_id for page_id, _ in pipeline._fetched_ahead(source, ids)]
    assert got == ids
    assert source.threads == {"fetch-src"}


def test_an_interrupt_in_the_reader_is_raised_to_the_indexer():
    source = CountingSource(boom="src/p5")
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for page_id, _ in pipeline._fetched_ahead(source, [f"src/p{n}" for n in range(10)]):
            seen.append(page_id)
    assert seen == [f"src/p{n}" for n in range(5)]


def test_stopping_early_stops_the_reader(monkeypatch):
    monkeypatch.setattr(pipeline, "FETCH_AHEAD", 2)
    source = CountingSource()
    pages = pipeline._fetched_ahead(source, [f"src/p{n}" for n in range(1000)])
    next(pages)
    pages.close()
    assert not any(t.name == "fetch-src" for t in threading.enumerate())
    assert len(source.read) < 10
