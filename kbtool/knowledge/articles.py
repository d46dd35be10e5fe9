"""New wiki articles: written by an agent, reviewed, approved, then published (kbtool.knowledge.publish).

Life of an article::

    draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
      ▲                 │  │
      └──── changes ◀───┘  └──reject──▶ rejected

Each submission freezes a numbered revision, so a reviewer sees the diff since the last one and
decides on a precise revision: a decision names the revision it was made on and is applied with
``UPDATE … WHERE status = 'submitted' AND revision = ?``, so of two reviewers acting at once only
the first wins and the second is told.  Authors never decide on their own article.  Every step is
written to ``article_events``, the audit trail shown on the article.
"""

from __future__ import annotations

import difflib
import logging
import sqlite3
from dataclasses import dataclass

from kbtool.accounts import User
from kbtool.knowledge import gaps, notices
from kbtool.store import now, transaction
from kbtool.wiki.ids import clean_id

log = logging.getLogger(__name__)

DRAFT, SUBMITTED, CHANGES = "draft", "submitted", "changes"
APPROVED, PUBLISHED, REJECTED = "approved", "published", "rejected"
EDITABLE = (DRAFT, CHANGES)
MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 100_000

TEMPLATE = """\
## Question

{question}

## Contexte

Logiciel, version, écran concerné…

## Réponse

La réponse en quelques phrases.

## Étapes

1. Première étape
2. Deuxième étape

## Liens

- [Page utile](https://…)
"""


class ArticleError(Exception):
    """A refused operation on an article; the message is French, shown to the user."""


@dataclass(frozen=True)
class Article:
    """An article and where it stands."""

    id: int
    author_id: int
    author: str
    title: str
    namespace: str
    body: str
    status: str
    revision: int
    page_id: str
    base_revision: int
    reviewer_id: int | None  # who decided last: the one credited when the article is published
    reviewer: str | None
    publish_error: str
    conflict: int  # the wiki revision found in the way of publication, 0 when none
    created_at: float
    updated_at: float
    submitted_at: float | None
    published_at: float | None
    owner_id: int | None = None      # who answers for it once published (its author at first)
    owner: str | None = None
    verified_on: float | None = None  # when its content was last confirmed (published, checked)


@dataclass(frozen=True)
class Revision:
    """One submitted version."""

    number: int
    title: str
    page_id: str
    body: str
    at: float


@dataclass(frozen=True)
class Event:
    """One line of the audit trail."""

    at: float
    user: str | None
    action: str
    detail: str


_COLUMNS = "SELECT a.*, u.name AS author_name, r.name AS reviewer_name, o.name AS owner_name"
_FROM = (" FROM articles a JOIN users u ON u.id = a.author_id "
         "LEFT JOIN users r ON r.id = a.reviewer_id LEFT JOIN users o ON o.id = a.owner_id ")
_SELECT = _COLUMNS + _FROM


def _article(row: sqlite3.Row) -> Article:
    return Article(id=row["id"], author_id=row["author_id"], author=row["author_name"],
                   title=row["title"], namespace=row["namespace"], body=row["body"],
                   status=row["status"], revision=row["revision"], page_id=row["page_id"],
                   base_revision=row["base_revision"], reviewer_id=row["reviewer_id"],
                   reviewer=row["reviewer_name"],
                   publish_error=row["publish_error"], conflict=row["conflict"],
                   created_at=row["created_at"], updated_at=row["updated_at"],
                   submitted_at=row["submitted_at"], published_at=row["published_at"],
                   owner_id=row["owner_id"], owner=row["owner_name"],
                   verified_on=row["verified_on"])


def page_id_for(namespace: str, title: str) -> str:
    """The page id DokuWiki would give this title in that namespace (``cleanID``)."""
    name = clean_id(title).replace(":", "_")
    return f"{clean_id(namespace)}:{name}" if name else ""


def log_event(conn: sqlite3.Connection, article_id: int, user_id: int | None, action: str,
              detail: str = "") -> None:
    """Append a line to the article's audit trail."""
    conn.execute("INSERT INTO article_events (article_id, at, user_id, action, detail) "
                 "VALUES (?, ?, ?, ?, ?)", (article_id, now(), user_id, action, detail))


def create(conn: sqlite3.Connection, author: User, namespace: str,
           gap: gaps.Gap | None = None) -> int:
    """Open a new draft (from a gap: title and question prefilled, gap attached); when the gap
    is refused (closed, another article on it) nothing is left behind."""
    title = gap.question.rstrip(" ?") if gap else ""
    body = TEMPLATE.format(question=gap.question if gap else "La question, dans les mots du "
                           "client.")
    at = now()
    with transaction(conn):
        article_id = conn.execute(
            "INSERT INTO articles (author_id, title, namespace, body, page_id, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (author.id, title[:MAX_TITLE_LENGTH], namespace, body, page_id_for(namespace, title),
             at, at)).lastrowid
        if gap:
            gaps.attach_article(conn, gap, article_id)
        log_event(conn, article_id, author.id, "created", f"question n° {gap.id}" if gap else "")
    return article_id  # type: ignore[return-value]


