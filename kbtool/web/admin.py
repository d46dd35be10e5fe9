"""Usage figures for admins: searches, questions without answer, share of replies with links."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kbtool.knowledge import usage
from kbtool.web.auth import role_required
from kbtool.web.db import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/usage")
@role_required("admin")
def usage_page() -> ResponseReturnValue:
    """The usage log's headline figures and the most frequent searches left unanswered."""
    return render_template("usage.html", summary=usage.summary(get_db()))
