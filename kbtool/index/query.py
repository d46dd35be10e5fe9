"""From what the agent typed to weighted key terms, with typos corrected.

Agents type questions, not boolean expressions: the query is the set of its key terms, each in
its stemmed and its plain form (see :mod:`kbtool.index.analysis`), weighted by rarity so that
"OFX" counts more than "fichier".  Scoring is in :mod:`kbtool.index.ranking`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from whoosh.reading import IndexReader
from whoosh.spelling import ReaderCorrector

from kbtool.index import schema as f
from kbtool.index.analysis import STOP_WORDS, plain_word, split_compound, stem_word

_WORD = re.compile(r"\w+(?:[-./]\w+)*")



@dataclass(frozen=True)
class QueryTerm:
    """One key term of the query: as typed (``surface``), plain form and stem."""

    surface: str
    word: str
    stem: str
    weight: float = 1.0


@dataclass(frozen=True)
class ParsedQuery:
    """The key terms and the typo fixes made (typed → corrected)."""

    terms: tuple[QueryTerm, ...]
    corrections: dict[str, str]

    def suggestion(self, typed: str) -> str | None:
        """The query as typed with its corrected words replaced ("did you mean")."""
        if not self.corrections:
            return None
        return _WORD.sub(lambda m: self.corrections.get(m.group().lower(), m.group()), typed)


def key_terms(text: str) -> list[QueryTerm]:
    """The query's words without stop words, duplicates removed, in order."""
    seen: set[str] = set()
    terms = []
    for match in _WORD.finditer(text.lower()):
        for part, _ in split_compound(match.group()):
            if part in STOP_WORDS or not part:
                continue
            term = QueryTerm(surface=part, word=plain_word(part), stem=stem_word(part))
            if term.stem not in seen:
                seen.add(term.stem)
                terms.append(term)
    return terms


def parse(text: str, reader: IndexReader) -> ParsedQuery:
    """Key terms of ``text`` with unknown words corrected, weighted by rarity, as a query."""
    terms, corrections = _correct(key_terms(text), reader)
    return ParsedQuery(terms=tuple(_weighted(t, reader) for t in terms), corrections=corrections)


def _weighted(term: QueryTerm, reader: IndexReader) -> QueryTerm:
    """Weight a term by its rarity among sections, so "ofx" counts more than "fichier"."""
    sections = max(reader.doc_count(), 1)
    frequency = max(reader.doc_frequency(f.BODY, term.stem),
                    reader.doc_frequency(f.BODY_WORDS, term.word))
    weight = math.log(1 + sections / (1 + frequency))
    return QueryTerm(term.surface, term.word, term.stem, weight)


def _correct(terms: list[QueryTerm],
             reader: IndexReader) -> tuple[list[QueryTerm], dict[str, str]]:
    """Replace words the index has never seen by the closest frequent word it has."""
    corrector = None
    corrections: dict[str, str] = {}
    result = []
    for term in terms:
        if _known(term, reader) or any(c.isdigit() for c in term.word) or len(term.word) < 4:
            result.append(term)
            continue
        corrector = corrector or ReaderCorrector(reader, f.BODY_WORDS, None)
        maxdist = 1 if len(term.word) <= 5 else 2
        found = corrector.suggest(term.word, limit=1, maxdist=maxdist, prefix=1)
        if found:
            fixed = found[0]
            corrections[term.surface] = fixed
            result.append(QueryTerm(fixed, plain_word(fixed), stem_word(fixed)))
        else:
            result.append(term)
    return result, corrections


def _known(term: QueryTerm, reader: IndexReader) -> bool:
    return (reader.doc_frequency(f.BODY_WORDS, term.word) > 0
            or reader.doc_frequency(f.TITLE_WORDS, term.word) > 0)
