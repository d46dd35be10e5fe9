"""Article Markdown → safe HTML: what the preview shows and what gets published.

The author writes Markdown; the ``markdown`` package renders it and nh3 (Ammonia) then keeps only
an allow-list of tags and attributes: no script, no event handler, no ``javascript:`` URL, no raw
HTML beyond formatting.  The published DokuWiki text is converted from this same cleaned HTML
(:mod:`kbtool.wikisyntax`), so the reviewer approves exactly what will be published.
"""

from __future__ import annotations

import markdown
import nh3

EXTENSIONS = ("fenced_code", "tables", "sane_lists")
TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "b", "i", "u", "del",
        "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
        "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LANGUAGE_PREFIX = "language-"


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Only ``language-*`` classes on ``<code>`` (the code block's language) survive."""
    if name == "class":
        language = value.removeprefix(LANGUAGE_PREFIX)
        return value if language != value and language.isalnum() else None
    return value


def to_html(text: str) -> str:
    """The Markdown article rendered and sanitized."""
    rendered = markdown.markdown(text, extensions=list(EXTENSIONS), output_format="html")
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     attribute_filter=_keep_attribute, link_rel="noopener noreferrer")
