"""The benchmark of the index after incremental runs, run on the bundled sample."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "kbtool" / "sample"
sys.path.insert(0, str(REPO / "bench"))

import index_growth  # noqa: E402


def test_benchmark_compares_the_updated_index_with_a_fresh_build(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Web\n\nother figures\n", encoding="utf-8")
    args = ["--corpus", str(SAMPLE), "--queries", str(SAMPLE / "queries.jsonl"),
            "--rounds", "3", "--share", "0.5", "--repeat", "1", "--out", str(out)]
    assert index_growth.main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Web\n\nother figures" in text and index_growth.HEADING in text
    assert "| after run 3 (" in text and "| fresh `--full`, same files |" in text
    assert "| size (MB) |" in text and "| search p95 (ms, " in text


def test_benchmark_skips_without_corpus(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert index_growth.main(["--corpus", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
