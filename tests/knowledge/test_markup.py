"""Article Markdown → HTML stays linear in time on inputs built to be slow (issue 12, item 8).

Tests never time anything (bench/markdown_render.py does, docs/benchmarks.md has the figures):
they count the Python-level calls of one rendering, a measure of work that no machine load
changes, and check that four times the input costs at most about four times the work; and they
render each pathological input at the largest body an article may have, checking its text.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup

from kbtool.knowledge.articles import MAX_BODY_LENGTH
from kbtool.knowledge.markup import MAX_NESTING, to_html
from tests.pathological import NORMAL_PARAGRAPH, PATHOLOGICAL


def work(render: Callable[[str], object], text: str) -> int:
    """Python-level calls (functions, C builtins, generator steps) made by ``render(text)``."""
    count = 0

    def counted(frame: object, event: str, arg: object) -> None:
        nonlocal count
        count += 1

    sys.setprofile(counted)
    try:
        render(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_four_times_the_input_costs_at_most_about_four_times_the_work(name: str) -> None:
    make, _ = PATHOLOGICAL[name]
    small, large = work(to_html, make(1_000)), work(to_html, make(4_000))
    assert large <= 5 * small, f"{name}: {small} calls for 1,000 characters, {large} for 4,000"


def test_the_work_count_tells_quadratic_from_linear() -> None:
    """The measure itself: a renderer that rescans the text before each character (as the old
    link parser did) is caught, one that reads each character once is not."""
    def bracket(character: str) -> bool:
        return character == "["

    def rescanning(text: str) -> int:
        return sum(bracket(c) for i in range(len(text)) for c in text[:i])

    def linear(text: str) -> int:
        return sum(bracket(c) for c in text)

    assert work(rescanning, "[" * 400) > 5 * work(rescanning, "[" * 100)
    assert work(linear, "[" * 400) <= 5 * work(linear, "[" * 100)


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_a_pathological_body_of_the_largest_size_renders_all_its_text(name: str) -> None:
    make, mark = PATHOLOGICAL[name]
    text = make(MAX_BODY_LENGTH)
    shown = BeautifulSoup(to_html(text), "html.parser").get_text()
    assert shown.count(mark) == text.count(mark)


def test_an_article_nested_too_deep_is_shown_as_its_source() -> None:
    text = "> " * (MAX_NESTING + 1) + "**a**"
    assert to_html(text) == f"<pre><code>{html.escape(text)}</code></pre>"
    assert "<strong>a</strong>" in to_html("> " * (MAX_NESTING // 2 - 2) + "**a**")


def test_a_normal_article_keeps_its_formatting() -> None:
    html = to_html(NORMAL_PARAGRAPH + "```python\nprint('ok')\n```\n\n- un\n- deux\n"
                   "    - deux bis\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    for part in ("<strong>Fichier &gt; Exporter</strong>", "<em>Format</em>",
                 '<a href="https://e.example/faq" rel="noopener noreferrer">la FAQ</a>',
                 "<code>kbtool reindex</code>", '<code class="language-python">',
                 "<li>deux\n<ul>\n<li>deux bis</li>", "<td>1</td>"):
        assert part in html
