"""DokuWiki markup → plain sections with DokuWiki's own anchors, for indexing and deep links.

This is not a renderer: it keeps what a support agent searches for and reads in a snippet
(the words, the labels of links, the commands in ``<code>`` blocks) and drops the markup.
It follows DokuWiki's lexer where that changes the result (what is a heading, which blocks are
verbatim, which tags exist), and never raises: syntax that is not closed stays as text, as in
DokuWiki.  Every regex is compiled once; the 4,347-page test wiki parses in a few seconds.

    ====== Graver ======\\n**Brasero** : [[apt>brasero]]\\n<code>sudo apt install k3b</code>
    → Section("Graver", "graver", "Brasero : brasero\\nsudo apt install k3b", level=1)
"""

from __future__ import annotations

import re

from kbtool.wiki.ids import (clean_id, page_id_for, page_url, resolve_link,
                                         section_id, wiki_id_from_path)
from kbtool.crawler.parsed import ParsedPage
from kbtool.documents import Document, Section

__all__ = ["parse_dokuwiki", "clean_id", "section_id", "page_url", "wiki_id_from_path"]

# Blocks whose content is not wiki syntax, and headings.  As in DokuWiki's lexer (which also
# wraps the page in newlines), a block only opens when it is closed later, a heading is a line
# ``==…==``, and preformatted lines start with two spaces or a tab but are not list items.
# The leading look-ahead lets the regex engine skip quickly to the next candidate character, and
# a heading's line is first checked for ``==`` in one pass (halves the scan: most lines are not
# headings, and the lazy ``before`` would try the heading at each of their characters).
_PRE_LINE = r"(?:  |\t)(?![ \t]*[*-])[^\n]*"
_BLOCKS = re.compile(
    r"(?=[<%\n])(?:"
    r"<(?P<ctag>code|file)\b[^>]*>(?P<code>.*?)</(?P=ctag)>"
    r"|(?P<drop><(?P<dtag>html|HTML|php|PHP)>.*?</(?P=dtag)>)"
    r"|<nowiki>(?P<nowiki>.*?)</nowiki>|%%(?P<percent>.*?)%%"
    r"|\n(?![|^>]|  |\t)(?=[^\n]*==)"
    r"(?P<before>[^\n]*?)(?P<heading>[ \t]*={2,}[^\n]+={2,}[ \t]*)(?=\n)"
    rf"|\n(?P<pre>{_PRE_LINE}(?:\n{_PRE_LINE})*))",
    re.DOTALL,
)
_PRE_INDENT = re.compile(r"^(?:  |\t)", re.MULTILINE)

