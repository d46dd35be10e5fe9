"""Knowledge gaps: questions the knowledge base did not answer, kept visible until answered.

A gap is opened by a search without a confident answer or by an agent's "none of these answers"
click.  Questions on the same topic land on one gap: the topic is the set of the question's
stemmed key words (the index's own French analysis), so "Comment importer un relevé OFX ?" and
"import des relevés ofx" are one gap; a question whose key words overlap an open gap's by at least
``SAME_TOPIC`` (Jaccard index: "importer un relevé bancaire OFX" has 3 of the 4 words) joins it
too.  A gap stores its question's words, not their stems: the stems are derived when gaps are
compared, so a kbtool whose analysis stems otherwise still files a question with the gaps opened
before it.  Every occurrence is kept as a hit (question as typed,
agent, time, ticket); the demand of a gap is the number of distinct agents who hit it.

A gap closes only by (a) an article published for it, (b) an agent naming an indexed page that
answers it, or (c) a reviewer dismissing it with a reason, which is also how a reviewer groups it
into another gap for the same need worded otherwise ("fiches de paie" / "bulletins de paie" share
too few words to land together): its questions, agents and times then count on the other gap.

Questions may quote customers, so who sees what is decided here: reviewers and admins see every gap
with every question; an agent sees only the gaps they asked, through their own questions only (the
gap's title is then their own first question; other agents' wording and tickets stay hidden).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from kbtool.accounts import User
from kbtool.index.analysis import fold_accents, index_tokens, stem_terms
from kbtool.store import now, transaction

log = logging.getLogger(__name__)

OPEN, CLOSED = "open", "closed"
BY_ARTICLE, BY_PAGE, DISMISSED = "article", "page", "dismissed"
RELATED_LIMIT = 10
# The same agent asking the same thing again within this many seconds is one hit, not two
# (a search without answer followed by the "none of these" click on its page).
REPEAT_WINDOW = 3600
MAX_QUESTION_LENGTH = 500
SAME_TOPIC = 0.75


class GapError(Exception):
    """A refused operation on a gap; the message is French, shown to the user."""


@dataclass(frozen=True)
class Gap:
    """One unanswered topic, with its demand."""

    id: int
    question: str
    opened_by: str
    ticket: str
    created_at: float
    status: str
    article_id: int | None
    closed_how: str | None
    closed_detail: str
    closed_by: str | None
    closed_at: float | None
    hits: int
    agents: int
    last_at: float


@dataclass(frozen=True)
class Hit:
    """One time an agent met the gap."""

    agent: str
    question: str
    ticket: str
    at: float


def words_of(question: str) -> str:
    """What a gap stores of its question to be compared by: its words, lowercased, each once,
    in order ('Importer un relevé, un seul ?' → 'importer un relevé seul')."""
    return " ".join(dict.fromkeys(question.casefold().split()))


def topic_of(words: str) -> frozenset[str]:
    """The topic of a question (or of the words stored of it): its stemmed key words with
    today's analysis, or its folded words when it has none (only stop words, no words)."""
    stems = frozenset(stem for token in index_tokens(words) for stem in stem_terms(token))
    return stems or frozenset(fold_accents(words).casefold().split())


def _overlap(topic: frozenset[str], other: frozenset[str]) -> float:
    """How much two topics share (Jaccard index): 1.0 for the same topic."""
    either = topic | other
    return len(topic & other) / len(either) if either else 0.0


# The first parameter of every query built on _SELECT is the id of an agent who sees the gap
# through their own questions only, or None for the full view.
_SELECT = """
    SELECT g.*, o.name AS opener, c.name AS closer,
           (SELECT h.question FROM gap_hits h WHERE h.gap_id = g.id AND h.user_id = ?
            ORDER BY h.at, h.id LIMIT 1) AS own_question,
           (SELECT COUNT(*) FROM gap_hits h WHERE h.gap_id = g.id) AS hits,
           (SELECT COUNT(DISTINCT h.user_id) FROM gap_hits h WHERE h.gap_id = g.id) AS agents,
           (SELECT MAX(h.at) FROM gap_hits h WHERE h.gap_id = g.id) AS last_at
    FROM gaps g JOIN users o ON o.id = g.user_id LEFT JOIN users c ON c.id = g.closed_by
"""
_BY_DEMAND = " ORDER BY agents DESC, hits DESC, g.created_at, g.id"


