"""Reindex runs as real processes: killed midway (SIGKILL of all its processes, SIGTERM or
SIGKILL of the main one only, SIGTERM at random moments), and two at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbtool.config import load
from kbtool.index.search import Searcher
from kbtool.index.store import LOCK_FILE, IndexStore
from tests.kbfactory import config_file
from tests.processes import all_gone, children, group

PAGES = {f"page_{n:04d}.txt": f"====== Page {n} ======\nLe compte 512 et la page numéro {n}.\n"
         "===== Détail =====\n" + "Texte de remplissage sur la comptabilité. " * 40
         for n in range(1500)}


def kbtool(config: Path, *args: str, python: tuple[str, ...] = ("-m", "kbtool")
           ) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-X", "faulthandler", *python, "--config",
                             str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


# kbtool with a SIGTERM sent to itself just after its first fork, in the parent's at-fork
# hook: where a handler that raised once had its SystemExit swallowed, and the run went on.
SIGTERM_AT_FORK = """
import os, signal, sys
from kbtool.cli import main
sent = []
def terminate_once():
    if not sent:
        sent.append(os.getpid())
        os.kill(os.getpid(), signal.SIGTERM)
os.register_at_fork(after_in_parent=terminate_once)
sys.exit(main(sys.argv[1:]))
"""


def ended(run: subprocess.Popen, timeout: float) -> int:
    """The run's exit status once it has ended, having said nothing of an unexpected error; if
    it has not ended within ``timeout``, the test fails with where each of its threads was
    (faulthandler's dump on SIGABRT)."""
    try:
        err = run.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        os.kill(run.pid, signal.SIGABRT)
        pytest.fail("the run did not end:\n" + run.communicate(timeout=30)[1][-20000:])
    assert "Traceback" not in err and "Exception ignored" not in err, err[-20000:]
    return run.returncode


def assert_stopped_cleanly(run: subprocess.Popen, store: IndexStore,
                           before: dict[str, str]) -> None:
    """Nothing of the run left running, the lock free, the live index as it was."""
    assert all_gone(group(run.pid), timeout=15)
    with store.lock():
        pass
    assert store.versions() == before


def freeze_midway(store: IndexStore, process: subprocess.Popen) -> None:
    """Stop the rebuild (SIGSTOP) once it has a generation folder of its own.

    A frozen run is midway for as long as the test needs, however fast this machine
    indexes: it still holds the lock and has not published its generation.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.name != store.generation() for p in store.root.glob("gen-*")):
            os.killpg(process.pid, signal.SIGSTOP)
            return
        time.sleep(0.01)
    pytest.fail("the rebuild never started or ended too soon")


def started_writers(process: subprocess.Popen) -> set[int]:
    """The two index writer processes of a rebuild, once it has started them."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(writers := children(process.pid)) == 2:
            return writers
        time.sleep(0.01)
    pytest.fail("the rebuild never started its writers or ended too soon")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wiki big enough that a full rebuild takes seconds; indexed once."""
    path = config_file(tmp_path_factory.mktemp("big"), wiki=PAGES, docs={"note.txt": "Une note."})
    first = kbtool(path, "reindex")
    assert first.wait(timeout=300) == 0, first.stderr.read()
    return path


def test_killed_rebuild_leaves_the_index_whole(big: Path) -> None:
    config = load(big)
    store = IndexStore(config.index_dir)
    before, generation = store.versions(), store.generation()
    run = kbtool(big, "reindex", "--full")
    freeze_midway(store, run)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL
    assert store.generation() == generation
    assert store.versions() == before
    assert Searcher(config.index_dir).search("page numéro 1234").hits[0].page_id == \
        "wiki/page_1234.txt"
    again = kbtool(big, "reindex")
    assert again.wait(timeout=120) == 0
    assert [p.name for p in store.root.glob("gen-*")] == [generation]


@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143),
                                            (signal.SIGKILL, -signal.SIGKILL)])
def test_a_rebuild_stopped_alone_leaves_no_writer_behind_and_frees_the_lock(
        big: Path, signum: int, status: int) -> None:
    """``timeout``, systemd or ``kill`` signal the main process only (SIGTERM: it stops its
    index writers; SIGKILL, as the OOM killer: they end by themselves), not its group: writers
    left running would keep the reindex lock, and every later nightly run would fail."""
    config = load(big)
    store = IndexStore(config.index_dir)
    before, generation = store.versions(), store.generation()
    run = kbtool(big, "reindex", "--full")
    writers = started_writers(run)
    os.kill(run.pid, signum)
    assert run.wait(timeout=30) == status
    assert all_gone(writers, timeout=15)
    assert store.generation() == generation
    assert store.versions() == before
    again = kbtool(big, "reindex")
    assert again.wait(timeout=120) == 0, again.stderr.read()
    assert [p.name for p in store.root.glob("gen-*")] == [generation]


def test_second_run_is_refused_while_the_first_holds_the_lock(big: Path) -> None:
    store = IndexStore(load(big).index_dir)
    first = kbtool(big, "reindex", "--full")
    freeze_midway(store, first)
    second = kbtool(big, "reindex")
    out, err = second.communicate(timeout=60)
    os.killpg(first.pid, signal.SIGCONT)
    assert second.returncode == 3
    assert err.startswith("kbtool: error: another reindex is running (pid ")
    assert first.wait(timeout=300) == 0


def test_a_sigterm_in_an_at_fork_hook_still_ends_the_run_with_143(big: Path) -> None:
    store = IndexStore(load(big).index_dir)
    before = store.versions()
    run = kbtool(big, "reindex", "--full", python=("-c", SIGTERM_AT_FORK))
    assert ended(run, timeout=300) == 143
    assert_stopped_cleanly(run, store, before)


def test_sigterm_at_random_moments_always_ends_the_run_with_143(big: Path) -> None:
    """SIGTERM at moments drawn over the span of a whole rebuild (start-up, listing, forking
    the writers, reading, committing): every one ends the run as asked, with its clean-up
    done; a signal before kbtool's handler is in place ends it at once (the shell reports
    143 all the same), when nothing has started yet."""
    store = IndexStore(load(big).index_dir)
    started = time.monotonic()
    assert ended(kbtool(big, "reindex", "--full"), timeout=300) == 0
    span = time.monotonic() - started
    before, chance, signalled = store.versions(), random.Random(1960), 0
    for _ in range(12):
        run = kbtool(big, "reindex", "--full")
        time.sleep(chance.uniform(0, span))
        if run.poll() is None:
            os.kill(run.pid, signal.SIGTERM)
            # Whether the run still held the lock once signalled: then it had work left, and
            # must stop; otherwise it may also have been ending with 0 already.
            working = f"pid {run.pid} " in (store.root / LOCK_FILE).read_text()
            signalled += working
            assert ended(run, timeout=120) in ((143, -signal.SIGTERM) if working
                                               else (143, -signal.SIGTERM, 0))
        else:
            assert ended(run, timeout=30) == 0
        assert_stopped_cleanly(run, store, before)
    assert signalled >= 6