_MEDIA = re.compile(r"\{\{((?:[^}]|\}[^}])+)\}\}")
_PLUGIN_CALL = re.compile(r"\s*([\w-]+)>(.*)", re.DOTALL)
_LINK = re.compile(r"\[\[(.*?)\]\](?!\])", re.DOTALL)
_INTERWIKI = re.compile(r"[a-zA-Z0-9.]+>(.*)", re.DOTALL)
_EXTERNAL = re.compile(r"[a-z][a-z0-9+.-]*://|mailto:|\\\\|[^\s/]+@[^\s/]+$", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\(\((.*?)\)\)", re.DOTALL)
_MACRO = re.compile(r"~~([A-Z][A-Z_]*)(?:([:>])([^~\n]*))?~~")
# The rest of a bare URL is matched only to be kept whole: its ``//`` is not emphasis.  (The
# look-ahead names every alternative's first character, for a quick skip to the next one.)
_FORMATTING = re.compile(
    r"(?=[*/_'<:])(?:\*\*|//|__|''|(?P<url>://[^\s\[\]|]*)"
    r"|</?(?:note|box|wrap|WRAP|del|sub|sup|hidden|well|color)\b[^>\n]*>)"
)
_LINEBREAK = re.compile(r"\\\\(?=[ \t\n]|\Z)")
_RULE = re.compile(r"\n[ \t]*-{4,}[ \t]*(?![^\n])")
_TABLE_ROW = re.compile(r"\n[|^][^\n]*")
_TABLE_CELL = re.compile(r"[ \t]*(?::::[ \t]*)?[|^][ \t]*")
_LIST_ITEM = re.compile(r"\n(?: {2,}|\t+)[*-][ \t]*")
_QUOTE = re.compile(r"\n>+[ \t]?")
_SPACES = re.compile(r" [ \t]+|\t[ \t]*")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


class _PageBuilder:
    """Collects sections, tags, links and the redirect while the page is scanned once."""

    def __init__(self, wiki_id: str) -> None:
        self.wiki_id = wiki_id
        self.sections: list[Section] = []
        self.heading, self.anchor, self.level = "", "", 1
        self.parts: list[str] = []
        self.anchors: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self.redirect: str | None = None

    def start_section(self, heading: str, level: int) -> None:
        self.close_section()
        self.heading, self.level = heading, level
        self.anchor = section_id(heading, self.anchors)

    def close_section(self) -> None:
        text = _BLANK_LINES.sub("\n", "".join(self.parts)).strip()
        if text or self.heading:
            self.sections.append(Section(self.heading, self.anchor, text, self.level))
        self.parts = []

    def add_verbatim(self, text: str) -> None:
        """A code block or preformatted run: its own lines, content untouched."""
        self.parts.append("\n" + text.strip("\n") + "\n")

    def add_literal(self, text: str) -> None:
        """``<nowiki>``/``%%`` text: shown as written, inside the running paragraph."""
        self.parts.append(text)

    def add_markup(self, text: str) -> None:
        self.parts.append(self._plain(text))

    def _plain(self, text: str) -> str:
        text = _MEDIA.sub(self._media, text)
        text = _LINK.sub(self._link, text)
        text = _FOOTNOTE.sub(r" \1 ", text)
        text = _MACRO.sub(self._macro, text)
        text = _FORMATTING.sub(_keep_url, text)
        text = _TABLE_ROW.sub(_table_row, _RULE.sub("\n", text))
        text = _LINEBREAK.sub("\n", text)
        text = _QUOTE.sub("\n", _LIST_ITEM.sub("\n", text))
        return _SPACES.sub(" ", text).replace(" \n", "\n").replace("\n ", "\n")

    def _media(self, match: re.Match[str]) -> str:
        """``{{tag>a b}}`` feeds the tags, other plugin calls vanish, media leave their caption."""
        body = match.group(1)
        plugin = _PLUGIN_CALL.fullmatch(body)
        if plugin:
            if plugin.group(1) == "tag":
                self._add_tags(plugin.group(2).split())
            return ""
        return body.partition("|")[2].strip()

    def _link(self, match: re.Match[str]) -> str:
        """``[[target|label]]`` → the label, else the interwiki name, URL or page name."""
        target, _, label = match.group(1).partition("|")
        target, label = target.strip(), label.strip()
        interwiki = _INTERWIKI.fullmatch(target)
        if interwiki:
            return label or interwiki.group(1)
        if _EXTERNAL.match(target):
            return label or target
        self._add_link(target)
        return label or _link_name(target)

    def _add_tags(self, tags: list[str]) -> None:
        for tag in tags:
            if tag.lower() not in self.tags:
                self.tags.append(tag.lower())

    def _add_link(self, target: str) -> None:
        """Record the page id a link leads to (not the page itself: ``[[#section]]``)."""
        page = resolve_link(self.wiki_id, target.split("?", 1)[0])
        if page and page != self.wiki_id and page not in self.links:
            self.links.append(page)

    def _macro(self, match: re.Match[str]) -> str:
        if match.group(1) == "REDIRECT" and match.group(2) == ">" and match.group(3).strip():
            self.redirect = match.group(3).strip()
        return ""


def _link_name(target: str) -> str:
    """What a link without label shows: the page's own name (``ns:my_page#x`` → ``my page``)."""
    page, _, anchor = target.partition("#")
    name = page.split("?", 1)[0].rstrip(":").rpartition(":")[2] or anchor
    return name.replace("_", " ").strip()


def _keep_url(match: re.Match[str]) -> str:
    return match.group("url") or ""


def _table_row(match: re.Match[str]) -> str:
    """``^ a ^ b ^`` / ``| a | b |`` → ``a b`` (``:::`` row-span markers dropped)."""
    return "\n" + _TABLE_CELL.sub(" ", match.group(0)).strip()


def _heading(line: str) -> tuple[str, int]:
    """Title and level of a heading line, as DokuWiki's handler reads them (6 ``=`` → 1)."""
    line = line.strip()
    level = max(1, 7 - (len(line) - len(line.lstrip("="))))
    return line.strip("=").strip(), level


# C0 control characters other than tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def parse_dokuwiki(text: str, wiki_id: str = "") -> ParsedPage:
    """Split a page's DokuWiki source into plain-text sections; ``wiki_id`` gives the title of
    a page without heading (DokuWiki's ``useheading``: the first heading, else the page name).

    Control characters (pasted terminal output) are dropped: they carry no text, and Igor's
    XML-RPC cannot carry them at all, so a page reads the same from disk and over either API."""
    text = _CONTROL.sub("", text)
    text = "\n" + text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    page = _PageBuilder(wiki_id)
    title = ""
    position = 0
    for match in _BLOCKS.finditer(text):
        page.add_markup(text[position:match.start()])
        position = match.end()
        kind = match.lastgroup
        if kind == "heading":
            page.add_markup(match.group("before"))
            heading, level = _heading(match.group("heading"))
            if heading:
                title = title or heading
                page.start_section(heading, level)
        elif kind == "code":
            page.add_verbatim(match.group("code"))
        elif kind == "pre":
            page.add_verbatim(_PRE_INDENT.sub("", match.group("pre")))
        elif kind in ("nowiki", "percent"):
            page.add_literal(match.group(kind))
    page.add_markup(text[position:])
    page.close_section()
    return ParsedPage(
        title=title or wiki_id.rpartition(":")[2].replace("_", " "),
        sections=tuple(page.sections),
        tags=tuple(page.tags),
        redirect=page.redirect,
        links=tuple(page.links),
    )


def wiki_document(parsed: ParsedPage, *, source: str, page_id: str, wiki_id: str,
                  base_url: str, version: str, modified: float) -> Document | None:
    """The Document both DokuWiki sources (read from disk or over the API) make of a parsed
    page: a redirect-only page as the name of its target (no sections), None for a page
    without text."""
    where = {"source": source, "page_id": page_id, "url": page_url(base_url, wiki_id),
             "namespace": wiki_id.rpartition(":")[0], "version": version, "modified": modified}
    if parsed.redirect is not None:
        target = resolve_link(wiki_id, parsed.redirect.split("#", 1)[0])
        if not target or target == wiki_id:
            return None
        return Document(title="", sections=(), redirect=page_id_for(source, target), **where)
    if not any(section.heading or section.text for section in parsed.sections):
        return None
    return Document(title=parsed.title, sections=parsed.sections, tags=parsed.tags,
                    links=tuple(page_id_for(source, link) for link in parsed.links), **where)
