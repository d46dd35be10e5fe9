"""Numbers read from requests (ids, page numbers, revisions): ASCII digits SQLite can hold.

``str.isdigit`` accepts "²" and "①", which ``int()`` refuses, and Werkzeug's ``int`` converter
accepts ids larger than SQLite's integers: both used to end in an internal error.  Every number a
view reads goes through :func:`number`, every ``<int:…>`` of a route through :class:`IdConverter`,
so a crafted value is an ordinary "invalid" or "not found" answer.
"""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

SQLITE_MAX_INTEGER = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def number(text: str | None) -> int | None:
    """The non-negative integer written in ``text`` with ASCII digits, if SQLite can hold it."""
    if text is None or not _ASCII_DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= SQLITE_MAX_INTEGER else None


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes, bounded by SQLite's largest integer (a larger id matches no route:
    404, as any id that does not exist)."""

    def __init__(self, url_map: Map, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", SQLITE_MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    """Bound ``<int:…>`` in every route registered after this call."""
    app.url_map.converters["int"] = IdConverter
