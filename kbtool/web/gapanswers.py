"""Which open gaps a page changed since they were last asked now answers: those are proposed
for closing with that page (the agent or reviewer still confirms, see ``gaps.confirm_page``).

A gap opens when the search had no sure answer, or when an agent judged its answers wrong; a page
published or edited since (a new article, most often) that the search now ranks as a sure answer
to the gap's question is what changed.  Pages older than the gap's last question are not
proposed: the agent asking it already saw them (a wiki dates its pages to the second, so a page
of the same second as the question counts as newer).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kbtool.index.results import PageHit
from kbtool.knowledge import synonyms
from kbtool.knowledge.gaps import Gap
from kbtool.web.db import get_db
from kbtool.web.searching import IndexUnavailable, shared

# Open gaps checked per page shown (a search each, kept until the index changes): the list shows
# the most asked first.
MAX_CHECKED = 50


def answers_since(open_gaps: Sequence[Gap]) -> dict[int, PageHit]:
    """Gap id → the first sure answer to its question modified after it was last asked."""
    engine = shared()
    try:
        searcher = engine.get()
    except IndexUnavailable:
        return {}
    proposed = {}
    rules = synonyms.rules(get_db())
    for gap in open_gaps[:MAX_CHECKED]:
        answer = next((hit for hit in engine.sure_answers(searcher, gap.question, rules)
                       if hit.modified >= math.floor(gap.last_at)), None)
        if answer is not None:
            proposed[gap.id] = answer
    return proposed
