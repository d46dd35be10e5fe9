"""The Whoosh implementation of what the reindex pipeline writes (``kbtool.index.updating``).

It joins the pieces the pipeline used to drive one by one: the index folder and its generations
(``IndexStore``), the writer of a run (``IndexBuilder``) and the mapping of a ``Document`` to
index entries and back (``kbtool.index.writer``).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh.index import FileIndex
from whoosh.searching import Searcher as WhooshSearcher

from kbtool.documents import Document
from kbtool.index.build import IndexBuilder
from kbtool.index.store import IndexStore
from kbtool.index.writer import add_page, add_skipped, copy_page, delete_page

PARALLEL_FROM = 500   # pages to (re)index from which two writer processes pay off


class WhooshIndex:
    """An index folder of Whoosh generations (see ``IndexStore``), as the pipeline updates it."""

    def __init__(self, root: Path, memory_mb: int) -> None:
        self.store = IndexStore(root)
        self.memory_mb = memory_mb

    @contextmanager
    def lock(self, timeout: float = 0.0) -> Iterator[None]:
        """Hold the reindex lock, then drop the generations killed rebuilds left behind."""
        with self.store.lock(timeout):
            self.store.drop_stale_generations()
            yield

    def exists(self) -> bool:
        """True when a complete, readable index is in place."""
        return self.store.exists()

    def analysis_current(self) -> bool:
        """True when the current generation was built with this kbtool's analysis."""
        return self.store.analysis_current()

    def versions(self, skipped: bool = True) -> dict[str, str]:
        """Page id → indexed version, {} without an index."""
        return self.store.versions(skipped) if self.store.exists() else {}

    def source_settings(self) -> dict[str, str]:
        """Source name → settings digest, {} without an index."""
        return self.store.source_settings() if self.store.exists() else {}

    def record_source_settings(self, digests: dict[str, str]) -> None:
        """Record the digests in the current generation."""
        self.store.record_source_settings(digests)

    def update(self, *, rebuild: bool, pages: int) -> WhooshUpdate:
        """A run's changes, in a new generation when ``rebuild``; two writer processes when
        ``pages`` is large enough for them to pay off."""
        previous = self.store.open() if rebuild and self.store.exists() else None
        target = self.store.create_generation() if rebuild else self.store.open()
        procs = 2 if pages >= PARALLEL_FROM else 1
        builder = IndexBuilder(target, procs=procs, limitmb=self.memory_mb)
        return WhooshUpdate(self.store, builder, target if rebuild else None, previous)


class WhooshUpdate:
    """One run's changes to a Whoosh index; a rebuild's ``generation`` is published on commit,
    and pages are kept from the ``previous`` one."""

    def __init__(self, store: IndexStore, builder: IndexBuilder,
                 generation: FileIndex | None, previous: FileIndex | None) -> None:
        self._store = store
        self._builder = builder
        self._generation = generation
        self._previous = previous
        self._kept_from: WhooshSearcher | None = None   # opened on the first page kept

    def add_page(self, doc: Document) -> None:
        """Index a page's sections."""
        add_page(self._builder, doc)

    def add_skipped(self, page_id: str, source: str, version: str, redirect: str = "") -> None:
        """Remember a page the source leaves out at this version."""
        add_skipped(self._builder, page_id, source, version, redirect)

    def delete_page(self, page_id: str) -> None:
        """Remove every section of a page indexed before this run."""
        delete_page(self._builder, page_id)

    def keep_page(self, page_id: str, version: str) -> bool:
        """Copy a page from the generation a rebuild replaces; False when it is not there."""
        if self._previous is None:
            return False
        if self._kept_from is None:
            self._kept_from = self._previous.searcher()
        return copy_page(self._kept_from, self._builder, page_id, version)

    def commit(self) -> None:
        """Commit the run, then swap a rebuilt generation in."""
        self._release_previous()
        self._builder.commit()
        if self._generation is not None:
            self._store.publish(self._generation)

    def abort(self) -> None:
        """Drop the run's changes (a rebuild's generation is removed by the next run)."""
        self._release_previous()
        self._builder.cancel()

    def _release_previous(self) -> None:
        if self._kept_from is not None:
            self._kept_from.close()
            self._kept_from = None
