"""The index benchmark and its FTS5 yardstick, run on the bundled sample knowledge base."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "kbtool" / "sample"
sys.path.insert(0, str(REPO / "bench"))

import index_bench  # noqa: E402
from fts5_baseline import Fts5Baseline  # noqa: E402
from sections import write_section  # noqa: E402


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the sample's wiki/ and docs/ that a test may edit."""
    for part in ("wiki", "docs"):
        shutil.copytree(SAMPLE / part, tmp_path / "corpus" / part)
    return tmp_path / "corpus"


@pytest.fixture
def fts(corpus: Path, tmp_path: Path) -> Fts5Baseline:
    db = Fts5Baseline(tmp_path / "fts.sqlite3",
                      index_bench.corpus_config(corpus, tmp_path / "index"))
    yield db
    db.close()


def test_fts5_builds_then_updates_only_what_changed(fts: Fts5Baseline, corpus: Path) -> None:
    built = fts.update()
    assert built.listed == built.indexed + built.skipped > 10
    assert fts.update().indexed == 0
    with open(corpus / "wiki" / "logiciel" / "tva.txt", "a", encoding="utf-8") as page:
        page.write("\nquasimodo\n")
    (corpus / "wiki" / "logiciel" / "budget.txt").unlink()
    changed = fts.update()
    assert (changed.indexed, changed.deleted) == (1, 1)
    assert [h.page_id for h in fts.search("quasimodo").hits] == ["wiki/logiciel/tva.txt"]
    assert "wiki/logiciel/budget.txt" not in fts.indexed_pages()


def test_fts5_folds_accents_and_marks_snippets(fts: Fts5Baseline) -> None:
    fts.update()
    accented = fts.search("budget prévisionnel").hits
    plain = fts.search("budget previsionnel").hits
    assert [h.page_id for h in accented] == [h.page_id for h in plain] != []
    assert "<mark>" in accented[0].sections[0].snippet
    assert not fts.search("?!").hits


def test_benchmark_runs_and_keeps_other_sections(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Web\n\nother figures\n", encoding="utf-8")
    args = ["--corpus", str(SAMPLE), "--queries", str(SAMPLE / "queries.jsonl"),
            "--repeat", "1", "--out", str(out)]
    assert index_bench.main(args) == 0
    first = out.read_text(encoding="utf-8")
    assert "## Web\n\nother figures" in first
    assert "| search p95 (" in first and "| FTS5 |" in first
    assert re.search(r"kbtool incremental: .* 0 added, 10 updated, 0 deleted", first)
    assert re.search(r"kbtool no-change: .* 0 added, 0 updated, 0 deleted", first)
    assert re.search(r"FTS5 incremental: \d+ listed, 10 indexed", first)
    write_section(out, index_bench.HEADING, index_bench.BEGIN, index_bench.END,
                  f"{index_bench.BEGIN}\nnew figures\n{index_bench.END}")
    second = out.read_text(encoding="utf-8")
    assert second.count(index_bench.HEADING) == 1 and "new figures" in second
    assert "| search p95 (" not in second and "other figures" in second
    assert "search p50" in capsys.readouterr().out


def test_benchmark_skips_without_corpus(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert index_bench.main(["--corpus", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
