"""Load benchmark of the search page over HTTP, beside the raw index search time.

Starts ``kbtool serve`` (gunicorn) on a free loopback port in its own process, signs in one
session per client, then has 1, 4 and 16 concurrent clients fetch the search page for the
evaluation queries for a fixed time each; reports p50/p95 latency, requests/s and errors.  The raw
``Searcher.search`` time of the same queries is measured first, in this process, on the same index.

    .venv/bin/python -m kbtool --config bench/out/kbtool.toml reindex --full   # once
    .venv/bin/python bench/web_load.py --config bench/out/kbtool.toml

The load generator shares the machine's cores with the server: the figures are what one box
serving and querying itself gets, a pessimistic bound for a server with its own cores.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from kbtool import accounts, store
from kbtool.config import Config, load
from kbtool.index.engine import search_index

DEFAULT_QUERIES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev-queries.jsonl"
USER = "bench"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass(frozen=True)
class Figures:
    """Latencies (ms) of one run."""

    label: str
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def figures(label: str, clients: int, latencies: list[float], errors: int,
            seconds: float) -> Figures:
    ordered = sorted(latencies) or [0.0]
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 \
        else ordered * 99
    return Figures(label, clients, len(latencies), errors, seconds, cut[49] * 1000,
                   cut[94] * 1000, ordered[-1] * 1000)


def read_queries(path: Path) -> list[str]:
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def raw_search(config: Config, queries: list[str], rounds: int) -> Figures:
    """The index's search alone, no HTTP, no templates (after one warm-up pass)."""
    searcher = search_index(config)
    for query in queries:
        searcher.search(query, limit=config.get("search.limit"))
    latencies = []
    started = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            begin = time.perf_counter()
            searcher.search(query, limit=config.get("search.limit"))
            latencies.append(time.perf_counter() - begin)
    return figures("index only", 1, latencies, 0, time.perf_counter() - started)


def bench_account(config: Config) -> str:
    """A fresh password for the bench agent (created when missing)."""
    password = secrets.token_urlsafe(16)
    conn = store.connect(config.get("web.database"))
    try:
        if accounts.find_user(conn, USER) is None:
            accounts.create_user(conn, USER, "agent", password)
        else:
            accounts.set_password(conn, USER, password)
    finally:
        conn.close()
    return password


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(config_file: Path, port: int) -> subprocess.Popen[bytes]:
    """``kbtool serve`` in its own process; its log goes to ``server.log`` beside the config."""
    log = (config_file.parent / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "kbtool", "--config", str(config_file),
                                "serve", "--port", str(port)], stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/connexion", timeout=2)
            return process
        except requests.ConnectionError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start")


def signed_in(base: str, password: str) -> requests.Session:
    session = requests.Session()
    token = _CSRF.search(session.get(f"{base}/connexion").text).group(1)
    answer = session.post(f"{base}/connexion", allow_redirects=False,
                          data={"name": USER, "password": password, "csrf_token": token})
    if answer.status_code != 302:
        raise SystemExit(f"sign-in refused ({answer.status_code}); is web.secure_cookies off?")
    return session


def run_load(base: str, password: str, clients: int, queries: list[str], seconds: float) -> Figures:
    """``clients`` threads fetching search pages back to back for ``seconds``."""
    sessions = [signed_in(base, password) for _ in range(clients)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(number: int) -> None:
        session, mine, errs = sessions[number], [], 0
        start.wait()
        turn = number
        while time.perf_counter() < stop_at[0]:
            query = queries[turn % len(queries)]
            turn += 1
            begin = time.perf_counter()
            try:
                answer = session.get(f"{base}/", params={"q": query}, timeout=30)
                ok = answer.status_code == 200 and ('class="count"' in answer.text
                                                    or "Pas de réponse sûre" in answer.text)
            except requests.RequestException:
                ok = False
            mine.append(time.perf_counter() - begin)
            errs += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += errs

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    return figures("HTTP search page", clients, latencies, errors[0],
                   time.perf_counter() - began)


def table(rows: list[Figures]) -> str:
    lines = ["| what | clients | requests | errors | req/s | p50 ms | p95 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r.label} | {r.clients} | {r.requests} | {r.errors} | {r.per_second:.1f} | "
              f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.max_ms:.1f} |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES)
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--seconds", type=float, default=20.0, help="per client count")
    parser.add_argument("--rounds", type=int, default=5, help="raw search passes")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    config = load(args.config)
    queries = read_queries(args.queries)
    rows = [raw_search(config, queries, args.rounds)]
    password = bench_account(config)
    port = free_port()
    server = start_server(args.config, port)
    try:
        base = f"http://127.0.0.1:{port}"
        run_load(base, password, 1, queries, 2.0)  # warm-up: searcher opened, facets cached
        for clients in (int(c) for c in args.clients.split(",")):
            rows.append(run_load(base, password, clients, queries, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"per_second": r.per_second}
                                         for r in rows], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
