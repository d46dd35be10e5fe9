"""Reply drafts: built from ticked results, edited, copied, sent for validation, reopened."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from kbtool import accounts
from kbtool.knowledge import citations, drafts, learning, requestkinds, usage, verification
from kbtool.knowledge.reply import MAX_SECTIONS, compose, valid_ticket
from kbtool.web.db import get_db
from kbtool.web.searching import IndexUnavailable, common_words, habits, read_picks, shared

bp = Blueprint("drafts", __name__, url_prefix="/brouillons")

MAX_BODY_LENGTH = 20_000
COPY_FORMATS = ("text", "html")
TICKET_INVALID = "N° de ticket invalide. Lettres, chiffres et # _ . / - uniquement."


def _check_ticket(_form: FlaskForm, field: StringField) -> None:
    if not valid_ticket(field.data or ""):
        raise ValidationError(TICKET_INVALID)


# A ticket number field's checks (the draft's, the bug path's created ticket).
TICKET_VALIDATORS = (Length(max=40, message="N° de ticket trop long (40 caractères au plus)."),
                     _check_ticket)


def _unix_newlines(text: str | None) -> str | None:
    """Browsers send a textarea's line breaks as CRLF; the store keeps the reply's own ``\n``."""
    return text.replace("\r\n", "\n") if text else text


class DraftForm(FlaskForm):
    """The ticket number and the text on screen, sent by every button that submits the page."""

    ticket = StringField("N° de ticket (facultatif)", validators=list(TICKET_VALIDATORS))
    body = TextAreaField("Réponse", filters=[_unix_newlines], validators=[
        DataRequired(message="Le texte de la réponse est vide."),
        Length(max=MAX_BODY_LENGTH,
               message=f"Réponse trop longue ({MAX_BODY_LENGTH} caractères au plus).")])

    def reasons(self) -> str:
        """Why the fields were refused, in one French sentence per field."""
        return " ".join(message for messages in self.errors.values() for message in messages)


def _own_draft(draft_id: int) -> drafts.Draft:
    """The signed-in agent's draft; 404 for anyone else's, so ids reveal nothing."""
    draft = drafts.get_draft(get_db(), draft_id)
    if draft is None or draft.user_id != current_user.user.id:
        abort(404)
    return draft


@bp.route("", methods=["POST"])
def create() -> ResponseReturnValue:
    """Propose a reply from the ticked results and open it for editing."""
    query = request.form.get("q", "")[:500]
    ticket = request.form.get("ticket", "").strip()
    kind = requestkinds.BY_ID.get(request.form.get("kind", ""))  # unknown: no kind
    picks = request.form.getlist("pick")
    back = redirect(url_for("search.index", q=query) if query else url_for("search.index"))
    if not 1 <= len(picks) <= MAX_SECTIONS:
        flash(f"Cochez de 1 à {MAX_SECTIONS} résultats pour rédiger une réponse.", "error")
        return back
    if not valid_ticket(ticket):
        flash(TICKET_INVALID, "error")
        return back
    try:
        sections = read_picks(picks)
    except ValueError:
        abort(400)
    draft_id = drafts.create_draft(get_db(), current_user.user.id, query, ticket, sections,
                                       kind)
    try:  # the cited texts as they are now, for the reviewers to hear when they change
        citations.keep_sections(get_db(), shared().get(), sections)
    except IndexUnavailable:
        pass  # kept by the next check
    return redirect(url_for("drafts.edit", draft_id=draft_id))


@bp.route("")
def index() -> ResponseReturnValue:
    """The agent's saved drafts, with the outcome of their validation requests."""
    return render_template("drafts.html", drafts=drafts.list_drafts(get_db(),
                                                                        current_user.user.id))