def get(conn: sqlite3.Connection, article_id: int) -> Article | None:
    """The article with that id."""
    row = conn.execute(_SELECT + "WHERE a.id = ?", (article_id,)).fetchone()
    return _article(row) if row else None


def by_author(conn: sqlite3.Connection, user_id: int, limit: int = 100) -> list[Article]:
    """An author's articles, most recently changed first."""
    rows = conn.execute(_SELECT + "WHERE a.author_id = ? ORDER BY a.updated_at DESC LIMIT ?",
                        (user_id, limit)).fetchall()
    return [_article(row) for row in rows]


def save(conn: sqlite3.Connection, article: Article, user: User, title: str, namespace: str,
         body: str, namespaces: list[str]) -> None:
    """Store the author's text as it is (autosave: incomplete text is kept, never refused)."""
    if user.id != article.author_id:
        raise ArticleError("Seul l'auteur modifie son article.")
    if article.status not in EDITABLE:
        raise ArticleError("Cet article est en validation ou publié : il ne se modifie plus.")
    if namespace not in namespaces:
        raise ArticleError("Rubrique inconnue.")
    if len(title) > MAX_TITLE_LENGTH or len(body) > MAX_BODY_LENGTH:
        raise ArticleError("Texte trop long.")
    conn.execute("UPDATE articles SET title = ?, namespace = ?, body = ?, page_id = ?, "
                 "updated_at = ? WHERE id = ?",
                 (title, namespace, body, page_id_for(namespace, title), now(), article.id))


def submit(conn: sqlite3.Connection, article: Article, user: User) -> int:
    """Send the saved text for review as a new revision; its number."""
    if user.id != article.author_id:
        raise ArticleError("Seul l'auteur soumet son article.")
    if article.status not in EDITABLE:
        raise ArticleError("Cet article est déjà en validation.")
    if not article.title.strip() or not article.body.strip() or not article.page_id:
        raise ArticleError("Donnez un titre et un texte à l'article avant de le soumettre.")
    number = article.revision + 1
    at = now()
    with transaction(conn):
        changed = conn.execute(
            "UPDATE articles SET status = ?, revision = ?, submitted_at = ?, updated_at = ? "
            "WHERE id = ? AND revision = ? AND status IN (?, ?)",
            (SUBMITTED, number, at, at, article.id, article.revision, *EDITABLE)).rowcount
        if not changed:
            raise ArticleError("Cet article a déjà été envoyé pour validation.")
        conn.execute("INSERT INTO revisions (article_id, number, title, namespace, page_id, body, "
                     "at) VALUES (?, ?, ?, ?, ?, ?, ?)", (article.id, number, article.title,
                                                          article.namespace, article.page_id,
                                                          article.body, at))
        log_event(conn, article.id, user.id, "submitted", f"révision {number}")
    return number


def comment(conn: sqlite3.Connection, article: Article, user: User, text: str) -> None:
    """Add a comment to the article's trail (author or reviewer)."""
    if not (user.id == article.author_id or user.can("reviewer")):
        raise ArticleError("Vous ne pouvez pas commenter cet article.")
    if not text.strip():
        raise ArticleError("Le commentaire est vide.")
    log_event(conn, article.id, user.id, "comment", text.strip()[:5000])


DECISIONS = {"approve": (APPROVED, "approved"), "changes": (CHANGES, "changes requested"),
             "reject": (REJECTED, "rejected")}


def decide(conn: sqlite3.Connection, article: Article, reviewer: User, decision: str,
           reason: str, seen_revision: int) -> None:
    """Approve, send back or reject the revision the reviewer read (a reason unless approving)."""
    if decision not in DECISIONS:
        raise ArticleError("Décision inconnue.")
    if not reviewer.can("reviewer"):
        raise ArticleError("Seul un relecteur décide.")
    if reviewer.id == article.author_id:
        raise ArticleError("Un auteur ne valide jamais son propre article.")
    if decision != "approve" and not reason.strip():
        raise ArticleError("Expliquez à l'auteur ce qu'il faut revoir ou pourquoi l'article est "
                           "refusé.")
    status, action = DECISIONS[decision]
    with transaction(conn):
        changed = conn.execute(
            "UPDATE articles SET status = ?, reviewer_id = ?, updated_at = ? "
            "WHERE id = ? AND status = ? AND revision = ?",
            (status, reviewer.id, now(), article.id, SUBMITTED, seen_revision)).rowcount
        if not changed:
            raise ArticleError("Cet article a changé entre-temps (autre relecteur ou nouvelle "
                               "révision) : rechargez la page.")
        log_event(conn, article.id, reviewer.id, action,
                  f"révision {seen_revision}" + (f" : {reason.strip()}" if reason.strip() else ""))
        if status == REJECTED:
            gaps.detach_article(conn, article.id)
    why = f" : « {reason.strip()} »" if reason.strip() else "."
    notices.notify(conn, article.author_id, f"Votre article « {article.title} » : "
                   f"{_DECISION_WORDS[status]} par {reviewer.name}{why}", f"/articles/{article.id}")


