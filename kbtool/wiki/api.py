"""Client of DokuWiki's remote API: list, read and save pages, over XML-RPC or JSON-RPC.

The crawler reads the wiki through it and the review workflow publishes approved articles with
it, so both see the wiki through the same account, the same ACL and the same errors.

Two dialects exist.  DokuWiki up to 2023 ("Igor", what Debian ships) speaks XML-RPC at
``lib/exe/xmlrpc.php`` with ``wiki.*``/``dokuwiki.*`` methods (API version ≤ 11); 2024 "Kaos"
and later add JSON-RPC at ``lib/exe/jsonrpc.php`` with ``core.*`` methods (API version ≥ 12).
``dokuwiki.getXMLRPCAPIVersion`` answers on both and tells them apart.

Every request goes through the shared :class:`~kbtool.net.http.HttpClient` (timeouts,
retries, size cap, politeness); ``xmlrpc.client`` only encodes and decodes the XML bodies.
Igor reports many errors as an empty value with status 200 and refusals as 401/403 with an
empty body, so each call maps those to a :class:`DokuWikiError` whose message names the wiki
and says what to change.  The password never appears in a URL, a log line or a message.
"""

from __future__ import annotations

import json
import logging
import os
import re
import xmlrpc.client
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol
from xml.parsers.expat import ExpatError

from kbtool.config import Config, ConfigError, SourceConfig
from kbtool.net.http import HostUnreachable, HttpClient, HttpError, HttpSettings

log = logging.getLogger(__name__)

XMLRPC_PATH = "lib/exe/xmlrpc.php"
JSONRPC_PATH = "lib/exe/jsonrpc.php"
FIRST_JSONRPC_VERSION = 12
# IXR's fault code for "XML-RPC server not enabled".
_FAULT_API_OFF = -32605
# Control characters XML 1.0 forbids.  Igor copies those of a page (pasted terminal output…)
# raw into its answer, which expat then refuses whole; they carry no text, so they are dropped
# (one byte each in UTF-8, never part of a longer sequence).
_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Igor's wiki.getRecentChanges refuses any timestamp that is not 10 digits long.
_OLDEST_TIMESTAMP = 1_000_000_000


class DokuWikiError(Exception):
    """A remote call that failed; the message names the wiki and what to do about it."""


class LoginRefused(DokuWikiError):
    """Wrong user name or password."""


class ApiDisabled(DokuWikiError):
    """The wiki's remote API is switched off (or the URL is not a DokuWiki)."""


class AccessDenied(DokuWikiError):
    """The account may not make this call (not in ``remoteuser``, or the ACL forbids it)."""


class NotLoggedIn(AccessDenied):
    """The call needs a session: no user configured, or the session expired."""


class WikiUnreachable(DokuWikiError):
    """The wiki stopped answering: several requests in a row could not connect to it."""


class CallRejected(DokuWikiError):
    """The wiki refused the call's arguments (JSON-RPC's HTTP 400: no such page, bad id…)."""


@dataclass(frozen=True)
class PageRef:
    """One entry of the page list: id, current revision (a Unix time) and size in bytes."""

    wiki_id: str
    revision: int
    size: int = 0


@dataclass(frozen=True)
class PageInfo:
    """The current revision of a page and who made it."""

    wiki_id: str
    revision: int
    author: str = ""


@dataclass(frozen=True)
class PageChange:
    """One recent change; ``summary`` is empty on Igor, whose API does not return it."""

    wiki_id: str
    revision: int
    author: str = ""
    summary: str = ""


class DokuWikiAPI:
    """One wiki, one account; logs in on first use and again once if the session expires."""

    def __init__(self, url: str, http: HttpClient, user: str = "", password: str = ""):
        self.url = url if url.endswith("/") else url + "/"
        self.user = user
        self._password = password
        self._http = http
        self._dialect: _Dialect | None = None
        self._logged_in = False

    def __repr__(self) -> str:
        return f"DokuWikiAPI({self.url!r}, user={self.user!r})"

    def api_version(self) -> int:
        """The wiki's remote API version (11 on Igor, 12 and up with JSON-RPC)."""
        return self._ensure_dialect().version

    def login(self) -> None:
        """Open a session for the configured user (kept as a cookie by the HTTP client)."""
        dialect = self._ensure_dialect()
        if not self.user:
            return
        if not dialect.login(self.user, self._password):
            raise LoginRefused(f"login refused for user {self.user} at {self.url}: check the "
                               "password (password_env / password_file)")
        self._logged_in = True
        log.info("logged in to %s as %s", self.url, self.user)

    def list_pages(self) -> list[PageRef]:
        """Every page the account may read (the wiki filters by ACL)."""
        return self._call(lambda d: d.list_pages())

    def get_page(self, wiki_id: str) -> str:
        """Raw DokuWiki text of the current revision ('' for a page that does not exist)."""
        return self._call(lambda d: d.get_page(wiki_id))

    def page_info(self, wiki_id: str) -> PageInfo | None:
        """Current revision and author of a page, None when it does not exist."""
        return self._call(lambda d: d.page_info(wiki_id))

    def recent_changes(self, since: int) -> list[PageChange]:
        """Page changes made at or after ``since`` (a Unix time), oldest first."""
        changes = self._call(lambda d: d.recent_changes(since))
        return sorted(changes, key=lambda c: c.revision)

    def save_page(self, wiki_id: str, text: str, summary: str) -> None:
        """Create or replace a page (empty ``text`` deletes it), with an edit summary."""
        self._call(lambda d: d.save_page(wiki_id, text, summary))
        log.info("saved %s on %s (%s)", wiki_id, self.url, summary)

    def acl_check(self, wiki_id: str) -> int:
        """The account's permission on a page: 0 none, 1 read, 2 edit, 4 create, 8 upload,
        16 delete, 255 admin.  ACLs are set per group, so this tells what groups the account
        is in even on Igor, whose API cannot list them."""
        return self._call(lambda d: d.acl_check(wiki_id))

    def who_am_i(self) -> list[str] | None:
        """The account's groups, or None when the API has no such call (Igor)."""
        return self._call(lambda d: d.who_am_i())

    def _ensure_dialect(self) -> _Dialect:
        if self._dialect is None:
            probe = _XmlRpc(self.url, self._http)
            version = probe.call("dokuwiki.getXMLRPCAPIVersion")
            if not isinstance(version, int):
                raise DokuWikiError(f"{self.url} answered dokuwiki.getXMLRPCAPIVersion with "
                                    f"{version!r}: is this a DokuWiki?")
            self._dialect = (_Kaos(self.url, self._http, version)
                             if version >= FIRST_JSONRPC_VERSION else _Igor(probe, version))
            log.debug("%s: remote API version %d", self.url, version)
        return self._dialect

    def _call(self, action: Callable[[_Dialect], Any]) -> Any:
        """Run one dialect call, logging in first and once more if the session was lost."""
        dialect = self._ensure_dialect()
        if self.user and not self._logged_in:
            self.login()
        try:
            return action(dialect)
        except NotLoggedIn:
            if not self.user:
                raise
            self._logged_in = False
            self.login()
            return action(dialect)


def connect(source: SourceConfig, config: Config) -> DokuWikiAPI:
    """The API client of a configured ``dokuwiki`` source (password read from env or file)."""
    client = HttpClient(HttpSettings.from_config(config))
    return DokuWikiAPI(source.get("url"), client, source.get("user"), _password(source))


def _password(source: SourceConfig) -> str:
    """The password named by ``password_env`` or stored in ``password_file`` (first line)."""
    variable, file = source.get("password_env"), source.get("password_file")
    if variable:
        if variable not in os.environ:
            raise ConfigError(f"source {source.name}: environment variable {variable} "
                              "(password_env) is not set")
        return os.environ[variable]
    if file:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"source {source.name}: cannot read password_file {file}: "
                              f"{exc.strerror}") from None
        return lines[0] if lines else ""
    if source.get("user"):
        raise ConfigError(f"source {source.name}: user {source.get('user')} has no password: "
                          "set password_env or password_file")
    return ""


# -- transports ------------------------------------------------------------------------------


class _XmlRpc:
    """XML-RPC over the shared HTTP client; maps Igor's ways of failing to DokuWikiError."""

    def __init__(self, base_url: str, http: HttpClient):
        self.base_url = base_url
        self.endpoint = base_url + XMLRPC_PATH
        self._http = http

    def call(self, method: str, *params: Any) -> Any:
        body = xmlrpc.client.dumps(params, method, encoding="utf-8").encode("utf-8")
        try:
            response = self._http.post(self.endpoint, data=body,
                                       accept=("text/xml", "application/xml"),
                                       # exactly: Kaos refuses any parameter
                                       headers={"Content-Type": "text/xml"})
            answer = _XML_FORBIDDEN.sub(b"", response.body)
            (result,), _ = xmlrpc.client.loads(answer, use_builtin_types=False)
        except HttpError as exc:
            raise _http_error(exc, method, self.base_url) from None
        except xmlrpc.client.Fault as fault:
            if fault.faultCode == _FAULT_API_OFF:
                raise _api_off(self.base_url) from None
            raise DokuWikiError(f"{method} failed at {self.base_url}: {fault.faultString} "
                                f"(code {fault.faultCode})") from None
        except (ExpatError, ValueError):
            raise DokuWikiError(f"{self.endpoint} did not answer {method} in XML-RPC: "
                                "is the source's url a DokuWiki?") from None
        return result


class _JsonRpc:
    """JSON-RPC 2.0 with named parameters, as served by DokuWiki Kaos and later."""

    def __init__(self, base_url: str, http: HttpClient):
        self.base_url = base_url
        self.endpoint = base_url + JSONRPC_PATH
        self._http = http
        self._next_id = 0

    def call(self, method: str, **params: Any) -> Any:
        self._next_id += 1
        request = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}
        try:
            response = self._http.post(self.endpoint, json=request, accept=("application/json",))
            answer = json.loads(response.body)
        except HttpError as exc:
            raise _http_error(exc, method, self.base_url) from None
        except ValueError:
            raise DokuWikiError(f"{self.endpoint} did not answer {method} in JSON") from None
        error = answer.get("error") if isinstance(answer, dict) else None
        if error:
            raise DokuWikiError(f"{method} failed at {self.base_url}: {error.get('message')} "
                                f"(code {error.get('code')})")
        if not isinstance(answer, dict) or "result" not in answer:
            raise DokuWikiError(f"{self.endpoint} answered {method} without a result")
        return answer["result"]


def _http_error(exc: HttpError, method: str, base_url: str) -> DokuWikiError:
    """401/403/404 mean something precise on a DokuWiki endpoint; say it."""
    if isinstance(exc, HostUnreachable):
        return WikiUnreachable(f"{method} failed: {exc.reason}")
    if exc.status == 401:
        return NotLoggedIn(f"{method} at {base_url} needs a login: set the source's user "
                            "and password")
    if exc.status == 403:
        return AccessDenied(f"{method} refused at {base_url}: the account is not in the "
                            "wiki's `remoteuser` or the ACL forbids it")
    if exc.status == 404:
        return _api_off(base_url)
    if exc.status == 400:
        return CallRejected(f"{method} rejected by {base_url} (HTTP 400)")
    return DokuWikiError(f"{method} failed: {exc}")


def _api_off(base_url: str) -> ApiDisabled:
    return ApiDisabled(f"the remote API is off at {base_url}: enable `remote` and `remoteuser` "
                       "in the wiki's configuration")


# -- dialects --------------------------------------------------------------------------------


class _Dialect(Protocol):
    """The calls the client needs, as one version of DokuWiki names and shapes them."""

    version: int

    def login(self, user: str, password: str) -> bool: ...
    def list_pages(self) -> list[PageRef]: ...
    def get_page(self, wiki_id: str) -> str: ...
    def page_info(self, wiki_id: str) -> PageInfo | None: ...
    def recent_changes(self, since: int) -> list[PageChange]: ...
    def save_page(self, wiki_id: str, text: str, summary: str) -> None: ...
    def acl_check(self, wiki_id: str) -> int: ...
    def who_am_i(self) -> list[str] | None: ...


