"""Search quality on judged queries: MRR, nDCG and recall at 10, and the no-answer signal.

The query file is JSON Lines, one ``{"id", "query", "relevant": {page_id: grade}, "no_answer"}``
per line (grade 2 answers, 1 partly answers); a paraphrase file (the replay benchmark's) holds
one ``{"id", "source", "phrasings": [...], "relevant": {page_id: grade}}`` per line.  Pages are
ranked by their best section, as the search page shows them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kbtool.index.reading import SearchIndex
from kbtool.index.synonym_rules import NO_RULES, SynonymRules

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
    return _load_lines(path, _judged_query, "query", "queries")


def _judged_query(raw: dict) -> JudgedQuery:
    return JudgedQuery(id=str(raw["id"]), query=str(raw["query"]),
                       relevant={str(k): int(v) for k, v in raw.get("relevant", {}).items()},
                       no_answer=bool(raw.get("no_answer", False)))


@dataclass(frozen=True)
class ParaphraseSet:
    """One need said several ways by callers, with the pages judged to answer it.

    ``source`` is the dev query it rephrases, or ``"own"`` for a need written apart; the replay
    benchmark (``bench/replay.py``) replays one phrasing as usage and searches the others.
    """

    id: str
    source: str
    phrasings: tuple[str, ...]
    relevant: dict[str, int]

    def judged(self, phrasing: int) -> JudgedQuery:
        """That phrasing as a judged query, for the metric functions."""
        return JudgedQuery(id=f"{self.id}#{phrasing + 1}", query=self.phrasings[phrasing],
                           relevant=self.relevant, no_answer=False)


MIN_PHRASINGS = 2
GRADES = (1, 2)


def load_paraphrases(path: Path) -> list[ParaphraseSet]:
    """Parse and check a paraphrase file (``bench/data/paraphrases.jsonl``); errors name the
    file and line and say what is wrong."""
    seen: set[str] = set()

    def parse(raw: dict) -> ParaphraseSet:
        record = _paraphrase_set(raw)
        if record.id in seen:
            raise ValueError(f"id {record.id!r} used twice")
        seen.add(record.id)
        return record
    return _load_lines(path, parse, "paraphrase", "paraphrase sets")


def _paraphrase_set(raw: dict) -> ParaphraseSet:
    """One line's record, or ValueError saying which field is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    missing = [key for key in ("id", "source", "phrasings", "relevant") if key not in raw]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if not all(isinstance(raw[key], str) and raw[key].strip() for key in ("id", "source")):
        raise ValueError("id and source must be non-empty strings")
    phrasings = raw["phrasings"]
    if (not isinstance(phrasings, list) or len(phrasings) < MIN_PHRASINGS
            or not all(isinstance(p, str) and p.strip() for p in phrasings)):
        raise ValueError(f"phrasings must be a list of at least {MIN_PHRASINGS} non-empty "
                         "strings")
    relevant = raw["relevant"]
    if not isinstance(relevant, dict) or not relevant:
        raise ValueError("relevant must be a non-empty object {file: grade}")
    for page, grade in relevant.items():
        if type(grade) is not int or grade not in GRADES:
            raise ValueError(f"grade of {page!r} must be 1 or 2, not {grade!r}")
        if not _corpus_relative(page):
            raise ValueError(f"{page!r} is not a path inside the corpus (wiki/… or docs/…)")
    return ParaphraseSet(id=raw["id"], source=raw["source"], phrasings=tuple(phrasings),
                         relevant=dict(relevant))


def _corpus_relative(page: str) -> bool:
    """A relative path with no ``..``, ``.`` or empty part, as the judged files are named."""
    parts = page.split("/")
    return (not page.startswith("/") and "\\" not in page and len(parts) > 1
            and all(part not in ("", ".", "..") for part in parts))


def _load_lines(path: Path, parse: Callable[[dict], object], kind: str, plural: str) -> list:
    """Each non-blank line of a JSON Lines file through ``parse``; errors name file and line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise QueryFileError(f"{path}: cannot read: {reason}") from exc
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise QueryFileError(f"{path}:{number}: not a {kind} line ({exc})") from exc
    if not records:
        raise QueryFileError(f"{path}: no {plural}")
    return records


def evaluate(searcher: SearchIndex, queries: list[JudgedQuery],
             synonyms: SynonymRules = NO_RULES) -> dict:
    """Run every query and aggregate the metrics (the keys of ``kbtool evaluate --json``);
    ``synonyms``: the team's table, searched as the web UI does."""
    return summarise([_judge(searcher, q, synonyms) for q in queries],
                     team_synonyms=len(synonyms.pairs) + len(synonyms.rejected))


def summarise(per_query: list[dict], team_synonyms: int = 0) -> dict:
    """The aggregate figures over rows of :func:`judge_ranking` (``team_synonyms``: how many
    pairs of the team's table the search applied)."""
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
        "team_synonyms": team_synonyms,
        "per_query": per_query,
    }


def _mean(rows: list[dict], value: Callable[[dict], float]) -> float:
    """Mean of ``value`` over ``rows`` (0 when there are none), rounded for reports."""
    return round(sum(value(r) for r in rows) / len(rows), 4) if rows else 0.0


def _judge(searcher: SearchIndex, query: JudgedQuery, synonyms: SynonymRules) -> dict:
    results = searcher.search(query.query, limit=CUTOFF, synonyms=synonyms)
    return judge_ranking(query, [hit.page_id for hit in results.hits], results.confident)


def judge_ranking(query: JudgedQuery, ranked: list[str], confident: bool) -> dict:
    """One query's row: reciprocal rank, nDCG and recall of the pages ranked for it (the first
    ``CUTOFF`` count), whatever ranked them."""
    ranked = ranked[:CUTOFF]
    grades = [query.relevant.get(page_id, 0) for page_id in ranked]
    first = next((rank for rank, grade in enumerate(grades, start=1) if grade > 0), None)
    relevant = [pid for pid, grade in query.relevant.items() if grade > 0]
    found = sum(1 for pid in ranked if pid in relevant)
    return {
        "id": query.id,
        "query": query.query,
        "no_answer": query.no_answer,
        "confident": confident,
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
