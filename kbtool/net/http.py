"""The one HTTP client of the crawler: timeouts, retries, size cap, politeness, conditional GETs.

Every remote source (DokuWiki over HTTP, documentation web sites) goes through this module so
that a misbehaving server is handled the same way everywhere: each request, from connecting to
the body's last byte, ends within ``http.timeout`` however slowly the server sends, a body
is read in chunks and abandoned past ``http.max_bytes``, 429/502/503/504, dropped connections
and connections that never complete are retried with exponential backoff (honouring
``Retry-After``), one host gets at most one
request per ``http.delay`` seconds, and every problem surfaces as an :class:`HttpError` whose
reason a person can act on.  Sources turn those errors into ``Failure`` values.  A host that
failed to connect ``HOST_DOWN_AFTER`` requests in a row (each after its retries) is taken for
down: later requests to it raise :class:`HostUnreachable` at once, without trying, so that a
source whose server stopped mid-run is given up in seconds instead of costing every remaining
page its retries.

A client keeps per-host politeness state; it is meant for one thread (one crawl) at a time.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, fields
from email.message import Message
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from kbtool.config import Config, declared_default
from kbtool.net.deadline import Deadline, DeadlineAdapter

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})
MAX_REDIRECTS = 10
# A server asking for a longer pause than this is not waited for longer: a run must end.
MAX_RETRY_WAIT = 60.0
CHUNK_BYTES = 64 * 1024
# Requests in a row that could not connect to a host (each after its retries) before it is
# taken for down for the rest of the client's life (one run).
HOST_DOWN_AFTER = 3


@dataclass(frozen=True)
class HttpSettings:
    """The ``[http]`` settings, defaults as declared in :mod:`kbtool.config`; ``backoff``
    (first retry pause, doubled each time) is not a setting: tests shorten it."""

    timeout: float = declared_default("http.timeout")
    retries: int = declared_default("http.retries")
    max_bytes: int = declared_default("http.max_bytes")
    delay: float = declared_default("http.delay")
    user_agent: str = declared_default("http.user_agent")
    backoff: float = 1.0

    @classmethod
    def from_config(cls, config: Config) -> HttpSettings:
        """Settings of a loaded configuration: each field is the ``http.<field>`` setting."""
        return cls(**{f.name: config.get(f"http.{f.name}") for f in fields(cls)
                      if f.name != "backoff"})


@dataclass(frozen=True)
class Response:
    """A complete answer: body fully read (within the size cap), media type and validators."""

    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        """True for a 304 to a conditional request: the copy from last time is still current."""
        return self.status == 304

    def text(self) -> str:
        """The body as text: the declared charset, else UTF-8, else Windows-1252; never raises.

        Windows-1252 is the usual encoding of older French pages served without a charset, and
        decodes any byte sequence, so a mislabelled page yields readable text rather than an error.
        """
        if self.encoding:
            try:
                return self.body.decode(self.encoding, errors="replace")
            except LookupError:
                log.debug("unknown charset %r for %s", self.encoding, self.url)
        try:
            return self.body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return self.body.decode("cp1252", errors="replace")


class HttpError(Exception):
    """A request that gave no usable answer; ``reason`` is one line a person can act on."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        self.url = safe_url(url)
        self.reason = reason
        self.status = status
        super().__init__(f"{self.url}: {reason}")


class HostUnreachable(HttpError):
    """The host failed to connect ``HOST_DOWN_AFTER`` requests in a row: it is taken for down,
    and no more requests are sent to it."""


