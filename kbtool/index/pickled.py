"""The kbtool names an index's files refer to, in one place: never move or rename them.

Why: Whoosh pickles the schema into the index's table of contents, analyzers included, and a
pickle names what rebuilds each object by its import path; a kbtool class pickled as itself
could never move or be renamed without making every index unreadable.  kbtool's analyzer is
pickled as a call of ``french_tokenizer`` below (``FrenchTokenizer.__reduce__``), so the class
may move freely; this module and its names (``PICKLED_NAMES``) may not.

Indexes written by kbtool before this module existed name ``LEGACY_PICKLED_NAMES`` instead,
which therefore stay importable; each commit rewrites the table of contents, so an index names
only ``PICKLED_NAMES`` after its first reindex by this release.  ``tests/index/test_release_index.py``
checks that a new index names nothing else and opens an index written by the previous release.
"""

from __future__ import annotations

from kbtool.index.analysis import FrenchTokenizer

PICKLED_NAMES = frozenset({"kbtool.index.pickled.french_tokenizer"})
LEGACY_PICKLED_NAMES = frozenset({"kbtool.index.analysis.FrenchTokenizer"})


def french_tokenizer(normalize: str) -> FrenchTokenizer:
    """The analyzer an index's schema holds, rebuilt from its pickle."""
    return FrenchTokenizer(normalize)
