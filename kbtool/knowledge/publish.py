"""Publishing approved articles to the wiki, and indexing them at once.

Publishing converts the article to DokuWiki syntax, checks the target page, saves it through the
wiki's remote API with a summary naming the reviewer, then reindexes the wiki source (which fetches
only changed pages) so the article is searchable within seconds, closes the article's gaps and
tells the author; the questions of those gaps teach search the article's page
(:mod:`kbtool.knowledge.learning`).

It never overwrites someone else's work: an article records the wiki revision it may replace
(``base_revision``, 0 for "the page does not exist").  When the page's current revision differs,
the article is flagged as a conflict and a reviewer decides: replace exactly that revision, or
publish under another page name.  DokuWiki's API has no compare-and-swap, so a change made in the
second between the check and the save would still be replaced; the page history keeps it.

When the wiki is down or refuses, the article stays approved with the reason; a retry (button or
``kbtool publish --retry``) sends it later.  Nothing is lost.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from kbtool import pipeline
from kbtool.accounts import User
from kbtool.config import Config, ConfigError, SourceConfig
from kbtool.index.engine import search_index, updatable_index
from kbtool.index.errors import IndexBusy
from kbtool.knowledge import articles, citations, gaps, learning, notices
from kbtool.knowledge.articles import Article, ArticleError
from kbtool.knowledge.wikitext import to_dokuwiki
from kbtool.store import now
from kbtool.wiki.api import DokuWikiError, PageInfo, connect
from kbtool.wiki.ids import page_id_for, page_url
from kbtool.wiki.links import WikiLinks
from kbtool.wiki.site import wiki_source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What a publication attempt did; ``message`` is French, for the reviewer, ``reason`` why
    it failed in English, for ``kbtool publish --retry``."""

    article_id: int
    page_id: str
    published: bool
    message: str
    reason: str = ""
    conflict: bool = False


def wiki_url(config: Config, article: Article) -> str:
    """Public URL of a published article's page ('' when not published or no wiki is set)."""
    if article.status != articles.PUBLISHED:
        return ""
    try:
        return page_url(wiki_source(config).get("url"), article.page_id)
    except ConfigError:
        return ""


def summary(article: Article) -> str:
    """The wiki edit summary: which article, who wrote it, who approved it."""
    return (f"kbtool : article n° {article.id} de {article.author}, "
            f"validé par {article.reviewer or '?'}")


def publish(config: Config, conn: sqlite3.Connection, article: Article) -> Outcome:
    """Send an approved article to the wiki; on failure it stays approved with the reason."""
    if article.status != articles.APPROVED:
        raise ArticleError("Seul un article validé et non publié peut être publié.")
    try:
        source = wiki_source(config)
        text = to_dokuwiki(article.title, article.body, WikiLinks(source.get("url")))
        api = connect(source, config)
        info = api.page_info(article.page_id)
        current = info.revision if info else 0
        if current != article.base_revision:
            return _conflict(conn, article, info)
        api.save_page(article.page_id, text, summary(article))
        saved = api.page_info(article.page_id)
    except (ConfigError, DokuWikiError) as exc:
        return _failed(conn, article, str(exc))
    closed = _published(conn, article, saved.revision if saved else 0)
    for gap_id in closed:
        # Without the index at hand, words written with a capital are not learned.
        learning.learn_from_gap(conn, gap_id, page_id_for(source.name, article.page_id), None,
                                learning.Habits.of(config))
    _announce(config, conn, article)
    return Outcome(article.id, article.page_id, True, _index(config, source, conn, article))


def _failed(conn: sqlite3.Connection, article: Article, reason: str) -> Outcome:
    log.warning("article %d not published: %s", article.id, reason)
    conn.execute("UPDATE articles SET publish_error = ?, conflict = 0, updated_at = ? "
                 "WHERE id = ? AND status = ?", (reason, now(), article.id, articles.APPROVED))
    articles.log_event(conn, article.id, None, "publish failed", reason)
    return Outcome(article.id, article.page_id, False,
                   f"Article validé, pas encore publié : {reason}", reason)


def _conflict(conn: sqlite3.Connection, article: Article,
              info: PageInfo | None) -> Outcome:
    who = f" par {info.author}" if info and info.author else ""
    revision = info.revision if info else 0
    reason = (f"La page {article.page_id} a été créée ou modifiée dans le wiki{who} "
              f"(révision {revision}) : remplacez-la ou changez de page.")
    # Conditional: a concurrent attempt that published first must not be marked as conflicting.
    conn.execute("UPDATE articles SET publish_error = ?, conflict = ?, updated_at = ? "
                 "WHERE id = ? AND status = ?",
                 (reason, revision, now(), article.id, articles.APPROVED))
    articles.log_event(conn, article.id, None, "publish conflict", reason)
    log.warning("article %d not published: %s", article.id, reason)
    return Outcome(article.id, article.page_id, False, reason,
                   _conflict_reason(article.page_id, revision), conflict=True)


