"""Ranking's array helpers give what the plainer numpy forms they replace give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kbtool.index.postings import Postings
from kbtool.index.ranking import PageTable, _by_page_then_score
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.kbfactory import local_config

TIES = np.array([0.0, 1e-40, 0.5, 3.25, 7e6], dtype=np.float32)   # 1e-40: subnormal


@pytest.mark.parametrize("seed", range(6))
def test_sections_are_ordered_by_page_then_best_score_as_lexsort_orders_them(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 5_000))
    pages = rng.integers(0, max(1, size // 7), size)
    scores = rng.choice(TIES, size)          # ties on purpose, zeros among them
    drawn = rng.random(size) < 0.5
    scores[drawn] = rng.random(int(drawn.sum()), dtype=np.float32) * 100
    assert np.array_equal(_by_page_then_score(pages, scores), np.lexsort((-scores, pages)))


def test_the_sections_of_pages_are_those_the_page_table_gives_them(tmp_path: Path) -> None:
    config = local_config(tmp_path)          # with a redirect, which is no page's section
    assert reindex(config).ok
    with IndexStore(config.index_dir).open().reader() as reader:
        table = PageTable.read_from(Postings.read_from(reader, ()))
    every = np.arange(len(table.page_ids))
    for chosen in (every, every[::2], every[:0], every[-1:]):
        expected = np.flatnonzero(np.isin(table.page_of, chosen))
        assert len(expected) or not len(chosen)
        assert np.array_equal(np.sort(table.sections_of(chosen)), expected)
