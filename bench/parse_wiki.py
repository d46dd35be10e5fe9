"""Time the DokuWiki parser over a whole ``data/pages`` folder (default: the shared test corpus).

    .venv/bin/python bench/parse_wiki.py [/path/to/data/pages]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kbtool.crawler.dokuwiki_syntax import parse_dokuwiki, wiki_id_from_path

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "wiki"


def main(root: Path) -> None:
    """Read every page first, then print how long parsing them all takes."""
    pages = {wiki_id_from_path(str(p.relative_to(root))): p.read_text(encoding="utf-8")
             for p in sorted(root.rglob("*.txt"))}
    size = sum(len(t.encode()) for t in pages.values())
    start = time.perf_counter()
    sections = sum(len(parse_dokuwiki(text, wiki_id).sections) for wiki_id, text in pages.items())
    elapsed = time.perf_counter() - start
    print(f"{len(pages)} pages, {size / 1e6:.1f} MB, {sections} sections: "
          f"parsed in {elapsed:.2f} s ({elapsed / max(len(pages), 1) * 1000:.2f} ms/page)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
