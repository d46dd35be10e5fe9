"""The reviewers' "Vocabulaire appris": the words search learned from replies and closed
questions, each with its pages, and the removal of a tie judged wrong (kept in the audit log)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool.documents import section_url
from kbtool.index.results import PageHit
from kbtool.knowledge import learning
from kbtool.web.auth import role_required
from kbtool.web.db import get_db
from kbtool.web.searching import IndexUnavailable, habits, shared

bp = Blueprint("learning", __name__, url_prefix="/vocabulaire-appris")


@bp.route("")
@role_required("reviewer")
def page() -> ResponseReturnValue:
    """Word → pages, how often, by how many agents, last use; the latest removals.  Ties of
    pages no longer indexed and uses past ``learning.keep_days`` are deleted first."""
    conn = get_db()
    pages: dict[str, PageHit | None] = {}
    try:
        searcher = shared().get()
    except IndexUnavailable:
        searcher = None
    else:
        learning.forget(conn, habits(), searcher.has_page)
    entries = learning.vocabulary(conn)
    for entry in entries:
        if entry.page_id not in pages:
            pages[entry.page_id] = searcher.page(entry.page_id) if searcher else None
    return render_template("learned.html", entries=entries, pages=pages,
                           removals=learning.removals(conn), section_url=section_url)


@bp.route("/<int:learned_id>/retrait", methods=["POST"])
@role_required("reviewer")
def remove(learned_id: int) -> ResponseReturnValue:
    """Remove one word → page tie (it is not learned again); the removal is audited.  A tie
    that is no more (removed meanwhile, or never was) is a 404, as any unknown id."""
    entry = learning.remove(get_db(), learned_id, current_user.user.id)
    if entry is None:
        abort(404)
    flash(f"Association retirée : « {entry.word} » ne mène plus à {entry.page_id}.", "info")
    return redirect(url_for("learning.page"))
