"""From what the agent typed to weighted key terms, with typos handled.

Agents type questions, not boolean expressions: the query is the set of its key terms, each in
its stemmed and its plain form (see :mod:`kbtool.index.analysis`), weighted by rarity so that
"OFX" counts more than "fichier".  Scoring is in :mod:`kbtool.index.ranking`.

Where Snowball falls short, a term is searched in more forms: the stems of its word family
("graver" → gravure, graveur) and, for a verb left conjugated ("s'impriment", "prennent"), those
of its infinitive or singular.

A word the documentation writes in capitals (OFX, FEC, URSSAF) weighs more: it names what the
question is about.

Typos: a word the index has never seen is replaced by the closest word it holds often; a word it
holds rarely, next to one it holds far more often ("ouvir" / "ouvrir"), is searched in both
forms, since rare real words ("organiste") look just like typos.  Rare is a share of the base's
sections, not a count: a base ten times the size holds its typos ten times too.  Among close
words, the one written most often beside the query's other words wins ("mot de pase" →
*passe*, not *page*), then the one written most often: words as written count, not stems, or
"paie" would borrow the frequency of "paiement".
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
import re
import string
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
from whoosh.reading import IndexReader
from whoosh.spelling import ReaderCorrector
from whoosh.support.levenshtein import damerau_levenshtein

from kbtool.index import schema as f
from kbtool.index.analysis import (REQUEST_WORDS, STOP_WORDS, accented_stems, joined_form,
                                   key_words, plain_word, split_compound, stem_word)
from kbtool.index.postings import Postings

RARE_SHARE = 1 / 20_000    # a word in fewer than this share of the sections is rare (see _rare)
TYPO_RATIO = 20            # a rare word may be a typo of a close word written this many times more
MIN_SECTIONS = 3           # a word to correct to (or a verb's other form) is held at least so often
UNKNOWN_TERM_FACTOR = 2.0  # weight of a term the knowledge base has never seen
CONJUGATION_RATIO = 5      # a verb's other form held this many times more joins it (see below)
ACRONYM_FACTOR = 3.0       # weight of a word the documentation writes in capitals (OFX, TVA)…
ACRONYM_SAMPLE = 10        # …as seen in the first sections holding it (a sample: its size need not
                           # grow with the base's, as a poll's does not with the population; the
                           # same sample tells how a corrected word is spelled)
# Present-plural endings Snowball leaves whole → how the same verb's infinitive or present
# singular ends, each tried (impriment → imprimer; sortent → sortir; imprimons → imprimer;
# connaissent → connaître, connaît; viennent → venir, vient; prennent → prendre, prend; mettent
# → mettre, met; produisent → produire, produit; écrivent → écrire, écrit; éteignent →
# éteindre, éteint; reçoivent → recevoir, reçoit).
PLURAL_VERB_FORMS = (("ons", ("er",)), ("ent", ("er", "ir")), ("aissent", ("aître", "aît")),
                     ("iennent", ("enir", "ient")), ("ennent", ("endre", "end")),
                     ("ettent", ("ettre", "et")), ("uisent", ("uire", "uit")),
                     ("ivent", ("ire", "it")), ("gnent", ("ndre", "nt")),
                     ("oivent", ("evoir", "oit")))
# Word families (see _with_family): how the Snowball stem of a verb ends → how the stems of
# the nouns and adjectives French derives from it end (grav → gravure, graveur; archiv →
# archivage; boot → bootable; modifi → modification; cré → création; sélection → sélect-ion),
# the shortest base kept, the weight of such a stem beside the typed word's own.
FAMILY_ENDINGS = (("", "ur"), ("", "eur"), ("", "ag"), ("", "abl"), ("ifi", "if"),
                  ("", "ation"), ("ion", ""))
# Verbs whose past participle Snowball cannot reach from the infinitive, by ending (mettre →
# mis, as in "mise à jour"; inscrire → inscrit; ouvrir → ouvert; éteindre → éteint…).
PARTICIPLES = (("mettre", "mis"), ("prendre", "pris"), ("crire", "crit"), ("vrir", "vert"),
               ("duire", "duit"), ("struire", "struit"), ("soudre", "solu"), ("indre", "int"),
               ("naître", "nu"), ("paraître", "paru"))
FAMILY_MIN_BASE = 3
FAMILY_WEIGHT = 0.75
_VERB_ENDINGS = ("er", "ez", "é", "ée", "és", "ées", "ir")

_WORD = re.compile(r"\w+(?:[-./]\w+)*")
# A folded letter → the letters French writes it with, to find a word of the index in text.
_ACCENTED = {"a": "[aàâä]", "c": "[cç]", "e": "[eéèêë]", "i": "[iîï]", "o": "[oôö]",
             "u": "[uùûü]", "y": "[yÿ]"}


@dataclass(frozen=True)
class Form:
    """One way of matching a term: plain word (empty: stem only) and stem, and how much a
    match counts."""

    word: str
    stem: str
    weight: float = 1.0

    @classmethod
    def of(cls, text: str) -> Form:
        return cls(plain_word(text), stem_word(text))


@dataclass(frozen=True)
class QueryTerm:
    """One key term: as typed, the forms searched (typed first, word family last), and its
    weight."""

    surface: str
    forms: tuple[Form, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class ParsedQuery:
    """The key terms and the typo fixes found (typed → corrected)."""

    terms: tuple[QueryTerm, ...]
    corrections: dict[str, str]

    def suggestion(self, typed: str) -> str | None:
        """The query as typed with its corrected words replaced ("did you mean")."""
        if not self.corrections:
            return None
        return _WORD.sub(lambda m: self.corrections.get(m.group().lower(), m.group()), typed)


def key_terms(text: str) -> list[QueryTerm]:
    """The query's words without stop words nor request words (unless it is only those),
    duplicates removed, in order.

    The parts of a hyphenated pair ("wi-fi") are the terms, each also searched as the pair
    written as one ("wifi"), so that pages writing "wifi", "Wi-Fi" or "wi fi" all hold them.
    """
    words: list[tuple[str, str | None]] = []    # (word, its hyphenated pair written as one)
    for match in _WORD.finditer(text.lower()):
        joined = joined_form(match.group())
        words += [(part, joined) for part, _ in split_compound(match.group())
                  if part and part not in STOP_WORDS and part != joined]
    words = [pair for pair in words if pair[0] not in REQUEST_WORDS] or words
    seen: set[str] = set()
    terms = []
    for word, joined in words:
        form = Form.of(word)
        if form.stem not in seen:
            seen.add(form.stem)
            terms.append(QueryTerm(surface=word, forms=(form, Form.of(joined)) if joined
                                   else (form,)))
    return terms


def parse(text: str, reader: IndexReader, acronyms: dict[str, bool] | None = None,
          postings: Postings | None = None,
          named: Callable[[str], bool] = lambda stem: False) -> ParsedQuery:
    """Key terms of ``text``, typos handled, weighted by rarity; ``acronyms`` remembers which
    words the documentation writes in capitals, and ``postings`` holds the reader's posting
    arrays, both for the reader's lifetime (a long-lived searcher keeps them).  A word whose
    stem is ``named`` (a synonym table holds it) is no typo: "mail" is not "mais" when the
    team's table says it is "courriel"."""
    typed = key_terms(text)
    corrector = _Corrector(reader, tuple(term.forms[0].word for term in typed), postings)
    known = {} if acronyms is None else acronyms
    fixed = (_with_verb_forms(_accented(term, reader), reader) for term in typed)
    fixed = (term if named(term.forms[0].stem) else corrector.fix(term) for term in fixed)
    terms = tuple(_with_family(_emphasized(_weighted(term, reader), reader, known), reader)
                  for term in fixed if term is not None)
    return ParsedQuery(terms=terms, corrections=corrector.corrections)


