"""Knowledge gaps in the UI: the list (an agent's own, or all of them by demand for reviewers),
one gap with its questions and similar pages, and the two ways to close it from here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool import gaps
from kbtool.web.articleviews import similar_pages
from kbtool.web.db import get_db
from kbtool.web.search import MAX_QUERY_LENGTH
from kbtool.web.searching import IndexUnavailable, shared

bp = Blueprint("gaps", __name__, url_prefix="/questions")


def _gap(gap_id: int) -> gaps.Gap:
    """The gap, if the signed-in account may see it; 404 otherwise, so ids reveal nothing."""
    gap = gaps.visible(get_db(), gap_id, current_user.user)
    if gap is None:
        abort(404)
    return gap


@bp.route("")
def index() -> ResponseReturnValue:
    """Open gaps by demand: all of them for reviewers, the agent's own otherwise."""
    return render_template("gaps.html", gaps=gaps.open_gaps(get_db(), current_user.user),
                           everyone=current_user.can("reviewer"))


@bp.route("/<int:gap_id>")
def show(gap_id: int) -> ResponseReturnValue:
    """A gap: every time it was asked, pages that might answer it (for the question, or for
    the agent's own search ``q``), and what can be done."""
    gap = _gap(gap_id)
    query = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    return render_template("gap.html", gap=gap, hits=gaps.hits(get_db(), gap.id, current_user.user),
                           query=query, similar=similar_pages(query or gap.question))


@bp.route("/<int:gap_id>/page", methods=["POST"])
def close_with_page(gap_id: int) -> ResponseReturnValue:
    """Close the gap: this indexed page answers it."""
    gap = _gap(gap_id)
    try:
        searcher = shared().get()
        gaps.close_with_page(get_db(), gap, current_user.user,
                             request.form.get("page_id", ""), searcher.has_page)
    except IndexUnavailable:
        flash("L'index de recherche n'est pas construit.", "error")
    except gaps.GapError as exc:
        flash(str(exc), "error")
    else:
        flash("Question close : la page indiquée y répond.", "info")
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
