"""Validation requests, reviewers' side: the queue, and approving or returning a reply."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from kbtool.web import draftstore
from kbtool.web.auth import role_required
from kbtool.web.db import get_db

bp = Blueprint("reviews", __name__, url_prefix="/validations")


class DecisionForm(FlaskForm):
    comment = TextAreaField("Commentaire pour l'agent", validators=[Length(max=5000)])


@bp.route("")
@role_required("reviewer")
def queue() -> ResponseReturnValue:
    """Requests waiting for a reviewer, and the latest decisions."""
    conn = get_db()
    return render_template("reviews.html", pending=draftstore.pending_validations(conn),
                           decided=draftstore.recent_decisions(conn))


@bp.route("/<int:validation_id>", methods=["GET", "POST"])
@role_required("reviewer")
def review(validation_id: int) -> ResponseReturnValue:
    """Read one request; approve it, or return it to the agent with a comment."""
    conn = get_db()
    validation = draftstore.get_validation(conn, validation_id)
    if validation is None:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        decision = request.form.get("decision")
        if decision not in ("approve", "return"):
            abort(400)
        try:
            draftstore.decide(conn, validation, current_user.user.id, decision == "approve",
                              form.comment.data or "")
        except draftstore.DraftError as exc:
            flash(str(exc), "error")
            return redirect(url_for("reviews.review", validation_id=validation.id))
        flash("Réponse validée." if decision == "approve" else "Réponse renvoyée à l'agent.",
              "info")
        return redirect(url_for("reviews.queue"))
    return render_template("review.html", validation=validation, form=form,
                           own=validation.requested_by_id == current_user.user.id)