def word_weights(text: str, reader: IndexReader) -> dict[str, float]:
    """Stem → weight of each key word of ``text`` as the ranking weighs it by rarity (a word
    the documentation never writes weighs most)."""
    return {term.forms[0].stem: _weighted(term, reader).weight for term in key_terms(text)}


def _weighted(term: QueryTerm, reader: IndexReader) -> QueryTerm:
    """Weight a term by its rarity among sections (its most frequent form counts)."""
    sections = max(reader.doc_count(), 1)
    frequency = max(_frequency(form, reader) for form in term.forms)
    weight = math.log(1 + sections / (1 + frequency))
    if frequency == 0:
        weight *= UNKNOWN_TERM_FACTOR
    return QueryTerm(term.surface, term.forms, weight)


def _emphasized(term: QueryTerm, reader: IndexReader, acronyms: dict[str, bool]) -> QueryTerm:
    """The term weighing ``ACRONYM_FACTOR`` times more when the documentation mostly writes it
    in capitals.

    An acronym names the very thing a question is about (a file format: OFX, QIF; a form or
    body: FEC, URSSAF; a device: USB, DVD) while the words around it say what to do with it;
    rarity alone ranks "OFX" barely above "relevé" in a banking manual, and the chapters on
    bank statements in general then outrank the one on OFX files.  How the word is written
    is read off the index, not the query, so "ofx" typed in lower case counts alike.
    """
    word = term.forms[0].word
    if word not in acronyms:
        acronyms[word] = _written_in_capitals(word, reader)
    if not acronyms[word]:
        return term
    return QueryTerm(term.surface, term.forms, term.weight * ACRONYM_FACTOR)


