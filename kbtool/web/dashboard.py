"""The reviewers' dashboard page: figures and weekly charts drawn as server-side SVG."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kbtool.knowledge import trends
from kbtool.store import now
from kbtool.web.auth import role_required
from kbtool.web.db import get_db

bp = Blueprint("dashboard", __name__, url_prefix="/tableau-de-bord")


@bp.route("")
@role_required("reviewer")
def page() -> ResponseReturnValue:
    """Open gaps, waiting articles, delays, linked replies, and their evolution."""
    return render_template("dashboard.html", board=trends.build(get_db()), now=now())
