"""The bug path page: the checklist and the request for missing elements, the developers' ticket
form and its texts, the client's messages (created / resolved) with the ticket number.

The search page's "bug" kind opens it with the question and the ticked results, exactly as its
draft form sends them (``q``, repeated ``pick``).  One form holds everything, each button composes
one text, so nothing typed is lost between them.  Nothing is stored: kbtool drafts, it does not
track.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from kbtool import accounts
from kbtool.knowledge import tickets
from kbtool.knowledge.reply import ChosenSection, DEFAULT_SIGNATURE, MAX_SECTIONS
from kbtool.web.db import get_db
from kbtool.web.drafts import TICKET_VALIDATORS
from kbtool.web.search import MAX_QUERY_LENGTH
from kbtool.web.searching import read_picks

bp = Blueprint("tickets", __name__, url_prefix="/signalement")

MAX_TITLE = 200
MAX_FIELD = 5000
MAX_CHECKED_TEXT = 20_000
ACTIONS = ("elements", "ticket", "created", "resolved")


def _due_date(text: str | None) -> date | None:
    """The internal due date typed (``AAAA-MM-JJ``, as date inputs send it), None when empty."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _check_due(_form: FlaskForm, field: StringField) -> None:
    if field.data and (len(field.data) != 10 or _due_date(field.data) is None):
        raise ValidationError("Échéance invalide : choisissez une date (JJ/MM/AAAA).")


def _text(label: str, limit: int = MAX_FIELD) -> TextAreaField:
    return TextAreaField(label, filters=[tickets.plain], validators=[
        Length(max=limit, message=f"{label} : {limit} caractères au plus.")])


class BugForm(FlaskForm):
    """The checklist, the ticket's fields and its number: every button sends them all."""

    q = HiddenField(filters=[lambda text: tickets.plain(text)[:MAX_QUERY_LENGTH]])
    title = StringField("Titre", filters=[tickets.plain], validators=[
        Length(max=MAX_TITLE, message=f"Titre : {MAX_TITLE} caractères au plus.")])
    description = _text("Description détaillée")
    steps = _text("Étapes de reproduction (une par ligne)")
    environment = _text("Environnement (version, système, base, poste ou serveur)")
    observed = _text("Résultat observé")
    expected = _text("Résultat attendu")
    urgency = StringField("Urgence")  # a value off the scale counts as none chosen
    reproduced = BooleanField("J'ai reproduit le problème")
    due = StringField("Échéance interne (facultatif)", validators=[_check_due],
                      render_kw={"type": "date"})
    number = StringField("N° du ticket créé", filters=[lambda text: (text or "").strip()],
                         validators=list(TICKET_VALIDATORS))

    def reasons(self) -> list[str]:
        """Why the fields were refused, one French sentence each."""
        return [message for messages in self.errors.values() for message in messages]

    def ticket(self) -> tickets.Ticket:
        """The ticket as typed (an urgency off the scale counts as not chosen)."""
        urgency = self.urgency.data if self.urgency.data in tickets.URGENCY_LABELS else ""
        return tickets.Ticket(self.title.data or "", self.description.data or "",
                              self.steps.data or "", self.environment.data or "",
                              self.observed.data or "", self.expected.data or "",
                              urgency, bool(self.reproduced.data), _due_date(self.due.data))


def _prefill(form: BugForm, query: str, sections: list[ChosenSection]) -> None:
    """The ticket's title and description from the search and the pages the agent cited."""
    form.q.data = query
    form.title.data = query
    lines = [f"Demande du client : {query}"] if query else []
    if sections:
        lines += ["", "Documentation consultée :"]
        lines += [f"- {section.label} : {section.url}" for section in sections]
    form.description.data = tickets.plain("\n".join(lines))


def _received() -> set[str]:
    """The elements the agent ticked as received from the client (unknown values left out)."""
    return set(request.form.getlist("have")) & set(tickets.ELEMENT_KEYS)


def _signature() -> str:
    return accounts.signature_of(get_db(), current_user.user.id) or DEFAULT_SIGNATURE


@bp.route("", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    """The page; each button composes its text from the form as sent."""
    form = BugForm()
    if request.method == "GET":
        query = tickets.plain(request.args.get("q", "")).strip()[:MAX_QUERY_LENGTH]
        try:
            sections = read_picks(request.args.getlist("pick")[:MAX_SECTIONS])
        except ValueError:
            abort(400)
        _prefill(form, query, sections)
        return _page(form)
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    if not form.validate_on_submit():
        return _page(form, problems=form.reasons())
    outputs, problems = _compose(action, form)
    return _page(form, outputs, problems)


def _page(form: BugForm, outputs: dict[str, str] | None = None,
          problems: list[str] | None = None) -> ResponseReturnValue:
    """The page with the form as sent, the texts composed, and why some could not be (422)."""
    received = _received() if request.method == "POST" else set()
    page = render_template("ticket.html", form=form, received=received, outputs=outputs or {},
                           problems=problems or [], ELEMENTS=tickets.ELEMENTS,
                           URGENCIES=tickets.URGENCIES)
    return page, 422 if problems else 200


def _compose(action: str, form: BugForm) -> tuple[dict[str, str], list[str]]:
    """The texts the button asked for, or why they cannot be written yet."""
    if action == "elements":
        missing = [key for key in tickets.ELEMENT_KEYS if key not in _received()]
        if not missing:
            return {}, ["Tous les éléments sont reçus : rien à demander au client."]
        return {"request": tickets.missing_request(missing, _signature())}, []
    if action == "ticket":
        ticket = form.ticket()
        if ticket.unfilled():
            return {}, ["À remplir pour le ticket : " + ", ".join(ticket.unfilled()) + "."]
        return {"text": tickets.ticket_text(ticket), "markdown": tickets.ticket_markdown(ticket)}, []
    number = form.number.data
    if not number:
        return {}, ["Indiquez le n° du ticket créé dans l'outil des développeurs."]
    compose = tickets.created_message if action == "created" else tickets.resolved_message
    return {"message": compose(number, _signature())}, []


@bp.route("/delais", methods=["POST"])
def deadlines() -> ResponseReturnValue:
    """The phrases of a client message that promise a date or a delay (called by the page's
    script before copying, and as the agent types)."""
    text = request.form.get("text", "")
    number = request.form.get("number", "")
    if len(text) > MAX_CHECKED_TEXT or len(number) > 40:
        abort(400)
    found = tickets.promised_deadlines(text, ignore=[number.strip()])
    return jsonify(deadlines=found, warning=_warning(found))


def _warning(found: list[str]) -> str:
    if not found:
        return ""
    quoted = ", ".join(f"« {phrase} »" for phrase in found)
    return (f"Ce message promet un délai ou une date ({quoted}). Ne donnez jamais de délai au "
            "client : retirez-le avant de copier.")

