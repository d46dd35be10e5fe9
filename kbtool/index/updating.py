"""What the reindex pipeline writes to the index: pages added, replaced, deleted or kept, then
one commit that readers see whole, or nothing.

Two protocols: ``UpdatableIndex`` is the index as a run finds it (what is indexed, at which
version, whether its analysis is current) and ``IndexUpdate`` one run's changes.  A rebuild
writes a new generation which the commit swaps in; an incremental run changes the current one.
Whoosh (``kbtool.index.whoosh_index``) is their only implementation; docs/scaling.md maps them
onto OpenSearch.  Nothing engine-specific crosses them: pages go in as ``Document`` records.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

from kbtool.documents import Document


@runtime_checkable
class IndexUpdate(Protocol):
    """One run's changes: invisible to searches until ``commit``, dropped by ``abort``."""

    def add_page(self, doc: Document) -> None:
        """Index a page's sections (a page being replaced is deleted first)."""

    def add_skipped(self, page_id: str, source: str, version: str, redirect: str = "") -> None:
        """Remember a page the source leaves out (a redirect, an empty page) at this version,
        so the next run does not read it again; it is never a result."""

    def delete_page(self, page_id: str) -> None:
        """Remove every section of a page indexed before this run."""

    def keep_page(self, page_id: str, version: str) -> bool:
        """Carry a page over from the index a rebuild replaces, as it was indexed (its source
        failed or was left out of the run); False when it is not there."""

    def commit(self) -> None:
        """Make every change of the run visible at once (a rebuild's generation replaces the
        current one)."""

    def abort(self) -> None:
        """Drop every change of the run; the index stays as it was."""


@runtime_checkable
class UpdatableIndex(Protocol):
    """The index as the reindex pipeline sees it, between runs."""

    def lock(self, timeout: float = 0.0) -> AbstractContextManager[None]:
        """Hold the one-run-at-a-time lock (``IndexBusy`` naming its holder after ``timeout``
        seconds); leftovers of killed runs are cleared once it is held."""

    def exists(self) -> bool:
        """True when a complete, readable index is in place."""

    def analysis_current(self) -> bool:
        """True when the index was built with this kbtool's text analysis (else only a
        rebuild makes it consistent)."""

    def versions(self, skipped: bool = True) -> dict[str, str]:
        """Page id → indexed version ({} without an index); with ``skipped=False``, only
        the pages that hold text."""

    def source_settings(self) -> dict[str, str]:
        """Source name → digest of the settings its indexed pages were read with."""

    def record_source_settings(self, digests: dict[str, str]) -> None:
        """Record those digests with the index (after the run's commit)."""

    def update(self, *, rebuild: bool, pages: int) -> IndexUpdate:
        """Start a run's changes: into a new generation when ``rebuild``, else into the current
        index; ``pages`` is how many pages the run expects to (re)index."""
