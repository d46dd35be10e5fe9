"""Small knowledge bases written into temporary folders, and configurations over them."""

from __future__ import annotations

import os
from pathlib import Path

from kbtool.config import Config, load

WIKI_PAGES = {
    "start.txt": "====== Accueil ======\nBienvenue sur le wiki du support.\n",
    "logiciel/rapprochement.txt": (
        "{{tag>banque}}\n====== Rapprochement bancaire ======\n"
        "Le rapprochement compare le relevé de la banque et le compte 512.\n"
        "===== Importer un relevé OFX =====\n"
        "Menu **Banque > Importer**, choisissez le fichier OFX.\n"),
    "logiciel/recus_fiscaux.txt": (
        "====== Reçus fiscaux ======\nLes reçus fiscaux (cerfa 11580) se font depuis le menu Dons.\n"
        "===== Numérotation =====\nChaque reçu porte un numéro unique.\n"),
    "faq/ancienne_page.txt": "~~REDIRECT>logiciel:rapprochement~~\n",
}

DOC_PAGES = {
    "tresorier/cloture.md": (
        "# Clôture de l'exercice\n\nAvant la clôture, vérifiez le rapprochement.\n\n"
        "## Écritures d'inventaire\n\nPassez les charges constatées d'avance.\n"),
    "tresorier/budget.md": "# Budget prévisionnel\n\nLe budget est voté en assemblée générale.\n",
    "notes.txt": "Notes du trésorier\n\nLe compte 445660 enregistre la TVA déductible.\n",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path → text) under ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CONFIG = """\
[index]
dir = "index"
{index}
[[sources]]
name = "wiki"
kind = "dokuwiki-dir"
path = "wiki"
base_url = "https://wiki.example.org/doku.php"

[[sources]]
name = "docs"
kind = "folder"
path = "docs"
base_url = "https://docs.example.org/"
"""


def config_file(tmp: Path, wiki: dict[str, str] | None = None,
                docs: dict[str, str] | None = None, **index: object) -> Path:
    """A DokuWiki pages folder and a documentation folder under ``tmp``, and ``kbtool.toml``
    over them (paths relative to it, index in ``tmp/index``)."""
    write_tree(tmp / "wiki", WIKI_PAGES if wiki is None else wiki)
    write_tree(tmp / "docs", DOC_PAGES if docs is None else docs)
    extra = "\n".join(f"{key} = {value!r}" for key, value in index.items())
    return write_tree(tmp, {"kbtool.toml": CONFIG.format(index=extra)}) / "kbtool.toml"


def local_config(tmp: Path, wiki: dict[str, str] | None = None,
                 docs: dict[str, str] | None = None, **index: object) -> Config:
    """The configuration of :func:`config_file`, loaded."""
    return load(config_file(tmp, wiki, docs, **index))


def rewrite(path: Path, content: str | bytes) -> None:
    """Replace a file's content and move its mtime a second on, so its listed version changes
    even when the size stays the same and the clock has not ticked."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(later, later))
