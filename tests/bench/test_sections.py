"""Benchmark sections of docs/benchmarks.md: each benchmark rewrites its own text only."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from sections import write_section  # noqa: E402


def test_text_goes_under_its_heading_then_replaces_itself(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Crawl\n\nwhat it measures\n", encoding="utf-8")
    write_section(out, "## Crawl", "<!-- b -->", "<!-- e -->", "<!-- b -->\nfirst\n<!-- e -->")
    assert out.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n## Crawl\n\n<!-- b -->\nfirst\n<!-- e -->\n\nwhat it measures\n")
    write_section(out, "## Crawl", "<!-- b -->", "<!-- e -->", "<!-- b -->\nsecond\n<!-- e -->")
    assert out.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n## Crawl\n\n<!-- b -->\nsecond\n<!-- e -->\n\nwhat it measures\n")


def test_a_heading_that_starts_another_one_gets_its_own_section(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    kaos = "## Crawl, Kaos\n\n<!-- k -->\nkaos figures\n<!-- /k -->\n"
    out.write_text("# Benchmarks\n\n" + kaos, encoding="utf-8")
    write_section(out, "## Crawl", "<!-- b -->", "<!-- e -->", "<!-- b -->\nigor\n<!-- e -->")
    assert out.read_text(encoding="utf-8") == (
        "# Benchmarks\n\n" + kaos + "\n## Crawl\n\n<!-- b -->\nigor\n<!-- e -->\n")
