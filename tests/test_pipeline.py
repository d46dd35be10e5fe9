"""The reindex run: incremental as a set difference of versions, full as a swapped-in rebuild, and
whatever fails (a page, a listing, the run itself) leaving the last good index searchable."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kbtool import pipeline
from kbtool.config import Config, from_dict
from kbtool.crawler import open_source
from kbtool.index.schema import LINKS, make_schema
from kbtool.index.search import Searcher
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.kbfactory import local_config, rewrite

RAPPROCHEMENT = "wiki/logiciel/rapprochement.txt"
REDIRECT = "wiki/faq/ancienne_page.txt"


def counts(report: pipeline.RunReport) -> dict[str, int]:
    """Pages added, updated, deleted, skipped and kept over all sources."""
    keys = ("added", "updated", "deleted", "skipped", "kept")
    return {key: sum(getattr(s, key) for s in report.sources) for key in keys}


def found(config: Config, query: str) -> list[str]:
    """Page ids a fresh searcher finds for ``query``."""
    return [hit.page_id for hit in Searcher(config.index_dir).search(query, limit=50).hits]


def snapshot(config: Config) -> tuple[dict[str, str], list[tuple]]:
    """Everything an index holds that matters: versions and every stored section field."""
    store = IndexStore(config.index_dir)
    with store.open().searcher() as searcher:
        sections = sorted(tuple(sorted(fields.items())) for fields in searcher.all_stored_fields())
    return store.versions(), sections


def folder(config: Config, source: str) -> Path:
    """The folder a local source reads."""
    return Path(config.source(source).get("path"))


def with_index_dir(config: Config, index_dir: Path) -> Config:
    return replace(config, values={**config.values, "index.dir": str(index_dir)})


@pytest.fixture()
def config(tmp_path: Path) -> Config:
    """The factory's small wiki and docs, indexed once."""
    config = local_config(tmp_path)
    reindex(config)
    return config


class Interrupting:
    """A real source that is interrupted (Ctrl-C, a kill) after ``after`` fetches."""

    def __init__(self, real, after: int) -> None:
        self.real, self.after, self.name = real, after, real.name

    def listing(self):
        return self.real.listing()

    def fetch(self, page_id: str):
        if self.after == 0:
            raise KeyboardInterrupt
        self.after -= 1
        return self.real.fetch(page_id)


def test_first_run_builds_then_an_unchanged_run_touches_nothing(tmp_path: Path) -> None:
    config = local_config(tmp_path)
    first = reindex(config)
    assert first.full and first.ok
    assert counts(first) == {"added": 6, "updated": 0, "deleted": 0, "skipped": 1, "kept": 0}
    assert sum(s.reading_seconds for s in first.sources) > 0  # measured, whatever its value
    generation = IndexStore(config.index_dir).generation()

    second = reindex(config)

    assert not second.full and second.ok
    assert counts(second) == {"added": 0, "updated": 0, "deleted": 0, "skipped": 0, "kept": 0}
    assert IndexStore(config.index_dir).generation() == generation
    assert "0 added, 0 updated, 0 deleted" in second.summary()
    assert all(s.reading_seconds == 0 for s in second.sources)  # nothing to read