def _written_in_capitals(word: str, reader: IndexReader) -> bool:
    """Whether most of the spellings of a plain word in the first sections holding it are in
    capitals."""
    if len(word) < 2 or not word.isascii() or not word.isalnum() or word.isdigit():
        return False
    written = spellings(word, reader)
    return 2 * sum(spelling.isupper() for spelling in written) > len(written)


def spellings(word: str, reader: IndexReader) -> list[str]:
    """How the documentation writes a plain word (accents and case as written), in the first
    ``ACRONYM_SAMPLE`` sections holding it."""
    spelled = re.compile(r"(?<!\w)" + "".join(_ACCENTED.get(c, re.escape(c)) for c in word)
                         + r"(?!\w)", re.IGNORECASE)
    return [match.group() for text in _stored_texts(reader, word, ACRONYM_SAMPLE)
            for match in spelled.finditer(text)]


def _stored_texts(reader: IndexReader, word: str, count: int) -> list[str]:
    """The stored text of the first ``count`` sections holding a plain word (none when it is
    only in sections deleted since the last merge)."""
    if (f.BODY_WORDS, word) not in reader:
        return []
    postings = reader.postings(f.BODY_WORDS, word)
    texts = []
    while postings.is_active() and len(texts) < count:
        texts.append(reader.stored_fields(postings.id()).get(f.BODY, ""))
        postings.next()
    return texts


def _with_family(term: QueryTerm, reader: IndexReader) -> QueryTerm:
    """The term with the stems of its word family that the knowledge base holds, weighing less.

    Snowball strips inflections, not derivations: "graver" stems apart from "gravure" and
    "graveur", "booter" from "bootable", so a question asking to *graver* a DVD misses the pages
    of burning tools, which speak of *gravure*.  A verb brings the nouns and adjectives it makes
    and, for irregular verbs, its past participle ("mettre à jour" → *mise à jour*); a derived
    word brings its base.  Only stems the index holds are added.  (Snowball itself
    already joins many pairs: installer / installation, enregistrer / enregistrement.)
    """
    stems = {form.stem for form in term.forms}
    verb = term.surface.endswith(_VERB_ENDINGS)
    related = set()
    for stem, (verb_end, derived_end) in itertools.product(stems, FAMILY_ENDINGS):
        if verb and stem.endswith(verb_end):
            related.add(stem[:len(stem) - len(verb_end)] + derived_end)
        base = len(stem) - len(derived_end)
        if derived_end and stem.endswith(derived_end) and base >= FAMILY_MIN_BASE:
            related.add(stem[:base] + verb_end)
    related.update(Form.of(term.surface[:-len(infinitive)] + participle).stem
                   for infinitive, participle in PARTICIPLES
                   if term.surface.endswith(infinitive))
    family = tuple(Form("", stem, FAMILY_WEIGHT) for stem in sorted(related - stems)
                   if reader.doc_frequency(f.BODY, stem))
    return QueryTerm(term.surface, term.forms + family, term.weight)


