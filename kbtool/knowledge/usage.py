"""The usage log: searches, unanswered questions, links put in replies, copies.

Kept so the team can measure the share of replies that link to the knowledge base and list the
searches that found nothing.  One row per event in the ``events`` table; figures are computed by
SQL on demand.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from kbtool.store import now

SEARCH = "search"
UNANSWERED = "unanswered"
LINK = "link"
COPY = "copy"

DAY = 24 * 3600

URL_PATTERN = re.compile(r"https?://[^\s<>\"']+")


def record(conn: sqlite3.Connection, kind: str, user_id: int | None, *, query: str = "",
           hits: int | None = None, confident: bool | None = None, url: str = "",
           draft_id: int | None = None, detail: str = "") -> None:
    """Append one event."""
    conn.execute(
        "INSERT INTO events (at, user_id, kind, query, hits, confident, url, draft_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now(), user_id, kind, query, hits, None if confident is None else int(confident), url,
         draft_id, detail))


def links_in(text: str) -> list[str]:
    """The http(s) links of a reply, in order, without repeats or trailing punctuation."""
    found = (url.rstrip(".,;:!?)»") for url in URL_PATTERN.findall(text))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Summary:
    """Headline figures of the usage log."""

    searches: int
    unconfident_searches: int
    unanswered: int
    copies: int
    copies_with_links: int
    empty_queries: list[tuple[str, int]]

    @property
    def linked_share(self) -> float | None:
        """Share of copied replies that hold at least one link (None before any copy)."""
        return self.copies_with_links / self.copies if self.copies else None


def summary(conn: sqlite3.Connection, since: float = 0.0, top: int = 20) -> Summary:
    """Figures over the events since that time, with the questions most often left without
    answer (each counted once per agent and day)."""
    def count(where: str) -> int:
        return conn.execute(f"SELECT COUNT(*) FROM events WHERE at >= ? AND {where}",
                            (since,)).fetchone()[0]
    # A question is counted once per agent and day, whatever events it left: a search without
    # answer, the click on "Aucun de ces résultats" that follows it and the search page shown
    # again after that click are one question, not three.
    empty = conn.execute(
        "SELECT lower(trim(query)) AS q, COUNT(DISTINCT user_id || ':' || CAST(at / ? AS INTEGER))"
        " AS n FROM events WHERE at >= ? AND ((kind = ? AND confident = 0) OR kind = ?) "
        "GROUP BY q ORDER BY n DESC, q LIMIT ?",
        (DAY, since, SEARCH, UNANSWERED, top)).fetchall()
    return Summary(
        searches=count(f"kind = '{SEARCH}'"),
        unconfident_searches=count(f"kind = '{SEARCH}' AND confident = 0"),
        unanswered=count(f"kind = '{UNANSWERED}'"),
        copies=count(f"kind = '{COPY}'"),
        copies_with_links=count(f"kind = '{COPY}' AND hits > 0"),
        empty_queries=[(row["q"], row["n"]) for row in empty],
    )
