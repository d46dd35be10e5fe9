"""HTML page → title, sections split at headings with the anchors a browser lands on, links.

One parser serves every HTML a source hands over: HeVeA and docutils documentation files read
from a folder, rendered Markdown, pages fetched by a web-site crawler.  It keeps what a support
agent searches for and reads in a snippet and drops the site's chrome (scripts, menus, headers,
footers, sidebars, permalink signs), so that words of a menu do not make every page match.

    <title>Reçus</title><nav>Accueil</nav>
    <section id="conf"><h2>Configuration<a class="headerlink">¶</a></h2><p>Menu…</p></section>
    → ParsedPage("Reçus", (Section("Configuration", "conf", "Menu…", level=2),))

Bytes are decoded here rather than by lxml, which silently mangles a page whose declared charset
is wrong: the ``encoding`` given by the caller (an HTTP ``charset``), then the page's own
``<meta charset>``, then UTF-8, then Windows-1252 (see ``text_page.decode``); a declaration the
bytes do not fit falls through to the next candidate, so no page makes the parser raise.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EncodingDetector
from bs4.element import PreformattedString

from kbtool.crawler.parsed import ParsedPage
from kbtool.crawler.text_page import clean_text, decode
from kbtool.documents import Section

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

# Page furniture rather than content.  ``header`` is only chrome outside the content
# (``<article><header><h1>`` holds the article's own title), see _is_chrome.
_CHROME_TAGS = ("title", "script", "style", "noscript", "template", "nav", "footer", "aside",
                "form", "button", "iframe", "svg", "canvas", "object", "embed")
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
# Permalink signs next to headings (Sphinx, MkDocs) and the sidebars of common doc generators.
_CHROME_CLASSES = {"headerlink", "sphinxsidebar", "related", "md-sidebar", "md-header",
                   "md-footer", "skip-link", "visually-hidden"}
_CONTENT_HOLDERS = ("article", "main", "section")
# Containers whose id docutils (``<section id>``, ``<main id>``) and others give their first
# heading instead of the heading itself.
_ANCHOR_HOLDERS = ("section", "div", "main", "article")

# Elements after which the text goes on a new line; everything else is inline.
_BLOCKS = {"address", "article", "blockquote", "br", "dd", "details", "dl", "dt", "div",
           "fieldset", "figcaption", "figure", "hr", "li", "main", "ol", "p", "pre", "section",
           "summary", "table", "tr", "ul", "caption", *HEADINGS}
_CELLS = {"td", "th"}
# The source's line breaks between cells and rows, which must not split a row.
_TABLE_PARTS = {"table", "thead", "tbody", "tfoot", "tr"}


def parse_html(content: bytes | str, encoding: str | None = None) -> ParsedPage:
    """Title, heading-split sections and outgoing links of one HTML page."""
    if isinstance(content, bytes):
        content = decode(content, encoding, EncodingDetector.find_declared_encoding(
            content, is_html=True, search_entire_document=False))
    soup = BeautifulSoup(content, "lxml")
    links, title = _links(soup), _title(soup)
    for element in [tag for tag in soup.find_all(True) if _is_chrome(tag)]:
        if not element.decomposed:
            element.decompose()
    # The whole tree, not just <body>: libxml2 does not know HTML5 elements and puts a
    # <section> met before any <body> content into <head>.
    _end_blocks_with_newlines(soup)
    return ParsedPage(title=title, sections=tuple(_sections(soup)), links=links)


def _links(soup: BeautifulSoup) -> tuple[str, ...]:
    # Taken before the chrome goes: a site's menus are how a crawler finds its pages.
    hrefs = (a.get("href", "").strip() for a in soup.find_all("a", href=True))
    return tuple(dict.fromkeys(href for href in hrefs if href))


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _CHROME_TAGS:
        return True
    if tag.name == "header" and tag.find_parent(_CONTENT_HOLDERS) is None:
        return True
    if (tag.get("role") or "") in _CHROME_ROLES or tag.get("aria-hidden") == "true":
        return True
    return not _CHROME_CLASSES.isdisjoint(tag.get("class") or ())


def _end_blocks_with_newlines(root: Tag) -> None:
    # The walk in _sections sees where elements start, not where they end; text that follows
    # a block (``<table>…</table>texte``) must still start a new line.
    for block in root.find_all(_BLOCKS):
        block.insert_after(NavigableString("\n"))


def _title(soup: BeautifulSoup) -> str:
    for candidate in (soup.title, soup.find("h1")):
        title = _one_line(candidate) if candidate is not None else ""
        if title:
            return title
    return ""


def _one_line(tag: Tag) -> str:
    return " ".join(tag.get_text().split())


def _sections(root: Tag) -> list[Section]:
    """Walk the text in document order, starting a new section at every heading."""
    sections: list[Section] = []
    heading, anchor, level, parts = "", "", 1, []
    for node in root.descendants:
        if isinstance(node, Tag):
            if node.name in HEADINGS:
                sections.append(Section(heading, anchor, clean_text("".join(parts)), level))
                heading, anchor, level = _heading(node)
                parts = []
            elif node.name in _BLOCKS:
                parts.append("\n")
            elif node.name in _CELLS and node.find_previous_sibling(_CELLS) is not None:
                parts.append(" | ")
        elif _is_text(node) and _is_content(node):
            parts.append(str(node))
    sections.append(Section(heading, anchor, clean_text("".join(parts)), level))
    return [s for s in sections if s.heading or s.text]


def _heading(tag: Tag) -> tuple[str, str, int]:
    return _one_line(tag), heading_anchor(tag), int(tag.name[1])


def _is_text(node: object) -> bool:
    # Comments, CDATA, doctypes and processing instructions are strings too, but not text.
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _is_content(text: NavigableString) -> bool:
    if text.parent is not None and text.parent.name in _TABLE_PARTS and not text.strip():
        return False
    return text.find_parent(HEADINGS) is None


def heading_anchor(heading: Tag) -> str:
    """The fragment that lands on this heading: its id, a named ``<a>`` in or just before it,
    else the id of the container it opens (docutils' ``<section id="x"><h2>``)."""
    if heading.get("id"):
        return heading["id"]
    inner = heading.find("a", id=True) or heading.find("a", attrs={"name": True})
    if inner is not None:
        return inner.get("id") or inner["name"]
    before = heading.previous_sibling
    while isinstance(before, NavigableString) and not before.strip():
        before = before.previous_sibling
    if isinstance(before, Tag) and before.name == "a" and not before.get_text(strip=True):
        if before.get("id") or before.get("name"):
            return before.get("id") or before["name"]
    for container in heading.find_parents(_ANCHOR_HOLDERS):
        if container.find(HEADINGS) is not heading:
            break
        if container.get("id"):
            return container["id"]
    return ""