class _Igor:
    """XML-RPC API version ≤ 11: errors often come back as an empty struct with status 200."""

    def __init__(self, rpc: _XmlRpc, version: int):
        self.rpc = rpc
        self.version = version

    def login(self, user: str, password: str) -> bool:
        return bool(self.rpc.call("dokuwiki.login", user, password))

    def list_pages(self) -> list[PageRef]:
        return [PageRef(item["id"], _timestamp(item["lastModified"]), int(item.get("size", 0)))
                for item in _items(self.rpc.call("wiki.getAllPages"))]

    def get_page(self, wiki_id: str) -> str:
        text = self.rpc.call("wiki.getPage", wiki_id)
        return text if isinstance(text, str) else ""

    def page_info(self, wiki_id: str) -> PageInfo | None:
        info = self.rpc.call("wiki.getPageInfo", wiki_id)
        if not info:  # "The requested page does not exist", as an empty struct
            return None
        return PageInfo(info["name"], int(info["version"]), info.get("author") or "")

    def recent_changes(self, since: int) -> list[PageChange]:
        answer = self.rpc.call("wiki.getRecentChanges", max(since, _OLDEST_TIMESTAMP))
        return [PageChange(item["name"], int(item["version"]), item.get("author") or "")
                for item in _items(answer)]

    def save_page(self, wiki_id: str, text: str, summary: str) -> None:
        done = self.rpc.call("wiki.putPage", wiki_id, text, {"sum": summary, "minor": False})
        if done is not True:
            raise DokuWikiError(f"wiki.putPage {wiki_id} refused at {self.rpc.base_url}: page "
                                "locked, blocked by the word list, or empty new page")

    def acl_check(self, wiki_id: str) -> int:
        return int(self.rpc.call("wiki.aclCheck", wiki_id) or 0)

    def who_am_i(self) -> list[str] | None:
        return None


class _Kaos:
    """JSON-RPC API version ≥ 12 (``core.*`` methods, documented return records)."""

    def __init__(self, base_url: str, http: HttpClient, version: int):
        self.rpc = _JsonRpc(base_url, http)
        self.version = version

    def login(self, user: str, password: str) -> bool:
        return bool(self.rpc.call("core.login", user=user, **{"pass": password}))

    def list_pages(self) -> list[PageRef]:
        pages = self.rpc.call("core.listPages", namespace="", depth=0)
        return [PageRef(p["id"], int(p["revision"]), int(p.get("size") or 0)) for p in pages]

    def get_page(self, wiki_id: str) -> str:
        return self.rpc.call("core.getPage", page=wiki_id) or ""

    def page_info(self, wiki_id: str) -> PageInfo | None:
        try:
            page = self.rpc.call("core.getPageInfo", page=wiki_id, author=True)
        except CallRejected:  # "The requested page does not exist"
            return None
        return PageInfo(page["id"], int(page["revision"]), page.get("author") or "")

    def recent_changes(self, since: int) -> list[PageChange]:
        changes = self.rpc.call("core.getRecentPageChanges", timestamp=since)
        return [PageChange(c["id"], int(c["revision"]), c.get("author") or "",
                           c.get("summary") or "") for c in changes]

    def save_page(self, wiki_id: str, text: str, summary: str) -> None:
        if self.rpc.call("core.savePage", page=wiki_id, text=text, summary=summary,
                         isminor=False) is not True:
            raise DokuWikiError(f"core.savePage {wiki_id} refused at {self.rpc.base_url}")

    def acl_check(self, wiki_id: str) -> int:
        return int(self.rpc.call("core.aclCheck", page=wiki_id) or 0)

    def who_am_i(self) -> list[str] | None:
        return list(self.rpc.call("core.whoAmI").get("groups") or [])


def _items(answer: Any) -> list[dict[str, Any]]:
    """A list answer; Igor sends an empty struct instead of an empty list (or an error)."""
    return answer if isinstance(answer, list) else []


def _timestamp(value: Any) -> int:
    """Unix time of an XML-RPC date, which Igor writes ``2024-05-01T10:00:00+00:00``."""
    text = str(value.value if isinstance(value, xmlrpc.client.DateTime) else value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = datetime.strptime(text, "%Y%m%dT%H:%M:%S")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())
