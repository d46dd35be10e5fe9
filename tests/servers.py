"""A real HTTP server on 127.0.0.1 for tests: routes are plain functions, requests are recorded.

Tests of HTTP code talk to this server over a real socket instead of mocking ``requests``, so
timeouts, redirects, streaming and conditional requests behave as they do against a real site.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


def free_port() -> int:
    """A loopback port nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SilentHost:
    """A loopback address that never completes a connection, as a host that drops packets:
    its listening socket's accept queue is full and never read, so the kernel drops every new
    connection request and the client's connect times out (no refusal comes back)."""

    def __enter__(self) -> SilentHost:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = self._listener.getsockname()[1]
        self._fillers = [self._pending_connection() for _ in range(3)]
        return self

    def _pending_connection(self) -> socket.socket:
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", self.port))
        return filler

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc: object) -> None:
        for sock in (*self._fillers, self._listener):
            sock.close()


@dataclass(frozen=True)
class Seen:
    """One request as the server received it, and when (``time.monotonic()``)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str:
        """A request header, case-insensitively ('' when absent)."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), "")


@dataclass
class Reply:
    """What a route answers; ``delay`` seconds pass before anything is sent (to test timeouts);
    a ``chunked`` body is sent without Content-Length, so only reading it tells its size."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    chunked: bool = False


Route = Callable[[Seen], Reply]


class LoopbackServer:
    """``ThreadingHTTPServer`` on a free port of 127.0.0.1, started and stopped as a context."""

    def __init__(self, routes: dict[str, Route]):
        self.routes = routes
        self.seen: list[Seen] = []
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        # A short poll keeps shutdown quick: tests start many servers.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return self.base + path

    def count(self, path: str) -> int:
        """How many requests reached ``path``."""
        return sum(1 for s in self.seen if s.path == path)

    def requests_to(self, path: str) -> list[Seen]:
        """The requests that reached ``path``, in order."""
        return [s for s in self.seen if s.path == path]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop as a server that goes down does: new connections are refused and open ones
        (a client's kept-alive connection) are cut."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.cut_connections()


class _QuietServer(ThreadingHTTPServer):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()

    def process_request(self, request: socket.socket, client_address: object) -> None:
        self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        self._open.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        for connection in list(self._open):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up early (a size cap, a timeout) is what some tests intend."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(self.command, urlsplit(self.path).path, dict(self.headers.items()),
                        self.rfile.read(length) if length else b"")
            server.seen.append(seen)
            route = server.routes.get(seen.path)
            reply = route(seen) if route else Reply(404, b"not found")
            time.sleep(reply.delay)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            framing = ({"Transfer-Encoding": "chunked"} if reply.chunked
                       else {"Content-Length": str(len(reply.body))})
            for name, value in {**framing, **reply.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command == "HEAD" or reply.status in (204, 304):
                return
            if not reply.chunked:
                self.wfile.write(reply.body)
                return
            for start in range(0, len(reply.body), 16384):
                piece = reply.body[start:start + 16384]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")

        do_GET = do_POST = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output clean; the recorded requests say what happened."""

    return Handler
