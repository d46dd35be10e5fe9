"""DokuWiki's page ids, section anchors and page URLs, computed exactly as DokuWiki does.

A drafted answer links to ``page#anchor``; if our anchor differs by one character from the id
DokuWiki puts on the heading, the link lands at the top of a long page.  So this module ports
``cleanID()`` and ``sectionID()`` from ``inc/pageutils.php`` of DokuWiki 2022-07-31 "Igor", and
the resolution of a link's target (``inc/File/PageResolver.php``), with
the default settings (``deaccent = 1``, ``sepchar = _``, ``useslash = 0``; links alone read ``/``
as wikis with ``useslash`` do), together with the two lookup tables they depend on, and the
tests compare it with the PHP code when it is at hand.

    clean_id("Tutoriel:Über uns & FAQ?")  → "tutoriel:ueber_uns_faq"
    section_id("1. Installation", seen)   → "installation"
    resolve_link("tutoriel:a", "b")       → "tutoriel:b"   (and ":b" → "b", "..:b" → "b")
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

# inc/Utf8/tables/loweraccents.php, grouped by replacement (œ is not in it: it stays as is).
_LOWER_ACCENTS: dict[str, str] = {
    accented: plain
    for plain, letters in {
        "a": "áàăâåãąā", "ae": "äæ", "b": "ḃ", "c": "ćĉčċç", "d": "ďḋđ", "dh": "ð",
        "e": "éèĕêěëėęē", "f": "ḟƒ", "g": "ğĝġģ", "h": "ĥħ", "i": "íìîïĩįīı", "j": "ĵ", "k": "ķ",
        "l": "ĺľļł", "m": "ṁ", "n": "ńňñņ", "o": "óòôőõøōơ", "oe": "ö", "p": "ṗ", "r": "ŕřŗ",
        "s": "śŝšṡşș", "ss": "ß", "t": "ťṫţțŧ", "u": "úùŭûůűũųūưµ", "ue": "ü", "w": "ẃẁŵẅ",
        "y": "ýỳŷÿ", "z": "źžż", "th": "þ",
    }.items()
    for accented in letters
}
_DEACCENT = str.maketrans(_LOWER_ACCENTS)

# Code point ranges (hex) of inc/Utf8/tables/specials.php as Table::specialChars() builds it
# (entries above U+10FFFF are dropped by DokuWiki, so they are absent here too).
_SPECIAL_RANGES = (
    "1a-29 2b-2c 2f 3b-40 5b-5e 60 7b-bf d7 f7 2c7 2d8-2dd 300-301 303 309 323 384-385 387 "
    "5b0-5b9 5bb-5c3 5f3-5f4 60c 61b 61f 640 64b-652 66a e3f 200c-200f 2013-2015 2017-201a "
    "201c-201e 2020-2022 2026 2030 2032-2033 2039-203a 2044 20a7 20aa-20ac 2116 2118 2122 "
    "2126 2135 2190-2195 21b5 21d0-21d4 2200 2202-2203 2205-2209 220b 220f 2211-2212 2215 "
    "2217 2219-221a 221d-221e 2220 2227-222b 2234 223c 2245 2248 2260-2261 2264-2265 "
    "2282-2284 2286-2287 2295 2297 22a5 22c5 2310 2320-2321 2329-232a 2469 2500 2502 250c "
    "2510 2514 2518 251c 2524 252c 2534 253c 2550-256c 2580 2584 2588 258c 2590-2593 25a0 "
    "25b2 25bc 25c6 25ca 25cf 25d7 2605 260e 261b 261e 2660 2663 2665-2666 2701-2704 "
    "2706-2709 270c-2727 2729-274b 274d 274f-2752 2756 2758-275e 2761-2767 277f 2789 "
    "2793-2794 2798-27af 27b1-27be 3000-3003 3008-3012 3014-301b 3036 c2a0 f6d9-f6db "
    "f8d7-f8fe fe7c-fe7d ff01-ff0f ff1a-ff20 ff3b-ff3e ff40 ff5b-ff65 ffe0-ffe6 ffe8-ffee "
    "1d6fc-1d71b"
)


def _char_class(ranges: str) -> str:
    """Regex character-class body for space-separated hex ranges like ``2b-2c 2f``."""
    parts = []
    for item in ranges.split():
        first, _, last = item.partition("-")
        parts.append(re.escape(chr(int(first, 16))))
        if last:
            parts.append("-" + re.escape(chr(int(last, 16))))
    return "".join(parts)


# Clean::stripspecials($id, '_', '\*') adds '*' and the control characters to the table.
_SPECIALS = re.compile(r"[*\x00-\x19" + _char_class(_SPECIAL_RANGES) + "]")
_SEPS = re.compile(r"_+")
_COLONS = re.compile(r":+")
_AFTER_COLON = re.compile(r":[:._-]+")
_BEFORE_COLON = re.compile(r"[:._-]+:")
_NON_DIGITS = re.compile(r"[^0-9]+")
_PHP_TRIM = " \t\n\r\0\x0b"
_BARE_DOTS = re.compile(r"^((\.+:)*)(\.+)(?=[^:.])")  # ".x"/"..x" → ".:x"/"..:x", as PHP does


def clean_id(raw: str) -> str:
    """A page id as DokuWiki's ``cleanID()`` makes it: lowercase, deaccented, ``_`` and ``:``.

    ``mb_strtolower`` + NFC (what DokuWiki does when mbstring and intl are installed) is
    Python's ``lower()`` + NFC.
    """
    wiki_id = unicodedata.normalize("NFC", raw.strip(_PHP_TRIM).lower())
    wiki_id = wiki_id.replace(";", ":").replace("/", "_").translate(_DEACCENT)
    wiki_id = _SPECIALS.sub("_", wiki_id)
    wiki_id = _COLONS.sub(":", _SEPS.sub("_", wiki_id)).strip(":._-")
    return _BEFORE_COLON.sub(":", _AFTER_COLON.sub(":", wiki_id))


def section_id(title: str, seen: list[str] | None) -> str:
    """The anchor DokuWiki gives a heading (``sectionID()``); ``seen`` holds the page's anchors
    so far and gets this one appended, so a repeated heading becomes ``x1``, ``x2``…"""
    anchor = clean_id(title).replace(":", "").replace(".", "")
    stripped = anchor.lstrip("0123456789_-")
    anchor = stripped or "section" + _NON_DIGITS.sub("", anchor)
    if seen is None:
        return anchor
    candidate, suffix = anchor, 0
    while candidate in seen:
        suffix += 1
        candidate = f"{anchor}{suffix}"
    seen.append(candidate)
    return candidate


def resolve_link(context_id: str, target: str) -> str:
    """The page id a ``[[target]]`` written on page ``context_id`` leads to.

    As DokuWiki's ``PageResolver``: ``~x`` is below the page itself, ``.x``/``..:x`` relative to
    its namespace, a target without ``:`` is in the page's namespace, one with ``:`` absolute; a
    namespace link (``ns:``) goes to its start page, the fallback DokuWiki takes when it finds no
    page named like the namespace (this module does not know which pages exist).  A ``/`` is
    read as a namespace separator, as wikis with ``useslash`` on do: elsewhere DokuWiki makes it
    ``_``, a page name nobody writes a link to on purpose.
    """
    target = target.split("#", 1)[0].replace(";", ":").replace("/", ":").strip()
    if not target:
        return ""
    namespace = context_id.rpartition(":")[0]
    if target.startswith("~"):
        target = f"{context_id}:{target[1:]}"
    if target.startswith("."):
        target = namespace + ":" + _BARE_DOTS.sub(r"\1\3:", target)
    if context_id and ":" not in target:
        target = f"{namespace}:{target}"
    parts: list[str] = []
    for part in target.split(":"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    if target.endswith(":"):
        parts.append("start")
    return clean_id(":".join(parts))


def page_id_for(source_name: str, wiki_id: str) -> str:
    """``tutoriel:x`` → ``<source>/tutoriel/x.txt``: the file DokuWiki stores the page in (with
    its default ``fnencode = url`` for non-ASCII ids), which is the page's identity."""
    return f"{source_name}/{quote(wiki_id.replace(':', '/'), safe='/')}.txt"


def page_url(base_url: str, wiki_id: str, anchor: str = "") -> str:
    """Public URL of a page (and section): ``<base>/doku.php?id=ns:page#anchor``.

    ``base_url`` may be the ``doku.php`` URL itself or the folder it lives in.
    """
    script = base_url if base_url.endswith(".php") else base_url.rstrip("/") + "/doku.php"
    url = f"{script}?id={quote(wiki_id, safe=':')}"
    return f"{url}#{quote(anchor, safe='')}" if anchor else url


def wiki_id_from_path(rel_path: str) -> str:
    """Page id of a file under ``data/pages``: ``tutoriel/x.txt`` → ``tutoriel:x``.

    Undoes DokuWiki's default file-name encoding (``fnencode = url``) of non-ASCII ids.
    """
    stem = rel_path.replace("\\", "/").removesuffix(".txt")
    return unquote(stem.strip("/").replace("/", ":"))
