"""Search quality on judged queries: MRR, nDCG and recall at 10, and the no-answer signal.

The query file is JSON Lines, one ``{"id", "query", "relevant": {page_id: grade}, "no_answer"}``
per line (grade 2 answers, 1 partly answers).  Pages are ranked by their best section, as the
search page shows them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kbtool.index.expansion import NO_RULES, SynonymRules
from kbtool.index.search import Searcher

CUTOFF = 10


class QueryFileError(Exception):
    """A query file that cannot be read, with the line at fault."""


@dataclass(frozen=True)
class JudgedQuery:
    """One evaluation query and its judged relevant pages."""

    id: str
    query: str
    relevant: dict[str, int]
    no_answer: bool


def load_queries(path: Path) -> list[JudgedQuery]:
    """Parse and check a query file; errors name the file and line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise QueryFileError(f"{path}: cannot read: {reason}") from exc
    queries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            queries.append(JudgedQuery(id=str(raw["id"]), query=str(raw["query"]),
                                       relevant={str(k): int(v) for k, v in
                                                 raw.get("relevant", {}).items()},
                                       no_answer=bool(raw.get("no_answer", False))))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise QueryFileError(f"{path}:{number}: not a query line ({exc})") from exc
    if not queries:
        raise QueryFileError(f"{path}: no queries")
    return queries


def evaluate(searcher: Searcher, queries: list[JudgedQuery],
             synonyms: SynonymRules = NO_RULES) -> dict:
    """Run every query and aggregate the metrics (the keys of ``kbtool evaluate --json``);
    ``synonyms``: the team's table, searched as the web UI does."""
    per_query = [_judge(searcher, q, synonyms) for q in queries]
    answerable = [p for p in per_query if not p["no_answer"]]
    unanswerable = [p for p in per_query if p["no_answer"]]
    return {
        "queries": len(per_query),
        "answerable": len(answerable),
        f"mrr@{CUTOFF}": _mean(answerable, lambda r: r["rr"]),
        f"ndcg@{CUTOFF}": _mean(answerable, lambda r: r["ndcg"]),
        f"recall@{CUTOFF}": _mean(answerable, lambda r: r["recall"]),
        "no_answer_recall": _mean(unanswerable, lambda r: not r["confident"]),
        "false_no_answer_rate": _mean(answerable, lambda r: not r["confident"]),
        "team_synonyms": len(synonyms.pairs) + len(synonyms.rejected),
        "per_query": per_query,
    }


def _mean(rows: list[dict], value: Callable[[dict], float]) -> float:
    """Mean of ``value`` over ``rows`` (0 when there are none), rounded for reports."""
    return round(sum(value(r) for r in rows) / len(rows), 4) if rows else 0.0


def _judge(searcher: Searcher, query: JudgedQuery, synonyms: SynonymRules) -> dict:
    results = searcher.search(query.query, limit=CUTOFF, synonyms=synonyms)
    ranked = [hit.page_id for hit in results.hits]
    grades = [query.relevant.get(page_id, 0) for page_id in ranked]
    first = next((rank for rank, grade in enumerate(grades, start=1) if grade > 0), None)
    relevant = [pid for pid, grade in query.relevant.items() if grade > 0]
    found = sum(1 for pid in ranked if pid in relevant)
    return {
        "id": query.id,
        "query": query.query,
        "no_answer": query.no_answer,
        "confident": results.confident,
        "rr": 1.0 / first if first else 0.0,
        "ndcg": ndcg(grades, list(query.relevant.values())),
        "recall": found / len(relevant) if relevant else 0.0,
        "top": ranked,
    }


def ndcg(grades: list[int], judged: list[int], cutoff: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain with gains 2^grade − 1."""
    ideal = _dcg(sorted(judged, reverse=True)[:cutoff])
    return _dcg(grades[:cutoff]) / ideal if ideal else 0.0


def _dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(rank + 1) for rank, g in enumerate(grades, start=1))


def format_report(report: dict) -> str:
    """Human-readable summary with the queries that missed."""
    lines = [f"{report['queries']} queries ({report['answerable']} answerable)",
             f"MRR@{CUTOFF} {report[f'mrr@{CUTOFF}']:.3f}   nDCG@{CUTOFF} "
             f"{report[f'ndcg@{CUTOFF}']:.3f}   recall@{CUTOFF} {report[f'recall@{CUTOFF}']:.3f}",
             f"no-answer recall {report['no_answer_recall']:.2f}   false no-answer rate "
             f"{report['false_no_answer_rate']:.2f}"]
    if report.get("team_synonyms"):
        lines.append(f"with the team's synonym table ({report['team_synonyms']} pairs)")
    for row in report["per_query"]:
        flag = "ok " if (row["rr"] == 1.0 or (row["no_answer"] and not row["confident"])) \
            else "-- "
        conf = "confident" if row["confident"] else "no answer"
        lines.append(f"{flag}{row['id']:<12} rr {row['rr']:.2f} ndcg {row['ndcg']:.2f} "
                     f"{conf:<9} {row['query']}")
    return "\n".join(lines)
