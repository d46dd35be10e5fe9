"""Guesses sent at once to the served app: the sign-in limit holds (an HTTP server on 127.0.0.1,
one connection and one session per guess, all released together)."""

from __future__ import annotations

import http.client
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from argon2 import PasswordHasher

from kbtool import accounts, store
from kbtool.config import Config
from tests.web.conftest import PASSWORD

GUESSES = 21
_COOKIE = re.compile(r"kbtool_session=([^;]+)")
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture()
def served(live_server: str) -> int:
    """The port of the app served on loopback."""
    return int(live_server.rsplit(":", 1)[1])


@pytest.fixture()
def hashing_that_takes_time(settings: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    """Agnès's hash takes milliseconds to check (outside the GIL), so guesses overlap."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=2, memory_cost=4096,
                                                            parallelism=1))
    conn = store.connect(settings.get("web.database"))
    accounts.set_password(conn, "agnes", PASSWORD)
    conn.close()


def _sign_in_form(port: int) -> tuple[str, str]:
    """A fresh visitor's session cookie and CSRF token, from the sign-in page."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/connexion")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _COOKIE.search(response.getheader("Set-Cookie") or "").group(1)
    conn.close()
    return cookie, _CSRF.search(page).group(1)


def _post_sign_in(port: int, form: tuple[str, str], password: str,
                  start: threading.Barrier) -> int:
    cookie, token = form
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urlencode({"name": "agnes", "password": password, "csrf_token": token})
    start.wait()
    conn.request("POST", "/connexion", body, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"kbtool_session={cookie}"})
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.usefixtures("hashing_that_takes_time")
def test_guesses_sent_at_once_to_the_server_are_checked_only_up_to_the_limit(
        served: int) -> None:
    forms = [_sign_in_form(served) for _ in range(GUESSES + 1)]
    start = threading.Barrier(GUESSES)
    with ThreadPoolExecutor(GUESSES) as pool:
        statuses = list(pool.map(lambda n: _post_sign_in(served, forms[n], f"essai {n}", start),
                                 range(GUESSES)))
    assert statuses.count(200) == accounts.MAX_FAILURES_PER_NAME  # checked: "incorrect"
    assert statuses.count(429) == GUESSES - accounts.MAX_FAILURES_PER_NAME
    assert _post_sign_in(served, forms[-1], PASSWORD, threading.Barrier(1)) == 429
