"""The store connection of the current request, opened on first use and closed at teardown."""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, g

from kbtool import store


def get_db() -> sqlite3.Connection:
    """This request's connection to the application's database."""
    if "db" not in g:
        g.db = store.connect(current_app.config["KBTOOL"].get("web.database"))
    return g.db


def _close(_exc: BaseException | None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_app(app: Flask) -> None:
    """Create or upgrade the schema now (not on the first request) and close per request."""
    store.connect(app.config["KBTOOL"].get("web.database")).close()
    app.teardown_appcontext(_close)
