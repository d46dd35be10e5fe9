"""Reviewers' side of new articles: the queue by demand, one article with its questions, similar
pages and diff, decisions, and publication (retry, conflicts)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from kbtool import accounts
from kbtool.knowledge import articles, gaps, publish
from kbtool.knowledge.articles import ArticleError
from kbtool.knowledge.markup import to_html
from kbtool.knowledge.wikitext import to_dokuwiki
from kbtool.web.articleviews import similar_pages
from kbtool.web.auth import role_required
from kbtool.web.db import get_db
from kbtool.web.inputs import number
from kbtool.wiki import site

bp = Blueprint("review", __name__, url_prefix="/relecture")


def _article(article_id: int) -> articles.Article:
    article = articles.get(get_db(), article_id)
    if article is None:
        abort(404)
    return article


@bp.route("")
@role_required("reviewer")
def queue() -> ResponseReturnValue:
    """Articles waiting for review (by demand, then age) and approved ones not yet published."""
    conn = get_db()
    return render_template("review_queue.html", queue=articles.review_queue(conn),
                           unpublished=articles.unpublished(conn))


@bp.route("/<int:article_id>")
@role_required("reviewer")
def show(article_id: int) -> ResponseReturnValue:
    """One article as it will be published, with what it answers and what changed."""
    article = _article(article_id)
    conn = get_db()
    wiki = site.wiki_links(current_app.config["KBTOOL"])
    return render_template("review_article.html", article=article,
                           html=Markup(to_html(article.body, wiki)),
                           gaps=[(gap, gaps.hits(conn, gap.id))
                                 for gap in gaps.gaps_of_article(conn, article.id)],
                           similar=similar_pages(article.title),
                           diff=articles.diff_since_last(conn, article.id),
                           wiki_text=to_dokuwiki(article.title, article.body, wiki),
                           wiki_url=publish.wiki_url(current_app.config["KBTOOL"], article),
                           events=articles.events(conn, article.id),
                           own=article.author_id == current_user.user.id,
                           accounts=[user for user in accounts.list_users(conn) if user.active])


@bp.route("/<int:article_id>/decision", methods=["POST"])
@role_required("reviewer")
def decide(article_id: int) -> ResponseReturnValue:
    """Approve (and publish at once), send back, or reject the revision the reviewer read."""
    article = _article(article_id)
    seen = number(request.form.get("revision"))
    decision = request.form.get("decision", "")
    try:
        articles.decide(get_db(), article, current_user.user, decision,
                        request.form.get("reason", ""), -1 if seen is None else seen)
    except ArticleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("review.show", article_id=article.id))
    if decision == "approve":
        return _publish(article.id)
    flash("Article renvoyé à l'auteur." if decision == "changes" else "Article refusé.", "info")
    return redirect(url_for("review.queue"))


def _publish(article_id: int) -> ResponseReturnValue:
    conn = get_db()
    try:
        outcome = publish.publish(current_app.config["KBTOOL"], conn, _article(article_id))
    except ArticleError as exc:
        flash(str(exc), "error")
    else:
        flash(outcome.message, "info" if outcome.published else "error")
    return redirect(url_for("review.show", article_id=article_id))


@bp.route("/<int:article_id>/publier", methods=["POST"])
@role_required("reviewer")
def retry(article_id: int) -> ResponseReturnValue:
    """Try again to publish an approved article."""
    return _publish(article_id)


@bp.route("/<int:article_id>/remplacer", methods=["POST"])
@role_required("reviewer")
def overwrite(article_id: int) -> ResponseReturnValue:
    """Replace the page found in the wiki (exactly the revision shown), then publish."""
    revision = number(request.form.get("revision"))
    if revision is None:
        abort(400)
    try:
        publish.accept_overwrite(get_db(), _article(article_id), current_user.user, revision)
    except ArticleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("review.show", article_id=article_id))
    return _publish(article_id)


@bp.route("/<int:article_id>/renommer", methods=["POST"])
@role_required("reviewer")
def rename(article_id: int) -> ResponseReturnValue:
    """Publish under another page name instead of replacing the page found."""
    try:
        publish.retarget(get_db(), _article(article_id), current_user.user,
                         request.form.get("page_name", ""))
    except ArticleError as exc:
        flash(str(exc), "error")
        return redirect(url_for("review.show", article_id=article_id))
    return _publish(article_id)


@bp.route("/<int:article_id>/responsable", methods=["POST"])
@role_required("reviewer")
def owner(article_id: int) -> ResponseReturnValue:
    """Hand the article to another account, who answers for it from now on."""
    article = _article(article_id)
    conn = get_db()
    chosen = accounts.find_user(conn, request.form.get("owner", "")[:100])
    try:
        if chosen is None:
            raise ArticleError("Compte inconnu.")
        articles.set_owner(conn, article, current_user.user, chosen)
    except ArticleError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Responsable de l'article : {chosen.name}.", "info")
    return redirect(url_for("review.show", article_id=article.id))


@bp.route("/<int:article_id>/verifie", methods=["POST"])
@role_required("reviewer")
def verified(article_id: int) -> ResponseReturnValue:
    """The published article is still right: its "verified on" date becomes today."""
    try:
        articles.mark_verified(get_db(), _article(article_id), current_user.user)
    except ArticleError as exc:
        flash(str(exc), "error")
    else:
        flash("Article vérifié aujourd'hui.", "info")
    if request.form.get("back") == "dashboard":
        return redirect(url_for("dashboard.page") + "#articles-a-verifier")
    return redirect(url_for("review.show", article_id=article_id))
