"""The yardstick for the index benchmark: SQLite FTS5 over the very text kbtool indexes.

Pages come from the same configured sources (``listing`` to stat, ``fetch`` to parse), so both
engines index the same plain text and the difference measured is the index, not the parsers.
One FTS5 row per page (whole pages, as the evaluation judges them): title and body (headings and
section text), ``unicode61 remove_diacritics 2``, queries as the OR of the typed words, BM25
order, ``snippet()`` for the excerpt.  ``search`` returns kbtool's own ``SearchResults`` so the
same latency loop and the same ``kbtool.evaluation`` metrics serve both engines.

    db = Fts5Baseline(Path("/tmp/fts.sqlite3"), config)
    db.update()                  # first call builds; later calls redo changed pages only
    db.search("budget prévisionnel").hits[0].page_id   # "docs/grisbi/grisbi-manuel018.html"
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from kbtool.config import Config
from kbtool.crawler import open_source
from kbtool.documents import Document
from kbtool.index.results import PageHit, SearchResults, SectionHit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS page (id INTEGER PRIMARY KEY, page_id TEXT UNIQUE NOT NULL,
                                 version TEXT NOT NULL, indexed INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS text USING fts5(
    title, body, tokenize = "unicode61 remove_diacritics 2");
"""
_QUERY = """
SELECT page.page_id, text.title, bm25(text) AS score,
       snippet(text, -1, '<mark>', '</mark>', ' … ', 16)
FROM text JOIN page ON page.id = text.rowid
WHERE text MATCH ? ORDER BY score LIMIT ? OFFSET ?
"""
_WORD = re.compile(r"\w+")


@dataclass
class UpdateReport:
    """What one :meth:`Fts5Baseline.update` did and where its time went."""

    listed: int = 0
    indexed: int = 0
    skipped: int = 0
    deleted: int = 0
    failed: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: {"list": 0.0, "fetch": 0.0,
                                                               "write": 0.0})


class Fts5Baseline:
    """An FTS5 database of the configured sources' pages, kept up to date like kbtool's index:
    pages whose listed version changed are fetched again (delete + insert), vanished ones go."""

    def __init__(self, path: Path, config: Config) -> None:
        self.config = config
        self.db = sqlite3.connect(path)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        """Release the database file."""
        self.db.close()

    def update(self) -> UpdateReport:
        """Bring the database up to date with every source; a no-op costs one stat per file."""
        report = UpdateReport()
        known = dict(self.db.execute("SELECT page_id, version FROM page"))
        with self.db:
            for source_config in self.config.sources:
                clock = time.perf_counter()
                source = open_source(source_config, self.config)
                listing = source.listing()
                report.listed += len(listing.versions)
                report.seconds["list"] += time.perf_counter() - clock
                for page_id, version in listing.versions.items():
                    if known.get(page_id) != version:
                        self._refresh(source.fetch, page_id, version, report)
                gone = [pid for pid in known if pid.startswith(f"{source.name}/")
                        and pid not in listing.versions]
                for page_id in gone:
                    self._delete(page_id)
                    report.deleted += 1
        return report

    def _refresh(self, fetch, page_id: str, version: str, report: UpdateReport) -> None:
        clock = time.perf_counter()
        result = fetch(page_id)
        parsed = time.perf_counter()
        report.seconds["fetch"] += parsed - clock
        if result is not None and not isinstance(result, Document):
            report.failed += 1
            return
        self._delete(page_id)
        cursor = self.db.execute("INSERT INTO page (page_id, version, indexed) VALUES (?, ?, ?)",
                                 (page_id, version, result is not None))
        if result is None:
            report.skipped += 1   # a redirect or an empty page, remembered so it is not refetched
        else:
            self.db.execute("INSERT INTO text (rowid, title, body) VALUES (?, ?, ?)",
                            (cursor.lastrowid, result.title, _body(result)))
            report.indexed += 1
        report.seconds["write"] += time.perf_counter() - parsed

    def _delete(self, page_id: str) -> None:
        row = self.db.execute("SELECT id FROM page WHERE page_id = ?", (page_id,)).fetchone()
        if row is not None:
            self.db.execute("DELETE FROM text WHERE rowid = ?", row)
            self.db.execute("DELETE FROM page WHERE id = ?", row)

    def indexed_pages(self) -> list[str]:
        """Ids of the pages that have text in the database, sorted."""
        return [pid for (pid,) in self.db.execute(
            "SELECT page_id FROM page WHERE indexed ORDER BY page_id")]

    def search(self, query: str, *, limit: int = 10, page: int = 1,
               synonyms: object = None) -> SearchResults:
        """Pages holding any of the query's words, best BM25 first, each with one snippet;
        ``confident`` only says that something matched (FTS5 has no notion of a sure answer);
        ``synonyms`` is taken as ``Searcher.search`` takes it, and left unused (plain BM25)."""
        words = _WORD.findall(query)
        if not words:
            return SearchResults(query=query, hits=(), total=0, page=1, page_count=1,
                                 confident=False)
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self.db.execute(_QUERY, (match, limit, (page - 1) * limit)).fetchall()
        hits = tuple(_hit(*row) for row in rows)
        return SearchResults(query=query, hits=hits, total=len(hits), page=page, page_count=page,
                             confident=bool(hits))


def _body(document: Document) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text
                     for s in document.sections)


def _hit(page_id: str, title: str, score: float, snippet: str) -> PageHit:
    # bm25() is lower for better matches; negate it so higher is better, like kbtool's scores.
    section = SectionHit(heading="", anchor="", url="", snippet=snippet, score=-score)
    return PageHit(page_id=page_id, source=page_id.split("/", 1)[0], namespace="", title=title,
                   url="", modified=0.0, score=-score, sections=(section,))
