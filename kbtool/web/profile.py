"""The signed-in account's own settings: the signature put under the replies they draft."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, ValidationError

from kbtool import accounts
from kbtool.knowledge.reply import DEFAULT_SIGNATURE
from kbtool.web.db import get_db

bp = Blueprint("profile", __name__, url_prefix="/profil")


def _few_lines(_form: FlaskForm, field: TextAreaField) -> None:
    if accounts.signature_lines(field.data or "") > accounts.SIGNATURE_MAX_LINES:
        raise ValidationError(f"Signature trop longue ({accounts.SIGNATURE_MAX_LINES} lignes "
                              "au plus).")


class SignatureForm(FlaskForm):
    """The signature, as typed."""

    signature = TextAreaField("Signature sous vos réponses", validators=[
        Length(max=accounts.SIGNATURE_MAX_LENGTH,
               message=f"Signature trop longue ({accounts.SIGNATURE_MAX_LENGTH} caractères au "
                       "plus)."), _few_lines])


@bp.route("", methods=["GET", "POST"])
def page() -> ResponseReturnValue:
    """Show the signature; save it when the form is sent."""
    conn = get_db()
    form = SignatureForm()
    if form.validate_on_submit():
        accounts.set_signature(conn, current_user.user.name, form.signature.data or "")
        flash("Signature enregistrée : elle sera sous vos prochaines réponses.", "info")
        return redirect(url_for("profile.page"))
    if not form.is_submitted():
        form.signature.data = accounts.signature_of(conn, current_user.user.id)
    return render_template("profile.html", form=form, max_length=accounts.SIGNATURE_MAX_LENGTH,
                           default_signature=DEFAULT_SIGNATURE), 422 if form.errors else 200