def _own_only(viewer: User | None) -> int | None:
    """The viewer's id when they may see their own questions only (agents), else None."""
    return viewer.id if viewer is not None and not viewer.can("reviewer") else None


def _gap(row: sqlite3.Row) -> Gap:
    return Gap(id=row["id"], question=row["own_question"] or row["question"],
               opened_by=row["opener"],
               ticket=row["ticket"], created_at=row["created_at"], status=row["status"],
               article_id=row["article_id"], closed_how=row["closed_how"],
               closed_detail=row["closed_detail"], closed_by=row["closer"],
               closed_at=row["closed_at"], hits=row["hits"], agents=row["agents"],
               last_at=row["last_at"] or row["created_at"])


def record(conn: sqlite3.Connection, user_id: int, question: str, ticket: str = "") -> int | None:
    """Count this question on the open gap of its topic (opening one if needed); its id."""
    question = " ".join(question.split())[:MAX_QUESTION_LENGTH]
    if not question:
        return None
    with transaction(conn):  # one writer at a time: two agents asking at once get one gap
        gap_id = _open_gap_id(conn, topic_of(question))
        if gap_id is None:
            gap_id = conn.execute(
                "INSERT INTO gaps (topic, question, user_id, ticket, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (words_of(question), question, user_id, ticket, now())).lastrowid
            log.info("gap %d opened: %r", gap_id, question)
        _add_hit(conn, gap_id, user_id, question, ticket)
    return gap_id


def _open_gap_id(conn: sqlite3.Connection, topic: frozenset[str]) -> int | None:
    """The open gap of this topic, or of the closest one at or above ``SAME_TOPIC``; a gap a
    reviewer grouped into an open one lends it its topic (its wording keeps landing there)."""
    best, best_score = None, SAME_TOPIC
    for row in conn.execute(
            "SELECT COALESCE(g.merged_into, g.id) AS target, g.topic FROM gaps g "
            "WHERE g.status = ? OR g.merged_into IN (SELECT id FROM gaps WHERE status = ?)",
            (OPEN, OPEN)):
        score = _overlap(topic, topic_of(row["topic"]))
        if score == 1.0:
            return row["target"]
        if score >= best_score:
            best, best_score = row["target"], score
    return best


def _add_hit(conn: sqlite3.Connection, gap_id: int, user_id: int, question: str,
             ticket: str) -> None:
    recent = conn.execute(
        "SELECT id, ticket FROM gap_hits WHERE gap_id = ? AND user_id = ? AND at >= ? "
        "ORDER BY at DESC LIMIT 1", (gap_id, user_id, now() - REPEAT_WINDOW)).fetchone()
    if recent is None:
        conn.execute("INSERT INTO gap_hits (gap_id, user_id, question, ticket, at) "
                     "VALUES (?, ?, ?, ?, ?)", (gap_id, user_id, question, ticket, now()))
    elif ticket and not recent["ticket"]:
        conn.execute("UPDATE gap_hits SET ticket = ? WHERE id = ?", (ticket, recent["id"]))


def get_gap(conn: sqlite3.Connection, gap_id: int, viewer: User | None = None) -> Gap | None:
    """The gap with that id, open or closed, as ``viewer`` sees it (see the module's docstring)."""
    row = conn.execute(_SELECT + " WHERE g.id = ?", (_own_only(viewer), gap_id)).fetchone()
    return _gap(row) if row else None


def visible(conn: sqlite3.Connection, gap_id: int, user: User) -> Gap | None:
    """The gap, if this account may see it: reviewers and admins see every gap, an agent only
    the gaps they asked (their questions may quote customers); None otherwise, as if absent."""
    if not (user.can("reviewer") or met_by(conn, gap_id, user.id)):
        return None
    return get_gap(conn, gap_id, user)


def open_gaps(conn: sqlite3.Connection, viewer: User | None = None, *, mine: bool = False,
              limit: int = 200) -> list[Gap]:
    """Open gaps by demand (agents, then hits, then age), as ``viewer`` sees them; only those
    the viewer asked when ``mine`` (always for an agent)."""
    where = " WHERE g.status = 'open'"
    params: tuple = (_own_only(viewer),)
    if viewer is not None and (mine or _own_only(viewer) is not None):
        where += " AND g.id IN (SELECT gap_id FROM gap_hits WHERE user_id = ?)"
        params += (viewer.id,)
    rows = conn.execute(_SELECT + where + _BY_DEMAND + " LIMIT ?", (*params, limit)).fetchall()
    return [_gap(row) for row in rows]


def gaps_of_article(conn: sqlite3.Connection, article_id: int,
                    viewer: User | None = None) -> list[Gap]:
    """The gaps an article answers, as ``viewer`` sees them."""
    rows = conn.execute(_SELECT + " WHERE g.article_id = ?" + _BY_DEMAND,
                        (_own_only(viewer), article_id)).fetchall()
    return [_gap(row) for row in rows]


def hits(conn: sqlite3.Connection, gap_id: int, viewer: User | None = None) -> list[Hit]:
    """Every time the gap was met, oldest first (an agent's own times only, for an agent)."""
    own = _own_only(viewer)
    rows = conn.execute("SELECT h.*, u.name FROM gap_hits h JOIN users u ON u.id = h.user_id "
                        "WHERE h.gap_id = ? AND (? IS NULL OR h.user_id = ?) ORDER BY h.at, h.id",
                        (gap_id, own, own)).fetchall()
    return [Hit(row["name"], row["question"], row["ticket"], row["at"]) for row in rows]


def met_by(conn: sqlite3.Connection, gap_id: int, user_id: int) -> bool:
    """True when that agent hit the gap."""
    return conn.execute("SELECT 1 FROM gap_hits WHERE gap_id = ? AND user_id = ? LIMIT 1",
                        (gap_id, user_id)).fetchone() is not None


def _require_open(gap: Gap) -> None:
    if gap.status != OPEN:
        raise GapError("Cette question est déjà close.")


def _close(conn: sqlite3.Connection, gap_id: int, how: str, detail: str, user_id: int) -> None:
    changed = conn.execute(
        "UPDATE gaps SET status = ?, closed_how = ?, closed_detail = ?, closed_by = ?, "
        "closed_at = ? WHERE id = ? AND status = ?",
        (CLOSED, how, detail, user_id, now(), gap_id, OPEN)).rowcount
    if not changed:
        raise GapError("Cette question est déjà close.")
    log.info("gap %d closed (%s: %s)", gap_id, how, detail)


def close_with_page(conn: sqlite3.Connection, gap: Gap, user: User, page_id: str,
                    indexed: Callable[[str], bool]) -> None:
    """Close the gap with an existing page that answers it; the page must be in the index."""
    _require_open(gap)
    if not (user.can("reviewer") or met_by(conn, gap.id, user.id)):
        raise GapError("Seuls les agents qui ont posé la question et les relecteurs peuvent "
                       "la clore.")
    page_id = page_id.strip()
    if not page_id or not indexed(page_id):
        raise GapError("Cette page n'existe pas dans l'index de recherche.")
    _close(conn, gap.id, BY_PAGE, page_id, user.id)


def dismiss(conn: sqlite3.Connection, gap: Gap, user: User, reason: str) -> None:
    """Close the gap without an answer (a reviewer's decision, with its reason)."""
    _require_open(gap)
    if not user.can("reviewer"):
        raise GapError("Seul un relecteur peut écarter une question.")
    if not reason.strip():
        raise GapError("Indiquez pourquoi cette question est écartée.")
    _close(conn, gap.id, DISMISSED, reason.strip(), user.id)


def related(conn: sqlite3.Connection, gap: Gap) -> list[Gap]:
    """Other open gaps sharing key words with this one, most shared then most asked first:
    what a reviewer may group with it (full view: reviewers only)."""
    row = conn.execute("SELECT topic FROM gaps WHERE id = ?", (gap.id,)).fetchone()
    topic = topic_of(row["topic"]) if row else frozenset()
    rows = conn.execute(_SELECT + " WHERE g.status = 'open' AND g.id != ?" + _BY_DEMAND,
                        (None, gap.id)).fetchall()
    shared = [(len(topic & topic_of(other["topic"])), _gap(other)) for other in rows]
    return [other for count, other in sorted(shared, key=lambda pair: -pair[0])
            if count][:RELATED_LIMIT]


def merge(conn: sqlite3.Connection, gap: Gap, other_id: int, user: User) -> None:
    """Group the open gap ``other_id`` into ``gap`` (a reviewer's decision): its questions,
    agents and times move to ``gap``, and so does its article if ``gap`` has none; it is
    dismissed as grouped, naming ``gap``, and a later question in its wording (or in the
    wording of gaps grouped into it before) is counted on ``gap``."""
    _require_open(gap)
    if not user.can("reviewer"):
        raise GapError("Seul un relecteur peut regrouper des questions.")
    other = get_gap(conn, other_id)
    if other is None or other.id == gap.id or other.status != OPEN:
        raise GapError("Choisissez une autre question ouverte à regrouper avec celle-ci.")
    if other.article_id and gap.article_id and other.article_id != gap.article_id:
        raise GapError("Chacune de ces questions a déjà son article : elles ne se regroupent pas.")
    with transaction(conn):
        conn.execute("UPDATE gap_hits SET gap_id = ? WHERE gap_id = ?", (gap.id, other.id))
        if other.article_id and not gap.article_id:
            conn.execute("UPDATE gaps SET article_id = ? WHERE id = ?",
                         (other.article_id, gap.id))
        conn.execute("UPDATE gaps SET article_id = NULL WHERE id = ?", (other.id,))
        _close(conn, other.id, DISMISSED, f"regroupée avec la question n° {gap.id}", user.id)
        conn.execute("UPDATE gaps SET merged_into = ? WHERE id = ? OR merged_into = ?",
                     (gap.id, other.id, other.id))


def attach_article(conn: sqlite3.Connection, gap: Gap, article_id: int) -> None:
    """Mark the gap as being answered by that article (refused if another one is on it)."""
    _require_open(gap)
    changed = conn.execute("UPDATE gaps SET article_id = ? WHERE id = ? AND status = ? AND "
                           "(article_id IS NULL OR article_id = ?)",
                           (article_id, gap.id, OPEN, article_id)).rowcount
    if not changed:
        raise GapError("Un article est déjà en cours pour cette question.")


def detach_article(conn: sqlite3.Connection, article_id: int) -> None:
    """The article will not answer its gaps (rejected): they stay open, free for another."""
    conn.execute("UPDATE gaps SET article_id = NULL WHERE article_id = ? AND status = ?",
                 (article_id, OPEN))


def close_for_article(conn: sqlite3.Connection, article_id: int, page_id: str,
                      user_id: int) -> list[int]:
    """Close every open gap of a published article; the ids of those closed."""
    ids = [row["id"] for row in conn.execute(
        "SELECT id FROM gaps WHERE article_id = ? AND status = ?", (article_id, OPEN))]
    for gap_id in ids:
        _close(conn, gap_id, BY_ARTICLE, page_id, user_id)
    return ids
