"""The scale benchmark and its replicator, run on the bundled sample (2× a few pages)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "kbtool" / "sample"
sys.path.insert(0, str(REPO / "bench"))

import replicate  # noqa: E402
import scale_bench  # noqa: E402


def test_replicate_writes_each_copy_under_new_ids_with_new_words(tmp_path: Path) -> None:
    written = replicate.replicate(SAMPLE, tmp_path / "kb", 3, share=0.5)
    originals = sorted(p.relative_to(SAMPLE) for part in replicate.PARTS
                       for p in (SAMPLE / part).rglob("*") if p.is_file())
    assert written == 3 * len(originals)
    page = Path("wiki") / "logiciel" / "rapprochement_bancaire.txt"
    assert (tmp_path / "kb" / page).read_bytes() == (SAMPLE / page).read_bytes()  # copy 0
    copies = [(tmp_path / "kb" / "wiki" / f"copie{k}" / page.relative_to("wiki")).read_text(
        encoding="utf-8") for k in (1, 2)]
    original = (SAMPLE / page).read_text(encoding="utf-8")
    assert copies[0] != original and copies[1] != original and copies[0] != copies[1]
    assert copies[0].count("\n") == original.count("\n")     # one line for one line
    assert replicate.perturbed(original, 0) == original


@pytest.mark.parametrize("markup", [
    "[[rapprochement|Rapprochement bancaire]]", "{{ images:capture.png?200 }}",
    "<note important>", "~~NOTOC~~", "<a href=\"chapitre.html\">",
    "](../comptabilite/cloture.md)", "https://example.org/documentation/comptable",
])
def test_replicate_leaves_markup_alone(markup: str) -> None:
    text = f"Comptabilité paroissiale {markup} rapprochement bancaire"
    changed = replicate.perturbed(text, 1, share=1.0)
    assert markup in changed
    assert "Comptabilité " not in changed and "rapprochement bancaire" not in changed


@pytest.mark.parametrize("link, in_copy", [
    ("[[:versions|Versions]]", "[[:copie2:versions|Versions]]"),
    ("[[tutoriel:graver#options]]", "[[:copie2:tutoriel:graver#options]]"),
    ("~~REDIRECT>logiciel:rapprochement~~", "~~REDIRECT>:copie2:logiciel:rapprochement~~"),
    ("[[page_voisine]]", "[[page_voisine]]"),              # already in the copy's namespace
    ("[[.:voisine]]", "[[.:voisine]]"), ("[[#ancre]]", "[[#ancre]]"),
    ("[[wpfr>Licence:GPL|GPL]]", "[[wpfr>Licence:GPL|GPL]]"),          # interwiki
    ("[[https://example.org/a:b]]", "[[https://example.org/a:b]]"),
    ("[[contact@example.org]]", "[[contact@example.org]]"),
])
def test_replicate_leads_absolute_wiki_links_into_the_copy(link: str, in_copy: str) -> None:
    assert replicate.perturbed(f"Voir {link}.", 2, share=0.0) == f"Voir {in_copy}."
    assert replicate.perturbed(f"Voir {link}.", 0) == f"Voir {link}."


def test_replicate_refuses_to_write_into_the_corpus(tmp_path: Path) -> None:
    (tmp_path / "wiki").mkdir()
    (tmp_path / "docs").mkdir()
    with pytest.raises(ValueError, match="inside the corpus"):
        replicate.replicate(tmp_path, tmp_path / "copies", 2)


def test_benchmark_compares_two_sizes_in_one_run(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Web\n\nother figures\n", encoding="utf-8")
    args = ["--corpus", str(SAMPLE), "--queries", str(SAMPLE / "queries.jsonl"),
            "--copies", "2", "--repeat", "1", "--scratch", str(tmp_path), "--out", str(out)]
    assert scale_bench.main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert "## Web\n\nother figures" in text and scale_bench.HEADING in text
    for row in ("| full build (s, CPU of all its processes) |",
                "| full build, peak memory of a process (MB) |",
                "| index size (MB) |", "| no-change reindex (s) |", "| search p95 (ms, ",
                "| search worker PSS (MB) |", "| as judged | 2× |", "| one letter slipped | 1× |"):
        assert row in text, row
    assert "2× full: reindex --full: 2 source(s), 116 pages listed" in text
    assert "2× edited: reindex: 2 source(s), 116 pages listed, 0 added, 1 updated" in text
    assert [p.name for p in tmp_path.iterdir()] == [out.name]    # scratch folder removed


def test_benchmark_skips_without_corpus(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert scale_bench.main(["--corpus", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().out