@bp.route("/<int:draft_id>", methods=["GET", "POST"])
def edit(draft_id: int) -> ResponseReturnValue:
    """Show the draft; save the agent's edit, or propose the reply again for a new ticket."""
    draft = _own_draft(draft_id)
    if request.method == "GET" or request.form.get("action") == "recompose":
        draft = _live_links(draft)
    form = DraftForm(obj=draft)
    if request.method == "GET":
        return render_template("draft.html", draft=draft, form=form)
    refused = _save_sent(draft, form, recompose=request.form.get("action") == "recompose")
    if refused:
        return refused
    flash("Brouillon enregistré.", "info")
    return redirect(url_for("drafts.edit", draft_id=draft.id))


def _live_links(draft: drafts.Draft) -> drafts.Draft:
    """The draft with no dead anchor: a section no longer in the index is replaced by where its
    text moved, or its page, and the agent is told (a page gone is only pointed out)."""
    try:
        found = verification.relinks(get_db(), shared().get(), draft.sections)
    except IndexUnavailable:
        return draft
    for relink in found:
        flash(relink.message, "error" if relink.new is None else "info")
    replaced = [(relink.old, relink.new) for relink in found if relink.new is not None]
    return drafts.replace_links(get_db(), draft, replaced) if replaced else draft


def _save_sent(draft: drafts.Draft, form: DraftForm,
               recompose: bool = False) -> ResponseReturnValue | None:
    """Save the ticket and text the page sent; if refused, the page again with them and why.

    The text comes back as sent (never the stored one), so a refused save loses nothing.
    """
    if not form.validate_on_submit():
        return _not_saved(draft, form, form.reasons(), 422)
    ticket = form.ticket.data or ""
    body = (compose(draft.sections, ticket, accounts.signature_of(get_db(), draft.user_id))
            if recompose else form.body.data)
    try:
        drafts.save_draft(get_db(), draft, ticket, body)
    except drafts.DraftError as exc:
        return _not_saved(draft, form, str(exc), 503)
    return None


def _not_saved(draft: drafts.Draft, form: DraftForm, reason: str,
               status: int) -> ResponseReturnValue:
    """The draft page showing the ticket and text as sent, marked unsaved (leaving warns)."""
    flash(f"Brouillon non enregistré : {reason} Votre texte est conservé ci-dessous.", "error")
    return render_template("draft.html", draft=draft, form=form, unsaved=True), status


@bp.route("/<int:draft_id>/enregistrement", methods=["POST"])
def autosave(draft_id: int) -> ResponseReturnValue:
    """Save the ticket and text on screen (called by the page's script); JSON, with why if not."""
    draft = _own_draft(draft_id)
    form = DraftForm()
    if not form.validate_on_submit():
        return jsonify(error=form.reasons()), 422
    try:
        saved_at = drafts.save_draft(get_db(), draft, form.ticket.data or "", form.body.data)
    except drafts.DraftError as exc:
        return jsonify(error=str(exc)), 503
    return jsonify(saved_at=saved_at)


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
        drafts.save_draft(conn, draft, draft.ticket, body)
    # For a copy, ``hits`` holds the number of links in the copied reply.
    usage.record(conn, usage.COPY, current_user.user.id, hits=len(usage.links_in(body)),
                 draft_id=draft.id, detail=kind)
    learning.learn_from_reply(conn, draft, body, common_words(), habits())
    return "", 204


@bp.route("/<int:draft_id>/validation", methods=["POST"])
def ask_validation(draft_id: int) -> ResponseReturnValue:
    """Save the ticket and text on screen, then send that text to the reviewers."""
    draft = _own_draft(draft_id)
    refused = _save_sent(draft, DraftForm())
    if refused:
        return refused
    sent = _own_draft(draft_id)  # as just saved
    try:
        drafts.request_validation(get_db(), sent)
    except drafts.DraftError as exc:
        flash(str(exc), "error")
    else:
        learning.learn_from_reply(get_db(), sent, sent.body, common_words(), habits())
        flash("Réponse envoyée pour validation.", "info")
    return redirect(url_for("drafts.edit", draft_id=draft.id))
