"""Index files read through memory maps: opening an index copies none of its files, and a
mapped file reads exactly as whoosh's in-memory ``BufferFile`` over the same bytes."""

from __future__ import annotations

import pickle
import threading
import tracemalloc
from pathlib import Path

import pytest
from whoosh.filedb.structfile import BufferFile

from kbtool.documents import Document, Section
from kbtool.index.build import IndexBuilder
from kbtool.index.store import IndexStore
from kbtool.index.whoosh_private import MappedFile, MappedStorage
from kbtool.index.writer import add_page

DATA = bytes(range(256)) * 3 + b"ligne une\nligne deux\n\nfin"


def wordy_page(n: int) -> Document:
    """A page of words found nowhere else, so the index's files grow with the pages."""
    words = " ".join(f"mot{n}x{i}" for i in range(60))
    return Document(source="wiki", page_id=f"wiki/p{n}.txt", title=f"Page {n}",
                    url=f"https://wiki.example.org/p{n}", namespace="", version="1",
                    sections=(Section("Titre", "titre", words), Section("Suite", "suite", words)))


def wordy_index(folder: Path) -> tuple[IndexStore, int]:
    """An index of 400 wordy pages published in ``folder``, and the bytes of its files."""
    store = IndexStore(folder)
    generation = store.create_generation()
    builder = IndexBuilder(generation)
    for n in range(400):
        add_page(builder, wordy_page(n))
    builder.commit()
    store.publish(generation)
    files = sum(path.stat().st_size for path in store.current_path.resolve().rglob("*")
                if path.is_file())
    return store, files


def test_opening_an_index_copies_none_of_its_files(tmp_path: Path) -> None:
    store, files = wordy_index(tmp_path)
    assert files > 1_000_000

    tracemalloc.start()
    try:
        with store.open().reader() as reader:
            assert reader.stored_fields(7)["page_id"] == "wiki/p3.txt"
            assert reader.doc_frequency("body", "mot5x9") == 2
            _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < files / 10


def mapped(tmp_path: Path, data: bytes = DATA) -> MappedFile:
    (tmp_path / "f").write_bytes(data)
    opened = MappedStorage(str(tmp_path)).open_file("f")
    assert isinstance(opened, MappedFile)
    return opened


@pytest.mark.parametrize("steps", [
    [("read", ())], [("read", (10,))], [("read", (0,))], [("read", (-1,))],
    [("seek", (700,)), ("read", (1000,))], [("seek", (5000,)), ("read", (3,))],
    [("seek", (-4, 2)), ("read", ())], [("seek", (10,)), ("seek", (5, 1)), ("tell", ())],
    [("seek", (768,)), ("readline", ()), ("readline", ()), ("readline", ()), ("readline", ())],
    [("seek", (768,)), ("readline", (4,)), ("tell", ())],
    [("get", (3, 4))], [("get", (790, 100))], [("get", (5000, 2))],
    [("get_int", (4,))], [("get_long", (0,))], [("get_array", (8, "i", 3))],
    [("get_array", (0, "B", 5))], [("seek", (1,)), ("read_int", ()), ("read_ushort", ())],
    [("seek", (768,)), ("read_array", ("H", 2)), ("tell", ())],
])
def test_a_mapped_file_reads_as_whoosh_buffer_file(tmp_path: Path, steps) -> None:
    mine, whoosh = mapped(tmp_path), BufferFile(DATA)
    for name, args in steps:
        assert getattr(mine, name)(*args) == getattr(whoosh, name)(*args), (name, args)


@pytest.mark.parametrize(("start", "length"), [(0, 10), (768, 9), (790, 50), (100, 0)])
def test_a_part_reads_as_whoosh_buffer_file_part(tmp_path: Path, start: int, length: int) -> None:
    mine, whoosh = mapped(tmp_path).subset(start, length), BufferFile(DATA).subset(start, length)
    for name, args in [("read", ()), ("seek", (2,)), ("read", (3,)), ("get", (1, 100)),
                       ("seek", (0, 2)), ("tell", ())]:
        assert getattr(mine, name)(*args) == getattr(whoosh, name)(*args), (name, args)


def test_a_pickle_is_read_from_a_mapped_part(tmp_path: Path) -> None:
    data = b"xx" + pickle.dumps({"clé": [1, 2.5, "é"]}, 2) + pickle.dumps(("b", None), 4)
    part = mapped(tmp_path, data).subset(2, len(data) - 2)
    assert part.read_pickle() == {"clé": [1, 2.5, "é"]}
    assert part.read_pickle() == ("b", None)


def test_an_empty_file_opens(tmp_path: Path) -> None:
    (tmp_path / "vide").write_bytes(b"")
    assert MappedStorage(str(tmp_path)).open_file("vide").read() == b""


def test_threads_sharing_a_mapped_file_each_read_at_their_own_position(tmp_path: Path) -> None:
    """whoosh reads a posting block by seek, then read: a searcher's files are shared by the web
    server's threads, and each must read what it sought, whatever the others do meanwhile."""
    shared = mapped(tmp_path)
    wrong: list[tuple[int, bytes]] = []
    start = threading.Barrier(4)

    def reader(offset: int) -> None:
        start.wait()
        for _ in range(3000):
            shared.seek(offset)
            shared.read(1)             # a step between the seek and the read that matters
            got = shared.read(4)
            if got != DATA[offset + 1:offset + 5]:
                wrong.append((offset, got))

    threads = [threading.Thread(target=reader, args=(offset,)) for offset in (0, 100, 200, 300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert shared.tell() == 0           # this thread never moved
