"""Evaluation: the metrics against hand-computed values, and the query file's checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kbtool.evaluation import (JudgedQuery, QueryFileError, evaluate, load_paraphrases,
                               load_queries, ndcg)
from kbtool.index.search import Searcher
from kbtool.pipeline import reindex
from tests.kbfactory import local_config

LOG3 = 1.584962500721156   # log2(3): the discount at rank 2


@pytest.mark.parametrize("grades, judged, expected", [
    ([2], [2], 1.0),
    ([0, 2], [2], 3 / LOG3 / 3),                                   # right page second: 0.631
    ([1, 2], [2, 1], (1 + 3 / LOG3) / (3 + 1 / LOG3)),             # swapped: 0.797
    ([2, 1], [2, 1, 1], (3 + 1 / LOG3) / (3 + 1 / LOG3 + 1 / 2)),  # one relevant page missed
    ([0, 0, 0], [2], 0.0),
    ([0] * 10 + [2], [2], 0.0),                                     # beyond the cut-off
    ([], [], 0.0),
])
def test_ndcg_hand_computed(grades: list[int], judged: list[int], expected: float) -> None:
    assert ndcg(grades, judged) == pytest.approx(expected)


def test_ndcg_values_in_words() -> None:
    assert ndcg([0, 2], [2]) == pytest.approx(0.6309, abs=1e-4)
    assert ndcg([1, 2], [2, 1]) == pytest.approx(0.7967, abs=1e-4)


def write_queries(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                    encoding="utf-8")
    return path


QUERIES = [
    {"id": "found-first", "query": "importer un relevé OFX",
     "relevant": {"wiki/logiciel/rapprochement.txt": 2}},
    {"id": "half-recalled", "query": "charges constatées d'avance",
     "relevant": {"docs/tresorier/cloture.md": 2, "wiki/jamais/ecrite.txt": 1}},
    {"id": "missed", "query": "licorne photosynthèse",
     "relevant": {"wiki/logiciel/recus_fiscaux.txt": 2}},
    {"id": "answered-anyway", "query": "budget prévisionnel voté", "no_answer": True},
    {"id": "unanswered", "query": "licorne spatiale", "no_answer": True},
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    config = local_config(tmp_path_factory.mktemp("kb"))
    reindex(config)
    return Searcher(config.index_dir)


def test_metrics_on_a_tiny_index(searcher: Searcher, tmp_path: Path) -> None:
    report = evaluate(searcher, load_queries(write_queries(tmp_path / "q.jsonl", QUERIES)))
    rows = {row["id"]: row for row in report["per_query"]}
    assert (rows["found-first"]["rr"], rows["found-first"]["recall"]) == (1.0, 1.0)
    assert (rows["half-recalled"]["rr"], rows["half-recalled"]["recall"]) == (1.0, 0.5)
    assert (rows["missed"]["rr"], rows["missed"]["recall"], rows["missed"]["ndcg"]) == (0, 0, 0)
    assert report["queries"] == 5 and report["answerable"] == 3
    assert report["mrr@10"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["recall@10"] == pytest.approx(0.5, abs=1e-4)
    # half-recalled: grades [2] against judged [2, 1]
    assert report["ndcg@10"] == pytest.approx((1 + 3 / (3 + 1 / LOG3)) / 3, abs=1e-4)
    assert report["no_answer_recall"] == 0.5          # "licorne spatiale" only
    assert report["false_no_answer_rate"] == pytest.approx(1 / 3, abs=1e-4)  # "missed"


@pytest.mark.parametrize("lines, line_number", [
    (['{"id": "a", "query": "x"}', '{"id": "b", "query": '], 2),      # broken JSON
    (['{"id": "a"}'], 1),                                             # no query
    (['', '{"id": "a", "query": "x", "relevant": ["p"]}'], 2),        # relevant not a table
    (['{"id": "a", "query": "x", "relevant": {"p": "deux"}}'], 1),   # grade not a number
])
def test_malformed_query_file_names_file_and_line(tmp_path: Path, lines: list[str],
                                                  line_number: int) -> None:
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(QueryFileError, match=f"^{path}:{line_number}: "):
        load_queries(path)


@pytest.mark.parametrize("content, message", [("\n\n", "no queries"), (None, "cannot read")])
def test_empty_or_missing_query_file(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "queries.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(QueryFileError, match=message):
        load_queries(path)


GOOD_SET = {"id": "p1", "source": "dev-01", "phrasings": ["mon budget de l'an prochain",
                                                          "forecast des dépenses"],
            "relevant": {"docs/a.html": 2, "wiki/b.txt": 1}}


def test_paraphrase_file_loads(tmp_path: Path) -> None:
    path = write_queries(tmp_path / "p.jsonl", [GOOD_SET, {**GOOD_SET, "id": "p2",
                                                           "source": "own"}])
    records = load_paraphrases(path)
    assert [(r.id, r.source) for r in records] == [("p1", "dev-01"), ("p2", "own")]
    assert records[0].judged(1) == JudgedQuery("p1#2", "forecast des dépenses",
                                               GOOD_SET["relevant"], False)


@pytest.mark.parametrize("change, reason", [
    ({"id": ""}, "id and source must be non-empty strings"),
    ({"source": 3}, "id and source must be non-empty strings"),
    ({"phrasings": ["une seule"]}, "at least 2"),
    ({"phrasings": "pas une liste"}, "at least 2"),
    ({"phrasings": ["une", "  "]}, "at least 2"),
    ({"phrasings": ["une", None]}, "at least 2"),
    ({"relevant": {}}, "non-empty object"),
    ({"relevant": ["docs/a.html"]}, "non-empty object"),
    ({"relevant": {"docs/a.html": 3}}, "must be 1 or 2"),
    ({"relevant": {"docs/a.html": 0}}, "must be 1 or 2"),
    ({"relevant": {"docs/a.html": True}}, "must be 1 or 2"),
    ({"relevant": {"docs/a.html": "2"}}, "must be 1 or 2"),
    ({"relevant": {"docs/a.html": 1.5}}, "must be 1 or 2"),
    ({"relevant": {"../../etc/passwd": 2}}, "not a path inside the corpus"),
    ({"relevant": {"/etc/passwd": 2}}, "not a path inside the corpus"),
    ({"relevant": {"docs/../../x": 2}}, "not a path inside the corpus"),
    ({"relevant": {"docs//x.html": 2}}, "not a path inside the corpus"),
    ({"relevant": {"docs\\x.html": 2}}, "not a path inside the corpus"),
    ({"relevant": {"x.html": 2}}, "not a path inside the corpus"),
])
def test_malformed_paraphrase_line_says_where_and_what(tmp_path: Path, change: dict,
                                                       reason: str) -> None:
    path = write_queries(tmp_path / "p.jsonl", [GOOD_SET, {**GOOD_SET, "id": "p2", **change}])
    with pytest.raises(QueryFileError,
                       match=f"^{path}:2: not a paraphrase line .*{re.escape(reason)}"):
        load_paraphrases(path)


@pytest.mark.parametrize("line, reason", [
    ('{"id": "p2", "source": "own"', "Expecting"),                  # broken JSON
    ('["p2", "own"]', "not a JSON object"),
    ('{"id": "p2", "phrasings": ["a", "b"]}', "missing source, relevant"),
    (json.dumps(GOOD_SET), "id 'p1' used twice"),
])
def test_paraphrase_file_structure_errors(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(GOOD_SET) + "\n\n" + line + "\n", encoding="utf-8")
    with pytest.raises(QueryFileError, match=f"^{path}:3: .*{re.escape(reason)}"):
        load_paraphrases(path)
