"""The shared HTTP client against a real loopback server: limits, retries, politeness, 304s."""

from __future__ import annotations

import select
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool.config import from_dict
from kbtool.net import http
from kbtool.net.http import HttpClient, HttpError, HttpSettings, Response, safe_url
from tests.servers import LoopbackServer, Reply, Seen, SilentHost, free_port

FAST = HttpSettings(timeout=0.5, retries=2, max_bytes=10_000, delay=0.0,
                    user_agent="kbtool-test", backoff=0.01)


def _conditional(seen: Seen) -> Reply:
    if seen.header("If-None-Match") == '"v1"' or seen.header("If-Modified-Since"):
        return Reply(304, headers={"ETag": '"v1"'})
    return Reply(200, b"<p>page</p>", {"Content-Type": "text/html; charset=UTF-8", "ETag": '"v1"',
                                       "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})


def _busy_once() -> Reply:
    calls = []

    def route(seen: Seen) -> Reply:
        calls.append(seen)
        if len(calls) == 1:
            return Reply(503, b"busy", {"Retry-After": "0"})
        return Reply(200, b"ok", {"Content-Type": "text/plain"})
    return route


ROUTES = {
    "/page": _conditional,
    "/plain": lambda s: Reply(200, "café".encode("latin-1"), {"Content-Type": "text/plain"}),
    "/redirect": lambda s: Reply(302, headers={"Location": "/page"}),
    "/loop": lambda s: Reply(302, headers={"Location": "/loop"}),
    "/missing": lambda s: Reply(404, b"no"),
    "/error": lambda s: Reply(500, b"boom"),
    "/busy-once": _busy_once(),
    "/always-busy": lambda s: Reply(503, b"busy"),
    "/slow": lambda s: Reply(200, b"late", delay=1.0),
    "/big": lambda s: Reply(200, b"x" * 20_000, {"Content-Type": "text/plain"}),
    "/big-chunked": lambda s: Reply(200, b"x" * 50_000, {"Content-Type": "text/plain"},
                                    chunked=True),
    "/json": lambda s: Reply(200, b"{}", {"Content-Type": "application/json"}),
    "/echo": lambda s: Reply(200, s.body, {"Content-Type": "text/plain"}),
}


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(ROUTES) as running:
        yield running


@pytest.fixture()
def client() -> HttpClient:
    return HttpClient(FAST)


def _error(client: HttpClient, url: str, **kw: object) -> HttpError:
    with pytest.raises(HttpError) as caught:
        client.get(url, **kw)
    return caught.value


def test_get_reads_body_media_type_charset_and_validators(server, client):
    response = client.get(server.url("/page"))
    assert (response.status, response.body, response.content_type, response.encoding) == (
        200, b"<p>page</p>", "text/html", "utf-8")
    assert response.etag == '"v1"'
    assert response.last_modified == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert not response.not_modified
    assert server.requests_to("/page")[-1].header("User-Agent") == "kbtool-test"


def test_redirect_is_followed_and_final_url_reported(server, client):
    response = client.get(server.url("/redirect"))
    assert response.url == server.url("/page")
    assert response.body == b"<p>page</p>"


@pytest.mark.parametrize("validator", [{"etag": '"v1"'},
                                       {"last_modified": "Mon, 01 Jan 2024 00:00:00 GMT"}])
def test_conditional_request_gets_not_modified(server, client, validator):
    response = client.get(server.url("/page"), **validator)
    assert response.not_modified and response.body == b""
    sent = server.requests_to("/page")[-1]
    assert sent.header("If-None-Match") == validator.get("etag", "")
    assert sent.header("If-Modified-Since") == validator.get("last_modified", "")


def test_client_error_is_not_retried(server, client):
    before = server.count("/missing")
    error = _error(client, server.url("/missing"))
    assert error.status == 404 and "HTTP 404" in error.reason
    assert str(error).startswith(server.url("/missing"))
    assert server.count("/missing") == before + 1


def test_internal_error_fails_at_once(server, client):
    before = server.count("/error")
    assert _error(client, server.url("/error")).status == 500
    assert server.count("/error") == before + 1


def test_busy_server_is_retried_after_its_retry_after(server, client):
    response = client.get(server.url("/busy-once"))
    assert response.body == b"ok"
    assert server.count("/busy-once") == 2


def test_busy_server_gives_up_after_the_configured_retries(server, client):
    before = server.count("/always-busy")
    error = _error(client, server.url("/always-busy"))
    assert error.status == 503 and "after 2 retries" in error.reason
    assert server.count("/always-busy") == before + 3


def test_slow_answer_times_out(server, client):
    error = _error(client, server.url("/slow"))
    assert "no answer within 0.5 s" in error.reason


def test_redirect_loop_is_reported(server, client):
    assert "too many redirects" in _error(client, server.url("/loop")).reason


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_oversized_body_is_refused(server, client, path):
    assert "over the limit of 10000 bytes" in _error(client, server.url(path)).reason


def test_unexpected_content_type_is_refused(server, client):
    error = _error(client, server.url("/json"), accept=("text/html",))
    assert error.reason == "unexpected content type application/json (expected text/html)"
    assert client.get(server.url("/json"), accept=("application/json",)).body == b"{}"


def test_post_sends_data(server, client):
    assert client.post(server.url("/echo"), data=b"<call/>").body == b"<call/>"


def test_refused_connection_is_retried_then_reported():
    error = _error(HttpClient(FAST), f"http://127.0.0.1:{free_port()}/")
    assert "connection failed" in error.reason and "after 2 retries" in error.reason


def test_a_host_that_never_completes_a_connection_is_retried_then_taken_for_down():
    client = HttpClient(FAST)
    with SilentHost() as host:
        first = _error(client, host.url("/a"))
        assert "could not connect within 0.5 s" in first.reason and "after 2 retries" in first.reason
        assert not isinstance(first, http.HostUnreachable)
        errors = [_error(client, host.url(f"/{page}")) for page in range(1, http.HOST_DOWN_AFTER)]
        assert isinstance(errors[-1], http.HostUnreachable)
        assert "unreachable" in errors[-1].reason
    # Taken for down: the next request is refused without trying (no connection, no wait).
    after = _error(client, host.url("/later"))
    assert isinstance(after, http.HostUnreachable)


def test_proxies_from_the_environment_apply_to_every_request(server, monkeypatch):
    """The environment is read once per host, but each request still honours it."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", server.base)  # the loopback server serves proxied URLs too
    monkeypatch.setenv("no_proxy", "direct.invalid")
    client = HttpClient(FAST)
    for _ in range(2):
        assert client.get("http://docs.invalid/page").body == b"<p>page</p>"
    assert _error(client, "http://direct.invalid/page").reason.startswith("connection failed")


class _StoppedClock:
    """The crawler's clock, standing still but for its own pauses, which it records: the pause
    it asks for is then exact, whatever the load of the machine."""

    def __init__(self) -> None:
        self.now = 1024.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_requests_to_one_host_are_spaced_by_the_longer_delay(server, monkeypatch):
    clock = _StoppedClock()
    monkeypatch.setattr(http, "time", clock)
    client = HttpClient(HttpSettings(timeout=1.0, delay=0.1))
    client.set_host_delay(server.url("/"), 0.3)
    earlier = server.count("/plain")  # the module's server counts other tests' requests too
    client.get(server.url("/plain"))
    client.get(server.url("/plain"))
    assert clock.pauses == [pytest.approx(0.3)] and server.count("/plain") == earlier + 2


def test_password_never_shows_in_errors():
    error = HttpError("http://bot:s3cret@wiki.example/doku.php", "HTTP 401 Unauthorized", 401)
    assert "s3cret" not in str(error) and error.url == "http://wiki.example/doku.php"
    assert safe_url("http://wiki.example/a?b=1") == "http://wiki.example/a?b=1"


@pytest.mark.parametrize("body, encoding, text", [
    ("café".encode("latin-1"), None, "café"),
    ("café".encode("utf-8"), None, "café"),
    ("café".encode("latin-1"), "iso-8859-1", "café"),
    ("café".encode("utf-8"), "no-such-charset", "café"),
    (b"caf\xc3", "utf-8", "caf\ufffd"),
])
def test_text_decodes_whatever_the_charset(body, encoding, text):
    response = Response(url="http://x/", status=200, content_type="text/plain", body=body,
                        encoding=encoding)
    assert response.text() == text


def test_settings_come_from_the_http_table():
    config = from_dict({"http": {"timeout": 3, "retries": 1, "max_bytes": 99, "delay": 0.25,
                                 "user_agent": "ua"}})
    assert HttpSettings.from_config(config) == HttpSettings(timeout=3.0, retries=1, max_bytes=99,
                                                            delay=0.25, user_agent="ua")


def test_a_client_without_configuration_has_the_declared_defaults():
    """Sources, the wiki login and benchmarks built without a kbtool.toml behave as one that
    sets nothing (the User-Agent included)."""
    assert HttpSettings() == HttpSettings.from_config(from_dict({}))


class _DrippingServer:
    """A server on 127.0.0.1 that sends its answer one byte at a time, ``interval`` seconds
    apart, either the whole answer or only its body; it counts the bytes it managed to send
    before the client hung up."""

    BODY = b"x" * 40

    def __init__(self, drip_headers: bool, interval: float = 0.1,
                 tls: ssl.SSLContext | None = None):
        self.drip_headers = drip_headers
        self.tls = tls
        self.interval = interval
        self.sent = 0
        self.done = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}/drip"

    @property
    def answer(self) -> bytes:
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(self.BODY), self.BODY))

    def __enter__(self) -> _DrippingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()
        self._thread.join(timeout=30)

    def _serve(self) -> None:
        connection, _ = self._listener.accept()
        if self.tls:
            connection = self.tls.wrap_socket(connection, server_side=True)
        with connection:
            connection.recv(65536)  # the request
            answer = self.answer
            head = 0 if self.drip_headers else answer.index(b"\r\n\r\n") + 4
            try:
                connection.sendall(answer[:head])
                for byte in answer[head:]:
                    connection.sendall(bytes([byte]))
                    self.sent += 1
                    # The client hanging up (EOF) ends the drip at once.
                    readable, _, _ = select.select([connection], [], [], self.interval)
                    if readable and not connection.recv(1):
                        break
            except OSError:
                pass  # the client hung up mid-write
        self.done.set()


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server's TLS context with a self-signed certificate for 127.0.0.1 (made by the
    openssl command), and the certificate's file for the client to trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not installed")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context, folder / "cert.pem"


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("drip_headers", [True, False], ids=["headers", "body"])
def test_a_dripping_server_cannot_outlast_the_timeout(drip_headers, tls, request, monkeypatch):
    """Each byte comes well within the timeout, but the whole answer would not: the request
    fails as timed out, the server having sent only part of it."""
    context = None
    if tls:
        context, certificate = request.getfixturevalue("tls_server")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))
    client = HttpClient(HttpSettings(timeout=0.5, retries=2, delay=0.0, backoff=0.01))
    with _DrippingServer(drip_headers, tls=context) as server:
        with pytest.raises(HttpError) as raised:
            client.get(server.url)
        assert server.done.wait(timeout=30)
    assert "no answer within 0.5 s (http.timeout)" in raised.value.reason
    assert 0 < server.sent < len(server.answer) - (0 if drip_headers else
                                                  server.answer.index(b"\r\n\r\n") + 4)
