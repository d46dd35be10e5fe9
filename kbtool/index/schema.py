"""The index schema, in one place: one Whoosh document per section of a page.

Sections are what users land on (deep links), so they are the unit of indexing; pages are
rebuilt from them at search time by grouping on ``PAGE_ID``.  What describes the whole page (its
title, its DokuWiki tags and its name) is indexed once, on its first section, and the ranking
lends it to every section of the page.
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kbtool.index.analysis import stem_analyzer, words_analyzer

KEY = "key"                  # page_id + "#" + section number: unique
PAGE_ID = "page_id"
PAGE_VERSION = "page_version"  # page_id + SEP + version, on section 0 only: cheap listing
SOURCE = "source"
NAMESPACES = "namespaces"    # the namespace and all its parents, for filters
NAMESPACE = "namespace"
URL = "url"
ANCHOR = "anchor"
SECTION_NO = "section_no"
MODIFIED = "modified"
PAGE_TITLE = "page_title"   # stored on every section, for display
TAGS = "tags"               # stored on the first section (to rebuild the page)
LINKS = "links"             # first section: page ids the page links to (see ranking.PageTable)
REDIRECT = "redirect"       # a skipped redirect: the page id its name (LABELS) describes
SYNONYMS = "synonyms"       # pairs of names the section's text gives (see kbtool.index.seeds)
TITLE = "title"             # first section only, like TITLE_WORDS and LABELS
TITLE_WORDS = "title_words"
LABELS = "labels"           # tags and page name: what the page is about
HEADING = "heading"
HEADING_WORDS = "heading_words"
BODY = "body"
BODY_WORDS = "body_words"

SEP = "\x1f"
SKIPPED_SUFFIX = "#skipped"  # KEY of a page remembered as skipped (a redirect), not a result


def make_schema() -> Schema:
    """A fresh schema (analyzers are instances: each schema gets its own)."""
    stem, words = stem_analyzer(), words_analyzer()
    return Schema(**{
        KEY: ID(unique=True, stored=True),
        PAGE_ID: ID(stored=True),
        PAGE_VERSION: ID(),
        SOURCE: ID(stored=True),
        NAMESPACES: KEYWORD(commas=False, lowercase=False),
        NAMESPACE: STORED(),
        URL: STORED(),
        ANCHOR: STORED(),
        SECTION_NO: NUMERIC(stored=True),
        MODIFIED: STORED(),
        PAGE_TITLE: STORED(),
        TAGS: STORED(),
        LINKS: KEYWORD(stored=True, lowercase=False, scorable=False),
        REDIRECT: ID(stored=True),
        SYNONYMS: KEYWORD(commas=True, lowercase=False, scorable=False),
        TITLE: TEXT(analyzer=stem, phrase=False),
        LABELS: TEXT(analyzer=stem, phrase=False),
        TITLE_WORDS: TEXT(analyzer=words, phrase=False),
        HEADING: TEXT(analyzer=stem, stored=True, phrase=False),
        HEADING_WORDS: TEXT(analyzer=words, phrase=False),
        BODY: TEXT(analyzer=stem, stored=True, phrase=False),
        BODY_WORDS: TEXT(analyzer=words, phrase=False),
    })
