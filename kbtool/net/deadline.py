"""A time limit on a whole HTTP request (connecting, headers, body), for ``requests``.

``requests`` (urllib3) only bounds each socket operation: a server that sends one byte every
two seconds never trips a three-second timeout and can hold a crawl for as long as it likes.
Neither library has a limit on the whole exchange, so this module adds one: while a
:class:`Deadline` is active in a thread, every connection that thread's requests use through a
:class:`DeadlineAdapter` is remembered, and when the time is up a watchdog thread shuts their
sockets down, which wakes the read blocked on them; the caller then sees ``expired``.
urllib3 is reached through two of its customisation points, both here: the connection class of
a pool (`ConnectionCls`) and the pool classes of a pool manager (`pool_classes_by_scheme`).
The watchdog thread costs about a tenth of a millisecond per request (measured on a loaded
2-core machine), against several milliseconds for a request to a wiki on the same host.
"""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

# The deadline of the request the current thread is making, if any.
_ACTIVE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("deadline",
                                                                        default=None)


class Deadline:
    """``with Deadline(seconds) as deadline:`` bounds the requests made inside the block."""

    def __init__(self, seconds: float):
        self.expired = False
        self._ends_at = time.monotonic() + seconds
        self._over = False
        self._connections: list[HTTPConnection] = []
        self._changed = threading.Condition()
        self._watchdog = threading.Thread(target=self._watch_clock, daemon=True)

    def __enter__(self) -> Deadline:
        self._token = _ACTIVE.set(self)
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._over = True
            self._changed.notify()
        _ACTIVE.reset(self._token)

    @staticmethod
    def active() -> Deadline | None:
        """The deadline of the request this thread is making, if any."""
        return _ACTIVE.get()

    def extend(self, seconds: float) -> None:
        """Give ``seconds`` more: time the client itself spends waiting (politeness between
        the hops of a redirect) is not the server's."""
        with self._changed:
            self._ends_at += seconds

    def watch(self, connection: HTTPConnection) -> None:
        """Shut ``connection`` down when time is up (at once if it already is)."""
        with self._changed:
            self._connections.append(connection)
            if self.expired:
                _shut(connection)

    def _watch_clock(self) -> None:
        with self._changed:
            while not self._over:
                left = self._ends_at - time.monotonic()
                if left <= 0:
                    self.expired = True
                    for connection in self._connections:
                        _shut(connection)
                    return
                self._changed.wait(left)


def _shut(connection: HTTPConnection) -> None:
    """Wake whatever waits on the connection's socket; the pool replaces it afterwards."""
    sock = connection.sock
    if sock is None:
        return  # still connecting: ``connect`` below shuts it once connected
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _watch(connection: HTTPConnection) -> None:
    deadline = Deadline.active()
    if deadline is not None:
        deadline.watch(connection)


class _Watched:
    """Connection mix-in: a new socket and each request on a kept-alive one are watched."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kw: Any) -> None:
        _watch(self)  # type: ignore[arg-type]
        super().request(*args, **kw)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """``requests`` transport whose connections an active :class:`Deadline` can cut, directly
    or through an HTTP proxy (a SOCKS proxy keeps urllib3's own connections: only each socket
    operation is bounded there)."""

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        """urllib3's pool manager, making watched connections."""
        super().init_poolmanager(*args, **kw)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kw: Any) -> Any:
        """urllib3's proxy manager, making watched connections to an HTTP(S) proxy."""
        manager = super().proxy_manager_for(proxy, **kw)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager
