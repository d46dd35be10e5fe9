"""Reply drafts: built from ticked results, edited, copied, sent for validation, reopened."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from kbtool.web import draftstore, usage
from kbtool.web.db import get_db
from kbtool.web.reply import MAX_SECTIONS, compose, valid_ticket
from kbtool.web.searching import read_picks

bp = Blueprint("drafts", __name__, url_prefix="/brouillons")

MAX_BODY_LENGTH = 20_000
COPY_FORMATS = ("text", "html")
TICKET_HELP = "Lettres, chiffres et # _ . / - uniquement."


def _check_ticket(_form: FlaskForm, field: StringField) -> None:
    if not valid_ticket(field.data or ""):
        raise ValidationError(TICKET_HELP)


class DraftForm(FlaskForm):
    ticket = StringField("N° de ticket (facultatif)", validators=[Length(max=40), _check_ticket])
    body = TextAreaField("Réponse", validators=[DataRequired(), Length(max=MAX_BODY_LENGTH)])


def _own_draft(draft_id: int) -> draftstore.Draft:
    """The signed-in agent's draft; 404 for anyone else's, so ids reveal nothing."""
    draft = draftstore.get_draft(get_db(), draft_id)
    if draft is None or draft.user_id != current_user.user.id:
        abort(404)
    return draft


@bp.route("", methods=["POST"])
def create() -> ResponseReturnValue:
    """Propose a reply from the ticked results and open it for editing."""
    query = request.form.get("q", "")[:500]
    ticket = request.form.get("ticket", "").strip()
    picks = request.form.getlist("pick")
    back = redirect(url_for("search.index", q=query) if query else url_for("search.index"))
    if not 1 <= len(picks) <= MAX_SECTIONS:
        flash(f"Cochez de 1 à {MAX_SECTIONS} résultats pour rédiger une réponse.", "error")
        return back
    if not valid_ticket(ticket):
        flash(f"N° de ticket invalide. {TICKET_HELP}", "error")
        return back
    try:
        sections = read_picks(picks)
    except ValueError:
        abort(400)
    draft_id = draftstore.create_draft(get_db(), current_user.user.id, query, ticket, sections)
    return redirect(url_for("drafts.edit", draft_id=draft_id))


@bp.route("")
def index() -> ResponseReturnValue:
    """The agent's saved drafts, with the outcome of their validation requests."""
    return render_template("drafts.html", drafts=draftstore.list_drafts(get_db(),
                                                                        current_user.user.id))


@bp.route("/<int:draft_id>", methods=["GET", "POST"])
def edit(draft_id: int) -> ResponseReturnValue:
    """Show the draft; save the agent's edit, or propose the reply again for a new ticket."""
    draft = _own_draft(draft_id)
    form = DraftForm(obj=draft)
    if form.validate_on_submit():
        body = form.body.data
        if request.form.get("action") == "recompose":
            body = compose(draft.sections, form.ticket.data or "")
        draftstore.save_draft(get_db(), draft, form.ticket.data or "", body)
        flash("Brouillon enregistré.", "info")
        return redirect(url_for("drafts.edit", draft_id=draft.id))
    return render_template("draft.html", draft=draft, form=form)


@bp.route("/<int:draft_id>/copie", methods=["POST"])
def copied(draft_id: int) -> ResponseReturnValue:
    """Record a copy to the clipboard, saving the text as copied (called by the page's script)."""
    draft = _own_draft(draft_id)
    body = request.form.get("body", "")
    kind = request.form.get("format", "")
    if kind not in COPY_FORMATS or not body.strip() or len(body) > MAX_BODY_LENGTH:
        abort(400)
    conn = get_db()
    if body != draft.body:
        draftstore.save_draft(conn, draft, draft.ticket, body)
    # For a copy, ``hits`` holds the number of links in the copied reply.
    usage.record(conn, usage.COPY, current_user.user.id, hits=len(usage.links_in(body)),
                 draft_id=draft.id, detail=kind)
    return "", 204


@bp.route("/<int:draft_id>/validation", methods=["POST"])
def ask_validation(draft_id: int) -> ResponseReturnValue:
    """Send the draft, as saved, to the reviewers."""
    draft = _own_draft(draft_id)
    try:
        draftstore.request_validation(get_db(), draft)
    except draftstore.DraftError as exc:
        flash(str(exc), "error")
    else:
        flash("Réponse envoyée pour validation.", "info")
    return redirect(url_for("drafts.edit", draft_id=draft.id))
