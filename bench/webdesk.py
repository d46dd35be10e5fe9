"""The web app driven as an agent drives it, over app stores made for one benchmark run.

Used by ``replay.py``: every step goes through the app's routes with Flask's test client (the
sign-in form, CSRF tokens read from the pages), and rankings are read from the search page's HTML
(``li.hit[data-page]`` in the order shown), so they are what the agent sees, whatever the search
view passes to the searcher.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from werkzeug.test import TestResponse

from index_bench import corpus_config

from kbtool import accounts, store
from kbtool.config import Config
from kbtool.index.search import Searcher
from kbtool.web import create_app

AGENT = "agent-replay"


@dataclass(frozen=True)
class Ranking:
    """One search page as the agent saw it: pages in the order shown, the checkbox value of
    each page's first section, whether the search was sure, and how long the request took."""

    pages: tuple[str, ...]
    picks: dict[str, str]
    confident: bool
    ms: float


def read_ranking(html: str, ms: float = 0.0) -> Ranking:
    """The results of a search page, read from the stable marks of ``search.html``: each
    result's ``li.hit[data-page]``, its ``input.pick`` boxes, the ``sure`` badge."""
    soup = BeautifulSoup(html, "lxml")
    pages, picks = [], {}
    for hit in soup.select("li.hit[data-page]"):
        page = hit["data-page"]
        pages.append(page)
        box = hit.select_one("input.pick")
        if box is not None:
            picks.setdefault(page, box["value"])
    return Ranking(tuple(pages), picks, soup.select_one("li.hit .sure") is not None, ms)


class Desk:
    """The web app over the index with one store, and its agent signed in through the form."""

    def __init__(self, config: Config, password: str) -> None:
        self.config = config
        self.client = create_app(config).test_client()
        self._csrf = _csrf_of(self.client.get("/connexion").get_data(as_text=True))
        answer = self.client.post("/connexion", data={"name": AGENT, "password": password,
                                                      "csrf_token": self._csrf})
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in refused ({answer.status_code})")
        self._csrf = _csrf_of(self.client.get("/").get_data(as_text=True))

    def search(self, query: str, page: int = 1) -> Ranking:
        """The search page for that query, read as the agent sees it."""
        start = time.perf_counter()
        answer = self.client.get("/", query_string={"q": query, "page": page})
        ms = (time.perf_counter() - start) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"search {query!r}: HTTP {answer.status_code}")
        return read_ranking(answer.get_data(as_text=True), ms)

    def cite(self, query: str, pick: str) -> int:
        """Make a reply draft of the ticked section from that search and copy it, as the draft
        page's « Copier » button does; the draft's id."""
        made = self._post("/brouillons", {"q": query, "pick": [pick], "ticket": "", "kind": ""})
        if made.status_code != 302 or "/brouillons/" not in made.headers["Location"]:
            raise RuntimeError(f"draft for {query!r} refused ({made.status_code})")
        path = made.headers["Location"]
        page = BeautifulSoup(self.client.get(path).get_data(as_text=True), "lxml")
        body = page.select_one("textarea#body").get_text().lstrip("\r\n")
        copied = self._post(f"{path}/copie", {"body": body, "format": "text"})
        if copied.status_code != 204:
            raise RuntimeError(f"copy of {path} refused ({copied.status_code})")
        return int(path.rsplit("/", 1)[1])

    def _post(self, path: str, data: dict) -> TestResponse:
        return self.client.post(path, data={**data, "csrf_token": self._csrf})


def _csrf_of(html: str) -> str:
    meta = BeautifulSoup(html, "lxml").select_one('meta[name="csrf-token"]')
    if meta is None:
        raise RuntimeError("no CSRF token on the page")
    return meta["content"]


class Stores:
    """Stores of the app's data in a folder: a fresh one with the agent's account, and copies
    (each evaluation searches its own copy, so its searches are usage of nothing else)."""

    def __init__(self, corpus: Path, index_dir: Path, folder: Path) -> None:
        self._corpus, self._index, self._folder = corpus, index_dir, folder
        self._made = 0
        self._pages = Searcher(index_dir)
        self.password = secrets.token_urlsafe(16)
        self.fresh = self._path("fresh")
        conn = store.connect(str(self.fresh))
        try:
            accounts.create_user(conn, AGENT, "agent", self.password)
        finally:
            conn.close()

    def _path(self, label: str) -> Path:
        self._made += 1
        return self._folder / f"{self._made:02d}-{label}.sqlite3"

    def copy(self, source: Path, label: str) -> Path:
        """A copy of a store, made with SQLite's backup (consistent whatever its journal)."""
        target = self._path(label)
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return target

    def title_of(self, page_id: str) -> str:
        """A page's title as the index holds it (what an agent who knows the page types)."""
        page = self._pages.page(page_id)
        if page is None:
            raise RuntimeError(f"judged page {page_id} is not in the index")
        return page.title

    def close(self) -> None:
        """Close the index the titles are read from."""
        self._pages.close()

    def desk(self, database: Path) -> Desk:
        """The app over that store, its agent signed in."""
        web = {"database": str(database), "secret_key_file": str(self._folder / "secret_key"),
               "secure_cookies": False}
        return Desk(corpus_config(self._corpus, self._index, web), self.password)
