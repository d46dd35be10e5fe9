"""Indexes stay readable across kbtool releases and refactorings.

``fixtures/release-1960bbb`` is an index written by the kbtool release at commit 1960bbb (by
``fixtures/make_release_index.py``): two segments, a deleted section, a redirect remembered.
Reading, searching and updating it goes through every private Whoosh call kbtool makes
(``kbtool.index.whoosh_private``) on bytes an earlier kbtool wrote.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from pkgutil import resolve_name

import pytest
from whoosh import index as whoosh_index

from kbtool.documents import Document, Section
from kbtool.index import analysis
from kbtool.index.build import IndexBuilder
from kbtool.index.pickled import LEGACY_PICKLED_NAMES, PICKLED_NAMES
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from kbtool.index.writer import add_page, delete_page

FIXTURE = Path(__file__).parent / "fixtures" / "release-1960bbb"
RAPPROCHEMENT = "wiki/logiciel/rapprochement.txt"
RECUS = "wiki/logiciel/recus_fiscaux.txt"
REDIRECT = "wiki/faq/ancienne_page.txt"
# A pickle names a global as b"c<module>\n<name>\n" (protocol 2, which Whoosh writes).
PICKLED_GLOBAL = re.compile(rb"c(kbtool[\w.]*)\n(\w+)\n")


@pytest.fixture
def release_store(tmp_path: Path) -> IndexStore:
    """A copy of the previous release's index, as its ``current`` generation."""
    root = tmp_path / "index"
    shutil.copytree(FIXTURE, root / "gen-release")
    (root / "current").symlink_to("gen-release")
    return IndexStore(root)


def kbtool_names(folder: Path) -> set[str]:
    """Every kbtool object the index files in ``folder`` name (by their pickles)."""
    names = set()
    for path in (path for path in folder.rglob("*") if path.is_file()):
        data = path.read_bytes()
        found = PICKLED_GLOBAL.findall(data)
        assert len(found) == data.count(b"kbtool"), f"{path.name} names kbtool otherwise"
        names |= {f"{module.decode()}.{name.decode()}" for module, name in found}
    return names


def recus(version: str) -> Document:
    return Document(source="wiki", page_id=RECUS, title="Reçus fiscaux",
                    url=f"https://wiki.example.org/{RECUS}", namespace="logiciel",
                    version=version, sections=(Section(
                        heading="Reçus fiscaux", anchor="recus",
                        text="Les reçus fiscaux se font depuis le menu Dons. Duplicata possible."),))


def test_an_index_of_the_previous_release_is_read_and_searched(release_store: IndexStore
                                                              ) -> None:
    assert release_store.versions() == {RAPPROCHEMENT: "1", RECUS: "2", REDIRECT: "1"}
    searcher = Searcher(release_store.root)
    hits = searcher.search("relevé bancaire OFX").hits
    assert [hit.page_id for hit in hits] == [RAPPROCHEMENT]
    assert {section.heading for section in hits[0].sections} >= {"Importer un relevé OFX"}
    # the deleted first version of the page is not found, its second version is
    assert [hit.page_id for hit in searcher.search("numérotation unique").hits] == [RECUS]
    searcher.close()


def test_an_index_of_the_previous_release_is_updated(release_store: IndexStore) -> None:
    """Its worn segment (a quarter of it deleted) is rewritten by this release: posting blocks,
    field lengths and stored fields read from the old bytes, written anew."""
    builder = IndexBuilder(release_store.open())
    delete_page(builder, RECUS)
    add_page(builder, recus("3"))
    builder.commit()
    folder = release_store.current_path
    with release_store.open().reader() as reader:  # the worn segment rewritten, live only
        assert reader.doc_count_all() == reader.doc_count() == 4
    assert release_store.versions() == {RAPPROCHEMENT: "1", RECUS: "3", REDIRECT: "1"}
    searcher = Searcher(release_store.root)
    assert [hit.page_id for hit in searcher.search("duplicata").hits] == [RECUS]
    assert [hit.page_id for hit in searcher.search("rapprochement compte 512").hits] == \
        [RAPPROCHEMENT]
    assert searcher.search("numérotation unique").hits == ()
    searcher.close()
    assert kbtool_names(folder) == PICKLED_NAMES  # the commit rewrote the legacy names


def test_the_previous_release_named_the_legacy_names() -> None:
    assert kbtool_names(FIXTURE) == LEGACY_PICKLED_NAMES


def new_index(store: IndexStore) -> Path:
    ix = store.create_generation()
    builder = IndexBuilder(ix)
    add_page(builder, recus("1"))
    builder.commit()
    store.publish(ix)
    return store.current_path


def test_a_new_index_names_only_the_stable_kbtool_names(tmp_path: Path) -> None:
    assert kbtool_names(new_index(IndexStore(tmp_path))) == PICKLED_NAMES


def test_moving_the_analyzer_class_leaves_indexes_readable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = new_index(IndexStore(tmp_path))
    monkeypatch.delattr(analysis, "FrenchTokenizer")  # as if it had moved
    schema = whoosh_index.open_dir(str(folder)).schema
    assert schema["body"].analyzer.normalize == "stem"
    assert schema["body_words"].analyzer.normalize == "words"


@pytest.mark.parametrize("name", sorted(PICKLED_NAMES | LEGACY_PICKLED_NAMES))
def test_every_pickled_name_resolves(name: str) -> None:
    assert callable(resolve_name(name))