_DECISION_WORDS = {APPROVED: "validé", CHANGES: "renvoyé pour modifications", REJECTED: "refusé"}


def revisions(conn: sqlite3.Connection, article_id: int) -> list[Revision]:
    """The submitted versions, oldest first."""
    rows = conn.execute("SELECT * FROM revisions WHERE article_id = ? ORDER BY number",
                        (article_id,)).fetchall()
    return [Revision(row["number"], row["title"], row["page_id"], row["body"], row["at"])
            for row in rows]


def diff_since_last(conn: sqlite3.Connection, article_id: int) -> list[str]:
    """Unified diff of the latest revision against the one before (empty for the first)."""
    versions = revisions(conn, article_id)
    if len(versions) < 2:
        return []
    old, new = versions[-2], versions[-1]
    return list(difflib.unified_diff(
        f"# {old.title}\n{old.body}".splitlines(), f"# {new.title}\n{new.body}".splitlines(),
        f"révision {old.number}", f"révision {new.number}", lineterm=""))


def events(conn: sqlite3.Connection, article_id: int) -> list[Event]:
    """The audit trail, oldest first."""
    rows = conn.execute("SELECT e.*, u.name FROM article_events e LEFT JOIN users u "
                        "ON u.id = e.user_id WHERE e.article_id = ? ORDER BY e.at, e.id",
                        (article_id,)).fetchall()
    return [Event(row["at"], row["name"], row["action"], row["detail"]) for row in rows]


def review_queue(conn: sqlite3.Connection) -> list[tuple[Article, int]]:
    """Submitted articles with their demand (agents who hit their gaps), by demand then age."""
    rows = conn.execute(
        _COLUMNS + ", (SELECT COUNT(DISTINCT h.user_id) FROM gaps g JOIN gap_hits h "
        "ON h.gap_id = g.id WHERE g.article_id = a.id) AS demand" + _FROM + "WHERE a.status = ? "
        "ORDER BY demand DESC, a.submitted_at, a.id", (SUBMITTED,)).fetchall()
    return [(_article(row), row["demand"]) for row in rows]


def review_count(conn: sqlite3.Connection) -> int:
    """How many submitted articles wait for a reviewer (the navigation's badge)."""
    return conn.execute("SELECT COUNT(*) FROM articles WHERE status = ?",
                        (SUBMITTED,)).fetchone()[0]


def unpublished(conn: sqlite3.Connection) -> list[Article]:
    """Approved articles not yet in the wiki (waiting for a retry or a decision on a conflict)."""
    rows = conn.execute(_SELECT + "WHERE a.status = ? ORDER BY a.updated_at, a.id",
                        (APPROVED,)).fetchall()
    return [_article(row) for row in rows]


def published_verified_before(conn: sqlite3.Connection, at: float) -> list[Article]:
    """Published articles whose content was last confirmed before ``at``, longest ago first."""
    rows = conn.execute(_SELECT + "WHERE a.status = ? AND COALESCE(a.verified_on, a.published_at, "
                        "0) < ? ORDER BY COALESCE(a.verified_on, a.published_at, 0), a.id",
                        (PUBLISHED, at)).fetchall()
    return [_article(row) for row in rows]


def set_owner(conn: sqlite3.Connection, article: Article, reviewer: User, owner: User) -> None:
    """A reviewer hands the article to another active account, who answers for it from now."""
    if not reviewer.can("reviewer"):
        raise ArticleError("Seul un relecteur change le responsable d'un article.")
    if not owner.active:
        raise ArticleError("Ce compte est désactivé.")
    with transaction(conn):
        conn.execute("UPDATE articles SET owner_id = ? WHERE id = ?", (owner.id, article.id))
        log_event(conn, article.id, reviewer.id, "owner", owner.name)


def mark_verified(conn: sqlite3.Connection, article: Article, reviewer: User,
                  at: float | None = None) -> None:
    """A reviewer confirms a published article is still right (its "verified on" date)."""
    if not reviewer.can("reviewer"):
        raise ArticleError("Seul un relecteur vérifie un article.")
    if article.status != PUBLISHED:
        raise ArticleError("Seul un article publié se vérifie.")
    with transaction(conn):
        conn.execute("UPDATE articles SET verified_on = ? WHERE id = ?",
                     (now() if at is None else at, article.id))
        log_event(conn, article.id, reviewer.id, "verified")
