"""Search that learns the team's words: which pages answer the questions as agents ask them.

Every reply an agent copies or sends for validation says "this question is answered by these
sections", and so does a gap closed by an article or by a page an agent names.  Each key word of
the question is then tied to each cited section (``learned``), with one dated *use* per reply or
gap and agent (``learned_uses``: copying the same reply twice is one use).  A later search sharing
words with such questions lifts those pages, never past a clearly better textual match
(``kbtool.index.ranking._lift_learned``): what is computed here is only how strongly use ties each
page to the new question, from 0 to 1.

What is kept (see :func:`question_words`): the question's words in their index form (stem and
accent-folded word), never the question itself, and only words: nothing holding a digit (numbers,
phone numbers, dates, ticket numbers, codes), no e-mail or web address, no HTML, no word written
with a capital unless the documentation writes it in lower case or as an acronym (a name is
written capitalised, there as in the question: "Durand", "Marie"), no part of an account's name
or e-mail, no greeting or request word.  Uses older than ``learning.keep_days`` are deleted; so
are the ties of a page that left the index.

Weight of a word → page tie (:func:`_strength`): each agent's uses decay by half every
``learning.half_life_days``, and count as log2(1 + decayed uses): a second use by the same agent
adds less than a first use by another, so a page cited once by one agent weighs less than one
cited by several.  A reviewer may remove a tie; the removal is kept (``learned_removals``, the
audit log shown on the reviewers' page) and the tie is never learned again.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from kbtool.config import Config
from kbtool.index.analysis import (REQUEST_WORDS, TOKEN_PATTERN, fold_accents, key_words,
                                   plain_word, stem_word)
from kbtool.knowledge.drafts import Draft
from kbtool.store import now, transaction

log = logging.getLogger(__name__)

DAY = 24 * 3600
MAX_TEXT = 1000            # characters of a question read
MAX_WORDS = 20             # words of a question learned
# A page's past questions must share at least this share of a question's words, each weighed by
# its rarity in the documentation, to lift it: one common word of a longer question ("…leurs 80
# ans cette année" / "fin d'année : boucler les comptes") is no sign of the same need and lifted
# unrelated pages (bench/replay.py's drift), where a word the documentation never writes
# ("mailing", "boot") is the very vocabulary use teaches.  On the replay: 0.10 let the drift
# back (0.020), 0.15 and above kept it at 0; 0.15 kept most of the gain (docs/benchmarks.md).
MIN_SHARED_SHARE = 0.15
MIN_WORD, MAX_WORD = 2, 30  # letters of a word learned (longer: a pasted identifier, a hash)
# A page that left the index keeps its ties this long (an article is cited before the reindex
# that indexes it), then they are deleted.
MISSING_PAGE_GRACE = 2 * DAY

Common = Callable[[str], bool]   # is this word, written with a capital, a common word?

# What a question may hold that is no word of its subject: web and e-mail addresses, HTML tags
# and entities, "#1234"-like references; they are blanked before the words are read.
_NOT_WORDS = re.compile(r"(?:https?|ftp)://\S+|\bwww\.\S+|\S+@\S+|<[^>]*>|&#?\w+;|#\S+|"
                        r"\bn°\s*\S+", re.IGNORECASE)
_TOKEN = re.compile(TOKEN_PATTERN)
_DIGIT = re.compile(r"\d")
_NAME_PART = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Habits:
    """How long use counts: the decay's half-life and how long a use is kept, in days."""

    half_life_days: float
    keep_days: int

    @classmethod
    def of(cls, config: Config) -> Habits:
        return cls(config.get("learning.half_life_days"), config.get("learning.keep_days"))


@dataclass(frozen=True)
class Word:
    """A question's word as learned: its stem (what matches) and its folded form (what a
    reviewer reads)."""

    stem: str
    word: str


@dataclass(frozen=True)
class Entry:
    """One learned tie as reviewers see it."""

    id: int
    word: str
    page_id: str
    anchor: str
    uses: int
    agents: int
    last_at: float


@dataclass(frozen=True)
class Removal:
    """One removal, as the audit log keeps it."""

    word: str
    page_id: str
    anchor: str
    uses: int
    agents: int
    removed_by: str
    at: float


def question_words(text: str, common: Common | None = None,
                   people: frozenset[str] = frozenset()) -> tuple[Word, ...]:
    """The words of a question that may be learned, in the index's own analysis.

    A token holding a digit is dropped whole (numbers, ticket numbers, phone numbers, codes);
    a token written with a capital is kept only when ``common`` says it is a common word of
    the documentation (written there in lower case, or as an acronym: see
    ``Searcher.common_word``; without ``common``, never); parts of people's names (``people``,
    folded) are dropped.
    """
    # NFKC first: fullwidth letters and superscript digits become the ones the rules know.
    cleaned = _NOT_WORDS.sub(" ", unicodedata.normalize("NFKC", text[:MAX_TEXT]))
    found: dict[str, Word] = {}
    for match in _TOKEN.finditer(cleaned):
        token = match.group()
        if _DIGIT.search(token):
            continue
        capital = token != token.lower()
        for part, *_ in key_words(token.lower()):
            if _learnable(part, capital, common, people):
                stem = stem_word(part)
                found.setdefault(stem, Word(stem, plain_word(part)))
    return tuple(found.values())[:MAX_WORDS]


