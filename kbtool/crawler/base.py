"""What every source offers the reindex pipeline: a listing of versions, then pages on demand.

Incremental reindexing is a set difference of versions, so a source first says cheaply what it
holds (page id → version) and the pipeline fetches only the pages that are new or changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kbtool.documents import Document, Failure, Listing


class Source(Protocol):
    """A place pages come from (a folder, a DokuWiki, a web site)."""

    name: str

    def listing(self) -> Listing:
        """Every page the source holds now with its version; failures as values."""
        ...

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The page, a Failure saying why it could not be read, or None when it is to be left
        out of the index (a redirect, an empty page, a page the bot may not read)."""
        ...


@dataclass(frozen=True)
class RawPage:
    """A page as a remote source read it, before parsing: ``version`` is the one listed (a
    wiki revision), ``text`` the page's source text."""

    page_id: str
    version: str
    text: str


@runtime_checkable
class RemoteSource(Source, Protocol):
    """A source whose reading is mostly waiting for a server (a wiki over its API): ``fetch``
    is ``read`` then ``parse``, and the reindex may read in a process of its own while it
    parses and indexes (see :mod:`kbtool.read_ahead`)."""

    def read(self, page_id: str) -> RawPage | Failure | None:
        """The page's raw text, a Failure saying why it could not be read, or None when it is
        left out (a page the bot may not read)."""
        ...

    def parse(self, raw: RawPage) -> Document | None:
        """The page read by :meth:`read`, parsed; None when it is left out (no text)."""
        ...
