"""Query expansion by synonyms: the documentation's own pairs and the team's table.

A synonym searched for a typed word fills that word's slot in the query, weighing
``SYNONYM_WEIGHT`` of it, never a slot of its own: "mail" also finds pages saying "courriel",
and a page saying "courriel" holds the question's word as far as coverage goes, while a page
saying "mail" still ranks first.  A side of several words ("programmes en cours") is matched as
a run of the query's key terms, and searched as all of its words in one section.

Where pairs come from: the index (``kbtool.index.seeds``: what the documentation writes as
"X, aussi appelé Y", "X (en anglais Y)", acronyms), always; and the store-agnostic
``SynonymRules`` a caller passes (the team's table, kept by ``kbtool.knowledge.synonyms``):
pairs reviewers added, one-way or both ways, and seeds they rejected.  One hop only (no chain
a → b → c), at most ``MAX_SYNONYMS_PER_SIDE`` names per side and ``MAX_EXPANSIONS`` per query,
so a table of thousands of pairs, or with cycles, keeps a query's cost bounded.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Callable, Iterable

from kbtool.index.query import Form, QueryTerm, key_terms
from kbtool.index.seeds import ACRONYM, APPLIED_KINDS
from kbtool.index.synonym_rules import SynonymPair, SynonymRules, side_key, unordered

SYNONYM_WEIGHT = 0.5         # a synonym's forms beside the typed word's (word family: 0.75)
MAX_EXPANSIONS = 8           # synonyms searched for one query, at most
MAX_SYNONYMS_PER_SIDE = 5    # names one word or phrase brings, at most


class SynonymTable:
    """Side (its key) → the names it brings, in the order given (team's pairs first).

    ``frequency`` tells how many sections hold a key's words (its rarest one): a pair the
    documentation gives leads only from the name it uses less to the one it uses more, since
    a word the documentation uses a lot already finds its pages, and on the corpus such
    expansions were mostly wrong ("installation" → "postinstall", "niveau" → "décors").
    """

    def __init__(self, pairs: Iterable[SynonymPair],
                 frequency: Callable[[tuple[str, ...]], int] = lambda key: 0) -> None:
        self._names: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = \
            defaultdict(list)
        self._first: dict[str, set[int]] = defaultdict(set)   # first stem → key lengths
        self._frequency = frequency
        for pair in pairs:
            self._add(pair.term, pair.synonym, pair.seeded)
            if pair.both_ways:
                self._add(pair.synonym, pair.term, pair.seeded)

    def _add(self, side: str, name: str, seeded: bool) -> None:
        key, name_key = side_key(side), side_key(name)
        if not key or not name_key or key == name_key:
            return
        if seeded and self._frequency(key) >= self._frequency(name_key):
            return
        names = self._names[key]
        if len(names) < MAX_SYNONYMS_PER_SIDE and all(k != name_key for _, k in names):
            names.append((name, name_key))
            self._first[key[0]].add(len(key))

    def names(self, stem: str) -> bool:
        """Whether a word of this stem begins a side of the table."""
        return stem in self._first

    def expand(self, terms: tuple[QueryTerm, ...]) -> tuple[tuple[QueryTerm, ...], tuple[str, ...]]:
        """The terms with the synonyms of their words and runs of words added to their slots,
        and the names added (what the results page says it also searched)."""
        stems = [{form.stem for form in term.forms} for term in terms]
        typed = {stem for group in stems for stem in group}
        added: list[list[Form]] = [[] for _ in terms]
        shown: list[str] = []
        for start, group in enumerate(stems):
            for first in sorted(group):
                for length in sorted(self._first.get(first, ()), reverse=True):
                    run = stems[start:start + length]
                    if len(run) < length:
                        continue
                    for key in self._keys(first, run):
                        for name, name_key in self._names[key]:
                            if len(shown) >= MAX_EXPANSIONS or set(name_key) <= typed or \
                                    name in shown:
                                continue
                            shown.append(name)
                            form = _form(name, name_key)
                            for slot in range(start, start + length):
                                added[slot].append(form)
        expanded = tuple(QueryTerm(term.surface, term.forms + tuple(extra), term.weight)
                         if extra else term for term, extra in zip(terms, added))
        return expanded, tuple(shown)

    def _keys(self, first: str, run: list[set[str]]) -> list[tuple[str, ...]]:
        """The table's keys starting with ``first`` that the run of terms holds (each term
        has a few stems: typed, accented, verb forms)."""
        candidates = itertools.product((first,), *(sorted(group) for group in run[1:]))
        return [key for key in candidates if key in self._names]


def _form(name: str, key: tuple[str, ...]) -> Form:
    """How a synonym is searched: one word as typed words are (plain word and stem), several
    as all their stems in one section (see ``ranking``)."""
    if len(key) == 1:
        single = Form.of(next(t.surface for t in key_terms(name) if len(t.surface) > 1))
        return Form(single.word, single.stem, SYNONYM_WEIGHT)
    return Form("", " ".join(key), SYNONYM_WEIGHT)


def index_pairs(found: Iterable[tuple[str, str, str]], rules: SynonymRules
                ) -> list[SynonymPair]:
    """The rules' pairs, then the index's (term, synonym, kind) that apply by themselves and
    were not rejected, from the rarer name to the more common one; an acronym never leads to
    its words (the pages about IMAP say "IMAP": searching "imap" for "internet message access
    protocol" only brought pages that spell out other protocols)."""
    pairs = list(rules.pairs)
    for term, synonym, kind in found:
        if kind not in APPLIED_KINDS or unordered(term, synonym) in rules.rejected:
            continue
        if kind == ACRONYM:     # the words lead to the acronym, not the reverse
            longer, shorter = sorted((term, synonym), key=lambda side: -len(side.split()))
            pairs.append(SynonymPair(longer, shorter, both_ways=False, seeded=True))
        else:
            pairs.append(SynonymPair(term, synonym, seeded=True))
    return pairs