def _learnable(part: str, capital: bool, common: Common | None, people: frozenset[str]) -> bool:
    if not (part.isalpha() and MIN_WORD <= len(part) <= MAX_WORD):
        return False
    if part in REQUEST_WORDS or fold_accents(part) in people:
        return False
    return not capital or (common is not None and common(part))


def people_names(conn: sqlite3.Connection) -> frozenset[str]:
    """The parts of the accounts' names and e-mail addresses, folded: words never learned."""
    parts: set[str] = set()
    for row in conn.execute("SELECT name, email FROM users"):
        for text in (row["name"], row["email"].split("@")[0]):
            parts.update(fold_accents(p.lower()) for p in _NAME_PART.findall(text))
    return frozenset(parts)


def learn(conn: sqlite3.Connection, question: str, user_id: int, origin: str,
          cited: Iterable[tuple[str, str]], common: Common | None, habits: Habits) -> int:
    """Tie the question's words to the cited sections (page id, anchor), as one use by that
    agent for ``origin`` (a reply or a gap: learning it again only refreshes its date); how
    many ties were used.  Ties a reviewer removed are not learned again."""
    words = question_words(question, common, people_names(conn))
    sections = sorted({(page_id, anchor) for page_id, anchor in cited if page_id})
    at, count = now(), 0
    with transaction(conn):
        for word in words:
            for page_id, anchor in sections:
                count += _use(conn, word, page_id, anchor, user_id, origin, at)
        _forget_old(conn, habits)
    return count


def _use(conn: sqlite3.Connection, word: Word, page_id: str, anchor: str, user_id: int,
         origin: str, at: float) -> int:
    key = (word.stem, page_id, anchor)
    if conn.execute("SELECT 1 FROM learned_removals WHERE stem = ? AND page_id = ? AND "
                    "anchor = ? LIMIT 1", key).fetchone():
        return 0
    conn.execute("INSERT INTO learned (stem, word, page_id, anchor) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT DO NOTHING", (word.stem, word.word, page_id, anchor))
    learned_id = conn.execute("SELECT id FROM learned WHERE stem = ? AND page_id = ? AND "
                              "anchor = ?", key).fetchone()["id"]
    conn.execute("INSERT INTO learned_uses (learned_id, user_id, origin, at) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT DO UPDATE SET at = excluded.at", (learned_id, user_id, origin, at))
    return 1


def learn_from_reply(conn: sqlite3.Connection, draft: Draft, body: str, common: Common | None,
                     habits: Habits) -> int:
    """A reply copied or sent for validation: its search's words → the sections it still
    links to (an agent may have deleted a proposed link before copying)."""
    cited = [(s.page_id, s.anchor) for s in draft.sections if s.url and s.url in body]
    return learn(conn, draft.query, draft.user_id, f"draft:{draft.id}", cited, common, habits)


def learn_from_gap(conn: sqlite3.Connection, gap_id: int, page_id: str, common: Common | None,
                   habits: Habits) -> int:
    """A gap closed by a page (an article published for it, or an indexed page an agent
    named): every question it gathered, each by the agent who asked it → that page."""
    count = 0
    for row in conn.execute("SELECT question, user_id FROM gap_hits WHERE gap_id = ?",
                            (gap_id,)).fetchall():
        count += learn(conn, row["question"], row["user_id"], f"gap:{gap_id}",
                       [(page_id, "")], common, habits)
    return count


def prior(conn: sqlite3.Connection, query: str, habits: Habits,
          weigh: Callable[[str], Mapping[str, float]] | None = None) -> dict[str, float]:
    """Page id → how strongly use ties the page to this question, from 0 to 1: the strength
    of its ties to the query's words (summed over its sections), averaged over those words,
    mapped by 1 − e^−x (one agent's fresh use of every word: 0.63); only pages tied to at least
    ``MIN_SHARED_SHARE`` of the words, each weighing what ``weigh`` gives (the query → stem →
    rarity in the documentation, ``SearchIndex.word_weights``, asked only when some word has
    been learned; 1 each without it).  Empty without use.
    Capitals do not matter here: a name was never learned, so it matches nothing."""
    words = question_words(query, lambda _word: True)
    if not words:
        return {}
    stems = [word.stem for word in words]
    rows = conn.execute(
        "SELECT l.stem, l.page_id, u.user_id, u.at FROM learned l "
        "JOIN learned_uses u ON u.learned_id = l.id "
        f"WHERE u.at >= ? AND l.stem IN ({', '.join('?' * len(stems))})",
        (now() - habits.keep_days * DAY, *stems)).fetchall()
    if not rows:
        return {}
    uses: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for row in rows:
        uses[(row["stem"], row["page_id"])].append((row["user_id"], row["at"]))
    weights = weigh(query) if weigh is not None else {}
    weight = {stem: weights.get(stem, 1.0) for stem in stems}
    evidence: dict[str, float] = defaultdict(float)
    shared: dict[str, float] = defaultdict(float)
    for (stem, page_id), tie in uses.items():
        evidence[page_id] += _strength(tie, habits) / len(words)
        shared[page_id] += weight[stem]
    whole = sum(weight.values())
    return {page_id: 1.0 - math.exp(-value) for page_id, value in evidence.items()
            if shared[page_id] >= MIN_SHARED_SHARE * whole}


