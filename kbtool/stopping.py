"""SIGTERM as a request to stop, which a long run checks where it can stop cleanly.

Why the handler does not raise: Python runs a signal handler between any two bytecodes of the
main thread, including inside logging's at-fork hook or a ``finally`` that releases a lock.  An
exception raised there was once swallowed by the hook (the reindex then exited 0, with logging's
lock held).  So the handler only records the request; the loops of a run call :func:`check`,
which raises :class:`Terminated` at a point where the clean-up code (stopping reader and writer
processes, cancelling the index writer, releasing the lock) runs as for any other exception,
and the CLI ends with :data:`EXIT_STATUS` whenever a request was recorded.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

EXIT_STATUS = 128 + signal.SIGTERM   # 143, what a shell reports for a process ended by SIGTERM

_requested = False
_installed_by: int | None = None     # the process whose loops check the request


class Terminated(BaseException):
    """Raised by :func:`check` once SIGTERM was received.  A ``BaseException``, like
    ``KeyboardInterrupt``: the ``except Exception`` that keeps one page's or one source's
    failure from stopping a run must not swallow it."""


def install() -> None:
    """Record SIGTERM from now on instead of dying at once (the default)."""
    global _requested, _installed_by
    _requested = False
    _installed_by = os.getpid()
    signal.signal(signal.SIGTERM, _record)


def uninstall() -> bool:
    """Back to the default, and whether SIGTERM was received meanwhile (then forgotten).  A
    SIGTERM that comes once nothing checks any more ends the process at once (nothing is left
    to clean up) rather than being recorded and ignored."""
    global _requested, _installed_by
    # Blocking first runs the handler of a signal already caught but not yet handled (Python
    # runs handlers between bytecodes): reset to the default at once, it would be lost.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if signal.SIGTERM in signal.sigpending():  # came while blocked: received all the same
            signal.sigwait({signal.SIGTERM})
            _requested = True
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    received, _requested, _installed_by = _requested, False, None
    return received


def check() -> None:
    """Raise :class:`Terminated` if SIGTERM was received."""
    if _requested:
        raise Terminated()


def _record(signum: int, frame: FrameType | None) -> None:
    global _requested
    if os.getpid() != _installed_by:
        # A child forked by the run (an index writer, a page reader) gets SIGTERM from its
        # parent's clean-up before it has put back the default handler: it must end, as asked.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _requested = True
