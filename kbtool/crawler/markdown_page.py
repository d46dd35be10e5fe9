"""Markdown page (MkDocs flavour) → the same sections the published HTML page has.

The Markdown is rendered with the extensions MkDocs sites use, so heading ids are the anchors
MkDocs publishes, then handed to ``parse_html``: one piece of code splits every format into
sections.  What the published site does not show is removed first: HTML comments (drafts and
review notes, e.g. a whole procedure "en cours d'écriture"), the YAML front matter, and the
``:material-…:`` style icon and emoji shortcodes, which would otherwise be indexed as words;
collapsible ``??? note`` blocks (pymdownx.details) are read as the admonitions they look like.

    ---\\ntitle: Dons\\n---\\n## Enregistrer :material-cash: un don\\n<!-- brouillon -->Ouvrez…
    → ParsedPage("Dons", (Section("Enregistrer un don", "enregistrer-un-don", "Ouvrez…", 2),))
"""

from __future__ import annotations

import re
from dataclasses import replace

import markdown

from kbtool.crawler.html_page import parse_html
from kbtool.crawler.parsed import ParsedPage

EXTENSIONS = ("toc", "tables", "fenced_code", "admonition", "attr_list", "def_list")

# An unclosed comment hides the rest of the file, as it does in a browser.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)",
                           re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:[ \t]*(?P<title>.+?)[ \t]*$", re.MULTILINE)
# MkDocs-Material icons (:material-x:, :fontawesome-solid-x:, :octicons-x-16:, :simple-x:) and
# emoji shortcodes (:warning:); a lower-case word glued to both colons, never French prose,
# which spaces its colons.
_SHORTCODE = re.compile(r"(?<![\w:]):[a-z][a-z0-9_+-]*:(?![\w:])")
# Collapsible blocks of pymdownx.details (``??? note "Titre"``) read as admonitions.
_DETAILS = re.compile(r"^([ \t]*)\?\?\?\+?(?=[ \t])", re.MULTILINE)


def parse_markdown(text: str) -> ParsedPage:
    """Title and heading-split sections of a Markdown page, anchors as MkDocs makes them."""
    front_title, body = _split_front_matter(text)
    body = _DETAILS.sub(r"\1!!!", _SHORTCODE.sub("", _COMMENT.sub("", body)))
    page = parse_html(markdown.markdown(body, extensions=list(EXTENSIONS)))
    return replace(page, title=front_title) if front_title else page


def _split_front_matter(text: str) -> tuple[str, str]:
    """The front matter's ``title`` (or "") and the text after the front matter."""
    text = text.lstrip("\ufeff")
    match = _FRONT_MATTER.match(text)
    if match is None:
        return "", text
    title = _FRONT_TITLE.search(match.group("yaml"))
    value = title.group("title").strip("'\"") if title else ""
    return value, text[match.end():]
