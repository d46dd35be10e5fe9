"""The replay benchmark: usage replayed through the web app lands in the store as an agent's
copies would, rankings are read from the search page as the index ranks them, and a whole run on
a tiny corpus writes its section.  Also: the shipped paraphrase file loads and names real files."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtool import accounts, store
from kbtool.evaluation import JudgedQuery, ParaphraseSet, load_paraphrases
from kbtool.index.search import Searcher
from tests.kbfactory import DOC_PAGES, WIKI_PAGES, write_tree

REPO = Path(__file__).resolve().parents[2]
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(REPO / "bench"))

import replay  # noqa: E402
import webdesk  # noqa: E402

RAPPROCHEMENT = "wiki/logiciel/rapprochement.txt"
RECUS = "wiki/logiciel/recus_fiscaux.txt"
RECORDS = [
    ParaphraseSet("bank", "dev-x", ("importer le fichier OFX de la banque",
                                    "relevé de la banque dans le compte 512"),
                  {RAPPROCHEMENT: 2}),
    # The first phrasing finds nothing: the agent searches the judged page's title instead.
    ParaphraseSet("receipts", "own", ("licorne photosynthèse", "reçu fiscal cerfa des dons",
                                      "numéro unique du reçu"), {RECUS: 2}),
]
DEV = [JudgedQuery("d1", "clôture de l'exercice", {"docs/tresorier/cloture.md": 2}, False),
       JudgedQuery("d2", "budget prévisionnel voté", {"docs/tresorier/budget.md": 2}, False)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny corpus (kbfactory's pages) and its index in ``index/`` beside it."""
    root = tmp_path_factory.mktemp("corpus")
    write_tree(root / "wiki", WIKI_PAGES)
    write_tree(root / "docs", DOC_PAGES)
    replay.ensure_index(root, root / "index", rebuild=False)
    return root


@pytest.fixture()
def stores(corpus: Path, tmp_path: Path) -> Iterator[webdesk.Stores]:
    made = webdesk.Stores(corpus, corpus / "index", tmp_path)
    yield made
    made.close()


def _rows(database: Path, sql: str) -> list[sqlite3.Row]:
    conn = store.connect(str(database))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_replayed_usage_is_the_agents_drafts_and_copies(stores: webdesk.Stores) -> None:
    learned = stores.copy(stores.fresh, "usage")
    usage = replay.replay(stores.desk(learned), RECORDS, 0, stores.title_of)
    assert usage.cited == {"bank": RAPPROCHEMENT, "receipts": RECUS}
    assert usage.retitled == ("receipts",) and usage.missed == ()
    drafts = _rows(learned, "SELECT query, sections, user_id FROM drafts ORDER BY id")
    conn = store.connect(str(learned))
    agent = accounts.find_user(conn, webdesk.AGENT).id
    conn.close()
    assert [row["query"] for row in drafts] == [RECORDS[0].phrasings[0], "Reçus fiscaux"]
    assert [json.loads(row["sections"])[0][3] for row in drafts] == [RAPPROCHEMENT, RECUS]
    copies = _rows(learned, "SELECT user_id, draft_id, detail FROM events WHERE kind = 'copy'")
    assert [(row["user_id"], row["detail"]) for row in copies] == [(agent, "text")] * 2
    # The fresh store the copy was made from is left without usage.
    assert _rows(stores.fresh, "SELECT * FROM events") == []
    assert _rows(stores.fresh, "SELECT * FROM drafts") == []


def test_rankings_are_read_from_the_search_page_as_the_index_ranks(
        stores: webdesk.Stores, corpus: Path) -> None:
    desk = stores.desk(stores.copy(stores.fresh, "read"))
    searcher = Searcher(corpus / "index")
    try:
        for query in ("relevé de la banque", "reçus fiscaux", "clôture"):
            expected = [hit.page_id for hit in searcher.search(query, limit=10).hits]
            shown = desk.search(query)
            assert list(shown.pages) == expected and expected
            assert set(shown.picks) == set(expected)
    finally:
        searcher.close()


