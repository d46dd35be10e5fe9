"""Synonyms the documentation itself gives: "courriel (e-mail)", "les processus, aussi appelés
programmes en cours", "système de gestion de base de données (SGBD)".

Why: users ask in their words ("mail", "les programmes qui tournent") and the documentation
answers in its own ("courriel", "processus"); where it says both in one sentence, that sentence
is the team's vocabulary written down.  Pairs are read at index time from each section's text
and indexed with it (``schema.SYNONYMS``), so they follow every reindex and apply on a fresh
machine, with nothing hand-written.

Conservative on purpose (precision was read on the shared corpus, see ``docs/benchmarks.md``):
a side is 1–4 words without digits, the left one starts after a determiner (or at the start of a
clause), and only these cues count (kind ``named``): "aussi / également appelé(e)(s)",
"appelé(e)(s) aussi", "autrement dit", "(en anglais …)", a bracketed "(appelé …)"; and (kind
``acronym``) a bracketed acronym whose letters are the initials of the words before it
("Système de Gestion de Base de Données (SGBD)"), or the reverse.  Those two kinds apply to
searches by themselves.  A bare bracketed term of one or two words ("courriel (e-mail)", kind
``bracketed``) is only a candidate: on the corpus most are not synonyms ("bureau (Gnome)",
"erreurs (fail)"), so it applies once a reviewer accepts it.  Left out: "c'est-à-dire" (mostly
followed by a definition, not a name) and "(ou …)" (mostly alternatives: "installe (ou
désinstalle)", "avant (ou après)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from kbtool.index.analysis import fold_accents

MAX_WORDS = 4            # words of a side, at most…
MAX_ACRONYM_WORDS = 7    # …but an acronym's expansion ("système de gestion de base de données")
MAX_SIDE_CHARS = 50
MAX_SENTENCE_CHARS = 300  # the sentence kept to show reviewers where a pair comes from
MAX_SEEDS_PER_TEXT = 50   # a section listing hundreds of acronyms is a glossary, not prose

PAIR_SEP = "\x1f"         # between the two sides of a pair (and its kind) in the index term
NAMED, ACRONYM, BRACKETED = "named", "acronym", "bracketed"
KINDS = (NAMED, ACRONYM, BRACKETED)
APPLIED_KINDS = frozenset({NAMED, ACRONYM})   # the others wait for a reviewer

# Words a left side stops at, going back from the cue: what comes after them is the term.
_DETERMINERS = frozenset(
    "le la les l un une des du d ce cet cette ces son sa ses leur leurs mon ma mes notre nos "
    "votre vos au aux est sont".split())
# Bracketed words that say something about the text, never another name of the term.
_NOT_NAMES = frozenset(
    "voir cf cf. p page pages chapitre section figure fig tableau annexe exemple ex "
    "facultatif facultative optionnel optionnelle obligatoire recommandé conseillé "
    "déconseillé par défaut défaut etc idem ibid sic note nb remarque attention "
    "si nécessaire besoin éventuellement inclus incluse compris comprise "
    "gauche droite haut bas ci-dessus ci-dessous plus moins environ oui non".split())
# Words no side begins or ends with (they begin a clause, not a name).
_EDGE_WORDS = frozenset(
    "et ou que qui dont de du des d l le la les un une à a en par pour sur dans avec sans "
    "il elle ils elles on vous nous je tu ce se sa son ses ne pas plus très".split())
# Small words acronyms skip ("Système de Gestion de Base de Données" → SGBD).
_ACRONYM_SKIPPED = frozenset("de du des d l la le les à a et en pour sur au aux of the and".split())

_WORD = r"[^\W\d_][\w'’-]*"
_CUES = re.compile(
    r"(?:,\s*|\s)(?:(?:qui\s+)?(?:est|sont)\s+)?(?:aussi|également)\s+(?:appel(?:l)?ée?s?|nommée?s?|dénommée?s?)\s+"
    r"|(?:,\s*|\s)appel(?:l)?ée?s?\s+(?:aussi|également)\s+"
    r"|,\s*autrement\s+dit,?\s+"
    r"|\s*\(\s*(?:aussi\s+|également\s+)?(?:appel(?:l)?ée?s?(?:\s+aussi|\s+également)?|"
    r"en\s+anglais|de\s+l'anglais|autrement\s+dit)\s*:?\s*",
    re.IGNORECASE)
_LOOK_BACK = 120          # characters around a cue where its sides are looked for
_ANY_CUE = re.compile(r"\(|appel|nomm|autrement", re.IGNORECASE)  # cheap test before the rest
_BRACKETED = re.compile(r"\s\(([^()\n]{1,40})\)")
_BOUNDARY = re.compile(r"[.!?](?!\w)|\n")    # where a sentence ends
_SENTENCE_REACH = 400    # characters of a sentence read on either side of its cue, at most
_RIGHT_END = re.compile(r"[.,;:!?()\[\]«»\"]|\s(?:est|sont|qui|que|dont|et|pour|avec|dans|"
                        r"permet|permettent|se|sur|par|en\s+(?:anglais|français))\s", re.IGNORECASE)
_QUOTES = str.maketrans({"«": " ", "»": " ", "\"": " ", "“": " ", "”": " ", "*": " ",
                         "’": "'", "\u200b": " "})


@dataclass(frozen=True)
class Seed:
    """Two names of one thing read in the documentation, the sentence saying so, and how it
    says so (``KINDS``)."""

    term: str
    synonym: str
    sentence: str
    kind: str = NAMED


def seeds(text: str) -> list[Seed]:
    """The synonym pairs a text gives, each once, in order (see the module docstring)."""
    found: dict[tuple[str, str], Seed] = {}
    for sentence in _sentences_with_cues(text):
        clean = " ".join(sentence.translate(_QUOTES).split())
        if not clean:
            continue
        for term, synonym, kind in _pairs(clean):
            key = (term, synonym)
            if key not in found and (synonym, term) not in found:
                found[key] = Seed(term, synonym, clean[:MAX_SENTENCE_CHARS], kind)
        if len(found) >= MAX_SEEDS_PER_TEXT:
            break
    return list(found.values())[:MAX_SEEDS_PER_TEXT]


def _sentences_with_cues(text: str) -> Iterator[str]:
    """The sentences of a text holding a cue, each once: found from the cues rather than by
    splitting the whole text (most sentences hold none; splitting them all was most of the
    time), a sentence longer than ``_SENTENCE_REACH`` around its cue cut there."""
    done = -1
    for cue in _ANY_CUE.finditer(text):
        at = cue.start()
        if at < done:
            continue
        low = max(0, at - _SENTENCE_REACH)
        start = low
        for boundary in _BOUNDARY.finditer(text, low, at):
            start = boundary.end()
        boundary = _BOUNDARY.search(text, at, at + _SENTENCE_REACH)
        done = boundary.end() if boundary else min(len(text), at + _SENTENCE_REACH)
        yield text[start:done]


def pair_term(seed: Seed) -> str:
    """The index term of a pair (``schema.SYNONYMS``): both sides and the kind, separated."""
    return PAIR_SEP.join((seed.term, seed.synonym, seed.kind))


def pair_of(term: str) -> tuple[str, str, str] | None:
    """(term, synonym, kind) of an index term of ``schema.SYNONYMS`` (None if not one)."""
    parts = term.split(PAIR_SEP)
    if len(parts) != 3 or not all(parts) or parts[2] not in KINDS:
        return None
    return parts[0], parts[1], parts[2]


def _pairs(sentence: str) -> Iterator[tuple[str, str, str]]:
    for match in _CUES.finditer(sentence):
        left = _left_side(sentence[max(0, match.start() - _LOOK_BACK):match.start()])
        rest = sentence[match.end():match.end() + _LOOK_BACK]
        end = _RIGHT_END.search(rest)
        right = rest[:end.start()] if end else rest
        if left:
            for alternative in re.split(r"\s+ou\s+", right):
                yield from _checked(left, alternative, NAMED)
    for match in _BRACKETED.finditer(sentence):
        inside = match.group(1).strip()
        before = sentence[max(0, match.start() - _LOOK_BACK):match.start()]
        acronym = _acronym_pair(before, inside)
        if acronym:
            yield from _checked(*acronym, ACRONYM)
        elif len(inside.split()) <= 2 and not _CUES.match(" (" + inside):
            left = _left_side(before)
            if left:
                yield from _checked(left, inside, BRACKETED)


def _left_side(before: str) -> str | None:
    """The words ending ``before`` back to a determiner or the start of a clause, at most
    ``MAX_WORDS`` (None when they run on longer: no clear start)."""
    words = re.findall(r"[\w'’-]+|[,;:()]", before)
    taken: list[str] = []
    for word in reversed(words):
        lowered = word.lower()
        elided = re.match(r"^(?:l|d|qu|s|n|j|m|t|c)'(.+)$", lowered)
        if elided:
            taken.append(word[len(word) - len(elided.group(1)):])
            break
        if lowered in _DETERMINERS or not re.match(r"\w", word):
            break
        taken.append(word)
        if len(taken) > MAX_WORDS:
            return None
    return " ".join(reversed(taken)) or None


def _acronym_pair(before: str, inside: str) -> tuple[str, str] | None:
    """(words, acronym) when ``inside`` is an acronym of the words before it, or the words
    inside expand the capitalised word just before: "(SGBD)", "SGBD (Système de …)"."""
    words = re.findall(r"[\w'’-]+", before)
    if re.fullmatch(r"[A-Z]{2,6}", inside):
        letters, taken = list(inside.lower()), []
        for word in reversed(words):
            bare = re.sub(r"^[ldLD]'", "", word)
            if letters and bare.lower()[0] == letters[-1]:
                letters.pop()
                taken.append(word)
            elif word.lower() in _ACRONYM_SKIPPED and letters and taken:
                taken.append(word)
            else:
                break
            if not letters:
                return re.sub(r"^[ldLD]'", "", " ".join(reversed(taken))), inside
        return None
    if words and re.fullmatch(r"[A-Z]{2,6}", words[-1]):
        initials = "".join(re.sub(r"^[ldLD]'", "", w)[0] for w in inside.split()
                           if w.lower() not in _ACRONYM_SKIPPED)
        if initials.lower() == words[-1].lower():
            return words[-1], inside
    return None


def _checked(left: str, right: str, kind: str) -> Iterator[tuple[str, str, str]]:
    """The pair, lowercased, if both sides look like names of one thing."""
    first, second = (" ".join(side.strip(" '’-").lower().split()) for side in (left, right))
    longest = MAX_ACRONYM_WORDS if kind == ACRONYM else MAX_WORDS
    if _is_name(first, longest) and _is_name(second, longest) and \
            fold_accents(first) != fold_accents(second):
        yield first, second, kind


def _is_name(side: str, longest: int) -> bool:
    words = side.split()
    if not 1 <= len(words) <= longest or len(side) > MAX_SIDE_CHARS:
        return False
    if any(not re.fullmatch(_WORD, word) for word in words):
        return False
    if side in _NOT_NAMES or words[0] in _NOT_NAMES or words[0].endswith("ment") or \
            re.match(r"(?:qu|c|s|n|j)'", words[0]):
        return False
    return words[0] not in _EDGE_WORDS and words[-1] not in _EDGE_WORDS and len(side) > 1
