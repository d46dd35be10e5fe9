"""Article Markdown → safe HTML: what the preview shows and what gets published.

The author writes Markdown (CommonMark with GitHub's tables); cmark-gfm, the C renderer GitHub
uses, turns it into HTML in time linear in its length whatever the input (rows of ``[``, nested
emphasis or lists: it was built and fuzzed against such pathological inputs; the pure-Python
``markdown`` package took 31 s for 10,000 ``[``, see docs/benchmarks.md). One thing cmark does not
bound is nesting: ``"> " * 50_000`` is 50,000 quotes one inside the other, and HTML parsers (nh3's
html5ever, BeautifulSoup) take time growing with the square of the depth. So an article whose HTML
nests deeper than ``MAX_NESTING`` elements (typed Markdown or raw HTML) is shown, and published, as
its Markdown source in a code block: nothing is lost, and no real article comes near that depth.
nh3 (Ammonia) then keeps only an allow-list of tags and attributes: no script, no event handler, no
``javascript:`` URL, no image, no raw HTML beyond formatting. The published DokuWiki text is
converted from this same cleaned HTML (:mod:`kbtool.knowledge.wikitext`), so the reviewer approves exactly
what will be published.  A link to a page of the team's wiki (``[x](ns:page)``, or the page's
address: :mod:`kbtool.wiki.links`) is given the page's address before cleaning, so the preview
follows it as the published internal link will.
"""

from __future__ import annotations

import html
import re
from itertools import accumulate

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

from kbtool.wiki.links import WikiLinks

# Raw HTML is let through cmark ("unsafe") on purpose: nh3 is the one sanitizer, and formatting
# tags typed by the author (<u>, <del>…) keep working as they did.  Without GITHUB_PRE_LANG a
# fenced block's language comes as <code class="language-x">.
CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE
EXTENSIONS = ("table",)
TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "b", "i", "u", "del",
        "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
        "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LANGUAGE_PREFIX = "language-"
MAX_NESTING = 100
# Elements that never hold others (a run of <br> is not nesting).
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
             "param", "source", "track", "wbr"}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_LINK_HREF = re.compile(r'(<a href=")([^"]*)(")')   # as cmark writes a link


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Only ``language-*`` classes on ``<code>`` (the code block's language) survive."""
    if name == "class":
        language = value.removeprefix(LANGUAGE_PREFIX)
        return value if language != value and language.isalnum() else None
    return value


def nesting(rendered: str) -> int:
    """How deep the elements of ``rendered`` nest, counting its tags in one pass (an unclosed
    raw tag counts as open: HTML parsers keep it open too)."""
    steps = [-1 if closing else 1 for closing, name in _TAG.findall(rendered)
             if name.lower() not in VOID_TAGS]
    return max(accumulate(steps), default=0)


def to_html(text: str, wiki: WikiLinks | None = None) -> str:
    """The Markdown article rendered and sanitized; links to pages of ``wiki`` lead to them."""
    rendered = cmarkgfm.markdown_to_html_with_extensions(text, options=CMARK_OPTIONS,
                                                         extensions=list(EXTENSIONS))
    if wiki is not None:
        rendered = _LINK_HREF.sub(lambda match: _wiki_address(match, wiki), rendered)
    if nesting(rendered) > MAX_NESTING:
        rendered = f"<pre><code>{html.escape(text)}</code></pre>"
    return nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     attribute_filter=_keep_attribute, link_rel="noopener noreferrer")


def _wiki_address(match: re.Match[str], wiki: WikiLinks) -> str:
    """A link's opening tag, with the address of the wiki page it names, if it names one
    (``ns:page`` is no URL the sanitizer would keep)."""
    page = wiki.page_of(html.unescape(match.group(2)))
    if page is None:
        return match.group()
    return match.group(1) + html.escape(wiki.url_of(page)) + match.group(3)