def _strength(uses: Iterable[tuple[int, float]], habits: Habits) -> float:
    """Σ over agents of log2(1 + that agent's uses, each halved every half-life)."""
    decayed: dict[int, float] = defaultdict(float)
    at = now()
    for user_id, used_at in uses:
        age_days = max(at - used_at, 0.0) / DAY
        decayed[user_id] += 0.5 ** (age_days / habits.half_life_days)
    return sum(math.log2(1.0 + value) for value in decayed.values())


# Each tie with its use counts (a tie always has a use: one left without is deleted).
_TIES = ("SELECT l.id, l.stem, l.word, l.page_id, l.anchor, COUNT(*) AS uses, "
         "COUNT(DISTINCT u.user_id) AS agents, MAX(u.at) AS last_at FROM learned l "
         "JOIN learned_uses u ON u.learned_id = l.id ")


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(row["id"], row["word"], row["page_id"], row["anchor"], row["uses"],
                 row["agents"], row["last_at"])


def vocabulary(conn: sqlite3.Connection, limit: int = 1000) -> list[Entry]:
    """The learned ties, by word then page: how often, by how many agents, last used when."""
    rows = conn.execute(_TIES + "GROUP BY l.id ORDER BY l.word, l.page_id, l.anchor LIMIT ?",
                        (limit,)).fetchall()
    return [_entry(row) for row in rows]


def remove(conn: sqlite3.Connection, learned_id: int, reviewer_id: int) -> Entry | None:
    """Delete a tie and its uses, writing the removal to the audit log; the tie removed
    (None when there is no such tie)."""
    with transaction(conn):
        row = conn.execute(_TIES + "WHERE l.id = ? GROUP BY l.id", (learned_id,)).fetchone()
        if row is None:
            return None
        entry = _entry(row)
        conn.execute("INSERT INTO learned_removals (stem, word, page_id, anchor, uses, agents, "
                     "removed_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (row["stem"], entry.word, entry.page_id, entry.anchor, entry.uses,
                      entry.agents, reviewer_id, now()))
        conn.execute("DELETE FROM learned WHERE id = ?", (learned_id,))
    log.info("learned tie %s → %s#%s removed by user %d", entry.word, entry.page_id,
             entry.anchor, reviewer_id)
    return entry


def removals(conn: sqlite3.Connection, limit: int = 50) -> list[Removal]:
    """The audit log of removals, newest first."""
    rows = conn.execute(
        "SELECT r.*, u.name FROM learned_removals r LEFT JOIN users u ON u.id = r.removed_by "
        "ORDER BY r.at DESC, r.id DESC LIMIT ?", (limit,)).fetchall()
    return [Removal(row["word"], row["page_id"], row["anchor"], row["uses"], row["agents"],
                    row["name"] or "?", row["at"]) for row in rows]


def forget(conn: sqlite3.Connection, habits: Habits, indexed: Callable[[str], bool]) -> int:
    """Delete uses older than ``keep_days`` and the ties of pages no longer indexed (after a
    grace period); how many ties went."""
    with transaction(conn):
        gone = [row["page_id"] for row in conn.execute(
            "SELECT l.page_id FROM learned l JOIN learned_uses u ON u.learned_id = l.id "
            "GROUP BY l.page_id HAVING MAX(u.at) < ?", (now() - MISSING_PAGE_GRACE,))
            if not indexed(row["page_id"])]
        count = sum(conn.execute("DELETE FROM learned WHERE page_id = ?", (page_id,)).rowcount
                    for page_id in gone)
        count += _forget_old(conn, habits)
    if gone:
        log.info("learned ties of %d page(s) no longer indexed deleted", len(gone))
    return count


def _forget_old(conn: sqlite3.Connection, habits: Habits) -> int:
    """Delete the uses older than ``keep_days``, then the ties left without use."""
    conn.execute("DELETE FROM learned_uses WHERE at < ?", (now() - habits.keep_days * DAY,))
    return conn.execute("DELETE FROM learned WHERE id NOT IN "
                        "(SELECT learned_id FROM learned_uses)").rowcount