def _with_verb_forms(term: QueryTerm, reader: IndexReader) -> QueryTerm:
    """The term and, for a verb Snowball leaves conjugated, the stems of its other forms.

    Snowball keeps the present plural whole ("s'impriment", "affichent", "prennent",
    "éteignent", "imprimons" stem to themselves), while customers describe what their software
    does in just those words ("les reçus ne s'impriment pas", "les fenêtres ne s'éteignent
    pas") and the documentation mostly says "imprimer", "éteindre", "s'éteint".  Each form
    ``PLURAL_VERB_FORMS`` guesses that the knowledge base holds, its stem held several times more
    often than the typed word, is searched too; nouns and adverbs ("client", "document",
    "questions", "souvent") are held more often than any such guess, and a typo ("coment") has
    no infinitive ("comer") in the documentation.
    """
    surface = term.surface
    typed_frequency = _frequency(term.forms[0], reader)
    stems = {form.stem for form in term.forms}
    added = []
    for ending, replacements in PLURAL_VERB_FORMS:
        if not surface.endswith(ending):
            continue
        for replacement in replacements:
            guess = Form.of(surface[:-len(ending)] + replacement)
            held = reader.doc_frequency(f.BODY, guess.stem)
            if guess.stem not in stems and (f.BODY_WORDS, guess.word) in reader and \
                    _established(held, reader) and held >= CONJUGATION_RATIO * typed_frequency:
                stems.add(guess.stem)
                added.append(Form("", guess.stem))
    return QueryTerm(surface, term.forms + tuple(added), term.weight) if added else term


def _accented(term: QueryTerm, reader: IndexReader) -> QueryTerm:
    """The term as typed, stemmed as the knowledge base most often holds it.

    "securite" typed without accents stems apart from "sécurité" in the index; of the stems
    its accented spellings would have, the one found in most sections wins.
    """
    stem = max(sorted(accented_stems(term.surface)),
               key=lambda candidate: reader.doc_frequency(f.BODY, candidate))
    return QueryTerm(term.surface, (Form(term.forms[0].word, stem),) + term.forms[1:],
                     term.weight)


def _rare(sections: int, reader: IndexReader) -> bool:
    """Whether a word held in ``sections`` sections is rare in this base: a word never seen, or
    one held in fewer than ``RARE_SHARE`` of the sections.

    A rare word may be a typo, and is no word to correct a typo to.  Counted as a share, the
    same words are rare in a base ten times the size, where each is held ten times as often: a
    fixed count (three sections) took a typo the base repeats ("ouvir", 9 sections at 10× the
    corpus) for a word, and in a small base ignored the word a typo was meant to be.  Below
    1 / ``RARE_SHARE`` sections only words never seen are rare: a word written once in a small
    base is as likely a real term as a slip.
    """
    return sections == 0 or sections < RARE_SHARE * reader.doc_count()


def _established(sections: int, reader: IndexReader) -> bool:
    """Whether a word held in ``sections`` sections may stand for another: no rare word, and
    held at least ``MIN_SECTIONS`` times, however small the base (a word written once or twice
    in a small base is no evidence that a word the base lacks, "graver", is its typo)."""
    return sections >= MIN_SECTIONS and not _rare(sections, reader)


def _frequency(form: Form, reader: IndexReader) -> int:
    return max(reader.doc_frequency(f.BODY, form.stem),
               reader.doc_frequency(f.BODY_WORDS, form.word),
               reader.doc_frequency(f.TITLE, form.stem))


_FILLERS = tuple(sorted(word for word in STOP_WORDS | REQUEST_WORDS if len(word) >= 4))


def _front_swaps(word: str) -> set[str]:
    """The word and the word with its 1st and 2nd, or 2nd and 3rd, letters swapped."""
    return {word, word[1] + word[0] + word[2:], word[0] + word[2] + word[1] + word[3:]}


def _front_edits(word: str) -> set[str]:
    """The words one slip away in the first two letters: swapped, second letter left out,
    wrong or added ('isporter' → 'importer')."""
    head, tail = word[0], word[2:]
    return (_front_swaps(word) | {head + tail}
            | {head + letter + rest for letter in string.ascii_lowercase
               for rest in (tail, word[1:])})


