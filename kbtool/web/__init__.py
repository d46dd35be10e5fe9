"""The agents' web UI: a Flask app built by a factory from a loaded configuration.

One blueprint per job (sign-in, search, drafts, validation requests, usage figures); the search
index is opened once per app and refreshed per request; the application's own data lives in the
SQLite store of :mod:`kbtool.store`.
"""

from __future__ import annotations

import logging
import secrets
import sys
from datetime import timedelta
from pathlib import Path

from flask import Flask

from kbtool import accounts, store
from kbtool.config import Config

log = logging.getLogger(__name__)


def create_app(config: Config, *, testing: bool = False) -> Flask:
    """Build the web app for this configuration."""
    from kbtool.web import (admin, articlereview, articleviews, auth, dashboard, db, drafts,
                            errors, filters, gapviews, inputs, labels, learnedviews, profile,
                            reviews, search, searching, security, synonymviews, ticketviews)

    app = Flask(__name__)
    app.config.update(
        TESTING=testing,
        KBTOOL=config,
        SECRET_KEY=_secret_key(Path(config.get("web.secret_key_file"))),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.get("web.session_hours")),
        SESSION_COOKIE_NAME="kbtool_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.get("web.secure_cookies"),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session that holds it
        MAX_CONTENT_LENGTH=1_000_000,
    )
    inputs.init_app(app)  # before the blueprints: their routes use its converter
    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    searching.init_app(app)
    filters.init_app(app)
    labels.init_app(app)
    for blueprint in (auth.bp, search.bp, drafts.bp, reviews.bp, admin.bp, gapviews.bp,
                      articleviews.bp, articlereview.bp, dashboard.bp, profile.bp,
                      ticketviews.bp, learnedviews.bp, synonymviews.bp):
        app.register_blueprint(blueprint)
    return app


def _secret_key(path: Path) -> str:
    """The session signing key, created (readable by its owner only) on first start."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        log.info("created session key %s", path)
    return path.read_text(encoding="ascii").strip()


def ensure_admin(config: Config) -> tuple[str, str] | None:
    """Create a first admin with a random password when there is no account; return it to print."""
    conn = store.connect(config.get("web.database"))
    try:
        return accounts.create_first_admin(conn)
    finally:
        conn.close()


def serve(config: Config, host: str, port: int) -> None:
    """Serve the app with gunicorn (``web.processes`` workers) until stopped; the URL is
    announced on stderr once the port listens (a busy port raises ``server.PortUnavailable``
    before anything is announced)."""
    from kbtool.web import server

    app = create_app(config)
    server.run(app, host, port, config.get("web.processes"),
               ready=lambda: print(f"kbtool: http://{host}:{port}/ (Ctrl+C to stop)",
                                   file=sys.stderr, flush=True))
