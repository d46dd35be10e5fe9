"""The learned lift's bounds, on random rankings: use reorders pages of comparable coverage and
never lifts a page past one holding clearly more of the query that scored above it."""

from __future__ import annotations

import numpy as np
import pytest

from kbtool.index.ranking import LEARNED_COVERAGE_MARGIN, _lift_learned


def ranking(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores and coverage of 40 pages (30 of them ranked), and learned strengths of a few."""
    rng = np.random.default_rng(seed)
    scores = rng.gamma(1.0, 5.0, 40).astype(np.float32)
    coverage = rng.choice([0.25, 0.5, 0.6, 0.75, 1.0], 40).astype(np.float32)
    ranked = np.sort(rng.choice(40, 30, replace=False))
    learned = np.where(rng.random(40) < 0.2, rng.random(40), 0.0).astype(np.float32)
    unmatched = ranked[rng.random(30) < 0.1]   # cited pages holding none of the key terms
    scores[unmatched], coverage[unmatched], learned[unmatched] = 0.0, 0.0, 0.5
    return scores, coverage, ranked, learned


@pytest.mark.parametrize("seed", range(200))
def test_no_page_passes_one_with_clearly_more_coverage_that_was_above_it(seed: int) -> None:
    scores, coverage, ranked, learned = ranking(seed)
    lifted = _lift_learned(scores, coverage, ranked, learned)
    assert (lifted >= scores).all()
    assert (lifted[learned == 0] == scores[learned == 0]).all()
    for page in ranked:
        for other in ranked:
            if coverage[other] > coverage[page] + LEARNED_COVERAGE_MARGIN and \
                    scores[other] > scores[page]:
                assert lifted[page] < lifted[other]


def test_a_strong_use_tops_pages_of_the_same_coverage_and_a_weak_one_less() -> None:
    scores = np.array([10.0, 9.0, 1.0], dtype=np.float32)
    coverage = np.array([0.5, 0.5, 0.5], dtype=np.float32)
    ranked = np.arange(3)
    strong = _lift_learned(scores, coverage, ranked, np.array([0, 0, 0.6], dtype=np.float32))
    weak = _lift_learned(scores, coverage, ranked, np.array([0, 0, 0.1], dtype=np.float32))
    assert strong.argmax() == 2 and weak[2] < 9.0 < weak[0] and weak[2] > 1.0
    assert _lift_learned(scores, coverage, ranked, None) is scores


def test_pages_matching_no_key_term_rank_by_strength_below_any_clearly_better_match() -> None:
    scores = np.array([0.0, 0.0, 0.0, 4.0], dtype=np.float32)
    coverage = np.array([0.0, 0.0, 0.0, 0.8], dtype=np.float32)
    learned = np.array([0.2, 0.9, 0.0, 0.0], dtype=np.float32)
    lifted = _lift_learned(scores, coverage, np.arange(4), learned)
    assert lifted[3] > lifted[1] > lifted[0] > lifted[2] == 0.0
