"""Reading pages ahead of indexing, so that waiting for a wiki or a site overlaps the work on
the pages already read.

Pages are read by a thread, except for a remote source with many pages to read (a full crawl of
a DokuWiki over its API): that one is read by a process of its own, which only makes the
requests and hands the raw text back to be parsed here.  Why: after each answer a reader thread
waits for the interpreter lock, held by the parsing and indexing of earlier pages, and on the
benchmark wiki (5 ms per request) a full crawl took 1.15–1.3× the time of the bare API calls;
a reader with an interpreter to itself keeps to the wiki's pace (all pages read in 1.01–1.05×
that time, see docs/benchmarks.md).
Small runs keep the thread: forking costs more than it saves there, and the web app (which
reindexes one published page) never forks.

Either way pages come back in order, a page that raises becomes a Failure naming it, a
``SourceDown`` (the server stopped answering) is the last item read from its source, and a
reader that stops (an interrupt, a crash, a killed process) stops the run with the reason.
Waiting for the reader checks for SIGTERM (:mod:`kbtool.stopping`) twice a second or so.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol, Union

from kbtool import stopping
from kbtool.crawler.base import RawPage, RemoteSource, Source
from kbtool.documents import Document, Failure, SourceDown

log = logging.getLogger(__name__)

FETCH_AHEAD = 32      # pages read ahead of indexing
PROCESS_FROM = 500    # pages to read from which a remote source gets a reader process

Fetched = Union[Document, Failure, None]
_Read = Union[Document, RawPage, Failure, None]


def read_ahead(source: Source | None, page_ids: list[str]) -> Iterator[tuple[str, Fetched]]:
    """Each page id with its page (a Failure when it could not be read, None when it is left
    out), in order, read up to FETCH_AHEAD pages ahead of the caller, until the end or a
    ``SourceDown``, after which no more pages are asked for; ``source`` is None only when there
    is nothing to read (a source whose listing failed)."""
    if not page_ids:
        return
    assert source is not None
    if isinstance(source, RemoteSource) and len(page_ids) >= PROCESS_FROM:
        for page_id, read in _ahead(_ReaderProcess, source, source.read, page_ids):
            if isinstance(read, RawPage):
                yield page_id, _guarded(source, page_id, lambda: source.parse(read))
            else:
                yield page_id, read
    else:
        yield from _ahead(_ReaderThread, source, source.fetch, page_ids)


def _guarded(source: Source, page_id: str, action: Callable[[], _Read]) -> _Read:
    """``action()``, or a Failure naming the page when it raises: a parser bug on one page
    must not stop the run."""
    try:
        return action()
    except Exception as exc:
        log.exception("reading %s failed", page_id)
        return Failure(source.name, page_id, f"unexpected error: {exc!r}")


@dataclass(frozen=True)
class _Stopped:
    """What a reader hands over when it stops before the end: the exception and its traceback
    (only the traceback from a process)."""

    error: BaseException | None
    trace: str

    def raise_it(self) -> None:
        if self.error is not None:
            raise self.error
        raise RuntimeError(f"the page reader stopped:\n{self.trace}")


_Produce = Callable[[Callable[[object], bool]], None]  # reads, handing items to ``put``


class _Reader(Protocol):
    """Runs a ``_Produce`` elsewhere and hands its items over."""

    def get(self) -> object: ...

    def stop(self) -> None: ...


def _ahead(kind: Callable[[str, _Produce], _Reader], source: Source,
           read: Callable[[str], _Read], page_ids: list[str]) -> Iterator[tuple[str, _Read]]:
    """The items a reader of ``kind`` produces with ``read``, until it is done."""

    def produce(put: Callable[[object], bool]) -> None:
        try:
            for page_id in page_ids:
                item = _guarded(source, page_id, lambda: read(page_id))
                if not put((page_id, item)):
                    return
                if isinstance(item, SourceDown):
                    break
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Stopped(exc, traceback.format_exc()))
        else:
            put(None)

    reader = kind(f"fetch-{source.name}", produce)
    try:
        while (item := reader.get()) is not None:
            if isinstance(item, _Stopped):
                item.raise_it()
            yield item  # type: ignore[misc]
    finally:
        reader.stop()


class _ReaderThread:
    """A thread of this process; the source is only ever used by it (an HTTP client is not
    thread-safe)."""

    def __init__(self, name: str, produce: _Produce) -> None:
        self._items: queue.Queue = queue.Queue(maxsize=FETCH_AHEAD)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=produce, args=(self._put,), name=name,
                                        daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        """Put ``item`` in the queue, waiting for room; False once the consumer has stopped."""
        while not self._stopped.is_set():
            try:
                self._items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def get(self) -> object:
        while True:
            stopping.check()
            try:
                return self._items.get(timeout=0.2)
            except queue.Empty:
                continue

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)


class _ReaderProcess:
    """A forked process (it inherits the source's logged-in session) that sends what it reads
    through a pipe; stopped by terminating it, and ending by itself if this process is killed
    (left waiting on a full pipe, it would keep the reindex lock it inherited)."""

    def __init__(self, name: str, produce: _Produce) -> None:
        context = multiprocessing.get_context("fork")
        self._items = context.Queue(FETCH_AHEAD)
        self._parent = os.getpid()
        self._process = context.Process(target=self._run, args=(produce,), name=name,
                                        daemon=True)
        self._process.start()

    def _run(self, produce: _Produce) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stop() terminates it at once
        produce(self._put)

    def _put(self, item: object) -> bool:
        if isinstance(item, _Stopped):  # an exception may not survive pickling
            item = _Stopped(None, item.trace)
        while True:
            try:
                self._items.put(item, timeout=1.0)
                return True
            except queue.Full:
                if os.getppid() != self._parent:
                    os._exit(1)

    def get(self) -> object:
        while True:
            stopping.check()
            try:
                return self._items.get(timeout=0.5)
            except queue.Empty:
                if self._process.is_alive():
                    continue
            try:  # what it sent just before it ended may still be in the pipe
                return self._items.get(timeout=0.5)
            except queue.Empty:
                raise RuntimeError("the page reader process stopped (exit code "
                                   f"{self._process.exitcode})") from None

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._items.close()
