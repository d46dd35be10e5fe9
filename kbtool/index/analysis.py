"""French text analysis for the index: two analyzers, one stemmed and one close to the words.

Why two: full Snowball stemming finds "comptabilité" for "comptable" but also over-conflates
(installer / installation, fusionner / fusion) and needs accents that users often leave out; the
"words" analyzer keeps each word as written, only accent-folded and without its plural mark, so an
exact or accent-less form still scores and typo tolerance (fuzzy terms) has real words to match.

Examples (input → tokens)::

    stem:  "Les comptabilités d'une paroisse" → ["comptabl", "paroiss"]
    words: "Les comptabilités d'une paroisse" → ["comptabilite", "paroisse"]
    both:  "compte 445660, formulaire 2042-RICI" → [..., "445660", ..., "2042-rici", "2042", "rici"]

The index stores its analyzers (pickled): ``FrenchTokenizer`` is pickled by a name that never
moves (``kbtool.index.pickled``), so the class may.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterator

import Stemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.lang import stopwords_for_language

# Words, and runs of words joined by '-', '.' or '/' (split again by CompoundFilter).
TOKEN_PATTERN = r"\w+(?:[-./]\w+)*"

# Elided articles and pronouns (l', d', qu', j'…) become one- or two-letter tokens when the
# tokenizer splits at the apostrophe; they carry no meaning, nor do question words.
_EXTRA_STOP_WORDS = frozenset(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu "
    "comment quel quelle quels quelles pourquoi quand ou où est-ce "
    "a au aux un une des du de la le les et en y ce cet cette ces mon ma mes ".split())
# Stop words that are also what support questions are about: "son" is "his" but also "sound"
# ("pas de son", "régler le son": without it those questions had no word left to search).
_SUBJECT_HOMOGRAPHS = frozenset({"son"})
STOP_WORDS = (frozenset(stopwords_for_language("fr")) - _SUBJECT_HOMOGRAPHS) | _EXTRA_STOP_WORDS

# How customers phrase a request ("Bonjour, je voudrais savoir comment…, merci d'avance"): rare
# in the documentation, so they would weigh heavily while saying nothing of the subject.
REQUEST_WORDS = frozenset("""
    bonjour bonsoir salut merci remercie remerciant remerciements avance svp stp plait plaît
    cordialement salutations madame monsieur mesdames messieurs
    voudrais voudrions voulais aimerais aimerions souhaite souhaiterais souhaitais
    pourriez pouvez pourrais pourrait peux puis puisse faut dois doit possible
    savoir besoin aide aider aidez expliquer indiquer arrive parviens
    """.split())

_STEMMER_NAME = "french"
# Raised whenever a change gives already indexed pages other terms (2: hyphenated pairs also
# written as one; 3: "son" indexed; 4: a wiki page's links, field ``links``; 5: a redirect's
# name lent to its target, field ``redirect``; 6: the synonyms a section's text gives, field
# ``synonyms``): an index built with another version is rebuilt in full by the next reindex.
ANALYSIS_VERSION = 6


def fold_accents(text: str) -> str:
    """'Comptabilité reçue œuvre' → 'Comptabilite recue oeuvre' (ligatures expanded)."""
    if text.isascii():  # most words: nothing to fold (ASCII is stable under NFKD)
        return text
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("æ", "ae")
                                       .replace("Œ", "OE").replace("Æ", "AE"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAME, 200_000)


@lru_cache(maxsize=300_000)
def stem_word(word: str) -> str:
    """Snowball-stem a lowercase word, then fold its accents: the stemmer needs them."""
    if _DIGIT.search(word):
        return word
    stem = _stemmer().stemWord(word)
    if stem.endswith("us") and len(stem) > 4 and word.endswith("us"):
        stem = stem[:-1]  # Snowball keeps the plural -s of "reçus", "élus"
    return fold_accents(stem)


_ACCENTED_E = ("e", "é", "è")
_RESTORED_E = 3  # how many of a word's last 'e' are tried accented (3**3 spellings at most)


@lru_cache(maxsize=4096)
def accented_stems(word: str) -> frozenset[str]:
    """Stems a word typed without accents may have had: 'securite' → {'securit', 'secur'}.

    Agents often type without accents, and Snowball needs them (sécurité → secur but
    securite → securit), so the last few 'e' of an unaccented word are tried as é and è;
    which of these stems the knowledge base holds is for the caller to ask.
    """
    if not word.isascii():
        return frozenset({stem_word(word)})
    places = [i for i, c in enumerate(word) if c == "e"][-_RESTORED_E:]
    stems = set()
    for letters in itertools.product(_ACCENTED_E, repeat=len(places)):
        spelled = list(word)
        for place, letter in zip(places, letters):
            spelled[place] = letter
        stems.add(stem_word("".join(spelled)))
    return frozenset(stems)


@lru_cache(maxsize=300_000)
def plain_word(word: str) -> str:
    """Fold accents and drop a plural mark: 'adhérents' → 'adherent', 'journaux' → 'journal'."""
    folded = fold_accents(word)
    if _DIGIT.search(folded) or len(folded) <= 3:
        return folded
    if folded.endswith("aux") and len(folded) > 4:
        return folded[:-3] + "al"
    if folded.endswith(("eux", "oux")) or (
            folded[-1] == "s" and not folded.endswith(("ss", "us", "is"))):
        return folded[:-1]
    return folded


_SEPARATORS = re.compile(r"[-./]")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(TOKEN_PATTERN)


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[tuple[str, int], ...]:
    """Parts of a joined word with their position offsets; codes are also kept whole.

    A code holds a digit and must stay searchable as written and in parts, since users type
    "ERR-4012" or "erreur 4012": '2042-rici' → 2042-rici, 2042, rici (one position).  Other
    joined words are split: 'mise-à-jour' → mise, à, jour (one position each); two words joined
    by a hyphen are also kept written as one ('wi-fi' → wi, fi, wifi), as the documentation
    writes "Wi-Fi" and "wifi", "e-mail" and "email" alike (see :func:`joined_form`).
    """
    parts = _SEPARATORS.split(word)
    if len(parts) == 1:
        return ((word, 0),)
    if _DIGIT.search(word):
        return ((word, 0),) + tuple((part, 0) for part in parts if part)
    split = tuple((part, offset) for offset, part in enumerate(parts))
    joined = joined_form(word)
    return ((joined, 0),) + split if joined else split


def joined_form(word: str) -> str | None:
    """Two words joined by one hyphen, written as one ('wi-fi' → 'wifi'), else None."""
    first, hyphen, second = word.partition("-")
    if not (hyphen and first.isalpha() and second.isalpha()):
        return None
    return first + second


@lru_cache(maxsize=8)
def key_words(text: str) -> tuple[tuple[str, int, int, int], ...]:
    """The words of a lowercase text that are not stop words: (word, position, start, end),
    start and end being the characters of the whole token the word comes from.

    Cached because a section's text is analysed twice in a row (stemmed and plain fields).
    """
    found = []
    pos = 0
    for match in _TOKEN.finditer(text):
        parts = split_compound(match.group())
        for part, offset in parts:
            if part not in STOP_WORDS:
                found.append((part, pos + offset, match.start(), match.end()))
        pos += 1 + parts[-1][1]
    return tuple(found)


@lru_cache(maxsize=8)
def index_tokens(text: str) -> list[str]:
    """The tokens of a text, lowercased, for indexing (compounds still joined).

    Cached because a section's text is counted twice in a row (stemmed and plain fields).
    """
    return _TOKEN.findall(text.lower())


@lru_cache(maxsize=300_000)
def stem_terms(token: str) -> tuple[str, ...]:
    """The stemmed terms a token is indexed under (none for a stop word, several for a
    compound), as ``FrenchTokenizer("stem")`` yields them."""
    return tuple(stem_word(part) for part, _ in split_compound(token) if part not in STOP_WORDS)


@lru_cache(maxsize=300_000)
def plain_terms(token: str) -> tuple[str, ...]:
    """The plain terms a token is indexed under, as ``FrenchTokenizer("words")`` yields them."""
    return tuple(plain_word(part) for part, _ in split_compound(token) if part not in STOP_WORDS)


class FrenchTokenizer(Tokenizer):
    """Tokenize, lowercase, split compounds, drop stop words, then normalize each word.

    One pass instead of a chain of Whoosh filters: analysis is most of the indexing time, and
    each filter layer is a Python generator per token.  ``normalize`` is ``"stem"`` or
    ``"words"`` (see the module docstring).
    """

    is_morph = True

    def __init__(self, normalize: str = "stem") -> None:
        self.normalize = normalize

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchTokenizer) and other.normalize == self.normalize

    def __reduce__(self) -> tuple[object, tuple[str]]:
        """Pickled (in an index's schema) as a call of ``kbtool.index.pickled.french_tokenizer``,
        not by this class's import path, so moving the class leaves indexes readable."""
        from kbtool.index.pickled import french_tokenizer  # that module imports this one
        return french_tokenizer, (self.normalize,)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        normalize = stem_word if self.normalize == "stem" else plain_word
        for part, pos, start, end in key_words(value.lower() if tokenize else value):
            token.text = normalize(part)
            token.stopped = False
            token.boost = 1.0
            if keeporiginal:
                token.original = part
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token

    def term_counts(self, text: str) -> Counter[str]:
        """How often each term occurs in ``text``: the terms ``__call__`` yields, counted.

        What indexing needs, without a Token per word: the tokens are found by one regex call,
        each distinct token is analysed once (cached), and the counting runs in C
        (``Counter`` over the chained terms).  ``kbtool.index.segment`` indexes with it.
        """
        terms = stem_terms if self.normalize == "stem" else plain_terms
        return Counter(itertools.chain.from_iterable(map(terms, index_tokens(text))))


def stem_analyzer() -> FrenchTokenizer:
    """Analyzer of the stemmed fields (title, heading, body)."""
    return FrenchTokenizer("stem")


def words_analyzer() -> FrenchTokenizer:
    """Analyzer of the word fields (exact forms, fuzzy matching, spelling suggestions)."""
    return FrenchTokenizer("words")
