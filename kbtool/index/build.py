"""One reindex run's changes to the index: new sections, deletions, and the single commit.

New sections go to ``SectionWriter`` segments (``kbtool.index.segment``): in this process for
a small run, else in worker processes that each build segments while this process reads and
parses pages.  The postings a segment holds until it is written are bounded by ``limitmb``
(``index.memory_mb``, split between the workers): a full segment is written and another one
started (``SegmentSeries``), so a build does not hold every posting of the base.  Deletions, the
merging of older segments and the commit (the table of contents listing every segment) stay
with Whoosh's own writer, which holds the index lock; the commit is preceded by the writing of
the search arrays of the index it makes (``kbtool.index.arrays``).  Whoosh's ``MpWriter`` does
the same with Whoosh's slower writer in its workers, and has no place to put another writer
class, hence this module.

A deleted section stays in its segment's files, only marked deleted, so incremental runs that
update pages again and again would grow the index and slow every search (each segment and each
dead section is read by every searcher): ``IndexBuilder.keep_segments`` drops the segments left
without a live section and rewrites those with many deleted ones at commit
(``kbtool.index.merge``).  The Whoosh internals this needs are reached through
``kbtool.index.whoosh_private``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import traceback
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.index import FileIndex
from whoosh.writing import MERGE_SMALL, SegmentWriter

from kbtool.index.arrays import drop_other_arrays, write_arrays
from kbtool.index.merge import copy_live_sections
from kbtool.index.segment import SegmentSeries
from kbtool.index.whoosh_private import commit_segments, merged_segments, segments_reader

BATCH = 100  # sections sent to a worker at a time
# A segment is rewritten without its deleted sections once they make up more than this share
# of it: the index stays within about 1 / (1 - share) of its live size, and a run that updates
# a few pages of a large segment rewrites nothing (that takes a fifth of it being replaced).
MAX_DELETED_SHARE = 0.2
# Segments up to this share of the largest worn one are rewritten with it: each segment has its
# own term table, so many small ones take room and time; joining a rewrite costs them little.
JOIN_REWRITE_SHARE = 0.25


class IndexBuilder:
    """Adds and deletes sections, then commits them all at once (or cancels them all)."""

    def __init__(self, ix: FileIndex, procs: int = 1, limitmb: int = 128) -> None:
        self.ix = ix
        # Deletions, merges of older segments (after the writers are done) and the commit.
        self.main = ix.writer(limitmb=limitmb)
        self._local: SegmentSeries | None = None if procs > 1 else SegmentSeries(ix, limitmb)
        self._workers: list[BaseProcess] = []
        self._batch: list[dict[str, Any]] = []
        if procs > 1:
            # Started now, before the caller starts threads (fork copies only this one).
            context = multiprocessing.get_context("fork")
            self._jobs = context.Queue(procs * 4)
            self._results = context.Queue()
            self._workers = [context.Process(target=_work,
                                             args=(ix, self._jobs, self._results, os.getpid(),
                                                   limitmb / procs),
                                             name=f"kbtool-index-{n}", daemon=True)
                             for n in range(procs)]
            for worker in self._workers:
                worker.start()

    @property
    def schema(self) -> Schema:
        """The fields of the index written to."""
        return self.main.schema

    def add_document(self, **fields: Any) -> None:
        """Index one section (a Whoosh document)."""
        if self._local is not None:
            self._local.add_document(**fields)
            return
        self._batch.append(fields)
        if len(self._batch) >= BATCH:
            self._send(self._batch)
            self._batch = []

    def delete_by_term(self, fieldname: str, text: str) -> int:
        """Delete the already indexed documents holding this term (not those added in this
        run: a page is deleted before its new version is added)."""
        return self.main.delete_by_term(fieldname, text)

    def commit(self) -> None:
        """Finish the new segments, rewrite worn older ones (``keep_segments``), and make
        it all, and the deletions, visible in one commit.  Stopped or failing before that
        commit (a rewrite may take a while), the run leaves the index as it was."""
        main = self.main
        try:
            segments = self._finish_workers() if self._workers else self._finish_local()
            committed = merged_segments(main, self.keep_segments) + segments
            arrays = self._write_arrays(committed)
        except BaseException:
            self.cancel()
            raise
        commit_segments(main, committed)
        drop_other_arrays(self.folder, arrays)

    @property
    def folder(self) -> Path:
        """The index's folder (its generation)."""
        return Path(self.ix.storage.folder)

    def _write_arrays(self, segments: list[Segment]) -> Path:
        """The search arrays of the index ``segments`` make, written before the commit makes
        it visible, so searchers find them (``kbtool.index.arrays``)."""
        with segments_reader(self.ix, segments, self.main.generation) as reader:
            return write_arrays(self.folder, segments, reader)

    def cancel(self) -> None:
        """Drop everything this run added or deleted; the index stays as it was."""
        if self._workers:
            self._jobs.cancel_join_thread()  # batches nobody will read must not hold up exit
        for worker in self._workers:
            worker.terminate()
            worker.join()
        if self._local is not None:
            self._local.abandon()
        self.main.cancel()

    def keep_segments(self, writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
        """A Whoosh merge policy: the older segments to keep as they are at commit (this run's
        deletions already marked in them), and one that replaces the worn ones.  A segment whose
        sections are all deleted is dropped; those with more than ``MAX_DELETED_SHARE`` of them
        deleted are rewritten, their live sections copied into one new segment, together with
        the segments much smaller than they are; Whoosh's own policy merges small ones into the
        writer's segment."""
        live = [segment for segment in segments if segment.doc_count() > 0]
        worn = [segment for segment in live
                if segment.deleted_count() > MAX_DELETED_SHARE * segment.doc_count_all()]
        if worn:
            joining = JOIN_REWRITE_SHARE * max(segment.doc_count_all() for segment in worn)
            worn = [segment for segment in live
                    if segment in worn or segment.doc_count_all() <= joining]
        kept = MERGE_SMALL(writer, [segment for segment in live if segment not in worn])
        copied = copy_live_sections(self.ix, worn) if worn else None
        return kept if copied is None else [*kept, copied]

    def _finish_local(self) -> list[Segment]:
        assert self._local is not None
        return self._local.finish()

    def _finish_workers(self) -> list[Segment]:
        if self._batch:
            self._send(self._batch)
        for _ in self._workers:
            self._send(None)
        results = [self._receive() for _ in self._workers]
        for worker in self._workers:
            worker.join()
        for result in results:
            if isinstance(result, str):
                raise RuntimeError(f"an index worker failed:\n{result}")
        return [segment for segments in results for segment in segments]

    def _send(self, batch: list[dict[str, Any]] | None) -> None:
        """Queue work, waiting for room, unless every worker is gone (it would never come)."""
        while True:
            try:
                self._jobs.put(batch, timeout=1.0)
                return
            except queue.Full:
                self._check_alive()

    def _receive(self) -> list[Segment] | str:
        while True:
            try:
                return self._results.get(timeout=1.0)
            except queue.Empty:
                self._check_alive()

    def _check_alive(self) -> None:
        if not any(worker.is_alive() for worker in self._workers):
            codes = [worker.exitcode for worker in self._workers]
            raise RuntimeError(f"the index workers stopped (exit codes {codes})")


def _work(ix: FileIndex, jobs: multiprocessing.Queue, results: multiprocessing.Queue,
          parent: int, memory_mb: float) -> None:
    """A worker process: index the batches it is given into segments of at most ``memory_mb``
    each, and hand back the segments or the traceback of what went wrong.  It ends by itself
    if the ``parent`` process is gone (killed): left waiting for batches, it would keep the
    reindex lock it inherited."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # cancel() terminates it at once
    try:
        writer = SegmentSeries(ix, memory_mb)
        while (batch := _next_batch(jobs, parent)) is not None:
            for fields in batch:
                writer.add_document(**fields)
        results.put(writer.finish())
    except BaseException:  # handed to the committing process, which raises it
        results.put(traceback.format_exc())
        raise


def _next_batch(jobs: multiprocessing.Queue, parent: int) -> list[dict[str, Any]] | None:
    while True:
        try:
            return jobs.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                os._exit(1)
