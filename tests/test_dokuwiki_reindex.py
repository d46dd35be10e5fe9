"""``kbtool reindex`` and ``kbtool search`` against a real DokuWiki over its remote API, as cron
and agents use them: live edits between runs, ACL, a wrong password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtool import read_ahead
from kbtool.cli import main
from tests.dokuwiki import BOT, PASSWORD_VAR, kbtool_toml


@pytest.fixture()
def config_path(dokuwiki, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv(PASSWORD_VAR, BOT.password)
    path = tmp_path / "kbtool.toml"
    path.write_text(kbtool_toml(dokuwiki, '[index]\ndir = "index"'), encoding="utf-8")
    return path


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])


def hits(config: Path, query: str, capsys) -> list[dict]:
    capsys.readouterr()
    assert run(config, "search", query, "--json") == 0
    return json.loads(capsys.readouterr().out)["hits"]


def test_live_edits_reach_the_index_and_acl_keeps_private_pages_out(dokuwiki, config_path,
                                                                     capsys):
    assert run(config_path, "reindex") == 0
    found = hits(config_path, "prérequis mémoire", capsys)
    assert found[0]["url"] == f"{dokuwiki.url}doku.php?id=tutoriel:installation"
    assert found[0]["sections"][0]["url"].endswith("#prerequis")
    assert hits(config_path, "grille des salaires confidentiel", capsys) == []

    dokuwiki.save("tutoriel:sauvegarde", "====== Sauvegarder le dossier ======\n"
                  "Copiez le dossier sur une clé chiffrée.\n")
    dokuwiki.save("faq:licence", "====== Renouveler la licence ======\n"
                  "Le numéro de licence figure sur la facture annuelle.\n")
    dokuwiki.delete("start")
    capsys.readouterr()
    assert run(config_path, "reindex") == 0
    assert "1 added, 1 updated, 1 deleted" in capsys.readouterr().out
    assert hits(config_path, "clé chiffrée", capsys)[0]["page_id"] == "wiki/tutoriel/sauvegarde.txt"
    assert hits(config_path, "numéro de licence facture", capsys)[0]["page_id"] == \
        "wiki/faq/licence.txt"
    assert all(h["page_id"] != "wiki/start.txt" for h in hits(config_path, "bienvenue", capsys))


def test_a_crawl_read_by_a_reader_process_indexes_what_a_reader_thread_does(config_path,
                                                                             monkeypatch, capsys):
    """A full crawl of a big wiki reads its pages in a process of its own (forced here for the
    small test wiki): it must index the same pages, with the same links, ACL applied."""
    queries = ["prérequis mémoire", "installateur", "grille des salaires confidentiel"]

    def crawl(process_from: int) -> list[list[tuple]]:
        monkeypatch.setattr(read_ahead, "PROCESS_FROM", process_from)
        assert run(config_path, "reindex", "--full") == 0
        return [[(h["page_id"], h["url"], [s["url"] for s in h["sections"]])
                 for h in hits(config_path, query, capsys)] for query in queries]

    by_process = crawl(1)
    assert by_process == crawl(10**6)
    assert by_process[0] and by_process[1] and by_process[2] == []


def test_wrong_password_fails_clearly_and_leaves_the_index_untouched(config_path, monkeypatch,
                                                                      capsys):
    assert run(config_path, "reindex") == 0
    before = hits(config_path, "installateur", capsys)
    monkeypatch.setenv(PASSWORD_VAR, "pas le bon")
    capsys.readouterr()
    assert run(config_path, "reindex") == 1
    err = capsys.readouterr().err
    assert "login refused" in err and "pas le bon" not in err
    assert hits(config_path, "installateur", capsys) == before