def test_an_index_built_by_another_analysis_is_rebuilt_in_full(config: Config,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    """Terms of unchanged pages would otherwise keep the old analysis until edited."""
    store = IndexStore(config.index_dir)
    generation = store.generation()
    assert store.analysis_current()
    monkeypatch.setattr("kbtool.index.store.ANALYSIS_VERSION", 999)
    assert not store.analysis_current()
    assert not reindex(config, only=("wiki",)).full   # publishing one page stays quick

    rebuilt = reindex(config)

    assert rebuilt.full and rebuilt.ok and store.generation() != generation
    assert counts(rebuilt)["updated"] == 6             # every page read and analysed again
    assert "another version of kbtool's analysis" in caplog.text
    assert store.analysis_current()
    rewrite(folder(config, "wiki") / "logiciel/rapprochement.txt",
            "====== Rapprochement ======\nPointez le relevé.\n")
    assert not reindex(config).full                 # the next run is incremental again,
    assert store.analysis_current()                 # and its commit keeps the version


def test_a_rebuild_of_one_source_keeps_the_other_sources_pages(config: Config) -> None:
    rewrite(folder(config, "wiki") / "start.txt",
            "====== Accueil ======\nVoir le [[logiciel:rapprochement]].\n")
    reindex(config)
    before = snapshot(config)
    assert REDIRECT in before[0]
    for rebuilt, kept in (("wiki", "docs"), ("docs", "wiki")):
        report = reindex(config, full=True, only=(rebuilt,))
        assert report.full and report.ok
        # The other source's pages carried over whole: text, titles, tags, links, and the
        # redirect remembered as skipped (it once came back as an empty page).
        assert snapshot(config) == before
        assert any(page.startswith(f"{kept}/") for page in found(config, "rapprochement"))


def test_pages_written_into_an_index_from_before_links_leave_them_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing an article into an index built before the ``links`` field existed (the
    nightly run rebuilds it later) works, and search still reads that index."""
    older = make_schema()
    older.remove(LINKS)
    monkeypatch.setattr("kbtool.index.store.make_schema", lambda: older)
    config = local_config(tmp_path)
    reindex(config)
    rewrite(folder(config, "wiki") / "start.txt",
            "====== Accueil ======\nLe [[logiciel:rapprochement]] en premier.\n")
    report = reindex(config, only=("wiki",))
    assert report.ok and not report.full
    assert found(config, "accueil rapprochement")[0] == "wiki/start.txt"


def test_edited_page_is_updated_new_text_found_old_text_gone(config: Config) -> None:
    rewrite(folder(config, "wiki") / "logiciel/rapprochement.txt",
            "====== Rapprochement bancaire ======\nPointez les écritures du grand-livre.\n")
    report = reindex(config)
    assert counts(report)["updated"] == 1 and counts(report)["added"] == 0
    assert found(config, "grand-livre") == [RAPPROCHEMENT]
    assert RAPPROCHEMENT not in found(config, "OFX")


def test_added_and_deleted_pages(config: Config) -> None:
    docs = folder(config, "docs")
    rewrite(docs / "tresorier/subventions.md", "# Subventions\n\nLe dossier Cerfa 12156.\n")
    (docs / "tresorier/budget.md").unlink()

    report = reindex(config)

    assert (counts(report)["added"], counts(report)["deleted"]) == (1, 1)
    assert found(config, "subventions") == ["docs/tresorier/subventions.md"]
    assert found(config, "budget prévisionnel") == []
    assert "docs/tresorier/budget.md" not in IndexStore(config.index_dir).versions()
    assert set(counts(reindex(config)).values()) == {0}     # nothing left to do next time


def test_incremental_and_full_give_the_same_index(config: Config, tmp_path: Path) -> None:
    wiki = folder(config, "wiki")
    docs = folder(config, "docs")
    rewrite(wiki / "logiciel/recus_fiscaux.txt",
            "====== Reçus ======\n===== Annuler =====\nNon.\n")
    rewrite(wiki / "logiciel/banque/import.txt", "====== Import ======\nFichier QIF.\n")
    reindex(config)
    (docs / "notes.txt").unlink()
    rewrite(docs / "tresorier/cloture.md", "# Clôture\n\n## Bilan\n\nLe bilan et le résultat.\n")
    rewrite(wiki / "faq/autre_redirection.txt", "~~REDIRECT>start~~\n")
    reindex(config)

    rebuilt = with_index_dir(config, tmp_path / "rebuilt")
    reindex(rebuilt, full=True)

    assert snapshot(config) == snapshot(rebuilt)
    assert "wiki/logiciel/banque/import.txt" in snapshot(config)[0]


def test_page_that_fails_to_parse_keeps_its_last_good_version(config: Config) -> None:
    page = folder(config, "wiki") / "logiciel/rapprochement.txt"
    good_version = IndexStore(config.index_dir).versions()[RAPPROCHEMENT]
    rewrite(page, "====== Rapprochement ======\nR\xe9sum\xe9 en Latin-1\n".encode("latin-1"))

    for full in (False, True):
        report = reindex(config, full=full)
        assert not report.ok
        [failure] = report.failures
        assert failure.location == str(page) and "UTF-8" in failure.reason
        assert found(config, "relevé OFX") == [RAPPROCHEMENT]
        # The old version stays recorded, so the next run tries the page again.
        assert IndexStore(config.index_dir).versions()[RAPPROCHEMENT] == good_version
    assert counts(report)["kept"] == 1


def test_broken_pdf_is_a_failure_with_its_path(config: Config) -> None:
    pdf = folder(config, "docs") / "tresorier/memo.pdf"
    rewrite(pdf, b"%PDF-1.4\nthis is not a PDF at all\n")
    report = reindex(config)
    assert not report.ok
    assert [f.location for f in report.failures] == [str(pdf)]
    assert "docs/tresorier/memo.pdf" not in IndexStore(config.index_dir).versions()
    assert counts(report)["added"] == 0


@pytest.mark.parametrize("full", [False, True])
def test_source_whose_listing_fails_deletes_nothing(config: Config, full: bool) -> None:
    before = IndexStore(config.index_dir).versions()
    shutil.rmtree(folder(config, "docs"))

    report = reindex(config, full=full)

    assert not report.ok
    assert [s.name for s in report.sources if not s.ok] == ["docs"]
    assert counts(report)["deleted"] == 0
    assert IndexStore(config.index_dir).versions() == before
    assert found(config, "445660") == ["docs/notes.txt"]


@pytest.mark.parametrize("full", [False, True])
def test_source_removed_from_the_config_is_dropped(config: Config, full: bool) -> None:
    raw_sources = [{"name": s.name, "kind": s.kind, "path": s.get("path"),
                    "base_url": s.get("base_url")} for s in config.sources if s.name == "wiki"]
    wiki_only = from_dict({"index": {"dir": str(config.index_dir)}, "sources": raw_sources})

    report = reindex(wiki_only, full=full)

    assert report.ok
    versions = IndexStore(config.index_dir).versions()
    assert versions and all(pid.startswith("wiki/") for pid in versions)
    assert found(config, "445660") == []


def with_source_settings(config: Config, name: str, **changes: str) -> Config:
    """The same configuration with some settings of one source changed."""
    raw_sources = [{"name": s.name, "kind": s.kind, "path": str(s.get("path")),
                    "base_url": s.get("base_url"), **(changes if s.name == name else {})}
                   for s in config.sources]
    return from_dict({"index": {"dir": str(config.index_dir)}, "sources": raw_sources})


def urls(config: Config, query: str) -> list[str]:
    return [hit.url for hit in Searcher(config.index_dir).search(query).hits]


def test_a_source_whose_settings_changed_has_all_its_pages_read_again(config: Config) -> None:
    moved = with_source_settings(config, "docs", base_url="https://new.example.org/vm/")
    listed = len(open_source(moved.source("docs"), moved).listing().versions)

    report = reindex(moved)

    by_source = {s.name: s for s in report.sources}
    assert report.ok and by_source["wiki"].updated == 0
    assert by_source["docs"].updated + by_source["docs"].skipped == listed
    assert urls(moved, "445660") == ["https://new.example.org/vm/notes.txt"]
    assert counts(reindex(moved)) == dict.fromkeys(counts(report), 0)


def test_changed_settings_are_read_again_once_the_source_can_be_listed(
        config: Config, tmp_path: Path) -> None:
    moved = with_source_settings(config, "docs", base_url="https://new.example.org/vm/")
    docs = folder(config, "docs")
    shutil.move(docs, tmp_path / "away")

    assert not reindex(moved).ok                      # listing failed: nothing read
    shutil.move(tmp_path / "away", docs)
    report = reindex(moved)

    assert {s.name: s.updated > 0 for s in report.sources} == {"wiki": False, "docs": True}
    assert urls(moved, "445660") == ["https://new.example.org/vm/notes.txt"]


@pytest.mark.parametrize("full, only", [(False, "wiki"), (True, "wiki"), (False, "docs")])
def test_a_run_of_some_sources_leaves_changed_settings_to_the_next_run_of_all(
        config: Config, full: bool, only: str) -> None:
    # (Publishing an article reindexes its wiki alone: a reviewer must not wait for a crawl.)
    moved = with_source_settings(config, "docs", base_url="https://new.example.org/vm/")

    first = reindex(moved, full=full, only=[only])
    assert [s.updated for s in first.sources if s.name == "docs"] in ([], [0])
    report = reindex(moved)

    assert {s.name: s.updated > 0 for s in report.sources} == {"wiki": False, "docs": True}
    assert urls(moved, "445660") == ["https://new.example.org/vm/notes.txt"]


def test_an_index_without_recorded_settings_is_not_read_again(config: Config) -> None:
    store = IndexStore(config.index_dir)
    (store.current_path / "source-settings.json").unlink()

    report = reindex(config)

    assert counts(report) == dict.fromkeys(counts(report), 0)
    assert set(store.source_settings()) == {"wiki", "docs"}


@pytest.mark.parametrize("full", [False, True])
def test_interrupted_run_leaves_the_previous_index_whole(config: Config, full: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    wiki = folder(config, "wiki")
    for name in ("start", "logiciel/rapprochement", "logiciel/recus_fiscaux"):
        rewrite(wiki / f"{name}.txt", "====== Remplacée ======\nTexte nouveau : licorne.\n")
    store = IndexStore(config.index_dir)
    before, generation = snapshot(config), store.generation()
    monkeypatch.setattr(pipeline, "open_source",
                        lambda source, cfg: Interrupting(open_source(source, cfg), after=2))

    with pytest.raises(KeyboardInterrupt):
        reindex(config, full=full)

    assert snapshot(config) == before
    assert store.generation() == generation
    assert found(config, "relevé OFX") == [RAPPROCHEMENT]
    assert found(config, "licorne") == []
    monkeypatch.undo()
    report = reindex(config)      # the lock was released; the next run catches up and cleans up
    assert report.ok and counts(report)["updated"] == 3
    assert [p.name for p in store.root.glob("gen-*")] == [store.generation()]


def test_redirect_pages_are_skipped_and_not_fetched_again(config: Config,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert REDIRECT in IndexStore(config.index_dir).versions()
    assert REDIRECT not in {hit.page_id for hit in Searcher(config.index_dir)
                            .search("rapprochement", limit=50).hits}
    fetched: list[str] = []

    def recording(source, cfg):
        real = open_source(source, cfg)
        fetch = real.fetch
        real.fetch = lambda page_id: fetched.append(page_id) or fetch(page_id)
        return real

    monkeypatch.setattr(pipeline, "open_source", recording)
    rewrite(folder(config, "wiki") / "start.txt",
            "====== Accueil ======\nBonjour.\n")
    report = reindex(config)
    assert fetched == ["wiki/start.txt"]
    assert counts(report)["skipped"] == 0


@pytest.mark.parametrize("full", [False, True])
def test_a_redirects_name_finds_its_target(config: Config, full: bool) -> None:
    # faq/ancienne_page.txt is ~~REDIRECT>logiciel:rapprochement~~; nothing else says "ancienne".
    reindex(config, full=full, only=["docs"])        # carried over by a rebuild of another source
    assert found(config, "ancienne page") == [RAPPROCHEMENT]
    rewrite(folder(config, "wiki") / "faq/ancienne_page.txt", "~~REDIRECT>:start~~\n")
    reindex(config)
    assert found(config, "ancienne page") == ["wiki/start.txt"]
    # A relative target is in the redirect's namespace: faq:start, which does not exist.
    rewrite(folder(config, "wiki") / "faq/ancienne_page.txt", "~~REDIRECT>start~~\n")
    reindex(config)
    assert found(config, "ancienne page") == []


def test_status_records_last_run_success_and_errors(config: Config) -> None:
    status_file = config.index_dir / "status.json"
    status = json.loads(status_file.read_text(encoding="utf-8"))
    assert set(status) == {"wiki", "docs"}
    for entry in status.values():
        assert entry["last_run"] and entry["last_success"] and entry["errors"] == []
    status["docs"]["last_success"] = status["docs"]["last_run"] = "2000-01-01T00:00:00+0000"
    status_file.write_text(json.dumps(status), encoding="utf-8")
    shutil.rmtree(folder(config, "docs"))

    reindex(config)

    docs = pipeline.read_status(config)["docs"]
    assert docs["last_success"] == "2000-01-01T00:00:00+0000"
    assert docs["last_run"] > "2000-01-01T00:00:00+0000"
    assert docs["error_count"] == 1 and "folder not found" in docs["errors"][0]
    assert pipeline.read_status(config)["wiki"]["errors"] == []
