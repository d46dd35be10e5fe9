"""What a cited section said when it was cited, and what has become of it in the index since.

The wiki is edited behind kbtool's back: a section a reply, an article or a closed gap relies on
may be rewritten, renamed or deleted.  So when a section is cited, its text is kept (a
*fingerprint*, keyed by the index's page id and the anchor, or by the page id alone for a whole
page), and later compared with what the index holds now:

* unchanged, or edited lightly: still good;
* the anchor or the page is gone but the same text is now elsewhere: *moved* there (a renamed
  heading, a renamed page);
* gone: neither the anchor nor the text is anywhere;
* edited heavily: the text's similarity to the cited one is below ``HEAVY_CHANGE``.

Similarity is the Jaccard index of the two texts' word pairs (2-word shingles of the folded,
lower-cased words): word pairs keep some order, so a reworded sentence counts, while a typo or an
added sentence in a paragraph changes only a few pairs.  ``HEAVY_CHANGE`` is justified by the table
of small and heavy edits in tests/knowledge/test_citations.py.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from kbtool.index.analysis import fold_accents
from kbtool.index.reading import SearchIndex
from kbtool.index.results import IndexedSection
from kbtool.knowledge.reply import ChosenSection
from kbtool.store import now

SHINGLE_WORDS = 2
# Below this similarity a section changed heavily (small edits score 0.6 and above, rewrites
# 0.35 and below in the test table).
HEAVY_CHANGE = 0.5
MAX_TEXT = 50_000          # characters of a cited text kept (a section is far shorter)
MOVE_CANDIDATES = 5        # pages searched for a vanished section's text
MOVE_QUERY_WORDS = 30      # words of that text searched for

OK, CHANGED, MOVED = "ok", "changed", "moved"
SECTION_GONE, PAGE_GONE = "section gone", "page gone"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Cited:
    """A section (or a whole page) as it was when cited or last verified."""

    id: int
    page_id: str
    anchor: str
    whole_page: bool
    page_title: str
    heading: str
    url: str
    text: str
    digest: str
    verified_at: float
    accepted: str          # the finding a reviewer accepted as it is ('' when none)

    @property
    def label(self) -> str:
        """« Page – Section », or the page title alone for a page or its untitled start."""
        return ChosenSection(self.page_title, "" if self.whole_page else self.heading,
                             self.url).label


@dataclass(frozen=True)
class Place:
    """Where a cited text is now: a section, or a page for a whole-page citation."""

    page_id: str
    anchor: str
    label: str
    url: str


@dataclass(frozen=True)
class Finding:
    """What became of a cited text: a status, how much of it is left, where it went."""

    status: str
    similarity: float = 1.0
    moved_to: Place | None = None

    @property
    def key(self) -> str:
        """The finding in a few words, what a reviewer's "checked" accepts (a move names
        where to)."""
        where = f" {self.moved_to.page_id}#{self.moved_to.anchor}" if self.moved_to else ""
        return f"{self.status}{where}"


def words(text: str) -> list[str]:
    """The text's words, folded and lower-cased (what comparing texts looks at)."""
    return _WORD.findall(fold_accents(text).casefold())


def shingles(text: str) -> set[tuple[str, ...]]:
    """The text's runs of ``SHINGLE_WORDS`` consecutive words (the words alone when fewer)."""
    found = words(text)
    if len(found) < SHINGLE_WORDS:
        return {tuple(found)} if found else set()
    return {tuple(found[i:i + SHINGLE_WORDS]) for i in range(len(found) - SHINGLE_WORDS + 1)}


def similarity(old: str, new: str) -> float:
    """Jaccard index of the two texts' shingles: 1.0 same words in the same order, 0.0 none
    shared (two empty texts are the same)."""
    a, b = shingles(old), shingles(new)
    return len(a & b) / len(a | b) if a | b else 1.0


def digest(text: str) -> str:
    """A hash of the text's words: spacing and case changes are no change."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


def page_text(sections: Iterable[IndexedSection]) -> str:
    """A whole page's text: each heading followed by its section."""
    return "\n".join(f"{s.heading}\n{s.text}" for s in sections)


def _row(row: sqlite3.Row) -> Cited:
    return Cited(id=row["id"], page_id=row["page_id"], anchor=row["anchor"],
                 whole_page=bool(row["whole_page"]), page_title=row["page_title"],
                 heading=row["heading"], url=row["url"], text=row["text"], digest=row["digest"],
                 verified_at=row["verified_at"], accepted=row["accepted"])


def find(conn: sqlite3.Connection, page_id: str, anchor: str, whole_page: bool) -> Cited | None:
    """The kept text of that section or page, if it was ever cited."""
    row = conn.execute("SELECT * FROM cited_sections WHERE page_id = ? AND anchor = ? AND "
                       "whole_page = ?", (page_id, anchor, int(whole_page))).fetchone()
    return _row(row) if row else None


def get(conn: sqlite3.Connection, cited_id: int) -> Cited | None:
    """One kept text by its id."""
    row = conn.execute("SELECT * FROM cited_sections WHERE id = ?", (cited_id,)).fetchone()
    return _row(row) if row else None


