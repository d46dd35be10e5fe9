"""Validation requests, reviewers' side: the queue, reading one request in its context (the
client's question, the ticket, the cited sections as indexed), correcting and approving it or
returning it; and the counts shown as badges in the reviewers' navigation."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from kbtool.knowledge import articles, drafts
from kbtool.knowledge.reply import ChosenSection
from kbtool.web.auth import role_required
from kbtool.web.db import get_db
from kbtool.web.drafts import DraftForm
from kbtool.web.searching import IndexUnavailable, shared

bp = Blueprint("reviews", __name__, url_prefix="/validations")

# How often reviewers' pages ask for the counts; the app's ``COUNTS_POLL_SECONDS`` overrides it
# (tests poll faster rather than wait).
POLL_SECONDS = 30


class DecisionForm(FlaskForm):
    """The reviewer's comment, and the reply's text as they may have corrected it."""

    comment = TextAreaField("Commentaire pour l'agent", validators=[Length(max=5000)])
    body = DraftForm.body  # the same limits as the agent's text
    reasons = DraftForm.reasons  # why refused, worded as for the agent


@dataclass(frozen=True)
class CitedSection:
    """A section the reply links to, with its text as the index holds it now (None: gone)."""

    section: ChosenSection
    text: str | None


@bp.route("")
@role_required("reviewer")
def queue() -> ResponseReturnValue:
    """Requests waiting for a reviewer, and the latest decisions."""
    conn = get_db()
    return render_template("reviews.html", pending=drafts.pending_validations(conn),
                           decided=drafts.recent_decisions(conn))


@bp.route("/compte")
@role_required("reviewer")
def counts() -> ResponseReturnValue:
    """What waits for reviewers, for the navigation's badges (polled by ``counts.js``)."""
    return jsonify(_review_counts(get_db()))


@bp.app_context_processor
def navigation_counts() -> dict[str, object]:
    """The badges' first values, for reviewers' pages (the script then keeps them current)."""
    if not (current_user.is_authenticated and current_user.can("reviewer")):
        return {}
    return {"review_counts": _review_counts(get_db()),
            "counts_poll_ms": int(1000 * current_app.config.get("COUNTS_POLL_SECONDS",
                                                                POLL_SECONDS))}


def _review_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """What waits for reviewers, by badge: validation requests and articles to review."""
    return {"validations": drafts.pending_count(conn), "articles": articles.review_count(conn)}


def _cited(sections: tuple[ChosenSection, ...]) -> list[CitedSection]:
    """The draft's sections with their indexed text (none at all while no index is built)."""
    try:
        searcher = shared().get()
    except IndexUnavailable:
        return [CitedSection(section, None) for section in sections]
    return [CitedSection(section, searcher.section_text(section.page_id, section.anchor)
                         if section.page_id else None) for section in sections]


@bp.route("/<int:validation_id>", methods=["GET", "POST"])
@role_required("reviewer")
def review(validation_id: int) -> ResponseReturnValue:
    """Read one request in its context; approve it (corrected or not), or return it to the
    agent with a comment."""
    conn = get_db()
    validation = drafts.get_validation(conn, validation_id)
    if validation is None:
        abort(404)
    form = DecisionForm(data={"body": validation.body})  # a POST without a text: as sent
    status = 200
    if form.is_submitted():
        decision = request.form.get("decision")
        if decision not in ("approve", "return"):
            abort(400)
        refused = _decide(validation, form, decision == "approve")
        if refused is None:
            flash("Réponse validée." if decision == "approve" else
                  "Réponse renvoyée à l'agent.", "info")
            return redirect(url_for("reviews.queue"))
        flash(refused, "error")  # the page again, with the comment and text as sent
        status = 422
    draft = drafts.get_draft(conn, validation.draft_id)
    assert draft is not None  # a validation's draft is never deleted
    return render_template("review.html", validation=validation, form=form, draft=draft,
                           cited=_cited(draft.sections),
                           own=validation.requested_by_id == current_user.user.id), status


def _decide(validation: drafts.Validation, form: DecisionForm, approve: bool) -> str | None:
    """Record the decision; why it was refused otherwise (the page then shows what was sent)."""
    if not form.validate():
        return form.reasons()
    try:
        drafts.decide(get_db(), validation, current_user.user.id, approve,
                          form.comment.data or "", form.body.data if approve else None)
    except drafts.DraftError as exc:
        return str(exc)
    return None
