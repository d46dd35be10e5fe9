"""The search arrays written beside each commit: mapped by searchers, equal to what the index
says, and never trusted when missing or damaged (the searcher reads them from the index)."""

from __future__ import annotations

import json
import logging
import mmap
import shutil
import tracemalloc
from dataclasses import fields
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from kbtool.config import Config
from kbtool.index.arrays import PREFIX, SearchArrays, read_arrays
from kbtool.index.build import IndexBuilder
from kbtool.index.ranking import PageTable
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.index.test_mapped_files import wordy_index
from tests.kbfactory import WIKI_PAGES, local_config, rewrite

WIKI = {
    **WIKI_PAGES,
    "logiciel/banque.txt": ("====== Banque ======\nVoir [[logiciel:rapprochement]] et "
                            "[[logiciel:recus_fiscaux]] pour le relevé.\n"
                            "===== Relevé =====\nLe relevé mensuel de la banque.\n"),
    "logiciel/dons.txt": "====== Dons ======\nLes dons ouvrent droit au reçu ([[banque]]).\n",
}
QUERIES = ("relevé de la banque", "reçus fiscaux", "rapprochement OFX", "dons", "clôture",
           "ancienne page")


def is_mapped(values: np.ndarray) -> bool:
    """Whether the array's memory is a memory map (through the views it is made of)."""
    base = values
    while base is not None and not isinstance(base, mmap.mmap):
        base = getattr(base, "base", None)
    return isinstance(base, mmap.mmap)


def view_arrays(searcher: Searcher) -> SearchArrays:
    view = searcher._current()
    return SearchArrays(view.postings.live, view.postings.lengths, view.pages)


def assert_equal_arrays(found: SearchArrays, expected: SearchArrays) -> None:
    for name, values in expected.named().items():
        assert np.array_equal(found.named()[name], values), name
        assert found.named()[name].dtype == values.dtype, name


def arrays_folder(config: Config) -> Path:
    (folder,) = IndexStore(config.index_dir).current_path.resolve().glob(f"{PREFIX}*")
    return folder


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    """An index after two runs: two segments, sections deleted in the first, links, a
    redirect."""
    config = local_config(tmp_path, wiki=WIKI)
    assert reindex(config).ok
    rewrite(tmp_path / "wiki/logiciel/rapprochement.txt",
            "====== Rapprochement ======\nLe relevé de la banque, pointé.\n")
    assert reindex(config).ok
    return config


def test_a_searcher_maps_the_arrays_written_by_the_commit(config: Config) -> None:
    searcher = Searcher(config.index_dir)
    arrays = view_arrays(searcher)
    assert all(is_mapped(values) for values in arrays.named().values())
    reader = searcher._current().searcher.reader()
    assert len(reader.leaf_readers()) == 2 and not arrays.live.all()
    assert_equal_arrays(arrays, read_arrays(reader))


@pytest.mark.parametrize("full", [False, True])
def test_each_commit_writes_its_arrays_and_drops_the_previous_ones(config: Config,
                                                                   full: bool) -> None:
    before = arrays_folder(config)
    searcher = Searcher(config.index_dir)
    rewrite(Path(config.source("wiki").get("path")) / "logiciel/dons.txt",
            "====== Dons ======\nLes legs et donations.\n")
    assert reindex(config, full=full).ok
    searcher.refresh()

    assert arrays_folder(config) != before and not before.exists()
    arrays = view_arrays(searcher)
    assert all(is_mapped(values) for values in arrays.named().values())
    assert_equal_arrays(arrays, read_arrays(searcher._current().searcher.reader()))
    assert [hit.page_id for hit in searcher.search("legs").hits] == ["wiki/logiciel/dons.txt"]


def test_a_run_that_changes_nothing_keeps_the_arrays(config: Config) -> None:
    before = arrays_folder(config)
    written = {path: path.stat().st_mtime_ns for path in before.iterdir()}
    assert reindex(config).ok
    assert arrays_folder(config) == before
    assert {path: path.stat().st_mtime_ns for path in before.iterdir()} == written


