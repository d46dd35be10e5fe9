"""The search page, and the "no answer" signal agents send from it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from kbtool.index.results import PageHit, SearchResults
from kbtool.index.reading import SearchIndex
from kbtool.knowledge import gaps, learning, notices, requestkinds, synonyms, usage
from kbtool.knowledge.reply import valid_ticket
from kbtool.knowledge.requestkinds import RequestKind
from kbtool.web.db import get_db
from kbtool.web.gapanswers import answers_since
from kbtool.web.inputs import number
from kbtool.web.searching import IndexUnavailable, habits, pick_token, shared

bp = Blueprint("search", __name__)

MAX_QUERY_LENGTH = 500
MAX_PAGE = 100
KNOWN_PROBLEMS_SHOWN = 3
# The search just noted as unanswered, which the redirect shows again without logging it twice.
LOGGED_SEARCH = "logged_search"
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
    chosen_kind: RequestKind | None = None

    @classmethod
    def from_args(cls) -> SearchRequest:
        """Read and bound the query-string parameters (an unknown kind is no kind)."""
        page = number(request.args.get("page")) or 1
        return cls(query=request.args.get("q", "").strip()[:MAX_QUERY_LENGTH],
                   sources=tuple(v for v in request.args.getlist("source") if v),
                   namespaces=tuple(v for v in request.args.getlist("ns") if v),
                   page=min(page, MAX_PAGE),
                   chosen_kind=requestkinds.BY_ID.get(request.args.get("kind", "")))

    @property
    def kind(self) -> RequestKind | None:
        """The kind the agent chose, else the one the query suggests."""
        return self.chosen_kind or requestkinds.guess(self.query)

    def searched_sources(self) -> tuple[str, ...]:
        """The sources ticked, else those the chosen kind searches by default."""
        return self.sources or requestkinds.default_sources(
            self.chosen_kind, current_app.config["KBTOOL"].sources)

    def url(self, **changes: object) -> str:
        """This search's URL with some parameters changed (for paging and suggestions)."""
        args = {"q": self.query, "source": list(self.sources), "ns": list(self.namespaces),
                "page": self.page, "kind": self.chosen_kind.id if self.chosen_kind else None,
                **changes}
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
    results, known = None, ()
    if asked.query:
        results = engine.search(asked.query, sources=asked.searched_sources(),
                                namespaces=asked.namespaces,
                                limit=config.get("search.limit"), page=asked.page,
                                learned=learning.prior(get_db(), asked.query, habits(),
                                                       engine.word_weights),
                                synonyms=synonyms.rules(get_db()))
        known, results = _known_problems_first(engine, asked, results)
        if asked.page == 1 and not _shown_again(asked.query):
            _log_search(asked, results)
    return render_template("search.html", asked=asked, facets=facets, results=results,
                           known=known, kinds=requestkinds.KINDS, pick_token=pick_token,
                           mailing_url=_mailing_return_url(), **_home(asked))


def _mailing_return_url() -> str:
    """Link to the mailing-return procedure named in the configuration ('' when none)."""
    config = current_app.config["KBTOOL"]
    page = config.get("web.mailing_return_page")
    return requestkinds.wiki_page_url(config, page) if page else ""


def _shown_again(query: str) -> bool:
    """True once, for the results shown again after « Aucun de ces résultats » (that search is
    logged already); the session is left untouched otherwise, so it is not sent back."""
    return LOGGED_SEARCH in session and session.pop(LOGGED_SEARCH) == query


def _log_search(asked: SearchRequest, results: SearchResults) -> None:
    """A search, for the usage page; a gap when the knowledge base has no sure answer.
    Paging through the same results is not another search."""
    usage.record(get_db(), usage.SEARCH, current_user.user.id, query=asked.query,
                 hits=results.total, confident=results.confident, detail=_filters_detail(asked))
    if not results.confident:
        gaps.record(get_db(), current_user.user.id, asked.query)


def _known_problems_first(engine: SearchIndex, asked: SearchRequest,
                          results: SearchResults) -> tuple[tuple[PageHit, ...], SearchResults]:
    """For a bug, the known-problem pages (of the configured namespace, or naming the query's
    error code) taken out of the results to be shown first, on the first page of results."""
    if asked.kind is not requestkinds.BUG or asked.page != 1:
        return (), results
    namespace = current_app.config["KBTOOL"].get("search.known_problems_namespace")
    codes = requestkinds.error_codes(asked.query)
    candidates = list(results.hits)
    if namespace:
        candidates = list(engine.search(asked.query, sources=asked.searched_sources(),
                                        namespaces=(namespace,), limit=KNOWN_PROBLEMS_SHOWN,
                                        synonyms=synonyms.rules(get_db())).hits) + candidates
    known: dict[str, PageHit] = {}
    for hit in candidates:
        if hit.page_id not in known and requestkinds.is_known_problem(hit, codes, namespace):
            known[hit.page_id] = hit
    rest = tuple(hit for hit in results.hits if hit.page_id not in known)
    first = sorted(known.values(), key=lambda hit: not requestkinds.names_code(hit, codes))
    return tuple(first), replace(results, hits=rest)


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
    session[LOGGED_SEARCH] = query
    return redirect(url_for("search.index", q=query))


@bp.route("/notifications/lues", methods=["POST"])
def notices_read() -> ResponseReturnValue:
    """Mark the agent's notices as read."""
    notices.mark_read(get_db(), current_user.user.id)
    return redirect(url_for("search.index"))
