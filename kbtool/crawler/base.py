"""What every source offers the reindex pipeline: a listing of versions, then pages on demand.

Incremental reindexing is a set difference of versions, so a source first says cheaply what it
holds (page id → version) and the pipeline fetches only the pages that are new or changed.
"""

from __future__ import annotations

from typing import Protocol

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
