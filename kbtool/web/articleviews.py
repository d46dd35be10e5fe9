"""Authors' side of new articles: create (from a gap or from scratch), edit with live preview,
autosave, similar pages, submit for validation, read the trail."""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup

from kbtool.knowledge import articles, gaps, publish
from kbtool.knowledge.articles import Article, ArticleError
from kbtool.knowledge.markup import to_html
from kbtool.web.db import get_db
from kbtool.web.inputs import number
from kbtool.web.searching import IndexUnavailable, shared
from kbtool.wiki import site
from kbtool.wiki.links import WikiLinks

bp = Blueprint("articles", __name__, url_prefix="/articles")

SIMILAR_LIMIT = 5


def namespaces() -> list[str]:
    """The namespaces articles may be published in (``web.namespaces``)."""
    return list(current_app.config["KBTOOL"].get("web.namespaces"))


def visible_article(article_id: int) -> Article:
    """The article, for its author or a reviewer; 404 for anyone else, so ids reveal nothing."""
    article = articles.get(get_db(), article_id)
    if article is None or not (article.author_id == current_user.user.id
                               or current_user.can("reviewer")):
        abort(404)
    return article


def similar_pages(text: str) -> list:
    """Indexed pages close to a title or question ([] when there is no index yet)."""
    if not text.strip():
        return []
    try:
        return list(shared().get().similar(text, SIMILAR_LIMIT))
    except IndexUnavailable:
        return []


@bp.route("", methods=["POST"])
def create() -> ResponseReturnValue:
    """Open a new article, from a gap when one is given, and go to its editor."""
    conn = get_db()
    gap = None
    if request.form.get("gap"):
        gap_id = number(request.form["gap"])
        if gap_id is None:
            abort(400)
        gap = gaps.visible(conn, gap_id, current_user.user)
        if gap is None:  # another agent's question stays theirs: same answer as no such gap
            abort(404)
    if not namespaces():
        flash("Aucun espace de noms n'est configuré pour les articles (web.namespaces).", "error")
        return redirect(url_for("articles.mine"))
    try:
        article_id = articles.create(conn, current_user.user, namespaces()[0], gap)
    except gaps.GapError as exc:
        flash(str(exc), "error")
        return redirect(url_for("gaps.show", gap_id=gap.id) if gap else url_for("articles.mine"))
    return redirect(url_for("articles.edit", article_id=article_id))


@bp.route("")
def mine() -> ResponseReturnValue:
    """The agent's articles and where each stands."""
    return render_template("articles.html",
                           articles=articles.by_author(get_db(), current_user.user.id))


@bp.route("/<int:article_id>", methods=["GET", "POST"])
def edit(article_id: int) -> ResponseReturnValue:
    """The editor for the author while editable; otherwise the article and its trail."""
    article = visible_article(article_id)
    conn = get_db()
    editable = article.author_id == current_user.user.id and article.status in articles.EDITABLE
    if request.method == "POST":
        if not editable:
            flash("Cet article est en validation ou publié : il ne se modifie plus.", "error")
            return redirect(url_for("articles.edit", article_id=article.id))
        return _save_and_maybe_submit(article)
    return render_template("article.html", article=article, editable=editable,
                           namespaces=namespaces(),
                           html=Markup(to_html(article.body, _wiki_links())),
                           similar=similar_pages(article.title),
                           gaps=gaps.gaps_of_article(conn, article.id, current_user.user),
                           events=articles.events(conn, article.id),
                           wiki_url=publish.wiki_url(current_app.config["KBTOOL"], article))


def _save_and_maybe_submit(article: Article) -> ResponseReturnValue:
    """Save what was typed first, so a refused submit loses nothing, then submit if asked."""
    conn = get_db()
    try:
        articles.save(conn, article, current_user.user, request.form.get("title", ""),
                      request.form.get("namespace", ""), request.form.get("body", ""),
                      namespaces())
        if request.form.get("action") == "submit":
            number = articles.submit(conn, articles.get(conn, article.id), current_user.user)
            flash(f"Article envoyé pour validation (révision {number}).", "info")
        else:
            flash("Article enregistré.", "info")
    except ArticleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("articles.edit", article_id=article.id))


@bp.route("/<int:article_id>/brouillon", methods=["POST"])
def autosave(article_id: int) -> ResponseReturnValue:
    """Save the editor's fields (called by the page's script); JSON with the page id."""
    article = visible_article(article_id)
    try:
        articles.save(get_db(), article, current_user.user, request.form.get("title", ""),
                      request.form.get("namespace", ""), request.form.get("body", ""),
                      namespaces())
    except ArticleError as exc:
        return jsonify(error=str(exc)), 409
    saved = articles.get(get_db(), article.id)
    return jsonify(page_id=saved.page_id, saved_at=saved.updated_at)  # type: ignore[union-attr]


@bp.route("/apercu", methods=["POST"])
def preview() -> ResponseReturnValue:
    """The Markdown rendered and sanitized, as an HTML fragment for the preview pane."""
    body = request.form.get("body", "")
    if len(body) > articles.MAX_BODY_LENGTH:
        abort(413)
    return to_html(body, _wiki_links()), 200, {"Content-Type": "text/html; charset=utf-8"}


def _wiki_links() -> WikiLinks | None:
    """Where a link to the team's wiki leads in the preview (as it will once published)."""
    return site.wiki_links(current_app.config["KBTOOL"])


@bp.route("/similaires")
def similar() -> ResponseReturnValue:
    """Existing pages close to the title being typed (JSON), to avoid duplicates."""
    title = request.args.get("titre", "")[:articles.MAX_TITLE_LENGTH]
    return jsonify(pages=[{"title": hit.title, "url": hit.url, "page_id": hit.page_id}
                          for hit in similar_pages(title)])


@bp.route("/<int:article_id>/commentaire", methods=["POST"])
def comment(article_id: int) -> ResponseReturnValue:
    """Add a comment to the article's trail."""
    article = visible_article(article_id)
    try:
        articles.comment(get_db(), article, current_user.user, request.form.get("comment", ""))
    except ArticleError as exc:
        flash(str(exc), "error")
    back = request.form.get("back") == "review" and current_user.can("reviewer")
    return redirect(url_for("review.show", article_id=article.id) if back
                    else url_for("articles.edit", article_id=article.id))
