"""Reviewers' dashboard figures: open gaps by demand, articles waiting, time from gap to published
article, share of copied replies that link to the knowledge base, and weekly series for charts.

Computed by SQL on demand from the store (a support team's volume is small); weeks are counted
back from now, oldest first, so a chart reads left to right.
"""

from __future__ import annotations

import sqlite3
import statistics
from dataclasses import dataclass

from kbtool.knowledge import articles, gaps, usage
from kbtool.store import now

WEEK = 7 * 24 * 3600
DAY = usage.DAY


@dataclass(frozen=True)
class Series:
    """One weekly chart: a value per week, oldest first (None where there is nothing to show)."""

    title: str
    unit: str
    values: tuple[float | None, ...]

    @property
    def top(self) -> float:
        """The largest value (1 when all are empty), the chart's full height."""
        return max([v for v in self.values if v is not None] + [1])


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page shows."""

    open_gaps: list[gaps.Gap]
    open_count: int
    waiting: list[tuple[articles.Article, int]]
    unpublished: list[articles.Article]
    median_days_to_article: float | None
    linked_share: float | None
    unanswered_queries: list[tuple[str, int]]
    weeks: int
    charts: tuple[Series, ...]


def build(conn: sqlite3.Connection, weeks: int = 12) -> Dashboard:
    """The dashboard as of now."""
    start = now() - weeks * WEEK
    figures = usage.summary(conn, top=10)
    return Dashboard(
        open_gaps=gaps.open_gaps(conn, limit=10),
        open_count=conn.execute("SELECT COUNT(*) FROM gaps WHERE status = 'open'").fetchone()[0],
        waiting=articles.review_queue(conn),
        unpublished=articles.unpublished(conn),
        median_days_to_article=_median_days(conn),
        linked_share=figures.linked_share,
        unanswered_queries=figures.empty_queries,
        weeks=weeks,
        charts=(
            Series("Nouvelles questions sans réponse", "", _weekly_count(
                conn, "SELECT created_at FROM gaps WHERE created_at >= ?", start, weeks)),
            Series("Questions closes", "", _weekly_count(
                conn, "SELECT closed_at FROM gaps WHERE closed_at >= ?", start, weeks)),
            Series("Articles publiés", "", _weekly_count(
                conn, "SELECT published_at FROM articles WHERE published_at >= ?", start, weeks)),
            Series("Réponses copiées avec un lien", "%", _weekly_linked_share(conn, start, weeks)),
        ))


def _median_days(conn: sqlite3.Connection) -> float | None:
    """Median days from a gap's first question to the article that closed it."""
    spans = [row[0] / DAY for row in conn.execute(
        "SELECT closed_at - created_at FROM gaps WHERE closed_how = 'article'")]
    return statistics.median(spans) if spans else None


def _week_of(at: float, start: float, weeks: int) -> int:
    return min(int((at - start) // WEEK), weeks - 1)


def _weekly_count(conn: sqlite3.Connection, sql: str, start: float,
                  weeks: int) -> tuple[float | None, ...]:
    counts = [0.0] * weeks
    for (at,) in conn.execute(sql, (start,)):
        counts[_week_of(at, start, weeks)] += 1
    return tuple(counts)


def _weekly_linked_share(conn: sqlite3.Connection, start: float,
                         weeks: int) -> tuple[float | None, ...]:
    copies = [0] * weeks
    linked = [0] * weeks
    for at, hits in conn.execute("SELECT at, hits FROM events WHERE kind = ? AND at >= ?",
                                 (usage.COPY, start)):
        week = _week_of(at, start, weeks)
        copies[week] += 1
        linked[week] += bool(hits)
    return tuple(100 * l / c if c else None for l, c in zip(linked, copies))
