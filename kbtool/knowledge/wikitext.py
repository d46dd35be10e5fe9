"""Approved article → DokuWiki syntax, written from the HTML the reviewer read.

The input is the article's *sanitized* HTML (:func:`kbtool.knowledge.markup.to_html`), not its Markdown:
raw HTML, scripts, images and ``javascript:`` links are gone before conversion, and the page
published is the one the reviewer read.  The title becomes the page's first heading (DokuWiki
takes the first heading as the page title).

Every piece of text goes through :mod:`kbtool.wiki.escape`, so DokuWiki shows it as the characters
typed: ``{{rss>…}}``, ``~~NOCACHE~~``, ``<html>``, ``</code>`` or ``%%`` in the text, in inline
code, in a code block, in a link, a table cell or a heading never become live markup.  Only the
structures the HTML holds are written as markup: headings, paragraphs, bold, italic, underline,
strikethrough, inline code, code blocks, lists, quotes, tables, rules, line breaks, links to
``http(s)``/``mailto`` targets and internal links to the pages of the team's wiki
(:mod:`kbtool.wiki.links`).  DokuWiki cannot nest blocks inside a list item, a quote or a table
cell (except a code block in a list item): such blocks become lines of their container, joined by
line breaks, with their text intact.  (pandoc's DokuWiki writer, used before, wrote ``</code>``
inside code as is, and ``<WRAP>`` plugin markup for list items of several paragraphs.)
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import html as lxml_html
from lxml.html import HtmlElement as Tag

from kbtool.knowledge.markup import LANGUAGE_PREFIX, to_html
from kbtool.wiki.escape import (CODE_CLOSER, code_block, escape_text, line, link, literal,
                               monospace, wiki_link)
from kbtool.wiki.links import WikiLinks

# Inline formatting: the DokuWiki markup around it.
MARKS = {"strong": ("**", "**"), "b": ("**", "**"), "em": ("//", "//"), "i": ("//", "//"),
         "u": ("__", "__"), "del": ("<del>", "</del>"), "s": ("<del>", "</del>")}
INLINE = {*MARKS, "a", "code", "br", "span"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
LINE_BREAK = "\\\\ "
BULLET = "• "
# Set on the links to pages of the wiki before conversion: the internal link's target (the
# sanitizer removed every attribute the author could have typed but ``href`` and ``title``).
WIKI_TARGET = "data-wiki-target"


def to_dokuwiki(title: str, markdown_text: str, wiki: WikiLinks | None = None) -> str:
    """The DokuWiki text of an article: its title as first heading, then its body; links to
    pages of ``wiki`` become internal links."""
    body = lxml_html.fragment_fromstring(to_html(markdown_text, wiki), create_parent="div")
    if wiki is not None:
        for anchor in body.iter("a"):
            page = wiki.page_of(anchor.get("href") or "")
            if page is not None:
                anchor.set(WIKI_TARGET, page.target)
    blocks = [heading(1, title), *_blocks(body)]
    return "\n\n".join(block for block in blocks if block) + "\n"


def heading(level: int, text: str) -> str:
    """A heading: DokuWiki shows its text as is (no markup inside), on one line."""
    text = " ".join(text.split())
    marks = "=" * (7 - level)
    return f"{marks} {text} {marks}" if text else ""


def _blocks(parent: Tag) -> Iterator[str]:
    for segment in _segments(parent):
        if isinstance(segment, str):
            yield line(segment)
        else:
            yield _block(segment)


def _block(tag: Tag) -> str:
    if tag.tag in HEADINGS:
        return heading(HEADINGS[tag.tag], tag.text_content())
    if tag.tag == "pre":
        return code_block(tag.text_content(), _language(tag))
    if tag.tag == "hr":
        return "----"
    if tag.tag in ("ul", "ol"):
        return "\n".join(_list(tag, 1))
    if tag.tag == "blockquote":
        return "\n".join(_quote(tag, 1))
    if tag.tag == "table":
        return _table(tag)
    return "\n\n".join(line(source) for source in _lines(tag))


def _children(parent: Tag) -> list[str | Tag]:
    """The text and elements inside ``parent``, in order (lxml keeps text as ``text`` and
    ``tail`` attributes; comments, which the sanitizer removes anyway, are skipped)."""
    children: list[str | Tag] = [parent.text] if parent.text else []
    for child in parent:
        if isinstance(child.tag, str):
            children.append(child)
        if child.tail:
            children.append(child.tail)
    return children


def _segments(parent: Tag) -> Iterator[str | Tag]:
    """The children of ``parent``: each run of inline content as its DokuWiki source, each
    block as its tag (blank text between blocks dropped)."""
    run: list[str | Tag] = []
    for child in _children(parent):
        if isinstance(child, Tag) and child.tag not in INLINE:
            if run:
                yield from _inline_run(run, parent)
                run = []
            yield child
        else:
            run.append(child)
    if run:
        yield from _inline_run(run, parent)


def _inline_run(nodes: list[str | Tag], parent: Tag) -> Iterator[str]:
    source = _inline(nodes, parent.tag in MARKS, frozenset())
    if source.strip():
        yield source


def _inline(nodes: list[str | Tag], inside_mark: bool, active: frozenset[str]) -> str:
    """Inline nodes as DokuWiki source; text next to markup (or inside a mark) is escaped with
    its edge characters checked too."""
    parts = []
    for index, node in enumerate(nodes):
        if isinstance(node, Tag):
            parts.append(_inline_tag(node, active))
        elif not (node.strip() == "" and node.count("\n")) or 0 < index < len(nodes) - 1:
            parts.append(escape_text(node, index > 0 or inside_mark,
                                     index < len(nodes) - 1 or inside_mark))
    return "".join(parts)


def _inline_tag(tag: Tag, active: frozenset[str]) -> str:
    if tag.tag == "br":
        return LINE_BREAK
    if tag.tag == "code":
        return monospace(tag.text_content())
    if tag.tag == "a" and tag.get(WIKI_TARGET):
        return wiki_link(tag.get(WIKI_TARGET), tag.text_content())
    if tag.tag == "a":
        return link(tag.get("href") or "", tag.text_content())
    children = _children(tag)
    mark = MARKS.get(tag.tag)
    if mark is None or mark[0] in active or not tag.text_content().strip():
        return _inline(children, False, active)
    opener, closer = mark
    return opener + _inline(children, True, active | {opener}) + closer


def _language(pre: Tag) -> str:
    code = pre.find(".//code")
    classes = (code.get("class") or "").split() if code is not None else []
    return next((c.removeprefix(LANGUAGE_PREFIX) for c in classes
                 if c.startswith(LANGUAGE_PREFIX)), "")


def _lines(tag: Tag) -> list[str]:
    """Any block as lines of inline source (for containers that cannot hold blocks)."""
    if tag.tag in HEADINGS:
        return [escape_text(" ".join(tag.text_content().split()))]
    if tag.tag == "pre":
        return [monospace(code) for code in tag.text_content().split("\n") if code.strip()]
    if tag.tag == "hr":
        return []
    if tag.tag in ("ul", "ol", "table"):
        items = _items(tag) if tag.tag != "table" else list(tag.iter("tr"))
        return [BULLET + text for text in (" ".join(_lines(item)) for item in items) if text]
    if tag.tag == "tr":
        return [literal(" | ").join(" ".join(_lines(cell)) for cell in _cells(tag))]
    lines: list[str] = []
    for segment in _segments(tag):
        lines.extend(_segment_lines(segment))
    return lines


def _flat(tag: Tag) -> str:
    """A container's content on one line, its blocks separated by line breaks."""
    if len(tag) == 0:  # text only, as most table cells: the short way
        return line(escape_text(tag.text or "", False, False))
    return line(f" {LINE_BREAK}".join(_lines(tag)))


