"""The reviewers' page "Synonymes": the team's pairs (add, edit, remove), the pairs the
documentation gives (accept, reject), and the table's history."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool.index.synonym_rules import unordered
from kbtool.knowledge import synonyms
from kbtool.web.auth import role_required
from kbtool.web.db import get_db
from kbtool.web.searching import IndexUnavailable, shared

bp = Blueprint("synonyms", __name__, url_prefix="/synonymes")
SEEDS_SHOWN = 200    # pairs of the documentation listed, those said on most pages first
DIRECTIONS = {"both": True, "one": False}


@bp.route("")
@role_required("reviewer")
def page() -> ResponseReturnValue:
    """The table, the documentation's pairs with their verdicts, and the latest changes."""
    conn = get_db()
    entries = synonyms.current(conn)
    verdicts = {unordered(e.term, e.synonym): e for e in entries if e.origin == synonyms.SEED}
    try:
        seeds = shared().get().seed_sources(SEEDS_SHOWN)
    except IndexUnavailable:
        seeds = []
    return render_template("synonyms.html", team=[e for e in entries if e.origin == synonyms.TEAM],
                           seeds=[(s, verdicts.get(unordered(s.seed.term, s.seed.synonym)))
                                  for s in seeds],
                           history=synonyms.history(conn))


@bp.route("/ajouter", methods=["POST"])
@role_required("reviewer")
def add() -> ResponseReturnValue:
    """A new pair of the team's."""
    return _change(lambda user: synonyms.add(get_db(), user, *_pair()), "Paire ajoutée.")


@bp.route("/<int:pair_id>/modifier", methods=["POST"])
@role_required("reviewer")
def edit(pair_id: int) -> ResponseReturnValue:
    """A new version of a pair of the team's."""
    _exists(pair_id)
    return _change(lambda user: synonyms.edit(get_db(), user, pair_id, *_pair()),
                   "Paire modifiée.")


@bp.route("/<int:pair_id>/supprimer", methods=["POST"])
@role_required("reviewer")
def remove(pair_id: int) -> ResponseReturnValue:
    """The pair no longer applies."""
    _exists(pair_id)
    return _change(lambda user: synonyms.remove(get_db(), user, pair_id), "Paire retirée.")


@bp.route("/documentation", methods=["POST"])
@role_required("reviewer")
def judge() -> ResponseReturnValue:
    """Accept or reject a pair the documentation gives."""
    decision = request.form.get("decision")
    if decision not in ("accept", "reject"):
        flash("Choisissez d'accepter ou de rejeter la paire.", "error")
        return redirect(url_for("synonyms.page"))
    term, synonym = request.form.get("term", ""), request.form.get("synonym", "")
    return _change(lambda user: synonyms.judge_seed(get_db(), user, term, synonym,
                                                    decision == "accept"),
                   "Paire acceptée." if decision == "accept" else "Paire rejetée.")


def _exists(pair_id: int) -> None:
    """404 for a pair that never was (one removed since is refused with a message)."""
    if synonyms.get(get_db(), pair_id) is None:
        abort(404)


def _pair() -> tuple[str, str, bool]:
    """The sides and the direction sent (an unknown direction: refused)."""
    direction = request.form.get("direction", "")
    if direction not in DIRECTIONS:
        raise synonyms.SynonymError("Choisissez le sens de la paire.")
    return request.form.get("term", ""), request.form.get("synonym", ""), DIRECTIONS[direction]


def _change(change: Callable[[int], object], done: str) -> ResponseReturnValue:
    """Make the change as the signed-in reviewer; its refusal, if any, is the message."""
    try:
        change(current_user.user.id)
    except synonyms.SynonymError as exc:
        flash(str(exc), "error")
    else:
        flash(done, "info")
    return redirect(url_for("synonyms.page"))
