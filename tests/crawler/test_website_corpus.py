"""The ``website`` source over the real Grisbi manual served from loopback (skips without the
shared corpus): links followed, broken links reported, anchors kept, and nothing re-indexed on a second run."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kbtool.config import from_dict
from kbtool.index.search import Searcher
from kbtool.pipeline import reindex

GRISBI = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "docs" / "grisbi"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


@pytest.fixture()
def site():
    if not GRISBI.is_dir():
        pytest.skip(f"shared corpus not found at {GRISBI}")
    handler = functools.partial(_QuietHandler, directory=str(GRISBI))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_crawl_of_the_grisbi_manual(site: str, tmp_path: Path) -> None:
    config = from_dict({
        "index": {"dir": str(tmp_path / "index")},
        "http": {"delay": 0},
        "sources": [{"name": "docs", "kind": "website",
                     "start_urls": [f"{site}grisbi-manuel002.html"]}]})
    first = reindex(config)
    # The corpus left out the manual's contents and index pages: links to them answer 404,
    # pages that do not exist, not failures.
    assert first.ok
    assert first.sources[0].added == len(list(GRISBI.glob("*.html")))
    best = Searcher(config.index_dir).search("rapprochement bancaire").hits[0]
    assert best.url == f"{site}grisbi-manuel010.html"
    assert all(s.url.startswith(best.url + "#") or s.url == best.url for s in best.sections)

    second = reindex(config)
    assert (second.sources[0].added, second.sources[0].updated) == (0, 0)
    assert second.sources[0].listed == first.sources[0].listed
