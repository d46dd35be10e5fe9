"""Dashboard figures: weekly series, gap-to-article delay, linked share."""

from __future__ import annotations

import pytest

from kbtool.knowledge import articles, gaps, trends, usage

DAY = 24 * 3600


@pytest.fixture()
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """``clock(t)`` sets the time every module stores (seconds since the epoch)."""
    def set_to(moment: float) -> None:
        for module in (gaps, articles, usage, trends):
            monkeypatch.setattr(module, "now", lambda: moment)
    return set_to


def test_weekly_series_delay_and_share(conn, user, clock):
    agnes, rene = user("agnes"), user("rene")
    today = 1_800_000_000.0
    clock(today - 20 * DAY)
    old_gap = gaps.get_gap(conn, gaps.record(conn, agnes.id, "changer de trésorier"))
    article_id = articles.create(conn, agnes, "kb", old_gap)
    clock(today - 16 * DAY)
    gaps.close_for_article(conn, article_id, "kb:changer_de_tresorier", rene.id)
    conn.execute("UPDATE articles SET status = 'published', published_at = ? WHERE id = ?",
                 (today - 16 * DAY, article_id))
    usage.record(conn, usage.COPY, agnes.id, hits=0)
    clock(today - DAY)
    gaps.record(conn, agnes.id, "exercice décalé")
    usage.record(conn, usage.COPY, agnes.id, hits=2)
    usage.record(conn, usage.COPY, agnes.id, hits=1)
    clock(today)

    board = trends.build(conn, weeks=4)
    opened, closed, published, linked = board.charts
    assert opened.values == (0, 1, 0, 1)
    assert closed.values == published.values == (0, 1, 0, 0)
    assert linked.values == (None, 0, None, 100)
    assert board.median_days_to_article == pytest.approx(4.0)
    assert board.open_count == 1 and [g.question for g in board.open_gaps] == ["exercice décalé"]
    assert board.linked_share == pytest.approx(2 / 3)
