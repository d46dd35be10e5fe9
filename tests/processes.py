"""Child processes seen from /proc, for tests of what a run leaves running."""

from __future__ import annotations

import os
import time


def children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``."""
    return {other for other, (state, parent, _) in _all() if (state, parent) == ("alive", pid)}


def group(pgid: int) -> set[int]:
    """Live (not zombie) processes of the process group ``pgid`` (a run started in a session
    of its own, with everything it forked, even once they are orphans)."""
    return {other for other, (state, _, grp) in _all() if (state, grp) == ("alive", pgid)}


def _all() -> list[tuple[int, tuple[str, int, int]]]:
    return [(int(entry), stat) for entry in os.listdir("/proc")
            if entry.isdigit() and (stat := _stat(int(entry)))]


def all_gone(pids: set[int], timeout: float) -> bool:
    """Whether every process of ``pids`` has ended (or is a zombie) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any((stat := _stat(pid)) and stat[0] == "alive" for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _stat(pid: int) -> tuple[str, int, int] | None:
    """("alive" or "zombie", parent pid, process group) of a process; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return ("zombie" if fields[0] == "Z" else "alive"), int(fields[1]), int(fields[2])
