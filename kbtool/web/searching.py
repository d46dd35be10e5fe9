"""The app's one index searcher, refreshed per request, and the signed tokens of ticked results.

Opening a searcher on the index costs ~90 ms, so each app keeps one (opened on first use, since the
index may be built after the server starts) and only refreshes it, which is cheap and picks up a
reindex.  A ticked result travels as a token signed with the session key: the draft is built from
what the search page showed, never from titles or URLs a client made up.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from kbtool.config import Config
from kbtool.index.engine import search_index
from kbtool.index.errors import IndexMissing
from kbtool.index.reading import SearchIndex
from kbtool.index.results import PageHit, SectionHit
from kbtool.index.synonym_rules import SynonymRules
from kbtool.knowledge.learning import Common, Habits
from kbtool.knowledge.reply import ChosenSection

log = logging.getLogger(__name__)

EXTENSION = "kbtool.searcher"
PICK_SALT = "kbtool-pick"
FACETS_TTL = 60.0
MAX_CACHED_ANSWERS = 2048


class IndexUnavailable(Exception):
    """No index has been built yet; the message says which command builds it."""


class SharedSearcher:
    """One :class:`SearchIndex` per app, opened lazily and refreshed before each use.

    The filters' facets read every stored page, far too slow per request on a large index and
    changed only by a reindex: they are recomputed at most every ``FACETS_TTL`` seconds.  The
    sure answers to open gaps' questions, checked on every load of the home and gap pages,
    change only with the index too: they are kept until the searcher sees another index state.
    """

    def __init__(self, config: Config) -> None:
        self._config = config
        self._searcher: SearchIndex | None = None
        self._lock = threading.Lock()
        self._facets: dict[str, list[str]] = {}
        self._facets_at = float("-inf")
        self._answers: dict[str, tuple[PageHit, ...]] = {}
        self._answers_state: tuple[str, SynonymRules] | None = None

    def get(self) -> SearchIndex:
        """The searcher, refreshed; IndexUnavailable when there is no index yet."""
        with self._lock:
            if self._searcher is None:
                try:
                    self._searcher = search_index(self._config)
                except IndexMissing as exc:
                    raise IndexUnavailable(str(exc)) from exc
                return self._searcher
            self._searcher.refresh()
            return self._searcher

    def facets(self, searcher: SearchIndex) -> dict[str, list[str]]:
        """Source → namespaces of the index, as of at most ``FACETS_TTL`` seconds ago."""
        with self._lock:
            if time.monotonic() - self._facets_at > FACETS_TTL:
                self._facets = searcher.facets()
                self._facets_at = time.monotonic()
            return self._facets

    def sure_answers(self, searcher: SearchIndex, question: str,
                     synonyms: SynonymRules) -> tuple[PageHit, ...]:
        """The pages the search ranks as sure answers to ``question``, as of the searcher's
        index state and the team's synonym table (searched again once either changed)."""
        state = (searcher.version(), synonyms)
        with self._lock:
            if self._answers_state != state or len(self._answers) >= MAX_CACHED_ANSWERS:
                self._answers = {}
                self._answers_state = state
            cached = self._answers.get(question)
        if cached is None:
            cached = tuple(hit for hit in searcher.search(question, synonyms=synonyms).hits
                           if hit.sure)
            with self._lock:
                if self._answers_state == state:
                    self._answers[question] = cached
        return cached


def shared() -> SharedSearcher:
    """The current app's shared searcher."""
    return current_app.extensions[EXTENSION]


def common_words() -> Common | None:
    """Whether a word is a common word of the documentation (None without an index): what
    decides if a word written with a capital may be learned."""
    try:
        return shared().get().common_word
    except IndexUnavailable:
        return None


def habits() -> Habits:
    """How long the team's use counts in search, as configured."""
    return Habits.of(current_app.config["KBTOOL"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=PICK_SALT)


def pick_token(page: PageHit, section: SectionHit) -> str:
    """The value of a result's checkbox: its title, heading, link and place in the index, signed."""
    return _serializer().dumps([page.title, section.heading, section.url, page.page_id,
                                section.anchor])


def read_picks(tokens: list[str]) -> list[ChosenSection]:
    """The sections behind checkbox values; ValueError when one was tampered with."""
    try:
        return [ChosenSection(*_serializer().loads(token)) for token in tokens]
    except (BadSignature, TypeError) as exc:
        raise ValueError("invalid result reference") from exc


def init_app(app: Flask) -> None:
    """Attach the app's shared searcher (nothing is opened yet)."""
    app.extensions[EXTENSION] = SharedSearcher(app.config["KBTOOL"])
