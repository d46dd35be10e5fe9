"""'What is X?' questions: the interrogative is recognised whatever its form, and the page named
X (page name, redirect name or title) comes first even where X is written on every page."""

from __future__ import annotations

import pytest

from kbtool.index.search import Searcher
from kbtool.index.subject import subject_of
from kbtool.pipeline import reindex
from tests.kbfactory import local_config


@pytest.mark.parametrize("question, subject", [
    ("Qu'est-ce qu'un dépôt ?", "depot"),
    ("qu est ce que c est qu un processus", "processus"),
    ("Qu’est-ce que le swap?", "swap"),
    ("que signifie PPA", "ppa"),
    ("Que veut dire FEC ?", "fec"),
    ("c'est quoi un dépôt", "depot"),
    ("C’est quoi le rapprochement bancaire ?", "rapprochement bancaire"),
    ("à quoi sert sudo ?", "sudo"),
    ("A quoi servent les catégories", "categories"),
    ("Le swap, c'est quoi ?", "swap"),
    ("PPA ça veut dire quoi", "ppa"),
    ("définition de la clôture", "cloture"),
    ("Un dépôt, qu'est-ce que c'est ?", "depot"),
])
def test_what_is_questions_give_their_subject(question: str, subject: str) -> None:
    assert subject_of(question) == subject


@pytest.mark.parametrize("question", [
    "comment ajouter un dépôt", "dépôt", "installer un paquet depuis un dépôt ?",
    "qu'est-ce que je dois faire pour que mon imprimante et mon scanner marchent ensemble "
    "sous ubuntu", "", "?", "c'est quoi", "qu'est-ce que ?", "quoi" * 5000,
])
def test_other_questions_have_no_subject(question: str) -> None:
    assert subject_of(question) is None


PAGES = {
    # The pages about X: named by its page name, by a redirect, by its title.
    "depot.txt": "====== Sources de logiciels ======\nUn dépôt fournit des paquets signés.\n",
    "ppa.txt": "~~REDIRECT>archives_personnelles~~\n",
    "archives_personnelles.txt": ("====== Archives personnelles ======\nUne archive "
                                  "personnelle (PPA) publie les paquets d'un développeur.\n"),
    "outils/volumes.txt": "====== Swap ======\nUne zone du disque sert de mémoire.\n",
    # Pages that write X again and again.
    **{f"logiciel/{name}.txt": (f"====== Installer {name} depuis un dépôt ======\n"
                                f"Ajoutez le dépôt de {name}, activez le dépôt PPA, mettez à "
                                f"jour le dépôt, installez depuis le dépôt. Le PPA {name} et "
                                f"le swap du dépôt.\n")
       for name in ("gimp", "inkscape", "vlc", "audacity", "blender")},
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    config = local_config(tmp_path_factory.mktemp("kb"), wiki=PAGES, docs={"vide.md": "# Vide\n"})
    assert reindex(config).ok
    return Searcher(config.index_dir)


@pytest.mark.parametrize("question, page", [
    ("Qu'est-ce qu'un dépôt ?", "wiki/depot.txt"),
    ("c'est quoi un depot", "wiki/depot.txt"),
    ("que signifie PPA ?", "wiki/archives_personnelles.txt"),
    ("Le swap, c'est quoi ?", "wiki/outils/volumes.txt"),
])
def test_the_page_named_x_comes_first(searcher: Searcher, question: str, page: str) -> None:
    assert searcher.search(question).hits[0].page_id == page


def test_without_the_question_the_word_alone_ranks_as_before(searcher: Searcher) -> None:
    assert searcher.search("dépôt").hits[0].page_id != "wiki/depot.txt"
