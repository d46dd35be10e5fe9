"""Knowledge gaps in the UI: the list (an agent's own, or all of them by demand for reviewers),
one gap with its questions and similar pages, and the two ways to close it from here (a page
that answers, confirmed after seeing it beside the question; dismissal by a reviewer)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool.knowledge import citations, gaps, learning, synonyms
from kbtool.web.articleviews import similar_pages
from kbtool.web.db import get_db
from kbtool.web.gapanswers import answers_since
from kbtool.web.inputs import number
from kbtool.web.search import MAX_QUERY_LENGTH
from kbtool.web.searching import IndexUnavailable, habits, shared

bp = Blueprint("gaps", __name__, url_prefix="/questions")
# How far down the question's results a page is looked for, to show it as the search sees it.
CONFIRM_DEPTH = 50


def _gap(gap_id: int) -> gaps.Gap:
    """The gap, if the signed-in account may see it; 404 otherwise, so ids reveal nothing."""
    gap = gaps.visible(get_db(), gap_id, current_user.user)
    if gap is None:
        abort(404)
    return gap


@bp.route("")
def index() -> ResponseReturnValue:
    """Open gaps by demand: all of them for reviewers, the agent's own otherwise."""
    open_gaps = gaps.open_gaps(get_db(), current_user.user)
    return render_template("gaps.html", gaps=open_gaps, answers=answers_since(open_gaps),
                           everyone=current_user.can("reviewer"))


@bp.route("/<int:gap_id>")
def show(gap_id: int) -> ResponseReturnValue:
    """A gap: every time it was asked, pages that might answer it (for the question, or for
    the agent's own search ``q``), and what can be done."""
    gap = _gap(gap_id)
    query = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    answers = answers_since([gap]) if gap.status == gaps.OPEN else {}
    return render_template("gap.html", gap=gap, hits=gaps.hits(get_db(), gap.id, current_user.user),
                           query=query, similar=similar_pages(query or gap.question),
                           answer=answers.get(gap.id),
                           related=gaps.related(get_db(), gap)
                           if current_user.can("reviewer") and gap.status == gaps.OPEN else [])


@bp.route("/<int:gap_id>/verifier")
def confirm_page(gap_id: int) -> ResponseReturnValue:
    """Before a gap is closed with a page: the page beside the question, as the search sees it
    for that question (its sections, whether it is a sure answer), and the button that closes."""
    gap = _gap(gap_id)
    page_id = request.args.get("page_id", "").strip()
    try:
        searcher = shared().get()
    except IndexUnavailable:
        flash("L'index de recherche n'est pas construit.", "error")
        return redirect(url_for("gaps.show", gap_id=gap.id))
    page = searcher.page(page_id) if page_id else None
    if page is None:
        flash("Cette page n'existe pas dans l'index de recherche.", "error")
        return redirect(url_for("gaps.show", gap_id=gap.id))
    found = next((hit for hit in searcher.search(gap.question, limit=CONFIRM_DEPTH,
                                                  synonyms=synonyms.rules(get_db())).hits
                  if hit.page_id == page_id), None)
    return render_template("gap_page.html", gap=gap, page=found or page, found=found is not None)


@bp.route("/<int:gap_id>/page", methods=["POST"])
def close_with_page(gap_id: int) -> ResponseReturnValue:
    """Close the gap: this indexed page answers it."""
    gap = _gap(gap_id)
    page_id = request.form.get("page_id", "").strip()
    try:
        searcher = shared().get()
        gaps.close_with_page(get_db(), gap, current_user.user, page_id, searcher.has_page)
        citations.keep_page(get_db(), searcher, page_id)  # what the answer said, for later
        learning.learn_from_gap(get_db(), gap.id, page_id, searcher.common_word, habits())
    except IndexUnavailable:
        flash("L'index de recherche n'est pas construit.", "error")
    except gaps.GapError as exc:
        flash(str(exc), "error")
    else:
        flash("Question close : la page indiquée y répond.", "info")
    return redirect(url_for("gaps.show", gap_id=gap.id))


@bp.route("/<int:gap_id>/regrouper", methods=["POST"])
def merge(gap_id: int) -> ResponseReturnValue:
    """Group another open gap for the same need into this one (reviewers)."""
    gap = _gap(gap_id)
    try:
        gaps.merge(get_db(), gap, number(request.form.get("other")) or 0, current_user.user)
    except gaps.GapError as exc:
        flash(str(exc), "error")
    else:
        flash("Questions regroupées : leurs agents et leurs demandes comptent ici.", "info")
    return redirect(url_for("gaps.show", gap_id=gap.id))


@bp.route("/<int:gap_id>/ecarter", methods=["POST"])
def dismiss(gap_id: int) -> ResponseReturnValue:
    """Close the gap without an answer (reviewers, with a reason)."""
    gap = _gap(gap_id)
    try:
        gaps.dismiss(get_db(), gap, current_user.user, request.form.get("reason", ""))
    except gaps.GapError as exc:
        flash(str(exc), "error")
    else:
        flash("Question écartée.", "info")
    return redirect(url_for("gaps.show", gap_id=gap.id))
