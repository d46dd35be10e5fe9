"""The memory benchmark, run on the bundled sample."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "kbtool" / "sample"
sys.path.insert(0, str(REPO / "bench"))

import memory_bench  # noqa: E402


def test_benchmark_measures_builds_searchers_and_forked_workers(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Web\n\nother figures\n", encoding="utf-8")
    args = ["--corpus", str(SAMPLE), "--queries", str(SAMPLE / "queries.jsonl"), "--copies", "2",
            "--memory-mb", "64", "--passes", "1", "--baseline-src", str(REPO), "--out", str(out)]
    assert memory_bench.main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Web\n\nother figures" in text and memory_bench.HEADING in text
    rows = [line for line in text.splitlines() if line.startswith("| 2× wiki (")]
    assert len(rows) == 3 + 15
    build = next(row for row in rows if "memory_mb = 64: peak PSS" in row)
    this, baseline = (float(cell) for cell in build.strip("|").split("|")[2:4])
    assert this > 20 and baseline > 20   # the build's processes were measured
    assert any("| 2 workers' summed PSS / 1 worker's RSS |" in row for row in rows)


def test_replicated_corpus_holds_each_page_that_many_times(tmp_path: Path) -> None:
    copy = memory_bench.replicate(SAMPLE, tmp_path / "big", 3)
    wiki = sorted(path.relative_to(SAMPLE / "wiki") for path in (SAMPLE / "wiki").rglob("*.txt"))
    assert len(list((copy / "wiki").rglob("*.txt"))) == 3 * len(wiki)
    assert (copy / "wiki" / "copy2" / wiki[0]).is_file()
    assert len(list((copy / "docs").rglob("*"))) == len(list((SAMPLE / "docs").rglob("*")))


def test_benchmark_skips_without_corpus(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert memory_bench.main(["--corpus", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
