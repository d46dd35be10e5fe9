"""The index folder: generations swapped in atomically, stale ones cleared, the reindex lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kbtool.documents import Document, Section
from kbtool.index.store import IndexBusy, IndexMissing, IndexStore
from kbtool.index.writer import add_page
from kbtool.pipeline import reindex
from tests.kbfactory import local_config


def page(word: str, version: str = "v1") -> Document:
    return Document(source="wiki", page_id=f"wiki/{word}.txt", title=word.capitalize(),
                    url=f"https://wiki.example.org/doku.php?id={word}", namespace="",
                    version=version, sections=(Section("Titre", "titre", f"Texte sur {word}."),))


def build_generation(store: IndexStore, *docs: Document):
    generation = store.create_generation()
    writer = generation.writer()
    for doc in docs:
        add_page(writer, doc)
    writer.commit()
    return generation


def titles(searcher) -> set[str]:
    return {fields["page_title"] for fields in searcher.all_stored_fields()}


def test_empty_folder_has_no_index(tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    assert not store.exists()
    assert store.generation() == ""
    with pytest.raises(IndexMissing, match="kbtool reindex"):
        store.open()


def test_generation_is_invisible_until_published(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    generation = build_generation(store, page("banque"), page("dons", "v7"))
    assert not store.exists()

    store.publish(generation)

    assert store.exists()
    assert store.generation() == Path(generation.storage.folder).name
    assert store.current_path.is_symlink()
    assert store.versions() == {"wiki/banque.txt": "v1", "wiki/dons.txt": "v7"}


def test_publish_swaps_while_an_open_reader_keeps_working(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    first = build_generation(store, page("banque"))
    store.publish(first)
    old_searcher = store.open().searcher()
    try:
        second = build_generation(store, page("dons"))
        store.publish(second)

        assert store.generation() == Path(second.storage.folder).name
        assert sorted(p.name for p in tmp_path.glob("gen-*")) == [store.generation()]
        assert titles(old_searcher) == {"Banque"}          # old files stay open (POSIX unlink)
        with store.open().searcher() as searcher:
            assert titles(searcher) == {"Dons"}
    finally:
        old_searcher.close()


def test_next_reindex_removes_a_generation_left_by_a_killed_run(tmp_path: Path) -> None:
    config = local_config(tmp_path)
    reindex(config)
    store = IndexStore(config.index_dir)
    leftover = store.create_generation()          # as a killed --full run leaves it
    assert len(list(store.root.glob("gen-*"))) == 2

    reindex(config)

    assert not Path(leftover.storage.folder).exists()
    assert [p.name for p in store.root.glob("gen-*")] == [store.generation()]
    assert store.exists()


def test_lock_held_elsewhere_raises_busy_naming_the_holder(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    # flock is per open file description: a second open of the lock file, even in this
    # process, conflicts like another process would.
    with store.lock():
        with pytest.raises(IndexBusy, match=r"another reindex is running \(pid \d+ since"):
            with store.lock():
                pass
    with store.lock():           # released on exit: a later run gets it
        pass


def test_lock_held_by_another_process(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from kbtool.index.store import IndexStore\n"
         f"with IndexStore({str(tmp_path)!r}).lock():\n"
         "    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexBusy, match=f"pid {holder.pid} "):
            with IndexStore(tmp_path).lock(timeout=0.3):
                pass
    finally:
        holder.communicate("")
    assert holder.returncode == 0
    with IndexStore(tmp_path).lock():   # the holder is gone: free again
        pass
