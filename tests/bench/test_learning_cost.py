"""The learning-cost benchmark, run on the bundled sample knowledge base."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "kbtool" / "sample"
sys.path.insert(0, str(REPO / "bench"))

import learning_cost  # noqa: E402


def test_it_times_both_paths_over_a_team_s_use_and_writes_its_section(tmp_path: Path) -> None:
    for part in ("wiki", "docs"):
        shutil.copytree(SAMPLE / part, tmp_path / "corpus" / part)
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Other\n\nkept\n", encoding="utf-8")
    assert learning_cost.main(["--corpus", str(tmp_path / "corpus"), "--queries",
                               str(SAMPLE / "queries.jsonl"), "--ties-pages", "20",
                               "--repeat", "1", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Other\n\nkept" in text and text.count(learning_cost.BEGIN) == 1
    ties, reached = map(int, re.search(r"(\d+) learned ties over 20 pages; (\d+) of the 20",
                                       text).groups())
    assert ties > 20 and reached > 0
    assert re.search(r"\| p95 \(20 runs\) \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ \|", text)


def test_without_the_corpus_it_says_so_and_exits_0(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert learning_cost.main(["--corpus", str(tmp_path / "nothing")]) == 0
    assert "no corpus" in capsys.readouterr().out
