"""Article rendering times on inputs built to be slow, against a normal article of the same size.

    .venv/bin/python bench/markdown_render.py --out docs/benchmarks.md
    .venv/bin/python bench/markdown_render.py --before      # also the old renderer, small sizes

For each input of ``tests/pathological.py`` at 10,000 characters and at the largest body an
article may have (``kbtool.knowledge.articles.MAX_BODY_LENGTH``), it times the preview
(:func:`kbtool.knowledge.markup.to_html`) and the review page's work (the preview plus the DokuWiki text,
:func:`kbtool.knowledge.wikitext.to_dokuwiki`), best of ``--repeat`` runs, and gives each as a ratio to
the same work on a normal article of the same size (headings, lists, a table, code, links)
measured in the same run: the machine's load moves both.  ``--before`` also times the renderer
used before (the ``markdown`` package, same extensions, then nh3) at 1,000 and 4,000
characters: four times the input should cost about four times the time, not sixteen.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(Path(__file__).resolve().parent)]

from sections import publish  # noqa: E402
from kbtool.knowledge.articles import MAX_BODY_LENGTH  # noqa: E402
from kbtool.knowledge.markup import to_html  # noqa: E402
from kbtool.knowledge.wikitext import to_dokuwiki  # noqa: E402
from tests.pathological import PATHOLOGICAL, normal_article  # noqa: E402

HEADING = "## Markdown rendering"
BEGIN = "<!-- markdown_render:begin -->"
END = "<!-- markdown_render:end -->"
SIZES = (10_000, MAX_BODY_LENGTH)
BEFORE_SIZES = (1_000, 4_000)


def best_time(work: Callable[[], object], repeat: int) -> float:
    """The shortest of ``repeat`` runs, in seconds (the least disturbed by other jobs)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def review_page(text: str) -> None:
    """What the review page computes from an article: its preview and its DokuWiki text."""
    to_html(text)
    to_dokuwiki("Titre", text)


def old_to_html(text: str) -> str:
    """The renderer before issue 12: python-markdown, then the same sanitizer."""
    import markdown
    import nh3

    from kbtool.knowledge import markup
    rendered = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(rendered, tags=markup.TAGS, attributes=markup.ATTRIBUTES,
                     url_schemes=markup.URL_SCHEMES)


def current_rows(repeat: int) -> list[str]:
    rows = []
    for size in SIZES:
        normal = normal_article(size)
        base_html = best_time(lambda: to_html(normal), repeat)
        base_page = best_time(lambda: review_page(normal), repeat)
        rows.append(f"| normal article (baseline) | {size:,} | {base_html * 1000:.1f} ms | 1.0 | "
                    f"{base_page * 1000:.1f} ms | 1.0 |")
        for name, (make, _) in PATHOLOGICAL.items():
            text = make(size)
            html_time = best_time(lambda: to_html(text), repeat)
            page_time = best_time(lambda: review_page(text), repeat)
            rows.append(f"| {name} | {size:,} | {html_time * 1000:.1f} ms | "
                        f"{html_time / base_html:.1f} | {page_time * 1000:.1f} ms | "
                        f"{page_time / base_page:.1f} |")
    return rows


def before_rows() -> list[str]:
    rows = []
    for name, (make, _) in PATHOLOGICAL.items():
        small, large = (best_time(lambda: old_to_html(make(size)), 1) for size in BEFORE_SIZES)
        rows.append(f"| {name} | {small * 1000:.0f} ms | {large * 1000:.0f} ms | "
                    f"{large / small:.1f} |")
    return rows


def report(repeat: int, before: bool) -> str:
    """The figures as a Markdown section (between its markers)."""
    lines = [BEGIN, "", f"Best of {repeat} runs; ratios against a normal article of the same size "
             "in the same run. Preview = `to_html`; review page = preview + `to_dokuwiki`.", "",
             "| input | characters | preview | × normal | review page | × normal |",
             "|---|---:|---:|---:|---:|---:|", *current_rows(repeat)]
    if before:
        lines += ["", "Renderer before issue 12 (python-markdown + nh3), one run each:", "",
                  f"| input | {BEFORE_SIZES[0]:,} chars | {BEFORE_SIZES[1]:,} chars | ratio |",
                  "|---|---:|---:|---:|", *before_rows()]
    return "\n".join(lines + ["", END])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per input (best kept)")
    parser.add_argument("--before", action="store_true",
                        help="also time the old renderer (python-markdown) at small sizes")
    parser.add_argument("--out", type=Path, help="write the figures into this Markdown file")
    args = parser.parse_args()
    publish(report(args.repeat, args.before), args.out, HEADING, BEGIN, END)


if __name__ == "__main__":
    main()
