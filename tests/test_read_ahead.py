"""Pages read ahead of indexing, by a thread or, for a remote source with many pages, by a
process: order kept, errors handed over, early stop clean."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kbtool import read_ahead as ahead
from kbtool.crawler.base import RawPage, RemoteSource
from kbtool.documents import Document, Failure, Section
from tests.processes import all_gone, children

REPO = Path(__file__).resolve().parents[1]


class CountingSource:
    """Returns a Failure per page (cheap to build), raises on ``boom``, records the thread."""

    name = "src"

    def __init__(self, boom: str = "") -> None:
        self.boom = boom
        self.threads: set[str] = set()
        self.done: list[str] = []

    def listing(self):
        raise NotImplementedError  # the reader never lists

    def fetch(self, page_id: str):
        self.threads.add(threading.current_thread().name)
        if page_id == self.boom:
            raise KeyboardInterrupt
        self.done.append(page_id)
        return Failure(self.name, page_id, "read")


class RemoteStub(CountingSource):
    """A remote source: ``read`` writes down the process it ran in, ``parse`` the process it
    runs in; ``broken`` pages fail to parse, ``fail`` pages to read; ``crash`` raises what it
    names (or ends the process: ``exit``) on the page ``at``."""

    def __init__(self, crash: str = "", at: str = "") -> None:
        super().__init__()
        self.crash, self.at = crash, at
        self.parsed_in: set[int] = set()

    def fetch(self, page_id: str):
        raw = self.read(page_id)
        return self.parse(raw) if isinstance(raw, RawPage) else raw

    def read(self, page_id: str):
        if page_id == self.at:
            if self.crash == "exit":
                os._exit(3)
            raise {"interrupt": KeyboardInterrupt, "bug": ValueError}[self.crash]("stop")
        if page_id.endswith("fail"):
            return Failure(self.name, page_id, "refused")
        return RawPage(page_id, "1", str(os.getpid()))

    def parse(self, raw: RawPage) -> Document:
        if raw.page_id.endswith("broken"):
            raise ValueError("unparsable")
        self.parsed_in.add(os.getpid())
        return Document(source=self.name, page_id=raw.page_id, title=raw.text, url="",
                        namespace="", version=raw.version, sections=(Section("", "", "x"),))


def test_pages_come_in_order_from_one_other_thread():
    source = CountingSource()
    ids = [f"src/p{n}" for n in range(100)]
    got = [page_id for page_id, _ in ahead.read_ahead(source, ids)]
    assert got == ids
    assert source.threads == {"fetch-src"}


def test_an_interrupt_in_the_reader_is_raised_to_the_indexer():
    source = CountingSource(boom="src/p5")
    seen = []
    with pytest.raises(KeyboardInterrupt):
        for page_id, _ in ahead.read_ahead(source, [f"src/p{n}" for n in range(10)]):
            seen.append(page_id)
    assert seen == [f"src/p{n}" for n in range(5)]


def test_stopping_early_stops_the_reader(monkeypatch):
    monkeypatch.setattr(ahead, "FETCH_AHEAD", 2)
    source = CountingSource()
    pages = ahead.read_ahead(source, [f"src/p{n}" for n in range(1000)])
    next(pages)
    pages.close()
    assert not any(t.name == "fetch-src" for t in threading.enumerate())
    assert len(source.done) < 10


def test_a_remote_source_with_many_pages_is_read_by_another_process(monkeypatch):
    monkeypatch.setattr(ahead, "PROCESS_FROM", 5)
    source = RemoteStub()
    assert isinstance(source, RemoteSource)
    ids = [f"src/p{n}" for n in range(40)] + ["src/fail", "src/broken", "src/last"]
    got = list(ahead.read_ahead(source, ids))
    assert [page_id for page_id, _ in got] == ids
    pages = dict(got)
    readers = {page.title for page in pages.values() if isinstance(page, Document)}
    assert len(readers) == 1 and readers != {str(os.getpid())}  # read elsewhere, by one process
    assert source.parsed_in == {os.getpid()}                    # parsed here
    assert pages["src/fail"] == Failure("src", "src/fail", "refused")
    assert "unexpected error: ValueError('unparsable')" in pages["src/broken"].reason


def test_few_pages_of_a_remote_source_are_read_by_a_thread(monkeypatch):
    monkeypatch.setattr(ahead, "PROCESS_FROM", 50)
    source = RemoteStub()
    pages = dict(ahead.read_ahead(source, [f"src/p{n}" for n in range(10)]))
    assert {page.title for page in pages.values()} == {str(os.getpid())}


@pytest.mark.parametrize("crash, expected", [
    ("bug", "ValueError: stop"),          # a reader bug beyond one page: its traceback
    ("interrupt", "KeyboardInterrupt"),
    ("exit", "exit code 3"),              # the process died without a word
])
def test_a_reader_process_that_stops_stops_the_run_with_the_reason(monkeypatch, crash,
                                                                   expected):
    monkeypatch.setattr(ahead, "PROCESS_FROM", 1)
    source = RemoteStub(crash=crash, at="src/p3")
    # A page bug is a Failure (tested above); make this one escape the per-page guard.
    monkeypatch.setattr(ahead, "_guarded", lambda source, page_id, action: action())
    seen = []
    with pytest.raises(RuntimeError, match=expected):
        for page_id, _ in ahead.read_ahead(source, [f"src/p{n}" for n in range(10)]):
            seen.append(page_id)
    # (What a killed process had not yet written to the pipe is lost with it.)
    assert seen == ["src/p0", "src/p1", "src/p2"][:len(seen) if crash == "exit" else 3]


def test_stopping_early_ends_the_reader_process(monkeypatch):
    monkeypatch.setattr(ahead, "PROCESS_FROM", 1)
    monkeypatch.setattr(ahead, "FETCH_AHEAD", 2)
    before = children(os.getpid())
    pages = ahead.read_ahead(RemoteStub(), [f"src/p{n}" for n in range(100_000)])
    next(pages)
    reader = children(os.getpid()) - before
    assert reader  # reading, blocked on a full pipe
    pages.close()
    assert all_gone(reader, timeout=5)


def test_the_reader_process_of_a_killed_run_ends_by_itself(tmp_path):
    """Killed with SIGKILL (the OOM killer, ``kill -9``), a run cannot stop its reader: left
    waiting on its full pipe, the reader would keep the reindex lock it inherited."""
    script = tmp_path / "killed.py"
    script.write_text(f"""
import os, signal, sys
sys.path.insert(0, {str(REPO)!r})
from kbtool import read_ahead as ahead
from tests.processes import children
from tests.test_read_ahead import RemoteStub
ahead.PROCESS_FROM, ahead.FETCH_AHEAD = 1, 2
pages = ahead.read_ahead(RemoteStub(), [f"src/p{{n}}" for n in range(100_000)])
next(pages)
print(*children(os.getpid()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
""")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr
    reader = {int(pid) for pid in run.stdout.split()}
    assert reader
    assert all_gone(reader, timeout=10)
