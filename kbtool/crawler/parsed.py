"""What a format parser (DokuWiki syntax, HTML, Markdown, PDF) makes of one page's content.

Parsers know nothing of sources: a source turns a ParsedPage into a Document by adding the page's
identity, URL and version.  The same parser therefore serves a DokuWiki read from disk and one
read over HTTP, a documentation folder and a documentation web site.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbtool.documents import Section


@dataclass(frozen=True)
class ParsedPage:
    """Title, sections and side facts found in one page's content.

    ``redirect`` is the target of a redirect-only page; ``links`` are the outgoing links:
    as written (absolute or relative) in HTML, for crawlers that follow them; as the page ids
    they lead to in DokuWiki markup, for the ranking (see ``Document.links``).
    """

    title: str
    sections: tuple[Section, ...]
    tags: tuple[str, ...] = ()
    redirect: str | None = None
    links: tuple[str, ...] = ()
