"""Text → DokuWiki source that DokuWiki shows as that very text, never as markup.

DokuWiki's parser (``inc/Parsing``, the same in the 2022 "Igor" and 2024 "Kaos" releases) is a
case-sensitive lexer whose modes end at their first closer, and it has no escape character:

- ``%%…%%`` and ``<nowiki>…</nowiki>`` show their content as typed, up to the first ``%%`` or
  ``</nowiki>``.  :func:`literal` puts text in ``%%`` and each run of ``%`` in ``<nowiki>``:
  neither closer can then occur inside.
- ``<code>``/``<file>`` end at the first ``</code>``/``</file>``, whatever comes before; so a code
  block containing ``</code>`` is written as an indented (preformatted) block instead, a mode
  that ends only at a line not indented and lets no other markup in (:func:`code_block`).
- ``[[…]]`` ends at the first ``]]`` and takes ``|`` as the start of its label, ``>`` before any
  ``:`` as an interwiki name, ``\\\\`` as a Windows share: :func:`link` writes only absolute
  ``http(s)`` and ``mailto`` targets, percent-encodes the characters that would end or split
  the link, and writes a label the link cannot carry next to it as text; :func:`wiki_link`
  writes only clean page ids (:mod:`kbtool.wiki.links`).

In prose (:func:`escape_text`) a word is made literal when it holds anything the lexer acts on
(links, media and plugins ``{{…}}``, macros ``~~…~~``, tags ``<…>``, footnotes, formatting,
table cells, headings, line breaks, URLs the wiki would turn into links, smileys…) or, at the
edge of a formatted span or at the start of a line, a character that would join the markup next
to it.  Plain words stay plain, so the page source stays readable for the wiki's editors.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# DokuWiki's smileys (conf/smileys.conf, the same in both releases): each becomes an image.
SMILEYS = ("8-)", "8-O", "8-o", ":-(", ":-)", "=)", ":-/", ":-\\", ":-?", ":-D", ":-P", ":-o",
           ":-O", ":-x", ":-X", ":-|", ";-)", "m(", "^_^", ":?:", ":!:", "LOL", "FIXME",
           "DELETEME")
# What the lexer acts on inside a word (see the module docstring).  Case-insensitive where
# DokuWiki is (schemes, www.); tags are caught at any "<".
_ACTIVE = re.compile("|".join([
    r"%%", r"\[\[", r"\]\]", r"\{\{", r"\}\}", r"~~", r"\(\(", r"\)\)", r"<", r"\\\\", r"\^", r"\|",
    r"={2,}", r"-{4,}", r"__", r"''", r"\*\*", r"//", r":::", r"://", r"(?i:\b(?:www?|ftp?)\.)",
    *map(re.escape, SMILEYS)]))
# Characters that would form markup with what a formatted span or a line start puts next to
# the word (``**``, ``//``, ``''``, ``[[``, ``%%``, a quote's ``>``…).
_JOINING = "*/_'[]{}()%~=<>\\^|:"
_PERCENTS = re.compile(r"%+")
_SPACE = re.compile(r"\s+")
# Kept as typed in a link target; the rest is percent-encoded (``|``, ``]``, ``{``, spaces…).
_URL_SAFE = "!#$&'()*+,/:;=?@~-._%"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CODE_CLOSER = "</code>"


def literal(text: str) -> str:
    """DokuWiki source showing ``text`` exactly (empty for empty text)."""
    parts = []
    position = 0
    for percents in _PERCENTS.finditer(text):
        if percents.start() > position:
            parts.append(f"%%{text[position:percents.start()]}%%")
        parts.append(f"<nowiki>{percents.group()}</nowiki>")
        position = percents.end()
    if position < len(text):
        parts.append(f"%%{text[position:]}%%")
    return "".join(parts)


def _needs_literal(word: str, first: bool, last: bool, joined_before: bool,
                   joined_after: bool) -> bool:
    if _ACTIVE.search(word):
        return True
    return ((first and joined_before and word[0] in _JOINING)
            or (last and joined_after and word[-1] in _JOINING))


def escape_text(text: str, joined_before: bool = True, joined_after: bool = True) -> str:
    """Prose as DokuWiki source: spaces collapsed as HTML shows them, words that DokuWiki would
    read as markup made literal.  ``joined_before``/``joined_after``: markup or a line start
    touches the text on that side (then its edge characters are checked too)."""
    words = _SPACE.split(text)
    escaped = []
    for index, word in enumerate(words):
        if word and _needs_literal(word, index == 0, index == len(words) - 1, joined_before,
                                   joined_after):
            word = literal(word)
        escaped.append(word)
    return " ".join(escaped)


def line(source: str) -> str:
    """A line of DokuWiki source made safe to start a line: leading spaces would make it
    preformatted (they are dropped, as HTML drops them) and a leading ``>`` a quote."""
    source = source.strip()
    quote_marks = len(source) - len(source.lstrip(">"))
    return literal(source[:quote_marks]) + source[quote_marks:] if quote_marks else source


def monospace(code: str) -> str:
    """Inline code: shown as typed, in DokuWiki's monospace."""
    return f"''{literal(code)}''" if code else ""


def code_block(code: str, language: str = "") -> str:
    """A code block that shows ``code`` exactly, whatever it contains."""
    code = code.removesuffix("\n")
    if CODE_CLOSER not in code:
        opener = f"<code {language}>" if language else "<code>"
        return f"{opener}\n{code}\n</code>"
    # Preformatted: every line indented by two spaces.  The first, empty line keeps a first
    # line starting with "*" or "-" from being read as a list item; DokuWiki trims it.
    return "  \n" + "\n".join(f"  {row}" for row in code.split("\n"))


def link(url: str, label: str) -> str:
    """A link DokuWiki renders to exactly ``url`` (absolute http(s) or mailto) with ``label``;
    any other target is not a link the wiki can follow: the label alone, as text."""
    target = _target(url)
    label = _SPACE.sub(" ", label).strip()
    if not target:
        return escape_text(label)
    if label == url:
        return f"[[{target}]]"
    return _labelled(target, label)


def wiki_link(target: str, label: str) -> str:
    """An internal link to ``target``, a page of the wiki (``ns:page#anchor``, as cleanID and
    sectionID make them: it holds nothing that ends or splits a link), with ``label``."""
    return _labelled(target, _SPACE.sub(" ", label).strip(), shown_target=True)


def _labelled(target: str, label: str, shown_target: bool = False) -> str:
    """``[[target|label]]``; a label the link cannot carry (``]]``, an image's ``{{``) is written
    as text, the link after it (``shown_target``: labelled with the target itself, as DokuWiki
    would show an internal link's page title instead)."""
    if not label:  # nothing the reviewer could see or click
        return ""
    if "]]" in label or label.endswith("]") or label.startswith("{{"):
        shown = f"|{target}" if shown_target else ""
        return f"{escape_text(label)} ([[{target}{shown}]])"
    return f"[[{target}|{label}]]"


def _target(url: str) -> str:
    """``url`` as a DokuWiki link target, or '' when it is not one a reader can follow."""
    scheme, _, rest = url.partition(":")
    if scheme.lower() in ("http", "https") and rest.startswith("//"):
        return quote(url, safe=_URL_SAFE)
    if scheme.lower() == "mailto" and _EMAIL.fullmatch(rest):
        return rest
    return ""
