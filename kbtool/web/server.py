"""Serving the app with gunicorn: a master process that keeps ``web.processes`` workers alive.

Whoosh searches are CPU-bound Python: threads of one process take turns on the GIL, while
processes use every core.  gunicorn's master binds the socket, builds the app once and forks the
workers (``preload_app``), and replaces any worker that dies (killed, out of memory, crashed):
the site keeps answering.  Each worker answers several requests at once with threads (the
``gthread`` worker).  Workers share nothing in memory: sessions are signed cookies and everything
else lives in the SQLite store, so any worker can answer any request.  SIGTERM stops the workers
gracefully, Ctrl+C at once.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

THREADS_PER_PROCESS = 8


class PortUnavailable(OSError):
    """The address to serve on cannot be listened on (in use, not an address of this host…)."""


def run(app: Flask, host: str, port: int, processes: int = 1,
        ready: Callable[[], None] = lambda: None) -> None:
    """Serve until stopped; ``ready`` is called once the socket listens, before any request."""
    check_port(host, port)
    _Gunicorn(app, {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": max(1, processes),
        "worker_class": "gthread",
        "threads": THREADS_PER_PROCESS,
        "preload_app": True,
        "proc_name": "kbtool",
        "loglevel": "warning",
        # gunicorn's control socket is one path per user: a second server would take it over.
        "control_socket_disable": True,
        # Nothing in front is trusted to say the request came over HTTPS.
        "secure_scheme_headers": {},
        "when_ready": lambda _arbiter: ready(),
    }).run()


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortUnavailable` with one clear line when ``host:port`` cannot be listened
    on; gunicorn would retry five times and log a page of errors first."""
    if not 0 < port < 65536:
        raise PortUnavailable(f"cannot listen on {host}:{port}: "
                              "a port is a number from 1 to 65535")
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        # socket.create_server appends "(while attempting to bind on address …)" to the reason.
        reason = (exc.strerror or str(exc)).split(" (while attempting", 1)[0]
        raise PortUnavailable(f"cannot listen on {host}:{port}: {reason}") from None


class _Gunicorn(BaseApplication):
    """gunicorn serving one Flask app built beforehand, with settings given as a dict."""

    def __init__(self, app: Flask, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options (gunicorn reads no configuration file here)."""
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        """The app, built once in the master before the workers are forked."""
        return self.application
