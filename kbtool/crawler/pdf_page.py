"""PDF file → one section per page, anchored ``page=N`` (the fragment PDF viewers open at).

A manual exported from a word processor carries no usable outline in its text layer, so the
page is the unit a support agent can be sent to.  Lines repeated on most pages (running
headers and footers such as "revision 20170302-09:37 12" or "AUTORITE DES NORMES COMPTABLES page
n° 5/41", compared with their digits ignored) are dropped: they would make every page match
their words and would hide the page's real first line, which becomes its heading when it looks
like one.

    manuel.pdf, page 21: "revision … 21" / " 1. Définition des termes" / "·Gestion : art de…"
    → Section("Page 21 – 1. Définition des termes", "page=21", "1. Définition des termes\\n…")

A file pypdf cannot read raises ``ValueError("not a readable PDF: …")``.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from pypdf import PdfReader

from kbtool.crawler.parsed import ParsedPage
from kbtool.crawler.text_page import clean_text
from kbtool.documents import Section

# A line is a running header/footer when it is among the first or last EDGE_LINES of the page
# and, digits ignored, at that place on more than RUNNING_SHARE of the pages (3 pages or more).
EDGE_LINES = 2
RUNNING_SHARE = 0.5
MAX_HEADING_CHARS = 70
_DIGITS = re.compile(r"\d+")
_LEADER_DOTS = re.compile(r"\.{4,}")
# Text drawn twice for a fake bold comes out doubled ("NOALYSSNOALYSS").
_DOUBLED = re.compile(r"(.{3,}?)\1")
# Metadata titles that are only the name of the source file or a placeholder.
_PLACEHOLDER_TITLE = re.compile(r"(?i)^(untitled|sans titre|document\d*|microsoft word\b.*"
                                r"|.*\.(docx?|odt|rtf|txt|pdf))$")


def parse_pdf(content: bytes) -> ParsedPage:
    """Title and page sections of a PDF's text layer; ValueError when it cannot be read."""
    try:
        reader = PdfReader(io.BytesIO(content))
        pages = [clean_text(page.extract_text() or "") for page in reader.pages]
        metadata_title = (reader.metadata or {}).get("/Title") or ""
    except Exception as exc:  # pypdf raises many types on damaged files, all mean the same
        raise ValueError(f"not a readable PDF: {exc or type(exc).__name__}") from exc
    bodies = _without_running_lines([page.split("\n") if page else [] for page in pages])
    sections = tuple(Section(_page_heading(number, lines), f"page={number}", "\n".join(lines))
                     for number, lines in enumerate(bodies, start=1) if lines)
    return ParsedPage(title=_title(str(metadata_title), bodies), sections=sections)


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    if len(pages) < 3:
        return pages
    shapes = Counter(shape for lines in pages for shape in {_shape(line) for line in _edges(lines)})
    running = {shape for shape, count in shapes.items() if count > RUNNING_SHARE * len(pages)}
    return [_drop_edges(lines, running) for lines in pages]


def _edges(lines: list[str]) -> list[str]:
    return lines[:EDGE_LINES] + lines[EDGE_LINES:][-EDGE_LINES:]


def _drop_edges(lines: list[str], running: set[str]) -> list[str]:
    last = len(lines) - EDGE_LINES
    return [line for number, line in enumerate(lines)
            if EDGE_LINES <= number < last or _shape(line) not in running]


def _shape(line: str) -> str:
    return _DIGITS.sub("#", line)


def _page_heading(number: int, lines: list[str]) -> str:
    """``Page N``, followed by the page's first line when it reads as a heading."""
    first = _undoubled(lines[0]) if lines else ""
    looks_like_heading = (len(first) <= MAX_HEADING_CHARS and first[:1].isalnum()
                          and not first[:1].islower() and not _LEADER_DOTS.search(first))
    return f"Page {number} – {first}" if looks_like_heading else f"Page {number}"


def _title(metadata_title: str, pages: list[list[str]]) -> str:
    title = clean_text(metadata_title)
    if title and not _PLACEHOLDER_TITLE.match(title):
        return title
    first_page = next((lines for lines in pages if lines), [])
    return _undoubled(first_page[0]) if first_page else ""


def _undoubled(line: str) -> str:
    match = _DOUBLED.fullmatch(line)
    return match.group(1) if match else line
