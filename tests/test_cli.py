"""The ``kbtool`` command as cron and scripts use it: one-line summaries and errors, documented
exit statuses (0 ok, 1 failures, 2 bad input, 3 busy, 4 no index) and JSON output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbtool import __version__
from kbtool.cli import main
from kbtool.index.store import IndexStore
from tests.kbfactory import config_file, rewrite

SAMPLE = Path(__file__).resolve().parents[1] / "kbtool" / "sample"


@pytest.fixture()
def toml(tmp_path: Path) -> Path:
    """A configuration file over the factory's small wiki and docs, not indexed yet."""
    return config_file(tmp_path)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, indexed once for the read-only tests of this module."""
    path = config_file(tmp_path_factory.mktemp("kb"))
    assert main(["--config", str(path), "reindex"]) == 0
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_reindex_prints_one_summary_line(toml: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "--config", str(toml), "reindex")
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    assert out.startswith("reindex --full: 2 source(s), 7 pages listed, 6 added, ")

    code, out, _ = run(capsys, "--config", str(toml), "reindex")
    assert code == 0
    assert out.startswith("reindex: 2 source(s), 7 pages listed, 0 added, 0 updated, 0 deleted")

    generation = IndexStore(toml.parent / "index").generation()
    code, out, _ = run(capsys, "--config", str(toml), "reindex", "--full")
    assert code == 0 and out.startswith("reindex --full: ") and " 6 updated" in out
    assert IndexStore(toml.parent / "index").generation() != generation


def test_reindex_exits_1_and_names_the_failed_page(toml: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    broken = toml.parent / "wiki" / "faq" / "latin1.txt"
    rewrite(broken, "====== Clôture ======\n".encode("latin-1"))
    code, out, err = run(capsys, "--config", str(toml), "reindex")
    assert code == 1
    assert err.startswith(f"failed: wiki: {broken}: not valid UTF-8")
    assert out.count("\n") == 1 and "1 failed" in out


def test_reindex_exits_3_while_another_holds_the_lock(toml: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    with IndexStore(toml.parent / "index").lock():
        code, out, err = run(capsys, "--config", str(toml), "reindex")
    assert code == 3 and out == ""
    assert err.startswith("kbtool: error: another reindex is running (pid ")
    assert err.count("\n") == 1


def test_reindex_unknown_source_is_a_usage_error(toml: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(capsys, "--config", str(toml), "reindex", "--source", "intranet")
    assert code == 2
    assert err == "kbtool: error: unknown source 'intranet' (configured: wiki, docs)\n"


def test_search_json(indexed: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "--config", str(indexed), "search", "reçus fiscaux rapprochement",
                       "--json", "--limit", "1")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"query", "confident", "suggestion", "also_searched", "total", "page",
                           "page_count", "hits"}
    assert result["total"] >= 2 and result["page_count"] == result["total"]
    [hit] = result["hits"]
    assert set(hit) == {"page_id", "title", "url", "source", "namespace", "modified", "score",
                        "sections"}
    assert hit["url"].startswith("https://wiki.example.org/doku.php?id=")
    section = hit["sections"][0]
    assert set(section) == {"heading", "anchor", "url", "snippet", "score"}
    assert section["url"] == f"{hit['url']}#{section['anchor']}"


def test_search_shows_search_limit_pages_unless_told(indexed: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    limited = tmp_path / "kbtool.toml"
    limited.write_text(indexed.read_text(encoding="utf-8").replace(
        'dir = "index"', f'dir = "{indexed.parent / "index"}"') + "\n[search]\nlimit = 1\n",
        encoding="utf-8")
    shown = {}
    for extra in ((), ("--limit", "2")):
        code, out, _ = run(capsys, "--config", str(limited), "search",
                           "reçus fiscaux rapprochement", "--json", *extra)
        assert code == 0
        result = json.loads(out)
        assert result["total"] >= 2
        shown[extra] = len(result["hits"])
    assert shown == {(): 1, ("--limit", "2"): 2}


def test_search_text_lists_pages_and_section_links(indexed: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "--config", str(indexed), "search", "relevé OFX")
    assert code == 0
    assert " 1. Rapprochement bancaire  [wiki/logiciel/rapprochement.txt]" in out
    assert "doku.php?id=logiciel:rapprochement#importer_un_releve_ofx" in out
    code, out, _ = run(capsys, "--config", str(indexed), "search", "licorne spatiale")
    assert "No confident answer in the knowledge base" in out


def test_search_before_any_reindex_exits_4(toml: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "--config", str(toml), "search", "banque")
    assert code == 4 and out == ""
    assert err.count("\n") == 1 and "run `kbtool reindex` first" in err


def test_bad_config_exits_2_naming_key_and_file(toml: Path, capsys: pytest.CaptureFixture) -> None:
    toml.write_text(toml.read_text(encoding="utf-8").replace('dir = "index"', "dir = 3"),
                    encoding="utf-8")
    code, _, err = run(capsys, "--config", str(toml), "search", "banque")
    assert code == 2
    assert err.count("\n") == 1
    assert str(toml) in err and "index.dir must be of type str" in err


def test_missing_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBTOOL_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "status")
    assert code == 2 and "kbtool.toml: configuration file not found" in err


def test_config_from_environment_and_current_folder(indexed: Path, capsys: pytest.CaptureFixture,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBTOOL_CONFIG", str(indexed))
    monkeypatch.chdir(indexed.parent.parent)
    assert run(capsys, "search", "445660", "--json")[0] == 0
    monkeypatch.delenv("KBTOOL_CONFIG")
    monkeypatch.chdir(indexed.parent)       # ./kbtool.toml
    code, out, _ = run(capsys, "search", "445660", "--json")
    assert code == 0 and json.loads(out)["hits"][0]["page_id"] == "docs/notes.txt"


def test_evaluate_json(indexed: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"id": "1", "query": "relevé OFX",
                                   "relevant": {"wiki/logiciel/rapprochement.txt": 2}}) + "\n"
                       + json.dumps({"id": "2", "query": "licorne", "no_answer": True}) + "\n",
                       encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(indexed), "evaluate", str(queries), "--json")
    assert code == 0
    report = json.loads(out)
    assert {"queries", "mrr@10", "ndcg@10", "recall@10", "no_answer_recall",
            "false_no_answer_rate", "per_query"} <= set(report)
    assert (report["queries"], report["mrr@10"], report["no_answer_recall"]) == (2, 1.0, 1.0)

    code, out, _ = run(capsys, "--config", str(indexed), "evaluate", str(queries))
    assert code == 0 and "MRR@10 1.000" in out


def test_evaluate_bad_file_exits_2_naming_the_line(indexed: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "1", "query": "x"}\nnot json\n', encoding="utf-8")
    code, _, err = run(capsys, "--config", str(indexed), "evaluate", str(queries))
    assert code == 2
    assert err.startswith(f"kbtool: error: {queries}:2: ") and err.count("\n") == 1


@pytest.mark.parametrize("written", [
    "[1, 2]", '"docs"', "null", "{", "\u0000\xff", '{"docs": [1]}', '{"docs": "x"}',
    '{"docs": {"errors": 5, "error_count": "many", "retry": {"a": 1}, "last_run": []}}',
    '{"docs": {"errors": [1, null, {"x": 2}], "retry": [3, "docs/a.md"]}}',
    '{"docs": {"kind": "evil", "pages": -1}}',
])
def test_a_damaged_status_file_neither_breaks_status_nor_the_next_reindex(
        written: str, toml: Path, capsys: pytest.CaptureFixture) -> None:
    """status.json is kbtool's own file, but a disk, an editor or a crash can leave anything
    there: what is not as kbtool writes it is ignored, and the next run writes it anew."""
    assert run(capsys, "--config", str(toml), "reindex")[0] == 0
    (toml.parent / "index" / "status.json").write_text(written, encoding="utf-8")
    code, out, err = run(capsys, "--config", str(toml), "status")
    assert (code, err) == (0, "")
    assert "docs (folder): 3 pages indexed" in out
    assert run(capsys, "--config", str(toml), "reindex")[0] == 0
    rows = json.loads(run(capsys, "--config", str(toml), "status", "--json")[1])
    assert rows["docs"]["kind"] == "folder" and rows["docs"]["pages"] == 3
    assert rows["docs"]["errors"] == [] and rows["docs"]["last_success"]


def test_status(toml: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "--config", str(toml), "status")
    assert code == 0
    assert "docs (folder): 0 pages indexed; last run never, last success never" in out

    run(capsys, "--config", str(toml), "reindex")
    shutil.rmtree(toml.parent / "docs")
    assert run(capsys, "--config", str(toml), "reindex")[0] == 1

    code, out, _ = run(capsys, "--config", str(toml), "status", "--json")
    assert code == 0
    rows = json.loads(out)
    assert set(rows) == {"wiki", "docs"}
    assert rows["docs"]["kind"] == "folder" and rows["docs"]["pages"] == 3
    assert rows["docs"]["error_count"] == 1 and "folder not found" in rows["docs"]["errors"][0]
    assert rows["wiki"]["errors"] == [] and rows["wiki"]["last_success"]
    assert rows["wiki"]["pages"] == 3    # the redirect page is remembered, not counted

    code, out, _ = run(capsys, "--config", str(toml), "status")
    assert "docs (folder): 3 pages indexed;" in out and "1 error(s)" in out
    assert "folder not found" in out


def test_version_through_python_m() -> None:
    done = subprocess.run([sys.executable, "-m", "kbtool", "--version"], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1], check=True)
    assert done.stdout.strip() == f"kbtool {__version__}"


def test_bundled_sample_reaches_its_quality(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Regression guard: the sample's judged queries were written for MRR@10 ≥ 0.9."""
    sample = shutil.copytree(SAMPLE, tmp_path / "sample",
                             ignore=shutil.ignore_patterns("var", "__pycache__"))
    toml = str(sample / "kbtool.toml")
    assert run(capsys, "--config", toml, "reindex")[0] == 0
    code, out, _ = run(capsys, "--config", toml, "evaluate", str(sample / "queries.jsonl"),
                       "--json")
    assert code == 0
    report = json.loads(out)
    assert report["mrr@10"] >= 0.9, [row for row in report["per_query"] if row["rr"] < 1]
    assert (sample / "var" / "index" / "current").is_symlink()   # written in the copy