def _items(tag: Tag) -> list[Tag]:
    """The items of a list, also those the sanitizer's HTML parser left inside another element
    of the list (``<ul><code><li>``: a browser shows them as items)."""
    return [item for item in tag.iter("li") if next(item.iterancestors("ul", "ol")) is tag]


def _cells(row: Tag) -> list[Tag]:
    return [cell for cell in row if cell.tag in ("th", "td")]


def _list(tag: Tag, depth: int) -> list[str]:
    """The lines of a list; what follows a nested list inside an item is added to the nested
    list's last line (DokuWiki cannot take an item back up), so it is still read after it."""
    marker = "-" if tag.tag == "ol" else "*"
    lines = []
    for item in _items(tag):
        parts: list[str] = []
        nested: list[str] = []
        for segment in _segments(item):
            if isinstance(segment, Tag) and segment.tag in ("ul", "ol"):
                nested.extend(_list(segment, depth + 1))
            elif nested:
                nested[-1] += "".join(f" {LINE_BREAK}{text}" for text in _segment_lines(segment))
            elif (isinstance(segment, Tag) and segment.tag == "pre"
                  and CODE_CLOSER not in segment.text_content()):
                # A code block stays in its item when it starts on the item's line.
                code = code_block(segment.text_content(), _language(segment))
                parts[-1:] = [f"{parts[-1]} {code}" if parts else code]
            else:
                parts.extend(_segment_lines(segment))
        lines.append(f"{'  ' * depth}{marker} {line(f' {LINE_BREAK}'.join(parts))}".rstrip())
        lines.extend(nested)
    return lines


def _segment_lines(segment: str | Tag) -> list[str]:
    """A segment of a container that cannot hold blocks, as lines of inline source."""
    return [segment.strip()] if isinstance(segment, str) else _lines(segment)


def _quote(tag: Tag, depth: int) -> list[str]:
    lines = []
    for segment in _segments(tag):
        if isinstance(segment, Tag) and segment.tag == "blockquote":
            lines.extend(_quote(segment, depth + 1))
        else:
            lines.extend(f"{'>' * depth} {line(source)}" for source in _segment_lines(segment))
    return lines


def _table(tag: Tag) -> str:
    """Rows of ``^head^`` and ``|cell|``, each column padded to its widest cell (an empty cell
    gets a space: ``||`` would join it to the previous one)."""
    rows = [[(cell.tag == "th", _flat(cell) or " ") for cell in _cells(row)]
            for row in tag.iter("tr")]
    rows = [row for row in rows if row]
    widths: dict[int, int] = {}
    for row in rows:
        for column, (_, text) in enumerate(row):
            widths[column] = max(widths.get(column, 0), len(text))
    return "\n".join("".join(("^" if head else "|") + text.ljust(widths[column])
                             for column, (head, text) in enumerate(row))
                     + ("^" if row[-1][0] else "|") for row in rows)
