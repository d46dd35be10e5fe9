"""A knowledge base N times the size of the corpus, growing as a real one would.

    .venv/bin/python bench/replicate.py --copies 10 /tmp/kb-x10

A support team's base grows by more pages of the same kind: more words, more sections, and new
vocabulary too.  Copy 0 is the corpus as it is (so the judged queries' pages keep their ids);
each further copy ``k`` lives under its own folder ``copie<k>/`` in ``wiki/`` and ``docs/`` (new
page ids and file names), and in it a share of the word types (``share``, by a hash seeded with
``k``: the same word is changed alike throughout one copy, as a team's own terms are) take a
French-looking ending ("sauvegarde" → "sauvegardette").  An ending, not a letter swap: a swapped
word would sit one slip away from the word it came from, in as many sections, and turn the
base's typo neighbourhoods into something no real base has.  Markup (DokuWiki links, media and
plugin tags, HTML tags, Markdown link targets, URLs) is left alone so every page still parses,
except that a copy's absolute wiki links lead into the copy (see ``_relinked``);
files that are not UTF-8 text (PDF) are copied unchanged under their new name.  Never writes
into the corpus.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import zlib
from pathlib import Path
from typing import Sequence

PARTS = ("wiki", "docs")
COPY_FOLDER = "copie{}"
ENDINGS = ("ette", "age", "erie", "isme", "ade", "iste", "ure", "ier")
SHARE = 0.1
_WORD = re.compile(r"[^\W\d_]{5,}")
# Text no word of which is changed: wiki links and media, plugin and HTML tags, macros,
# Markdown link targets, URLs.
_MARKUP = re.compile(r"\[\[[^\]\n]*\]\]|\{\{[^}\n]*\}\}|<[^>\n]*>|~~[^~\n]*~~|\]\([^)\n]*\)"
                     r"|\w+://\S+")
_TARGET_END = re.compile(r"[|#\]~]")
_NOT_A_PAGE = re.compile(r"://|>|@|\\")     # a URL, an interwiki link, an e-mail, a share


def replicate(corpus: Path, dest: Path, copies: int, share: float = SHARE) -> int:
    """Write ``copies`` copies of ``corpus``'s ``wiki/`` and ``docs/`` into ``dest``; the
    number of files written."""
    if dest.resolve().is_relative_to(corpus.resolve()):
        raise ValueError(f"{dest} is inside the corpus {corpus}: choose a scratch folder")
    written = 0
    for part in PARTS:
        files = sorted(p for p in (corpus / part).rglob("*") if p.is_file())
        for copy in range(copies):
            target = dest / part if copy == 0 else dest / part / COPY_FOLDER.format(copy)
            for path in files:
                _write_copy(path, target / path.relative_to(corpus / part), copy, share)
                written += 1
    return written


def perturbed(text: str, copy: int, share: float = SHARE) -> str:
    """``text`` as copy ``copy`` writes it: the chosen share of its words with a new ending,
    markup untouched (copy 0 is the text itself)."""
    if copy == 0:
        return text
    pieces = []
    start = 0
    for markup in _MARKUP.finditer(text):
        pieces += [_words_perturbed(text[start:markup.start()], copy, share),
                   _relinked(markup.group(), copy)]
        start = markup.end()
    pieces.append(_words_perturbed(text[start:], copy, share))
    return "".join(pieces)


def _relinked(markup: str, copy: int) -> str:
    """A wiki link or redirect of a copy, led into that copy when its target is absolute
    (``[[:versions]]``, ``[[tutoriel:x]]``; a target without ``:`` or starting with ``.`` or
    ``~`` already resolves inside it): else every copy would link to the corpus's own pages,
    which would gain ten times the links a real base gives them."""
    for opening in ("[[", "~~REDIRECT>"):
        if not markup.startswith(opening):
            continue
        body = markup[len(opening):]
        target = _TARGET_END.split(body, maxsplit=1)[0].strip()
        if ":" in target and not target.startswith((".", "~")) and not _NOT_A_PAGE.search(target):
            return f"{opening}:{COPY_FOLDER.format(copy)}:{body.lstrip(' :')}"
    return markup


def _words_perturbed(text: str, copy: int, share: float) -> str:
    return _WORD.sub(lambda match: _new_word(match.group(), copy, share), text)


def _new_word(word: str, copy: int, share: float) -> str:
    """The word, or for a chosen share of word types in this copy the word with an ending."""
    draw = zlib.crc32(f"{copy}:{word.lower()}".encode("utf-8"))
    if draw % 10_000 >= share * 10_000:
        return word
    ending = ENDINGS[(draw // 10_000) % len(ENDINGS)]
    return word + (ending.upper() if word.isupper() else ending)


def _write_copy(source: Path, target: Path, copy: int, share: float) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        shutil.copyfile(source, target)
        return
    target.write_text(perturbed(text, copy, share), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="scratch folder to write wiki/ and docs/ into")
    parser.add_argument("--corpus", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--share", type=float, default=SHARE,
                        help=f"share of a copy's word types given an ending (default {SHARE})")
    args = parser.parse_args(argv)
    written = replicate(args.corpus, args.dest, args.copies, args.share)
    print(f"{written} files written into {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
