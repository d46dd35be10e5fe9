"""What the index tells its callers went wrong, whichever engine holds it."""

from __future__ import annotations


class IndexMissing(Exception):
    """No index has been built yet in that folder."""


class IndexUnreadable(IndexMissing):
    """An index is there but cannot be read (damaged); the next reindex builds a new one."""


class IndexBusy(Exception):
    """Another reindex holds the lock."""
