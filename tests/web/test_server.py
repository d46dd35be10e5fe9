"""``kbtool serve`` with several worker processes, as a real process on 127.0.0.1: a worker
that dies is replaced, and the site keeps answering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import children
from tests.servers import free_port

KBTOOL = str(Path(sys.executable).with_name("kbtool"))
CONFIG = """
[web]
database = "app.sqlite3"
secret_key_file = "secret_key"
processes = 2
"""


class Load:
    """Requests sent one after another, each on a new connection, from a thread; remembers
    which failed, in the order they were sent."""

    def __init__(self, url: str):
        self.url = url
        self.outcomes: list[str] = []  # "" for an answer 200, else what went wrong
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._send, daemon=True)

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _send(self) -> None:
        while not self._stop.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=30) as answer:
                    answer.read()
                    self.outcomes.append("" if answer.status == 200 else str(answer.status))
            except OSError as exc:
                self.outcomes.append(repr(exc))

    def failures_among(self, first: int, count: int, timeout: float = 120) -> list[str]:
        """The failures among ``count`` requests sent from the ``first`` on, once answered."""
        until(lambda: len(self.outcomes) >= first + count or not self._thread.is_alive(),
              timeout, "the load did not go on")
        return [o for o in self.outcomes[first:first + count] if o]


def until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for ``condition()``; fail saying ``what`` did not happen (the bound is generous:
    it only stops a broken server from hanging the test run)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(what)
        time.sleep(0.05)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``kbtool serve`` with two workers on a free port (``web.port``: ``serve`` without
    ``--port`` listens where the configuration says); yields the process and the base URL."""
    config = tmp_path / "kbtool.toml"
    port = free_port()
    config.write_text(CONFIG + f"port = {port}\n", encoding="utf-8")
    process = subprocess.Popen([KBTOOL, "--config", str(config), "serve"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise


def test_a_killed_worker_is_replaced_and_no_request_fails_after(server) -> None:
    process, base = server
    until(lambda: len(children(process.pid)) == 2, 60, "the two workers did not start")
    originals = children(process.pid)
    with Load(base + "/connexion") as load:
        until(lambda: len(load.outcomes) >= 20, 60, "the server did not answer")
        assert load.failures_among(0, 20) == []
        # Each original worker in turn: at the end only replacements serve.
        for victim in sorted(originals):
            os.kill(victim, signal.SIGKILL)
            until(lambda: victim not in children(process.pid)
                  and len(children(process.pid)) == 2, 60, f"worker {victim} not replaced")
            assert load.failures_among(len(load.outcomes) + 1, 50) == []
    assert not children(process.pid) & originals
    assert process.poll() is None
