"""The search page, and the "no answer" signal agents send from it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool import gaps, notices
from kbtool.web import usage
from kbtool.web.db import get_db
from kbtool.web.gapanswers import answers_since
from kbtool.web.inputs import number
from kbtool.web.reply import valid_ticket
from kbtool.web.searching import IndexUnavailable, pick_token, shared

bp = Blueprint("search", __name__)

MAX_QUERY_LENGTH = 500
MAX_PAGE = 100
UNANSWERED_REASONS = {
    "offre": "La question est notée sans réponse ; rédigez la réponse comme nouvel article.",
    "aucun": "Merci : la question est notée comme sans réponse dans la base de connaissances.",
}


@dataclass(frozen=True)
class SearchRequest:
    """What the search form asked for."""

    query: str
    sources: tuple[str, ...]
    namespaces: tuple[str, ...]
    page: int

    @classmethod
    def from_args(cls) -> SearchRequest:
        """Read and bound the query-string parameters."""
        page = number(request.args.get("page")) or 1
        return cls(query=request.args.get("q", "").strip()[:MAX_QUERY_LENGTH],
                   sources=tuple(v for v in request.args.getlist("source") if v),
                   namespaces=tuple(v for v in request.args.getlist("ns") if v),
                   page=min(page, MAX_PAGE))

    def url(self, **changes: object) -> str:
        """This search's URL with some parameters changed (for paging and suggestions)."""
        args = {"q": self.query, "source": list(self.sources), "ns": list(self.namespaces),
                "page": self.page, **changes}
        return url_for("search.index", **args)


@bp.route("/")
def index() -> ResponseReturnValue:
    """Search form, and results when a query is given."""
    asked = SearchRequest.from_args()
    config = current_app.config["KBTOOL"]
    try:
        engine = shared().get()
        facets = shared().facets(engine)
    except IndexUnavailable:
        return render_template("search.html", asked=asked, facets={}, results=None,
                               index_missing=True), 503
    results = None
    if asked.query:
        results = engine.search(asked.query, sources=asked.sources, namespaces=asked.namespaces,
                                limit=config.get("search.limit"), page=asked.page)
        if asked.page == 1:  # paging through the same results is not another search
            usage.record(get_db(), usage.SEARCH, current_user.user.id, query=asked.query,
                         hits=results.total, confident=results.confident,
                         detail=_filters_detail(asked))
            if not results.confident:
                gaps.record(get_db(), current_user.user.id, asked.query)
    return render_template("search.html", asked=asked, facets=facets, results=results,
                           pick_token=pick_token, **_home(asked))


def _home(asked: SearchRequest) -> dict[str, object]:
    """On the home page (no query): the agent's open questions and unread notices."""
    if asked.query:
        return {}
    conn = get_db()
    my_gaps = gaps.open_gaps(conn, current_user.user, mine=True, limit=20)
    return {"my_gaps": my_gaps, "gap_answers": answers_since(my_gaps),
            "notices": notices.unread(conn, current_user.user.id)}


def _filters_detail(asked: SearchRequest) -> str:
    return " ".join([f"source={s}" for s in asked.sources] + [f"ns={n}" for n in asked.namespaces])


@bp.route("/sans-reponse", methods=["POST"])
def unanswered() -> ResponseReturnValue:
    """Record that the knowledge base does not answer this question."""
    query = request.form.get("q", "").strip()[:MAX_QUERY_LENGTH]
    reason = request.form.get("reason", "")
    ticket = request.form.get("ticket", "").strip()
    if not query or reason not in UNANSWERED_REASONS:
        flash("Aucune question à noter.", "error")
        return redirect(url_for("search.index"))
    conn = get_db()
    usage.record(conn, usage.UNANSWERED, current_user.user.id, query=query, detail=reason)
    gap_id = gaps.record(conn, current_user.user.id, query, ticket if valid_ticket(ticket) else "")
    flash(UNANSWERED_REASONS[reason], "info")
    if reason == "offre" and gap_id is not None:
        return redirect(url_for("gaps.show", gap_id=gap_id))
    return redirect(url_for("search.index", q=query))


@bp.route("/notifications/lues", methods=["POST"])
def notices_read() -> ResponseReturnValue:
    """Mark the agent's notices as read."""
    notices.mark_read(get_db(), current_user.user.id)
    return redirect(url_for("search.index"))
