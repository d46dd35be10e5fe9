"""The robustness benchmark: its query rewrites, and a run on the bundled sample."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from kbtool.config import load
from kbtool.evaluation import JudgedQuery, load_queries
from kbtool.index.engine import search_index
from kbtool.pipeline import reindex

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "kbtool" / "sample"
sys.path.insert(0, str(REPO / "bench"))

import robustness  # noqa: E402

QUERY = JudgedQuery(id="q1", query="relancer les adhérents en retard", relevant={},
                    no_answer=False)


def test_rewrites_keep_the_question_and_are_the_same_on_every_run() -> None:
    assert robustness.without_accents(QUERY) == "relancer les adherents en retard"
    assert QUERY.query in robustness.as_email(QUERY)
    for rewrite in (robustness.letters_swapped, robustness.letter_slip):
        typed = rewrite(QUERY)
        assert typed != QUERY.query and typed == rewrite(QUERY)
        assert len(set(typed.split()) ^ set(QUERY.query.split())) == 2  # one word changed
    swapped = robustness.letters_swapped(QUERY).split()[2]
    assert sorted(swapped) == sorted("adhérents") and swapped[0] == "a"


def test_benchmark_runs_on_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for part in ("wiki", "docs", "kbtool.toml"):
        copy = shutil.copytree if part != "kbtool.toml" else shutil.copy
        copy(SAMPLE / part, tmp_path / part)
    assert reindex(load(tmp_path / "kbtool.toml")).ok
    out = tmp_path / "benchmarks.md"
    args = ["--config", str(tmp_path / "kbtool.toml"), "--queries",
            str(SAMPLE / "queries.jsonl"), "--out", str(out)]
    assert robustness.main(args) == 0
    written = out.read_text(encoding="utf-8")
    assert written.count("| as judged | ") == 1 and "| one letter slipped | " in written
    reports = robustness.run(search_index(load(tmp_path / "kbtool.toml")),
                             load_queries(SAMPLE / "queries.jsonl"))
    assert set(reports) == set(robustness.VARIANTS)
    assert reports["as an e-mail"]["mrr@10"] == reports["as judged"]["mrr@10"] > 0.8
    assert robustness.BEGIN in capsys.readouterr().out   # the report is printed too