def keep(conn: sqlite3.Connection, page_id: str, anchor: str, whole_page: bool, *,
         page_title: str, heading: str, url: str, text: str, fresh: bool = False) -> Cited:
    """Keep the text of a cited section, unless one is kept already: the first citation's text
    stays the reference until a reviewer checks the section again (``verification.reverify``)
    or kbtool itself writes it anew (``fresh``: an article just published)."""
    on_conflict = ("DO UPDATE SET page_title = excluded.page_title, heading = excluded.heading, "
                   "url = excluded.url, text = excluded.text, digest = excluded.digest, "
                   "verified_at = excluded.verified_at, accepted = ''" if fresh else "DO NOTHING")
    conn.execute(
        "INSERT INTO cited_sections (page_id, anchor, whole_page, page_title, heading, url, text, "
        "digest, verified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (page_id, anchor, "
        f"whole_page) {on_conflict}",
        (page_id, anchor, int(whole_page), page_title, heading, url, text[:MAX_TEXT],
         digest(text), now()))
    kept = find(conn, page_id, anchor, whole_page)
    assert kept is not None
    return kept


def keep_sections(conn: sqlite3.Connection, searcher: SearchIndex,
                  sections: Iterable[ChosenSection]) -> None:
    """Keep the indexed text of each section a reply cites (drafts older than page ids have
    none to keep; one no longer indexed is kept by the next check, as gone)."""
    for chosen in sections:
        text = searcher.section_text(chosen.page_id, chosen.anchor) if chosen.page_id else None
        if text is not None:
            keep(conn, chosen.page_id, chosen.anchor, False, page_title=chosen.page_title,
                 heading=chosen.heading, url=chosen.url, text=text)


def keep_page(conn: sqlite3.Connection, searcher: SearchIndex, page_id: str,
              title: str = "", fresh: bool = False) -> Cited:
    """Keep the indexed text of a whole page cited (an article's page, a gap's answer)."""
    sections = searcher.page_sections(page_id)
    url = ""
    if sections:
        title, url = sections[0].page_title, sections[0].url.split("#", 1)[0]
    return keep(conn, page_id, "", True, page_title=title, heading="", url=url,
                text=page_text(sections), fresh=fresh)


def current_text(searcher: SearchIndex, cited: Cited) -> str | None:
    """The text of the cited section or page in the index now (None when it is not there)."""
    if cited.whole_page:
        sections = searcher.page_sections(cited.page_id)
        return page_text(sections) if sections else None
    return searcher.section_text(cited.page_id, cited.anchor)


def examine(searcher: SearchIndex, cited: Cited) -> Finding:
    """What became of a cited text in the index (see the module's docstring)."""
    text = current_text(searcher, cited)
    if text is not None:
        if digest(text) == cited.digest:
            return Finding(OK)
        score = similarity(cited.text, text)
        return Finding(OK if score >= HEAVY_CHANGE else CHANGED, score)
    elsewhere = locate(searcher, cited)
    if elsewhere is not None:
        return Finding(MOVED, similarity(cited.text, _text_of(searcher, cited, elsewhere)),
                       _place(elsewhere, cited.whole_page))
    gone = cited.whole_page or not searcher.page_sections(cited.page_id)
    return Finding(PAGE_GONE if gone else SECTION_GONE, 0.0)


def locate(searcher: SearchIndex, cited: Cited) -> IndexedSection | None:
    """Where the cited text is now, under another anchor or page: the closest candidate at or
    above ``HEAVY_CHANGE`` among the same page's sections and the pages its words find."""
    found = words(cited.text)
    if not found:
        return None
    pages = [hit.page_id for hit in searcher.search(" ".join(found[:MOVE_QUERY_WORDS]),
                                                    limit=MOVE_CANDIDATES).hits]
    if not cited.whole_page:
        pages.insert(0, cited.page_id)
    best, best_score = None, HEAVY_CHANGE
    for candidate in _candidates(searcher, cited, dict.fromkeys(pages)):
        score = similarity(cited.text, _text_of(searcher, cited, candidate))
        if score >= best_score:
            best, best_score = candidate, score
    return best


def _candidates(searcher: SearchIndex, cited: Cited,
                pages: Iterable[str]) -> Iterable[IndexedSection]:
    """The sections (or first sections, standing for their pages) where the text may be now."""
    for page_id in pages:
        sections = searcher.page_sections(page_id)
        if cited.whole_page:
            if sections and page_id != cited.page_id:
                yield sections[0]
            continue
        yield from (s for s in sections if (s.page_id, s.anchor) != (cited.page_id, cited.anchor))


def _text_of(searcher: SearchIndex, cited: Cited, place: IndexedSection) -> str:
    """The text at a candidate place, as much of it as the citation covers."""
    return page_text(searcher.page_sections(place.page_id)) if cited.whole_page else place.text


def _place(section: IndexedSection, whole_page: bool) -> Place:
    if whole_page:
        return Place(section.page_id, "", section.page_title, section.url.split("#", 1)[0])
    label = ChosenSection(section.page_title, section.heading, section.url).label
    return Place(section.page_id, section.anchor, label, section.url)
