"""Approved article → DokuWiki syntax, by pandoc's DokuWiki writer.

The input is the article's *sanitized* HTML (:func:`kbtool.markup.to_html`), not its Markdown:
raw HTML, scripts and ``javascript:`` links are gone before pandoc sees the text, and the page
published is the one the reviewer read.  The title becomes the page's first heading (DokuWiki
takes the first heading as the page title).  ``--wrap=none`` keeps each paragraph and list item on
one line: a wrapped list item would end the list in DokuWiki.

pandoc comes from the ``pypandoc_binary`` wheel (see setup.cfg), or from the system's PATH when
pypandoc is installed without its binary.
"""

from __future__ import annotations

import html

import pypandoc

from kbtool.markup import to_html


class ConversionError(Exception):
    """pandoc is missing or failed; the message says which."""


def to_dokuwiki(title: str, markdown_text: str) -> str:
    """The DokuWiki text of an article: its title as first heading, then its body."""
    page = f"<h1>{html.escape(title)}</h1>\n{to_html(markdown_text)}"
    try:
        converted = pypandoc.convert_text(page, "dokuwiki", format="html",
                                          extra_args=["--wrap=none"])
    except (OSError, RuntimeError) as exc:
        raise ConversionError(f"pandoc cannot convert the article: {exc}") from exc
    return converted.replace("\r\n", "\n").strip() + "\n"
