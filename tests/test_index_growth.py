"""Incremental runs that update pages again and again leave an index the size of a fresh
``--full`` build of the same files: deleted sections do not pile up in the index's files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kbtool.config import Config
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.index.corpus import contents
from tests.kbfactory import local_config, rewrite

PAGES = 150
RUNS = 6
WORDS = ("banque relevé rapprochement compte écriture budget clôture exercice reçu fiscal don "
         "adhérent cotisation paroisse trésorier facture fournisseur virement prélèvement "
         "chèque remise inventaire charge produit bilan résultat journal grand livre").split()
QUERIES = ("rapprochement bancaire", "reçu fiscal des dons", "clôture de l'exercice",
           "édition 3", "virement fournisseur", "page 42")


def page_text(number: int, edition: int) -> str:
    """A wiki page of three sections; ``edition`` changes one line of it."""
    def words(section: int) -> str:
        return " ".join(WORDS[(number * 7 + section * 3 + k) % len(WORDS)] for k in range(40))
    return (f"====== Page {number} ======\n{words(0)}\n"
            f"===== Détails =====\n{words(1)}\nÉdition {edition} de la page {number}.\n"
            f"===== Exemples =====\n{words(2)}\n")


def index_files(config: Config) -> tuple[int, int, int]:
    """Bytes on disk, segments and deleted sections of the current index."""
    store = IndexStore(config.index_dir)
    folder = store.current_path.resolve()
    size = sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    segments = store.open()._segments()
    return size, len(segments), sum(segment.deleted_count() for segment in segments)


def search_all(config: Config) -> list:
    searcher = Searcher(config.index_dir)
    try:
        return [searcher.search(query, limit=20) for query in QUERIES]
    finally:
        searcher.close()


@pytest.mark.parametrize("share", [1, 3], ids=["every page each run", "a third each run"])
def test_incremental_runs_keep_the_index_the_size_of_a_fresh_build(tmp_path: Path,
                                                                     share: int) -> None:
    wiki = {f"kb/page_{n}.txt": page_text(n, 0) for n in range(PAGES)}
    config = local_config(tmp_path / "kb", wiki=wiki, docs={})
    reindex(config, full=True)
    for run in range(1, RUNS + 1):
        for n in range(PAGES):
            if share == 1 or n % share == run % share:
                rewrite(tmp_path / "kb" / "wiki" / "kb" / f"page_{n}.txt", page_text(n, run))
        assert sum(s.updated for s in reindex(config).sources) == PAGES // share
    fresh = replace(config, values={**config.values, "index.dir": str(tmp_path / "fresh")})
    reindex(fresh, full=True)

    size, segments, deleted = index_files(config)
    fresh_size, _, _ = index_files(fresh)
    assert size <= 1.3 * fresh_size
    assert segments <= 3
    assert deleted <= 0.2 * PAGES * 3
    assert contents(IndexStore(config.index_dir).open()) == \
        contents(IndexStore(fresh.index_dir).open())
    if share == 1:  # nothing deleted is left to weigh in words' rarity
        assert deleted == 0
        assert search_all(config) == search_all(fresh)
