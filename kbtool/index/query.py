"""From what the agent typed to a Whoosh query: key terms, typo fixes, field weights, proximity.

The query is a disjunction of its key terms (agents type questions, not boolean expressions),
each term searched in its stemmed and its plain form across title, headings and body with
different weights; consecutive terms add a proximity bonus.  Ranking by coverage of the terms is
done afterwards on the section hits (see :mod:`kbtool.index.search`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.reading import IndexReader
from whoosh.spelling import ReaderCorrector

from kbtool.index import schema as f
from kbtool.index.analysis import STOP_WORDS, plain_word, split_compound, stem_word

_WORD = re.compile(r"\w+(?:[-./]\w+)*")

# Field weights: a title or heading naming the query's subject says more than a passing mention.
STEM_FIELDS = {f.TITLE: 3.0, f.HEADING: 2.0, f.BODY: 1.0}
WORD_FIELDS = {f.TITLE_WORDS: 1.5, f.HEADING_WORDS: 1.0, f.BODY_WORDS: 0.5}
PROXIMITY_WEIGHT = 1.0
PROXIMITY_SLOP = 3


@dataclass(frozen=True)
class QueryTerm:
    """One key term of the query: as typed (``surface``), plain form and stem."""

    surface: str
    word: str
    stem: str
    weight: float = 1.0


@dataclass(frozen=True)
class ParsedQuery:
    """The key terms, the typo fixes made (typed → corrected), and the Whoosh query."""

    terms: tuple[QueryTerm, ...]
    corrections: dict[str, str]
    query: Query | None

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
    terms = [_weighted(t, reader) for t in terms]
    return ParsedQuery(terms=tuple(terms), corrections=corrections, query=build(terms))


def build(terms: list[QueryTerm]) -> Query | None:
    """Disjunction of every term in every field, plus phrase bonuses for neighbouring terms."""
    if not terms:
        return None
    clauses: list[Query] = []
    for term in terms:
        clauses += [Term(field, term.stem, boost=w * term.weight)
                    for field, w in STEM_FIELDS.items()]
        clauses += [Term(field, term.word, boost=w * term.weight)
                    for field, w in WORD_FIELDS.items()]
    for left, right in zip(terms, terms[1:]):
        clauses.append(Phrase(f.BODY, [left.stem, right.stem], slop=PROXIMITY_SLOP,
                              boost=PROXIMITY_WEIGHT))
    return Or(clauses)


def restrict(sources: list[str] | tuple[str, ...],
             namespaces: list[str] | tuple[str, ...]) -> Query | None:
    """Filter query for the chosen sources and namespaces (None: everything)."""
    parts = []
    if sources:
        parts.append(Or([Term(f.SOURCE, s) for s in sources]))
    if namespaces:
        parts.append(Or([Term(f.NAMESPACES, n) for n in namespaces]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


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
