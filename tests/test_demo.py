"""The README's first command: ``kbtool demo`` on the bundled sample, without a server."""

from kbtool.cli import main
from kbtool.demo import sample_config
from kbtool.index.search import Searcher


def test_demo_indexes_the_sample_and_creates_one_admin(tmp_path, capsys):
    assert main(["demo", "--no-serve", "--dir", str(tmp_path)]) == 0
    first = capsys.readouterr().out
    assert "0 failed" in first and "Compte administrateur créé : admin" in first

    results = Searcher(tmp_path / "index").search("rapprochement bancaire")
    assert results.confident
    assert results.hits[0].url.startswith("https://wiki.exemple.org/doku.php?id=")

    assert main(["demo", "--no-serve", "--dir", str(tmp_path)]) == 0
    second = capsys.readouterr().out
    assert "0 added" in second and "Compte administrateur" not in second


def test_demo_writes_only_under_its_folder(tmp_path):
    config = sample_config(tmp_path)
    assert config.index_dir == tmp_path.resolve() / "index"
    assert config.get("web.database").startswith(str(tmp_path.resolve()))
    assert all(s.get("path").endswith(("sample/wiki", "sample/docs")) for s in config.sources)
