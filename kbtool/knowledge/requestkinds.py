"""The kind of a customer's request, and what it changes: which sources to search, which pages
are known problems, where a mailing return's procedure is.

Flask-free so it is tested as tables.  Nothing here names a source: the wiki and the
documentation are told apart by the sources' configured ``kind`` (``WIKI_SOURCE_KINDS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbtool.config import Config, SourceConfig
from kbtool.index.results import PageHit
from kbtool.wiki.ids import page_url

WIKI_SOURCE_KINDS = ("dokuwiki", "dokuwiki-dir")
DOCUMENTATION_SOURCE_KINDS = ("folder", "website")


@dataclass(frozen=True)
class RequestKind:
    """One kind of request: its id (the URL's ``kind``), French label and shortcut key."""

    id: str
    label: str
    key: str
    source_kinds: tuple[str, ...] = ()
    reported: bool = False  # handled by a report to the developers (/signalement)


KINDS: tuple[RequestKind, ...] = (
    RequestKind("fonction", "Question fonctionnelle", "1", source_kinds=WIKI_SOURCE_KINDS),
    RequestKind("compta", "Question comptable", "2", source_kinds=DOCUMENTATION_SOURCE_KINDS),
    RequestKind("bug", "Bogue ou évolution", "3", reported=True),
    RequestKind("manque", "Éléments manquants", "4", reported=True),
    RequestKind("mailing", "Retour de mailing", "5"),
)
BY_ID = {kind.id: kind for kind in KINDS}
BUG = BY_ID["bug"]

# ``ERR-4012``, ``E-12``: letters, a dash, digits.
ERROR_CODE = re.compile(r"\b[A-Za-z]{1,5}-\d{2,6}\b")
BUG_WORDS = re.compile(r"\b(plant\w*|bug\w*|bogue\w*|crash\w*|messages? d['’]erreur)",
                       re.IGNORECASE)


def guess(query: str) -> RequestKind | None:
    """The kind a query suggests: a bug for an error code or words such as « plante »."""
    if ERROR_CODE.search(query) or BUG_WORDS.search(query):
        return BUG
    return None


def error_codes(text: str) -> frozenset[str]:
    """The error codes a text holds, upper-cased: ``err-4012`` → ``ERR-4012``."""
    return frozenset(code.upper() for code in ERROR_CODE.findall(text))


def default_sources(kind: RequestKind | None,
                    sources: tuple[SourceConfig, ...]) -> tuple[str, ...]:
    """The sources a kind searches by default (none: every source)."""
    if kind is None or not kind.source_kinds:
        return ()
    return tuple(s.name for s in sources if s.kind in kind.source_kinds)


def is_known_problem(page: PageHit, codes: frozenset[str], namespace: str) -> bool:
    """True for a page of the known-problems namespace, or naming one of the query's codes."""
    in_namespace = page.namespace == namespace or page.namespace.startswith(namespace + ":")
    return bool(namespace) and in_namespace or names_code(page, codes)


def names_code(page: PageHit, codes: frozenset[str]) -> bool:
    """True when the page's title or id holds one of these error codes."""
    return bool(codes & error_codes(f"{page.title} {page.page_id.replace('/', ' ')}"))


def wiki_page_url(config: Config, wiki_id: str) -> str:
    """Public URL of a wiki page named by its id ('' when no wiki source has a public URL):
    the wiki of ``web.wiki_source``, else the first wiki source configured."""
    wikis = [s for s in config.sources if s.kind in WIKI_SOURCE_KINDS]
    named = [s for s in wikis if s.name == config.get("web.wiki_source")]
    for source in named + wikis:
        base = source.get("url") if source.kind == "dokuwiki" else source.get("base_url")
        if base:
            return page_url(base, wiki_id)
    return ""