class _Retry(Exception):
    """An answer worth asking again for (server busy, connection dropped)."""

    def __init__(self, reason: str, status: int | None = None, wait: float | None = None,
                 connecting: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait
        self.connecting = connecting  # no connection was made: the deadline had nothing to cut


class HttpClient:
    """Polite, bounded HTTP requests over one ``requests.Session`` (cookies are shared)."""

    def __init__(self, settings: HttpSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, DeadlineAdapter())
        self.session.max_redirects = MAX_REDIRECTS
        self._host_delays: dict[str, float] = {}
        self._last_request: dict[str, float] = {}
        self._environments: dict[tuple[str, str], dict[str, Any]] = {}
        self._failed_in_a_row: dict[str, int] = {}   # host → requests that could not connect
        self._down: dict[str, str] = {}              # host → why it is taken for down

    def set_host_delay(self, url: str, seconds: float) -> None:
        """Wait at least ``seconds`` between requests to the host of ``url`` (robots.txt
        Crawl-delay); ``http.delay`` still applies when it is longer."""
        self._host_delays[_host(url)] = seconds

    def get(self, url: str, **kw: Any) -> Response:
        """``request("GET", url, ...)``."""
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Response:
        """``request("POST", url, ...)``."""
        return self.request("POST", url, **kw)

    def request(self, method: str, url: str, *, accept: tuple[str, ...] = (),
                headers: dict[str, str] | None = None, data: Any = None, json: Any = None,
                etag: str = "", last_modified: str = "") -> Response:
        """Send a request and read the whole answer, or raise HttpError saying why not.

        ``accept`` lists the media types the caller can use; any other type is an error raised
        before the body is downloaded.  ``etag``/``last_modified`` make the request conditional;
        a 304 then comes back as a Response whose ``not_modified`` is True.
        """
        sent = _headers(self.settings.user_agent, accept, headers, etag, last_modified)
        host = _host(url)
        if host in self._down:
            raise HostUnreachable(url, self._down[host])
        attempt = 0
        while True:
            try:
                response = self._attempt(method, url, sent, data, json, accept)
            except _Retry as retry:
                if attempt >= self.settings.retries:
                    raise self._gave_up(url, host, retry, attempt) from None
                backoff = self.settings.backoff * 2 ** attempt
                wait = min(backoff if retry.wait is None else retry.wait, MAX_RETRY_WAIT)
                log.warning("%s %s: %s; retrying in %.1f s", method, safe_url(url),
                            retry.reason, wait)
                time.sleep(wait)
                attempt += 1
            except HttpError:
                self._failed_in_a_row.pop(host, None)  # the host answered, if not usefully
                raise
            else:
                self._failed_in_a_row.pop(host, None)
                return response

    def _gave_up(self, url: str, host: str, retry: _Retry, attempts: int) -> HttpError:
        """The error of a request whose retries are spent; a host that could not be connected
        to ``HOST_DOWN_AFTER`` times in a row is from then on taken for down."""
        reason = f"{retry.reason} (gave up after {attempts} retries)"
        if retry.status is not None:  # the host answered (busy)
            self._failed_in_a_row.pop(host, None)
            return HttpError(url, reason, retry.status)
        failed = self._failed_in_a_row[host] = self._failed_in_a_row.get(host, 0) + 1
        if failed < HOST_DOWN_AFTER:
            return HttpError(url, reason)
        self._down[host] = (f"{host} unreachable: {failed} requests in a row could not "
                            f"connect, the last one: {retry.reason}")
        log.warning("%s; no more requests to it in this run", self._down[host])
        return HostUnreachable(url, self._down[host])

    def _attempt(self, method: str, url: str, headers: dict[str, str], data: Any, json: Any,
                 accept: tuple[str, ...]) -> Response:
        """One exchange within ``http.timeout``: cut short, whatever it was doing, once over."""
        host = _host(url)
        self._wait_turn(host)
        deadline = Deadline(self.settings.timeout)
        try:
            with deadline:
                return self._exchange(method, url, headers, data, json, accept)
        except _Retry as retry:
            if deadline.expired and not retry.connecting:
                raise self._timed_out(url) from None
            raise
        except HttpError:
            if deadline.expired:
                raise self._timed_out(url) from None
            raise
        finally:
            self._last_request[host] = time.monotonic()

    def _exchange(self, method: str, url: str, headers: dict[str, str], data: Any, json: Any,
                  accept: tuple[str, ...]) -> Response:
        try:
            prepared = self.session.prepare_request(requests.Request(
                method.upper(), url, headers=headers, data=data or {}, json=json, params={},
                hooks={"response": self._pace_redirect}))
            raw = self.session.send(prepared, timeout=self.settings.timeout,
                                    allow_redirects=True, **self._environment(prepared.url))
            with raw:
                return self._read(url, raw, accept)
        except requests.TooManyRedirects:
            raise HttpError(url, f"too many redirects (more than {MAX_REDIRECTS}, "
                                 "probably a redirect loop)") from None
        except requests.ConnectTimeout:
            # Nothing came back, not even a refusal (a host that drops packets): a connection
            # failure like a refused one, retried and counted towards the host being down.
            raise _Retry(f"could not connect within {self.settings.timeout:g} s",
                         connecting=True) from None
        except requests.Timeout:
            raise self._timed_out(url) from None
        except requests.ConnectionError as exc:
            raise _Retry(f"connection failed ({_cause(exc)})") from None
        except requests.RequestException as exc:
            raise HttpError(url, f"request failed ({_cause(exc)})") from None

    def _timed_out(self, url: str) -> HttpError:
        return HttpError(url, f"no answer within {self.settings.timeout:g} s "
                              "(http.timeout)")

    def _environment(self, url: str) -> dict[str, Any]:
        """What ``Session.request`` would take from the environment for ``url`` (proxies and
        ``no_proxy``, CA bundle), read once per scheme and host: reading it walks
        ``os.environ`` and was a third of the client's CPU per request on a loopback wiki."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._environments:
            self._environments[key] = self.session.merge_environment_settings(
                url, {}, True, None, None)
        settings = self._environments[key]
        return {**settings, "proxies": dict(settings["proxies"])}

    def _read(self, url: str, raw: requests.Response, accept: tuple[str, ...]) -> Response:
        status = raw.status_code
        log.debug("%s %s -> %d", raw.request.method, safe_url(raw.url), status)
        if status in RETRY_STATUSES:
            raise _Retry(f"HTTP {status} {raw.reason}", status,
                         _retry_after(raw.headers.get("Retry-After", "")))
        if status >= 400:
            raise HttpError(url, f"HTTP {status} {raw.reason}", status)
        if 300 <= status and status != 304:
            raise HttpError(url, f"HTTP {status} redirect without a usable Location", status)
        content_type, encoding = _media_type(raw.headers.get("Content-Type", ""))
        if status != 304 and accept and content_type not in accept:
            raise HttpError(url, f"unexpected content type {content_type or '(none)'} "
                                 f"(expected {', '.join(accept)})")
        body = b"" if status == 304 else self._body(url, raw)
        return Response(url=raw.url, status=status, content_type=content_type, body=body,
                        encoding=encoding, etag=raw.headers.get("ETag", ""),
                        last_modified=raw.headers.get("Last-Modified", ""))

    def _body(self, url: str, raw: requests.Response) -> bytes:
        """Read the body in chunks, stopping as soon as it passes the size limit."""
        limit = self.settings.max_bytes
        declared = raw.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise HttpError(url, f"body of {int(declared)} bytes is over the limit of {limit} "
                                 "bytes (http.max_bytes)")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in raw.iter_content(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise HttpError(url, f"body is over the limit of {limit} bytes "
                                         "(http.max_bytes)")
                chunks.append(chunk)
        except requests.RequestException as exc:
            # requests reports a read timeout in the middle of a body as a connection error.
            raise HttpError(url, f"body could not be read ({_cause(exc)})") from None
        return b"".join(chunks)

    def _pace_redirect(self, response: requests.Response, **kw: Any) -> None:
        """Each hop of a redirect is a request too: wait for the target host's turn."""
        if response.is_redirect:
            self._last_request[_host(response.url)] = time.monotonic()
            target = urljoin(response.url, response.headers.get("Location", ""))
            self._wait_turn(_host(target), Deadline.active())

    def _wait_turn(self, host: str, deadline: Deadline | None = None) -> None:
        """Sleep until the host's turn, time a running request's ``deadline`` does not count."""
        pause = self._last_request.get(host, -math.inf) + self._delay(host) - time.monotonic()
        if pause > 0:
            if deadline is not None:
                deadline.extend(pause)
            time.sleep(pause)

    def _delay(self, host: str) -> float:
        return max(self.settings.delay, self._host_delays.get(host, 0.0))


def safe_url(url: str) -> str:
    """The URL without any ``user:password@`` part, fit for logs and error messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _host(url: str) -> str:
    return urlsplit(safe_url(url)).netloc.lower()


def _headers(user_agent: str, accept: tuple[str, ...], extra: dict[str, str] | None,
             etag: str, last_modified: str) -> dict[str, str]:
    headers = {"User-Agent": user_agent}
    if accept:
        headers["Accept"] = ", ".join(accept)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    headers.update(extra or {})
    return headers


@lru_cache(maxsize=256)  # a server sends the same few Content-Type values again and again
def _media_type(header: str) -> tuple[str, str | None]:
    """``text/html; charset=ISO-8859-1`` → ``("text/html", "iso-8859-1")``."""
    if not header.strip():
        return "", None
    message = Message()
    message["Content-Type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset.lower() if isinstance(charset, str) else None


def _retry_after(value: str) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _cause(exc: BaseException) -> str:
    """The innermost message of a requests/urllib3 error chain, which names the real problem."""
    inner: BaseException = exc
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    reason = getattr(inner, "reason", None)
    return str(reason if reason is not None else inner)
