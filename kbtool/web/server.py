"""Serving the app with waitress, in one process or several sharing one listening socket.

Whoosh searches are CPU-bound Python: threads of one process take turns on the GIL, while
processes use every core.  With ``web.processes`` above 1 the parent binds the socket, forks that
many workers that each run waitress on it (the kernel spreads connections between them), and
stops them all on SIGTERM or Ctrl+C.  Workers share nothing in memory: sessions are signed cookies
and everything else lives in the SQLite store, so any worker can answer any request.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from types import FrameType

import waitress
from flask import Flask

log = logging.getLogger(__name__)

THREADS_PER_PROCESS = 8


def run(app: Flask, host: str, port: int, processes: int = 1) -> None:
    """Serve until interrupted."""
    if processes <= 1:
        waitress.serve(app, host=host, port=port, threads=THREADS_PER_PROCESS, ident="kbtool")
        return
    listener = socket.create_server((host, port), backlog=1024)
    workers = [_fork_worker(app, listener) for _ in range(processes)]
    listener.close()
    log.info("serving on http://%s:%d/ with %d processes", host, port, processes)
    _supervise(workers)


def _fork_worker(app: Flask, listener: socket.socket) -> int:
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops workers with SIGTERM
        try:
            waitress.serve(app, sockets=[listener], threads=THREADS_PER_PROCESS, ident="kbtool")
        finally:
            os._exit(0)
    return pid


def _supervise(workers: list[int]) -> None:
    """Wait for the workers; on SIGTERM/SIGINT stop them all (a dead worker is not replaced)."""
    def stop(_signum: int, _frame: FrameType | None) -> None:
        for pid in workers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in workers:
        _, status = os.waitpid(pid, 0)
        if status and os.waitstatus_to_exitcode(status) not in (0, -signal.SIGTERM):
            log.error("worker %d ended with status %d", pid, os.waitstatus_to_exitcode(status))