def _conflict_reason(page_id: str, revision: int) -> str:
    return f"page {page_id} was created or changed in the wiki (revision {revision})"


def _published(conn: sqlite3.Connection, article: Article, revision: int) -> list[int]:
    """Mark the article published and close its gaps; the ids of the gaps closed."""
    at = now()
    conn.execute("UPDATE articles SET status = ?, publish_error = '', conflict = 0, "
                 "base_revision = ?, published_at = ?, updated_at = ?, verified_on = ?, "
                 "owner_id = COALESCE(owner_id, author_id) WHERE id = ?",
                 (articles.PUBLISHED, revision, at, at, at, article.id))
    articles.log_event(conn, article.id, None, "published",
                       f"{article.page_id} (révision {revision})")
    # The gaps are closed by the reviewer who approved the article, not by its author.
    closed = gaps.close_for_article(conn, article.id, article.page_id, article.reviewer_id)
    log.info("article %d published as %s; %d gap(s) closed", article.id, article.page_id,
             len(closed))
    return closed


def _announce(config: Config, conn: sqlite3.Connection, article: Article) -> None:
    message = f"Votre article « {article.title} » est publié dans le wiki ({article.page_id})."
    notices.notify(conn, article.author_id, message, f"/articles/{article.id}")
    notices.email(config, conn, article.author_id, "kbtool : article publié", message)


def _index(config: Config, source: SourceConfig, conn: sqlite3.Connection,
           article: Article) -> str:
    """Reindex the wiki source now; the message says whether the article is searchable yet.

    Without an index there is nothing to update (a reindex limited to one source would build an
    index of that source alone).  A reindex already running may have listed the wiki before the
    save: the article then waits for the next one (``index.lock_timeout`` makes this rarer).
    """
    if not updatable_index(config).exists():
        note = "pas indexé : l'index n'est pas encore construit (kbtool reindex)"
    else:
        note = _reindex_note(config, source)
        _keep_published(config, source, conn, article)
    articles.log_event(conn, article.id, None, "indexed", note)
    return f"Article publié dans le wiki ({article.page_id}), {note}."


def _reindex_note(config: Config, source: SourceConfig) -> str:
    try:
        report = pipeline.reindex(config, only=(source.name,))
    except IndexBusy:
        return "pas encore indexé (une réindexation est en cours) : il le sera à la suivante"
    return "indexé" if report.ok else f"indexation incomplète : {report.summary()}"


def _keep_published(config: Config, source: SourceConfig, conn: sqlite3.Connection,
                    article: Article) -> None:
    """The article's page as just indexed is what later wiki edits are compared with (not
    indexed yet: the next check keeps it as the next reindex finds it)."""
    searcher = search_index(config)
    page_id = page_id_for(source.name, article.page_id)
    try:
        if searcher.has_page(page_id):
            citations.keep_page(conn, searcher, page_id, title=article.title, fresh=True)
    finally:
        searcher.close()


def accept_overwrite(conn: sqlite3.Connection, article: Article, user: User,
                     revision: int) -> None:
    """A reviewer allows replacing exactly that wiki revision of the target page."""
    _check_conflict_decider(article, user)
    conn.execute("UPDATE articles SET base_revision = ?, conflict = 0, updated_at = ? "
                 "WHERE id = ?", (revision, now(), article.id))
    articles.log_event(conn, article.id, user.id, "overwrite accepted",
                       f"{article.page_id} révision {revision}")


def retarget(conn: sqlite3.Connection, article: Article, user: User, page_name: str) -> None:
    """A reviewer publishes the article under another page name in the same namespace."""
    _check_conflict_decider(article, user)
    page_id = articles.page_id_for(article.namespace, page_name)
    if not page_id:
        raise ArticleError("Nom de page invalide.")
    conn.execute("UPDATE articles SET page_id = ?, base_revision = 0, conflict = 0, "
                 "updated_at = ? WHERE id = ?", (page_id, now(), article.id))
    articles.log_event(conn, article.id, user.id, "page changed", page_id)


def _check_conflict_decider(article: Article, user: User) -> None:
    if article.status != articles.APPROVED:
        raise ArticleError("Cet article n'attend pas de publication.")
    if not user.can("reviewer") or user.id == article.author_id:
        raise ArticleError("Un relecteur autre que l'auteur décide de la page à remplacer.")


def retry_all(config: Config, conn: sqlite3.Connection) -> list[Outcome]:
    """An outcome for every approved article not yet in the wiki.

    Those waiting on a conflict are not sent (a reviewer decides which page to replace) but are
    reported unpublished with their reason, so a cron run keeps failing until nothing waits.
    """
    return [_waiting(article) if article.conflict else publish(config, conn, article)
            for article in articles.unpublished(conn)]


def _waiting(article: Article) -> Outcome:
    return Outcome(article.id, article.page_id, False, article.publish_error,
                   _conflict_reason(article.page_id, article.conflict), conflict=True)
