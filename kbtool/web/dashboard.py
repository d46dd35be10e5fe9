"""The reviewers' dashboard page: figures and weekly charts drawn as server-side SVG, and what to
check again because the wiki changed behind kbtool's back."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool.knowledge import citations, trends, verification
from kbtool.store import now
from kbtool.web.auth import role_required
from kbtool.web.db import get_db
from kbtool.web.inputs import number
from kbtool.web.searching import IndexUnavailable, shared

bp = Blueprint("dashboard", __name__, url_prefix="/tableau-de-bord")


@bp.route("")
@role_required("reviewer")
def page() -> ResponseReturnValue:
    """Open gaps, waiting articles, delays, linked replies, their evolution, and what to
    re-verify (nothing of the last when no index is built yet)."""
    conn = get_db()
    try:
        recheck = verification.check(conn, shared().get(), current_app.config["KBTOOL"])
    except IndexUnavailable:
        recheck = None
    return render_template("dashboard.html", board=trends.build(conn), now=now(),
                           recheck=recheck)


@bp.route("/verifie", methods=["POST"])
@role_required("reviewer")
def verified() -> ResponseReturnValue:
    """A reviewer checked the texts citing a section listed to re-verify: it leaves the list."""
    cited = citations.get(get_db(), number(request.form.get("section")) or 0)
    try:
        searcher = shared().get()
    except IndexUnavailable:
        cited = None
    if cited is None:
        flash("Cette section n'est pas à re-vérifier.", "error")
    else:
        verification.reverify(get_db(), searcher, cited, current_user.user.id)
        flash(f"« {cited.label} » : vérifiée.", "info")
    return redirect(url_for("dashboard.page") + "#a-reverifier")
