"""Markdown built to be slow to render, shared by the tests of :mod:`kbtool.knowledge.markup` (which count
the work) and ``bench/markdown_render.py`` (which times it)."""

from __future__ import annotations

from collections.abc import Callable

# name → (input of about n characters, the character whose count the rendering must keep).
PATHOLOGICAL: dict[str, tuple[Callable[[int], str], str]] = {
    "opening brackets": (lambda n: "[" * n, "["),
    "image openers": (lambda n: "![" * (n // 2), "!"),
    "unclosed links": (lambda n: "[a](" * (n // 4), "("),
    "nested link brackets": (lambda n: "[" * (n // 5) + "a" + "](b)" * (n // 5), "a"),
    "emphasis openers": (lambda n: "*a " * (n // 3), "a"),
    "nested emphasis": (lambda n: "*" * (n // 2) + "a" + "*" * (n // 2), "a"),
    "mixed emphasis": (lambda n: "*_a" * (n // 3), "a"),
    "deeply nested emphasis": (lambda n: "*a " * (n // 6) + "b" + " c*" * (n // 6), "c"),
    "backtick runs": (lambda n: "`a" * (n // 2), "a"),
    "angle brackets": (lambda n: "<" * n, "<"),
    "unclosed html tags": (lambda n: "<a " * (n // 3), "a"),
    "entity starts": (lambda n: "&#" * (n // 2), "#"),
    "nested quotes": (lambda n: "> " * (n // 2 - 1) + "a", ">"),
    "nested raw html": (lambda n: "<blockquote>" * (n // 12), "q"),
    "nested lists": (lambda n: "".join("  " * i + "- a\n" for i in range(int((n // 2) ** 0.5))),
                     "a"),
    "table rows": (lambda n: "|a|\n|-|\n" + "|x|\n" * (n // 4), "x"),
    "wide table": (lambda n: "|a" * 50 + "|\n" + "|-" * 50 + "|\n"
                   + ("|x" * 50 + "|\n") * (n // 101), "x"),
    "list items": (lambda n: "- a\n" * (n // 4), "a"),
    "code closers in code": (lambda n: "```\n" + "</code>\n" * (n // 8) + "```", "/"),
    "long line": (lambda n: "mot " * (n // 4), "m"),
}
NORMAL_PARAGRAPH = ("Menu **Fichier > Exporter**, puis *Format* : voir "
                    "[la FAQ](https://e.example/faq) et `kbtool reindex`.\n\n")


def normal_article(size: int) -> str:
    """A realistic article of about ``size`` characters: the baseline of the same size."""
    section = (f"## Question\n\n{NORMAL_PARAGRAPH}## Étapes\n\n1. Ouvrez *Paramètres*\n"
               "2. Choisissez **Exporter**\n    - format `OFX`\n    - ou CSV\n\n"
               "| Compte | Libellé |\n|---|---|\n| 512 | Banque |\n\n"
               "```sh\nkbtool reindex --full\n```\n\n> Pensez à sauvegarder avant.\n\n")
    return (section * (size // len(section) + 1))[:size]
