"""Approved article → DokuWiki syntax, by pandoc's DokuWiki writer.

The input is the article's *sanitized* HTML (:func:`kbtool.markup.to_html`), not its Markdown:
raw HTML, scripts and ``javascript:`` links are gone before pandoc sees the text, and the page
published is the one the reviewer read.  The title becomes the page's first heading (DokuWiki
takes the first heading as the page title).  ``--wrap=none`` keeps each paragraph and list item on
one line: a wrapped list item would end the list in DokuWiki.

pandoc's writer escapes only some of DokuWiki's markup in plain text (``**``, ``//``); text such as
``[[x]]``, ``{{…}}``, ``~~NOTOC~~``, ``((note))`` or ``<del>`` would become links, images, macros or
formatting that the reviewer never saw in the preview.  So before conversion every such token in
the text (outside code, which pandoc already wraps in ``%%``) is put in ``%%…%%`` (``%%`` itself in
``<nowiki>``): the page shows the characters typed.

pandoc comes from the ``pypandoc_binary`` wheel (see setup.cfg), or from the system's PATH when
pypandoc is installed without its binary.
"""

from __future__ import annotations

import html
import re

import pypandoc
from bs4 import BeautifulSoup

from kbtool.markup import to_html


class ConversionError(Exception):
    """pandoc is missing or failed; the message says which."""


# DokuWiki markup that pandoc leaves as is in text: links, media, macros, footnotes, nowiki,
# tags (<del>, <sub>…), forced line breaks, tables, headings, rules, underline, monospace.
_MARKUP = re.compile(r"%%|\[\[|\]\]|\{\{|\}\}|~~|\(\(|\)\)|<(?=[A-Za-z/])|\\\\|\^|\||"
                     r"={2,}|-{4,}|__|''")
# Code is already wrapped by pandoc; DokuWiki shows headings as typed (no markup inside).
_VERBATIM = ("code", "pre", "h1", "h2", "h3", "h4", "h5", "h6")


def _quoted(match: re.Match[str]) -> str:
    token = match.group(0)
    return "<nowiki>%%</nowiki>" if token == "%%" else f"%%{token}%%"


def protect(fragment: str) -> str:
    """The HTML with DokuWiki markup in its text made literal (see the module's docstring)."""
    soup = BeautifulSoup(fragment, "html.parser")
    for text in soup.find_all(string=True):
        if text.find_parent(_VERBATIM) is None and _MARKUP.search(text):
            text.replace_with(_MARKUP.sub(_quoted, str(text)))
    return str(soup)


def to_dokuwiki(title: str, markdown_text: str) -> str:
    """The DokuWiki text of an article: its title as first heading, then its body."""
    page = protect(f"<h1>{html.escape(title)}</h1>\n{to_html(markdown_text)}")
    try:
        converted = pypandoc.convert_text(page, "dokuwiki", format="html",
                                          extra_args=["--wrap=none"])
    except (OSError, RuntimeError) as exc:
        raise ConversionError(f"pandoc cannot convert the article: {exc}") from exc
    return converted.replace("\r\n", "\n").strip() + "\n"