def test_search_and_evaluate_apply_the_team_s_synonyms(toml: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    """Without the web UI's database, only the documentation's pairs; with it, the team's."""
    from kbtool import accounts, store
    from kbtool.config import load
    from kbtool.knowledge import synonyms
    assert main(["--config", str(toml), "reindex"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "--config", str(toml), "search", "pointage")
    assert code == 0 and "Also searched" not in out and "rapprochement" not in out
    conn = store.connect(load(toml).get("web.database"))
    rene = accounts.create_user(conn, "rene", "reviewer", "mot de passe sûr")
    synonyms.add(conn, rene.id, "pointage", "rapprochement", both_ways=False)
    conn.close()
    code, out, _ = run(capsys, "--config", str(toml), "search", "pointage")
    assert code == 0 and "Also searched: rapprochement" in out
    assert out.splitlines()[1].endswith("[wiki/logiciel/rapprochement.txt]")
    queries = toml.parent / "queries.jsonl"
    queries.write_text(json.dumps({"id": "q", "query": "pointage", "relevant": {
        "wiki/logiciel/rapprochement.txt": 2}}) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(toml), "evaluate", str(queries), "--json")
    report = json.loads(out)
    assert code == 0 and report["team_synonyms"] == 1 and report["mrr@10"] == 1.0