def test_a_new_generation_opens_without_copying(tmp_path: Path) -> None:
    _, files = wordy_index(tmp_path)
    tracemalloc.start()
    try:
        searcher = Searcher(tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert searcher.has_page("wiki/p7.txt")
    assert peak < files / 10


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) - 3])


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def _edit_manifest(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        change(manifest)
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return edit


def _other_array(name: str, values: np.ndarray) -> Callable[[Path], None]:
    """The array ``name`` replaced by ``values``, its manifest entry written to match."""
    def replace(folder: Path) -> None:
        np.save(folder / f"{name}.npy", values)
        _edit_manifest(lambda manifest: manifest.update({name: {
            "dtype": values.dtype.str, "shape": list(values.shape),
            "crc32": __import__("zlib").crc32(values)}}))(folder)
    return replace


DAMAGE: dict[str, Callable[[Path], None]] = {
    "page_of truncated": lambda folder: _truncate(folder / "page_of.npy"),
    "live flipped": lambda folder: _flip_last_byte(folder / "live.npy"),
    "length flipped": lambda folder: _flip_last_byte(folder / "length.body.npy"),
    "links flipped": lambda folder: _flip_last_byte(folder / "linked_pages.npy"),
    "page_of header garbled": lambda folder: (folder / "page_of.npy").write_bytes(
        b"\x93NUMPY\x01\x00{'descr': '<i8', 'fortran_order': False, 'shape': (" + b"9" * 40),
    "pickled object array": lambda folder: np.save(folder / "about_of.npy",
                                                   np.array([{}], dtype=object)),
    "array emptied": lambda folder: (folder / "about_of.npy").write_bytes(b""),
    "array missing": lambda folder: (folder / "section_counts.npy").unlink(),
    "array is a folder": lambda folder: ((folder / "live.npy").unlink(),
                                         (folder / "live.npy").mkdir()),
    "manifest missing": lambda folder: (folder / "manifest.json").unlink(),
    "manifest not JSON": lambda folder: (folder / "manifest.json").write_text("{", "utf-8"),
    "manifest a list": lambda folder: (folder / "manifest.json").write_text("[]", "utf-8"),
    "manifest for another index": _edit_manifest(lambda m: m.update(documents=3)),
    "manifest without an array": _edit_manifest(lambda m: m.pop("length.title")),
    "manifest with an unknown array": _edit_manifest(lambda m: m.update(extra=m["live"])),
    "manifest with another dtype": _edit_manifest(lambda m: m["page_of"].update(dtype="<i4")),
    "manifest with another CRC": _edit_manifest(lambda m: m["page_of"].update(crc32=1)),
    "page_of shorter, manifest matching": _other_array("page_of", np.zeros(2, np.int64)),
    "lengths shorter, manifest matching": _other_array("length.body", np.zeros(2, np.float32)),
    "link starts of another page count, manifest matching": _other_array(
        "linked_starts", np.zeros(1, np.int64)),
    "link pages out of range, manifest matching": _other_array(
        "linked_pages", np.full(4, 10**9, np.int64)),
    "page ids out of order, manifest matching": _other_array(
        "page_ids", np.array(["z", "a", "b", "c", "d", "e", "f", "g"][:1] * 2)),
    "sections by page out of range, manifest matching": _other_array(
        "by_page", np.full(3, 10**9, np.int64)),
    "sections by page of other pages, manifest matching": _other_array(
        "by_page", np.zeros(3, np.int64)),
    "page starts of another page count, manifest matching": _other_array(
        "page_starts", np.zeros(1, np.int64)),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_arrays_are_read_from_the_index_instead(config: Config, damage,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    expected = Searcher(config.index_dir)
    truth = read_arrays(expected._current().searcher.reader())
    wanted = [expected.search(query, limit=50) for query in QUERIES]
    folder = arrays_folder(config)
    damage(folder)

    with caplog.at_level(logging.WARNING, logger="kbtool.index.arrays"):
        searcher = Searcher(config.index_dir)
    assert_equal_arrays(view_arrays(searcher), truth)
    assert [searcher.search(query, limit=50) for query in QUERIES] == wanted
    assert f"{folder}: search arrays unusable" in caplog.text


def test_an_index_without_arrays_is_searched_as_before(config: Config,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """An index written by an earlier kbtool, or committed by Whoosh's own writer."""
    wanted = [Searcher(config.index_dir).search(query) for query in QUERIES]
    shutil.rmtree(arrays_folder(config))
    with caplog.at_level(logging.WARNING):
        searcher = Searcher(config.index_dir)
    assert [searcher.search(query) for query in QUERIES] == wanted
    assert not any(is_mapped(values) for values in view_arrays(searcher).named().values())
    assert caplog.text == ""


def test_the_page_table_fields_are_the_arrays_written() -> None:
    assert {field.name for field in fields(PageTable)} == {
        "page_ids", "page_of", "about_of", "section_counts", "by_page", "page_starts",
        "linked_pages", "linked_starts"}


def test_an_index_without_sections_commits_and_is_searched(tmp_path: Path) -> None:
    """A full run whose sources hold nothing: no segment, empty arrays."""
    store = IndexStore(tmp_path)
    generation = store.create_generation()
    IndexBuilder(generation).commit()
    store.publish(generation)
    searcher = Searcher(tmp_path)
    assert all(is_mapped(values) for values in view_arrays(searcher).named().values())
    assert searcher.search("banque").hits == () and searcher.facets() == {}
