"""Plain text files → one section; and the byte decoding every text format shares.

Documentation folders hold old files: UTF-8 mostly, Windows-1252 or Latin-1 sometimes, with
or without a byte order mark, sometimes a charset declared wrongly.  ``decode`` tries the
encodings a caller knows of first, then UTF-8, then Windows-1252, and never raises: a page with
a few damaged characters is still worth indexing.

    parse_text("Sauvegarde\\n\\nCopiez le dossier…", "sauvegarde.txt")
    → ParsedPage("Sauvegarde", (Section("", "", "Sauvegarde\\nCopiez le dossier…"),))
"""

from __future__ import annotations

import codecs
import re

from kbtool.crawler.parsed import ParsedPage
from kbtool.documents import Section

# A first line longer than this is a paragraph, not a title.
MAX_TITLE_CHARS = 100

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_FALLBACKS = ("utf-8", "windows-1252")
_SPACES = re.compile(r"[^\S\n]+")


def decode(content: bytes, *preferred: str | None) -> str:
    """Text of ``content``: its byte order mark wins, then ``preferred`` encodings that exist
    and fit, then UTF-8, then Windows-1252; undecodable bytes become U+FFFD as a last resort."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content.decode(encoding, errors="replace").lstrip("\ufeff")
    for encoding in (*[e for e in preferred if e], *_FALLBACKS):
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("utf-8", errors="replace")


def clean_text(text: str) -> str:
    """Whitespace of extracted text made tidy: one space inside lines, no blank lines."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def parse_text(text: str, fallback_title: str) -> ParsedPage:
    """The whole file as one section; its first line is the title when it is short enough."""
    body = clean_text(text)
    first_line = body.split("\n", 1)[0]
    title = first_line if first_line and len(first_line) <= MAX_TITLE_CHARS else fallback_title
    sections = (Section("", "", body),) if body else ()
    return ParsedPage(title=title, sections=sections)
