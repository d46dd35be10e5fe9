"""The synonym rules a caller gives the search (the team's table, kept by
``kbtool.knowledge.synonyms``), and how a pair's sides are compared: the store-agnostic part of
query expansion (:mod:`kbtool.index.expansion`) that callers outside the index may name."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from kbtool.index.analysis import fold_accents
from kbtool.index.query import key_terms

MAX_SIDE_WORDS = 4           # key terms of a side, at most (longer sides are ignored)
MAX_SIDE_CHARS = 80


@dataclass(frozen=True)
class SynonymPair:
    """``term`` also searched as ``synonym``; and the reverse when ``both_ways``.  A pair
    ``seeded`` from the documentation only leads from the rarer name to the more common one."""

    term: str
    synonym: str
    both_ways: bool = True
    seeded: bool = False


@dataclass(frozen=True)
class SynonymRules:
    """What a caller adds to the index's own pairs: its pairs (searched before the index's)
    and the index pairs to leave out (either side order), as folded lowercase text."""

    pairs: tuple[SynonymPair, ...] = ()
    rejected: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        """Worked out once: the searcher looks its table up by the rules on every search, and
        a team's table may hold thousands of pairs."""
        return hash((self.pairs, self.rejected))


NO_RULES = SynonymRules()


def side_key(text: str) -> tuple[str, ...]:
    """How a side is matched: the stems of its key terms (one-letter parts such as the "e" of
    "e-mail" left out); empty when it has none or too many."""
    if len(text) > MAX_SIDE_CHARS:
        return ()
    stems = tuple(term.forms[0].stem for term in key_terms(text) if len(term.surface) > 1)
    return stems if len(stems) <= MAX_SIDE_WORDS else ()


def unordered(left: str, right: str) -> tuple[str, str]:
    """A pair's sides folded and in a fixed order, to compare pairs whatever their direction."""
    sides = sorted(" ".join(fold_accents(side).lower().split()) for side in (left, right))
    return sides[0], sides[1]