def test_metrics_follow_the_known_rankings(stores: webdesk.Stores, corpus: Path) -> None:
    desk = stores.desk(stores.copy(stores.fresh, "metrics"))
    shown = desk.search("relevé de la banque").pages
    assert RAPPROCHEMENT in shown
    rank = shown.index(RAPPROCHEMENT) + 1
    query = JudgedQuery("q", "relevé de la banque", {RAPPROCHEMENT: 2, "wiki/absent.txt": 1},
                        False)
    report = replay.score(desk, [query, JudgedQuery("n", "licorne", {RECUS: 2}, False)])
    assert report["mrr@10"] == pytest.approx((1 / rank + 0) / 2, abs=1e-4)
    assert report["recall@10"] == pytest.approx((1 / 2 + 0) / 2, abs=1e-4)


def test_held_out_phrasings_never_include_the_one_replayed() -> None:
    for used in (0, 1):
        queries = replay.held_out(RECORDS, used)
        assert {q.query for q in queries}.isdisjoint(r.phrasings[used] for r in RECORDS)
        assert len(queries) == sum(len(r.phrasings) - 1 for r in RECORDS)
    usage = replay.Usage({"bank": "docs/tresorier/cloture.md"}, (), ())
    assert replay.untouched(DEV, usage) == [DEV[1]]


def test_a_whole_run_writes_its_section(corpus: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    paraphrases = tmp_path / "paraphrases.jsonl"
    paraphrases.write_text("".join(json.dumps({"id": r.id, "source": r.source,
                                               "phrasings": list(r.phrasings),
                                               "relevant": r.relevant}) + "\n"
                                   for r in RECORDS), encoding="utf-8")
    dev = tmp_path / "dev.jsonl"
    dev.write_text("".join(json.dumps({"id": q.id, "query": q.query, "relevant": q.relevant})
                           + "\n" for q in DEV), encoding="utf-8")
    out = tmp_path / "benchmarks.md"
    assert replay.main(["--corpus", str(corpus), "--index", str(corpus / "index"),
                        "--paraphrases", str(paraphrases), "--queries", str(dev),
                        "--repeat", "1", "--label", "tiny corpus", "--out", str(out),
                        "--json", str(tmp_path / "rows.json")]) == 0
    written = out.read_text(encoding="utf-8")
    assert written.count(replay.HEADING) == 1 and "**tiny corpus**" in written
    assert written.count("| paraphrases, all | all needs, phrasing ") == 2
    assert "| paraphrases, all | mean of the 2 folds | 6 |" in written
    rows = json.loads((tmp_path / "rows.json").read_text(encoding="utf-8"))["rows"]
    assert rows[0]["before"]["per_query"][0]["id"] == "bank#2"    # fold 1 scores phrasing 2
    assert "No drift" in written and "p95 after / before" in written


def test_without_the_corpus_it_says_so(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert replay.main(["--corpus", str(tmp_path / "none")]) == 0
    assert "no corpus" in capsys.readouterr().out


@pytest.mark.skipif(not SHARED_CORPUS.is_dir(),
                    reason=f"the shared corpus is not at {SHARED_CORPUS} (outside the "
                           "repository; present on the team's machines only)")
def test_the_paraphrase_file_loads_and_names_files_of_the_corpus() -> None:
    records = load_paraphrases(replay.DEFAULT_PARAPHRASES)
    missing = [(r.id, page) for r in records for page in r.relevant
               if not (SHARED_CORPUS / page).is_file()]
    assert missing == []
    dev_ids = {json.loads(line)["id"] for line in
               (SHARED_CORPUS.parent / "eval" / "dev-queries.jsonl").read_text().splitlines()
               if line.strip() and json.loads(line)["relevant"]}
    rephrased = {r.source for r in records if r.source != replay.OWN}
    assert rephrased == dev_ids
    assert sum(r.source == replay.OWN for r in records) >= 20
    assert all(len(r.phrasings) >= 3 for r in records if r.source == replay.OWN)