class _Corrector:
    """Typo handling for one query; remembers the corrections it made.  ``context`` holds the
    plain words of the query, whose company tells between close candidates; ``postings``, the
    reader's posting arrays (read when first needed if not given)."""

    def __init__(self, reader: IndexReader, context: tuple[str, ...],
                 postings: Postings | None = None) -> None:
        self.reader = reader
        self.context = context
        self.corrections: dict[str, str] = {}
        self._corrector: ReaderCorrector | None = None
        self._postings = postings

    def fix(self, term: QueryTerm) -> QueryTerm | None:
        """The term, with a corrected form when it looks like a typo; None when it is a
        mistyped stop word ("cmoment"), which would otherwise weigh as a word never seen."""
        typed = term.forms[0]
        frequency = _frequency(typed, self.reader)
        if not _rare(frequency, self.reader) or len(typed.word) < 4 or \
                any(c.isdigit() for c in typed.word):
            return term
        if frequency == 0:
            filler = next((word for word in _FILLERS
                           if damerau_levenshtein(term.surface, word) <= 1), None)
            if filler is not None:
                self.corrections[term.surface] = filler
                return None
        if len(term.forms) > 1:     # a verb found by its other forms, a hyphenated pair
            return term
        better = self._closest_frequent(typed.word, frequency)
        if better is None:
            return term
        written = self._as_written(better, plural=term.surface.endswith(("s", "x")))
        self.corrections[term.surface] = written
        fixed = Form.of(written)
        forms = (fixed,) if frequency == 0 else (typed, fixed)
        return QueryTerm(term.surface, forms)

    def _closest_frequent(self, word: str, frequency: int) -> str | None:
        if self._corrector is None:
            self._corrector = ReaderCorrector(self.reader, f.BODY_WORDS, None)
        maxdist = 1 if len(word) <= 7 else 2
        # Whoosh searches fast only below a fixed prefix of two letters (a one-letter prefix
        # costs ~100 ms): slips in the first two letters ("ipmorter", "isporter") are undone
        # by looking up each such edit in the word list.
        candidates = {candidate for spelled in _front_swaps(word)
                      for candidate in self._corrector.suggest(spelled, limit=8,
                                                               maxdist=maxdist, prefix=2)}
        candidates.update(spelled for spelled in _front_edits(word)
                          if (f.BODY_WORDS, spelled) in self.reader)
        return self._most_likely(word, frequency, candidates, maxdist)

    def _as_written(self, word: str, plural: bool) -> str:
        """A word of the index ('acce', folded) as the documentation writes it ('accès'),
        plural or not like the typed word: for the suggestion shown, and for its stem, which
        Snowball takes from the accented word.  The spelling most of the first sections holding
        it use, not the first one's: which section comes first depends on how the index was
        built, and one page writing "declaration" made "did you mean" say so in one build of
        the corpus and "déclaration" in another."""
        spellings = Counter(part for text in _stored_texts(self.reader, word, ACRONYM_SAMPLE)
                            for part, *_ in key_words(text.lower()) if plain_word(part) == word)
        if not spellings:
            return word
        written = spellings.most_common(1)[0][0]
        other_number = written[:-1] if written.endswith("s") else written + "s"
        if written.endswith(("s", "x")) != plural and plain_word(other_number) == word:
            return other_number
        return written

    def _most_likely(self, word: str, frequency: int, candidates: Iterable[str],
                     maxdist: int) -> str | None:
        """The closest candidate, among equals the one written most often beside the query's
        other words, then the one written most often, if it is established (see
        ``_established``) and written ``TYPO_RATIO`` times more often than the typed one.

        Words are counted as written (the word field), not by their stem: "paie" stems as
        "paiement" does, and would win by that word's frequency."""
        ranked = sorted((distance, -self._beside(c, word), -self._written(c), c)
                        for c in candidates
                        if c != word and (distance := damerau_levenshtein(word, c)) <= maxdist)
        if not ranked:
            return None
        written = -ranked[0][2]
        if not _established(written, self.reader) or written < TYPO_RATIO * frequency:
            return None
        return ranked[0][3]

    def _written(self, word: str) -> int:
        """How many sections write the plain word."""
        return self.reader.doc_frequency(f.BODY_WORDS, word)

    def _beside(self, candidate: str, typed: str) -> int:
        """How many times the candidate is written in a section beside one of the query's
        other words (summed over them)."""
        near = self._holding(candidate)
        if not len(near):
            return 0
        beside = np.zeros(self._arrays().doc_count, dtype=bool)
        beside[near] = True
        return sum(int(beside[self._holding(other)].sum()) for other in self.context
                   if other not in (typed, candidate))

    def _holding(self, word: str) -> np.ndarray:
        """The sections writing the plain word, as an array: at ten times the corpus the
        query's common words are each written in 50,000 sections, which took 150 ms to read
        one by one."""
        return self._arrays().term(f.BODY_WORDS, word)[0]

    def _arrays(self) -> Postings:
        if self._postings is None:
            self._postings = Postings.read_from(self.reader, ())
        return self._postings
