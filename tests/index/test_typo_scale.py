"""Typo handling does not depend on the knowledge base's size: the same base, and the same base
three times over (each word held three times as often), take the same words for typos."""

from __future__ import annotations

import pytest

from kbtool.index.query import RARE_SHARE, parse
from kbtool.index.store import IndexStore
from kbtool.pipeline import reindex
from tests.kbfactory import local_config

# Enough sections that a word held once is rare (fewer than one section in 1 / RARE_SHARE).
FILLER_PAGES, FILLER_SECTIONS = 220, 100
PAGES = {
    **{f"page_{p}.txt": "".join(f"===== Partie {s} =====\nLigne {s} de la page {p}.\n"
                                for s in range(FILLER_SECTIONS))
       for p in range(FILLER_PAGES)},
    # A typo the documentation itself makes once, beside the word it holds 30 times.
    "archive.txt": "====== Archive ======\nComment ouvir le fichier .rar.\n",
    **{f"ouvrir_{n}.txt": f"====== Ouvrir {n} ======\nOuvrir le fichier {n}.\n"
       for n in range(30)},
    # A real word held once, beside a close word held 15 times: not a typo of it.
    "dons.txt": "====== Dons ======\nLes associations cultuelles reçoivent des dons.\n",
    **{f"culture_{n}.txt": f"====== Culture {n} ======\nLa vie culturelle {n}.\n"
       for n in range(15)},
    # A word never written, one slip from a word held 8 times.
    **{f"sauvegarde_{n}.txt": f"====== Sauvegarde {n} ======\nLa sauvegarde {n}.\n"
       for n in range(8)},
}
COPIES = (1, 3)


def _replicated(copies: int) -> dict[str, str]:
    """The pages, and ``copies - 1`` copies of them under other ids."""
    return {(name if copy == 0 else f"copie{copy}/{name}"): text
            for copy in range(copies) for name, text in PAGES.items()}


@pytest.fixture(scope="module", params=COPIES, ids=lambda n: f"{n}x")
def reader(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    config = local_config(tmp_path_factory.mktemp(f"kb{request.param}"),
                          wiki=_replicated(request.param), docs={"notes.txt": "Notes.\n"})
    assert reindex(config).ok
    with IndexStore(config.index_dir).open().reader() as opened:
        # The fixture is what it claims: a word held once per copy is rare at each size.
        assert opened.doc_count() * RARE_SHARE > request.param
        yield opened


def test_a_typo_the_base_repeats_with_its_size_is_still_corrected(reader) -> None:
    """A count (three sections) took "ouvir" for a word once the base held it three times."""
    assert parse("comment ouvir un fichier", reader).corrections == {"ouvir": "ouvrir"}


def test_a_rare_real_word_is_not_corrected_at_any_size(reader) -> None:
    assert parse("associations cultuelles", reader).corrections == {}


def test_a_word_never_written_is_corrected_at_any_size(reader) -> None:
    assert parse("sauvgarde", reader).corrections == {"sauvgarde": "sauvegarde"}
