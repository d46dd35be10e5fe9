"""Posting lists and field lengths read in bulk agree with Whoosh's own per-document readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kbtool.index.postings import Postings
from kbtool.index.ranking import LENGTH_FIELDS
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.kbfactory import local_config, rewrite


def two_runs(tmp_path: Path) -> IndexStore:
    """An index of two segments, with a page deleted from the first."""
    wiki = {f"page{n}.txt": f"====== Page {n} ======\n" + "Le relevé du compte. " * 10 * n +
            "\n===== Suite =====\nLa suite.\n" for n in range(1, 8)}
    config = local_config(tmp_path, wiki=wiki, docs={"note.txt": "Une note."})
    reindex(config)
    rewrite(Path(config.source("wiki").get("path")) / "page3.txt",
            "====== Page trois ======\nLe relevé, encore le relevé.\n")   # a second segment,
    reindex(config)                                                     # a deletion in the first
    return IndexStore(config.index_dir)


def test_lengths_and_postings_match_whoosh_over_segments_and_deletions(tmp_path: Path) -> None:
    with two_runs(tmp_path).open().reader() as reader:
        postings = Postings.read_from(reader, LENGTH_FIELDS)
        assert len(postings.leaves) == 2 and not postings.live.all()
        for field in LENGTH_FIELDS:
            expected = np.array([leaf.doc_field_length(d, field) or 0
                                 for leaf, _ in postings.leaves
                                 for d in range(leaf.doc_count_all())], dtype=np.float32)
            assert np.array_equal(postings.lengths[field], expected), field
        assert postings.lengths["body"].max() > 20    # long enough to be a lossy length byte
        docs, freqs = postings.read("body_words", "releve")
        assert sorted(docs) == sorted(reader.postings("body_words", "releve").all_ids())
        assert freqs.sum() == 10 * sum(n for n in range(1, 8) if n != 3) + 2


@pytest.mark.parametrize("cache_bytes", [0, 200, 2_000])
def test_cached_postings_stay_within_their_bytes(tmp_path: Path, cache_bytes: int) -> None:
    """The cache is bounded by the bytes of its arrays (a frequent term's grow with the base),
    and a term evicted or never cached reads the same."""
    with two_runs(tmp_path).open().reader() as reader:
        postings = Postings.read_from(reader, LENGTH_FIELDS, cache_bytes)
        terms = [(field, text) for field in ("body", "body_words", "heading", "page_id")
                 for text in reader.lexicon(field)]
        assert len(terms) > 20
        for field, text in terms * 2:
            docs, freqs = postings.term(field, text)
            expected = postings.read(field, text)
            assert np.array_equal(docs, expected[0]) and np.array_equal(freqs, expected[1])
            held = [docs.nbytes + freqs.nbytes for docs, freqs in postings.term.cache.values()]
            assert sum(held) <= cache_bytes
        assert (sum(held) > 0) == (cache_bytes > 0)
