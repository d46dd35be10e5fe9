"""The index through its two protocols, as the pipeline and the search callers see it: the
engine's factory builds implementations of them, a run's changes are seen whole or not at all,
and a rebuild keeps the pages it is asked to keep."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtool.config import Config
from kbtool.documents import Document, Section
from kbtool.index.engine import search_index, updatable_index
from kbtool.index.errors import IndexBusy, IndexMissing
from kbtool.index.reading import SearchIndex
from kbtool.index.updating import IndexUpdate, UpdatableIndex
from tests.kbfactory import local_config


def page(word: str, version: str = "1") -> Document:
    return Document(source="wiki", page_id=f"wiki/{word}.txt", title=word.capitalize(),
                    url=f"https://wiki.example.org/doku.php?id={word}", namespace="",
                    version=version, sections=(Section("", "", f"Texte sur {word}."),))


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    return local_config(tmp_path)


def write(index: UpdatableIndex, *docs: Document, rebuild: bool = True) -> None:
    with index.lock():
        update = index.update(rebuild=rebuild, pages=len(docs))
        for doc in docs:
            update.add_page(doc)
        update.commit()


def found(config: Config, word: str) -> list[str]:
    return [hit.page_id for hit in search_index(config).search(word).hits]


def test_the_factory_builds_implementations_of_the_protocols(config: Config) -> None:
    index = updatable_index(config)
    assert isinstance(index, UpdatableIndex)
    with pytest.raises(IndexMissing):
        search_index(config)
    assert index.versions() == {} and not index.exists()
    write(index, page("banque"))
    assert isinstance(search_index(config), SearchIndex)
    with index.lock():
        update = index.update(rebuild=False, pages=0)
        assert isinstance(update, IndexUpdate)
        update.abort()


def test_a_run_is_seen_whole_on_commit_and_not_at_all_when_aborted(config: Config) -> None:
    index = updatable_index(config)
    write(index, page("banque"), page("caisse"))
    searcher = search_index(config)
    with index.lock():
        update = index.update(rebuild=False, pages=1)
        update.delete_page("wiki/banque.txt")
        update.add_page(page("banque", "2"))
        update.add_page(page("cotisation"))
        searcher.refresh()
        assert searcher.search("cotisation").hits == ()     # not committed yet
        update.abort()
    searcher.refresh()
    assert index.versions() == {"wiki/banque.txt": "1", "wiki/caisse.txt": "1"}
    with index.lock():
        update = index.update(rebuild=False, pages=1)
        update.delete_page("wiki/caisse.txt")
        update.add_page(page("cotisation"))
        update.commit()
    searcher.refresh()
    assert [hit.page_id for hit in searcher.search("cotisation").hits] == ["wiki/cotisation.txt"]
    assert set(index.versions()) == {"wiki/banque.txt", "wiki/cotisation.txt"}


def test_a_rebuild_keeps_the_pages_asked_for_and_replaces_the_rest(config: Config) -> None:
    index = updatable_index(config)
    write(index, page("banque", "7"), page("caisse"))
    with index.lock():
        update = index.update(rebuild=True, pages=1)
        update.add_page(page("cotisation"))
        assert update.keep_page("wiki/banque.txt", "7")
        assert not update.keep_page("wiki/absente.txt", "1")
        update.commit()
    assert index.versions() == {"wiki/banque.txt": "7", "wiki/cotisation.txt": "1"}
    assert found(config, "banque") == ["wiki/banque.txt"] and found(config, "caisse") == []


def test_one_run_at_a_time(config: Config) -> None:
    index = updatable_index(config)
    with index.lock():
        with pytest.raises(IndexBusy):
            with updatable_index(config).lock(timeout=0.0):
                pass
