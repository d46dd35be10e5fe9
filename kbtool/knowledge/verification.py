"""Knowledge that stays true: what reviewers must check again after the wiki changed.

Two lists for the reviewers' dashboard:

* sections to re-verify: every section (or whole page) cited by a reply draft edited in the last
  ``knowledge.recent_days``, by a published article (its own page) or by a gap closed with a page
  or an article, whose text changed heavily, moved or disappeared since it was cited (see
  :mod:`kbtool.knowledge.citations`), with the texts that cite it;
* articles to verify: published articles not verified for ``knowledge.verify_after_months`` and
  still cited by a recent reply or a closed gap.

Comparing with the index is done once per index version and section: each finding is cached in
``section_checks`` under the index version and the kept text's digest, so showing the dashboard
again costs a few queries until a reindex or a reviewer's "Vérifié" changes one of them.  A
section cited before texts were kept (or while the index was missing) gets its current text kept
at its first check.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from kbtool.config import Config, ConfigError
from kbtool.index.reading import SearchIndex
from kbtool.knowledge import articles, citations
from kbtool.knowledge.articles import Article
from kbtool.knowledge.citations import Cited, Finding, Place
from kbtool.knowledge.reply import ChosenSection
from kbtool.store import now, transaction
from kbtool.wiki.ids import page_id_for
from kbtool.wiki.site import wiki_source

log = logging.getLogger(__name__)

DAY = 24 * 3600
MONTH = 365.25 / 12 * DAY
DRAFT, ARTICLE, GAP = "draft", "article", "gap"

Key = tuple[str, str, bool]   # page id, anchor, whole page


@dataclass(frozen=True)
class Citer:
    """A text that cites a section: a reply draft, a published article or a closed gap."""

    kind: str
    id: int
    label: str              # the draft's question, the article's title, the gap's question
    who: str                # the agent, the author, who closed the gap
    at: float               # last edited, published, closed
    validation_id: int | None = None   # a draft's latest validation request, for reviewers
    # How the text named the section (a draft's title, heading and link): what to call it if it
    # is gone before its text could be kept.
    named: ChosenSection | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ToReverify:
    """A cited section that changed, moved or vanished, and the texts that cite it."""

    cited: Cited
    finding: Finding
    citers: tuple[Citer, ...]


@dataclass(frozen=True)
class ArticleDue:
    """A published article not verified for too long and still cited."""

    article: Article
    citers: tuple[Citer, ...]


@dataclass(frozen=True)
class Report:
    """Both lists of the dashboard."""

    sections: tuple[ToReverify, ...]
    articles: tuple[ArticleDue, ...]


def _wiki_name(config: Config) -> str:
    """The name of the wiki source articles are published to ('' when none is set)."""
    try:
        return wiki_source(config).name
    except ConfigError:
        return ""


def check(conn: sqlite3.Connection, searcher: SearchIndex, config: Config,
          at: float | None = None) -> Report:
    """What reviewers must check again, as of ``at`` (now by default) and the current index."""
    at = now() if at is None else at
    wiki = _wiki_name(config)
    cited = _citations(conn, wiki, at - config.get("knowledge.recent_days") * DAY)
    version = searcher.version()
    items = []
    with transaction(conn):
        for key, citers in cited.items():
            kept = citations.find(conn, *key) or _keep_now(conn, searcher, key, citers)
            finding = _finding(conn, searcher, kept, version)
            if finding.status != citations.OK and finding.key != kept.accepted:
                items.append(ToReverify(kept, finding, tuple(citers)))
    due = _articles_due(conn, cited, wiki, at - config.get("knowledge.verify_after_months")
                        * MONTH)
    return Report(tuple(sorted(items, key=lambda item: -max(c.at for c in item.citers))), due)


def _keep_now(conn: sqlite3.Connection, searcher: SearchIndex, key: Key,
              citers: list[Citer]) -> Cited:
    """The text a citation made before texts were kept relies on: the current one (none when
    it is gone already, named as the citing text named it)."""
    page_id, anchor, whole_page = key
    named = next((c.named for c in citers if c.named), ChosenSection(page_id, anchor, ""))
    if whole_page:
        return citations.keep_page(conn, searcher, page_id, title=named.page_title)
    section = next((s for s in searcher.page_sections(page_id) if s.anchor == anchor), None)
    if section is not None:
        named = ChosenSection(section.page_title, section.heading, section.url)
    return citations.keep(conn, page_id, anchor, False, page_title=named.page_title,
                          heading=named.heading, url=named.url,
                          text=section.text if section else "")


def _finding(conn: sqlite3.Connection, searcher: SearchIndex, kept: Cited,
             version: str) -> Finding:
    """The cached finding for this index version and kept text, or a new one (then cached)."""
    row = conn.execute("SELECT * FROM section_checks WHERE cited_id = ? AND index_version = ? "
                       "AND digest = ?", (kept.id, version, kept.digest)).fetchone()
    if row is not None:
        moved = Place(row["target_page_id"], row["target_anchor"], row["target_label"],
                      row["target_url"]) if row["target_page_id"] else None
        return Finding(row["status"], row["similarity"], moved)
    finding = citations.examine(searcher, kept)
    moved = finding.moved_to or Place("", "", "", "")
    conn.execute("INSERT OR REPLACE INTO section_checks (cited_id, index_version, digest, status, "
                 "similarity, target_page_id, target_anchor, target_label, target_url) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (kept.id, version, kept.digest, finding.status, finding.similarity,
                  moved.page_id, moved.anchor, moved.label, moved.url))
    if finding.status != citations.OK:
        log.info("cited %s#%s: %s", kept.page_id, kept.anchor, finding.key)
    return finding


def _citations(conn: sqlite3.Connection, wiki: str, since: float) -> dict[Key, list[Citer]]:
    """Every cited section or page → the texts citing it: drafts edited since ``since``,
    published articles and gaps closed with a page or an article."""
    cited: dict[Key, list[Citer]] = defaultdict(list)
    for row in conn.execute(
            "SELECT d.id, d.query, d.sections, d.updated_at, u.name, (SELECT MAX(v.id) FROM "
            "validations v WHERE v.draft_id = d.id) AS validation_id FROM drafts d "
            "JOIN users u ON u.id = d.user_id WHERE d.updated_at >= ? ORDER BY d.updated_at",
            (since,)):
        for section in json.loads(row["sections"]):
            chosen = ChosenSection(*section)
            if chosen.page_id:
                cited[(chosen.page_id, chosen.anchor, False)].append(Citer(
                    DRAFT, row["id"], row["query"], row["name"], row["updated_at"],
                    row["validation_id"], chosen))
    if wiki:
        for row in conn.execute("SELECT a.id, a.title, a.page_id, a.published_at, u.name FROM "
                                "articles a JOIN users u ON u.id = a.author_id WHERE a.status = ?",
                                (articles.PUBLISHED,)):
            cited[(page_id_for(wiki, row["page_id"]), "", True)].append(
                Citer(ARTICLE, row["id"], row["title"], row["name"], row["published_at"],
                      named=ChosenSection(row["title"], "", "")))
    for row in conn.execute("SELECT g.id, g.question, g.closed_how, g.closed_detail, g.closed_at, "
                            "u.name FROM gaps g JOIN users u ON u.id = g.closed_by WHERE "
                            "g.status = 'closed' AND g.closed_how IN ('page', 'article')"):
        page_id = row["closed_detail"]
        if row["closed_how"] == "article":
            if not wiki:
                continue
            page_id = page_id_for(wiki, page_id)
        cited[(page_id, "", True)].append(
            Citer(GAP, row["id"], row["question"], row["name"], row["closed_at"]))
    return cited


def _articles_due(conn: sqlite3.Connection, cited: dict[Key, list[Citer]], wiki: str,
                  verified_before: float) -> tuple[ArticleDue, ...]:
    """Published articles verified before ``verified_before`` that replies or gaps still cite."""
    if not wiki:
        return ()
    by_page: dict[str, list[Citer]] = defaultdict(list)
    for (page_id, _anchor, _whole), citers in cited.items():
        by_page[page_id] += [c for c in citers if c.kind != ARTICLE]
    due = []
    for article in articles.published_verified_before(conn, verified_before):
        citers = by_page.get(page_id_for(wiki, article.page_id))
        if citers:
            due.append(ArticleDue(article, tuple(dict.fromkeys(citers))))
    return tuple(due)


def reverify(conn: sqlite3.Connection, searcher: SearchIndex, cited: Cited, user_id: int) -> None:
    """A reviewer checked the texts citing this section: its current text becomes the
    reference; when it has no text any more (moved, gone), that finding is accepted as it is."""
    text = citations.current_text(searcher, cited)
    with transaction(conn):
        if text is not None:
            conn.execute("UPDATE cited_sections SET text = ?, digest = ?, accepted = '', "
                         "verified_at = ?, verified_by = ? WHERE id = ?",
                         (text[:citations.MAX_TEXT], citations.digest(text), now(), user_id,
                          cited.id))
        else:
            conn.execute("UPDATE cited_sections SET accepted = ?, verified_at = ?, "
                         "verified_by = ? WHERE id = ?",
                         (citations.examine(searcher, cited).key, now(), user_id, cited.id))
        conn.execute("DELETE FROM section_checks WHERE cited_id = ?", (cited.id,))
    log.info("cited %s#%s verified by user %d", cited.page_id, cited.anchor, user_id)


@dataclass(frozen=True)
class Relink:
    """A section of a draft whose anchor is gone: what the draft links to instead (None when
    nothing is left to link to), and why, in French for the agent."""

    old: ChosenSection
    new: ChosenSection | None
    message: str


def relinks(conn: sqlite3.Connection, searcher: SearchIndex,
            sections: tuple[ChosenSection, ...]) -> list[Relink]:
    """For each section of a draft whose anchor is no longer in the index: the section its text
    moved to, or else its page, or else nothing (the page is gone)."""
    found = []
    for chosen in sections:
        relink = _relink(conn, searcher, chosen)
        if relink is not None:
            found.append(relink)
    return found


def _relink(conn: sqlite3.Connection, searcher: SearchIndex,
            chosen: ChosenSection) -> Relink | None:
    if not chosen.page_id:
        return None
    sections = searcher.page_sections(chosen.page_id)
    if any(s.anchor == chosen.anchor for s in sections):
        return None
    kept = citations.find(conn, chosen.page_id, chosen.anchor, False)
    moved = citations.locate(searcher, kept) if kept else None
    if moved is not None:
        new = ChosenSection(moved.page_title, moved.heading, moved.url, moved.page_id,
                            moved.anchor)
        return Relink(chosen, new, f"La section « {chosen.label} » a été déplacée : le lien "
                                   f"mène maintenant à « {new.label} ».")
    if sections:
        first = sections[0]
        new = ChosenSection(first.page_title, "", first.url, first.page_id, first.anchor)
        return Relink(chosen, new, f"La section « {chosen.label} » n'existe plus : le lien mène "
                                   f"maintenant à la page « {first.page_title} ».")
    return Relink(chosen, None, f"La page « {chosen.label} » n'existe plus dans la "
                                "documentation : retirez ce lien de la réponse ou remplacez-le.")
