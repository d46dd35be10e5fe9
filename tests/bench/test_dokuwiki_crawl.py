"""The DokuWiki crawl benchmark, run against real DokuWikis (each release) seeded with the
bundled sample."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.dokuwiki import RELEASES, skip_reason

REPO = Path(__file__).resolve().parents[2]
SAMPLE_WIKI = REPO / "kbtool" / "sample" / "wiki"
sys.path.insert(0, str(REPO / "bench"))

import dokuwiki_crawl  # noqa: E402


def _row(text: str, step: str) -> list[str]:
    """The cells of the table row whose step starts with ``step``."""
    line = next(line for line in text.splitlines() if line.startswith(f"| {step}"))
    return [cell.strip() for cell in line.strip("|").split("|")]


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r.name)
def test_runs_reuses_the_seeded_wiki_and_keeps_other_sections(tmp_path: Path, release) -> None:
    if (reason := skip_reason(release)) is not None:
        pytest.skip(reason)
    target = dokuwiki_crawl.TARGETS[release.name]
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Index and search\n\nother figures\n", encoding="utf-8")
    args = ["--corpus", str(SAMPLE_WIKI), "--wiki-dir", str(tmp_path / "wiki"), "--out", str(out),
            "--release", release.name]

    assert dokuwiki_crawl.main(args) == 0
    first = out.read_text(encoding="utf-8")
    assert "wiki seeded into" in first
    pages = sum(1 for _ in SAMPLE_WIKI.rglob("*.txt"))
    # pages, fetched, requests: the full crawl fetches every page; the no-change run only lists
    # (API version, login, listing); the edit run fetches the 10 edited pages and nothing else.
    assert _row(first, "full crawl")[1:3] == [str(pages), str(pages)]
    assert _row(first, "no-change run")[1:4] == [str(pages), "0", "3"]
    assert _row(first, "after editing 10 pages")[1:4] == [str(pages), "10", "13"]
    assert "10 updated" in first
    # Step 4 crawls again with a latency on every request, then takes it away.  How long the
    # steps took is the benchmark's figure, not something a test on a loaded machine can
    # compare: only the shape of the rows is checked.
    remote = _row(first, "full crawl + index, 5 ms per request")
    assert remote[1:3] == [str(pages), str(pages)]
    assert re.fullmatch(r"\d+\.\d+ s", remote[4])
    assert "usleep" not in (tmp_path / "wiki" / "router.php").read_text()
    # Full crawls say how long reading the pages took, beside the raw calls.
    assert len(re.findall(r"full crawl \+ index.*: reindex --full: .*; pages read in "
                          r"\d+\.\d s after the listing \(the raw calls: \d+\.\d s", first)) == 2

    assert dokuwiki_crawl.main(args) == 0
    second = out.read_text(encoding="utf-8")
    assert "wiki reused from" in second
    assert second.count(target.heading + "\n") == 1 and second.count(target.begin) == 1
    assert target.description in second
    assert second.startswith("# Benchmarks\n\n## Index and search\n\nother figures\n")
    # The edits replace the previous run's line instead of piling up.
    edited = re.search(rf"`{re.escape(target.save_call)}` as `admin`: `([^`]+)`",
                       second).group(1)
    page = (tmp_path / "wiki/data/pages" / (edited.replace(":", "/") + ".txt")).read_text()
    assert page.count(dokuwiki_crawl.EDIT_MARK) == 1
