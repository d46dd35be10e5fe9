"""The bundled sample knowledge base is a fresh user's first experience of kbtool, and the
evaluation queries shipped with it are only worth something if they point at real pages.
These checks read the files directly, so a broken sample is caught even when the crawler or
the index is broken too."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

SAMPLE = Path(__file__).resolve().parents[1] / "kbtool" / "sample"
WIKI = SAMPLE / "wiki"
DOCS = SAMPLE / "docs"

REDIRECT = re.compile(r"~~REDIRECT>([^~]+)~~")
LEVEL1_HEADING = re.compile(r"^====== .+ ======\s*$", re.MULTILINE)
CODE_BLOCK = re.compile(r"<(code|file)\b.*?</\1>", re.DOTALL)
WIKI_LINK = re.compile(r"\[\[([^\]|]+)(?:\|[^\]]*)?\]\]")


def _page_id(path: Path) -> str:
    """DokuWiki id of a page file: ``wiki/logiciel/budget.txt`` → ``logiciel:budget``."""
    return ":".join(path.relative_to(WIKI).with_suffix("").parts)


def _resolve(target: str, current_id: str) -> str | None:
    """DokuWiki id a link target points to, seen from ``current_id``; None for links that
    leave the wiki (URLs, interwiki ``apt>…``, Windows shares, e-mail) or stay on the page."""
    target = target.strip().split("#")[0].split("?")[0]
    if not target or "://" in target or ">" in target or target.startswith(("\\\\", "mailto:")):
        return None
    namespace = current_id.rpartition(":")[0]
    if target.startswith("."):
        parts = namespace.split(":") if namespace else []
        for step in target.split(":")[:-1]:
            if step == "..":
                parts = parts[:-1]
            elif step != ".":
                parts.append(step)
        target = ":".join(parts + [target.split(":")[-1]])
    elif ":" not in target and namespace:
        target = f"{namespace}:{target}"
    page = target.strip(":").lower().replace(" ", "_")
    return f"{page}:start" if target.endswith(":") else page


def _links(text: str) -> list[str]:
    """Targets of the ``[[…]]`` links and redirects of a page, code blocks left out."""
    text = CODE_BLOCK.sub("", text)
    return WIKI_LINK.findall(text) + REDIRECT.findall(text)


def _queries() -> list[dict]:
    """The evaluation queries, one JSON object a line."""
    lines = (SAMPLE / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _config() -> dict:
    """The sample configuration, parsed by the standard TOML reader."""
    return tomllib.loads((SAMPLE / "kbtool.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("target", "current", "expected"), [
    ("logiciel:budget", "faq:start", "logiciel:budget"),
    (":logiciel:budget", "faq:start", "logiciel:budget"),
    ("budget", "logiciel:start", "logiciel:budget"),
    ("Budget Annuel", "start", "budget_annuel"),
    (".:budget#suivi", "logiciel:start", "logiciel:budget"),
    ("..:start", "logiciel:tva", "start"),
    ("erreurs:", "start", "erreurs:start"),
    ("https://exemple.org/", "start", None),
    ("apt>cups", "start", None),
])
def test_link_resolution_follows_dokuwiki_rules(target, current, expected):
    assert _resolve(target, current) == expected


def test_wiki_size_is_what_the_sample_promises():
    wiki_pages = sorted(WIKI.rglob("*.txt"))
    assert 30 <= len(wiki_pages) <= 40
    assert {p.parent.name for p in wiki_pages} >= {"wiki", "logiciel", "faq", "installation",
                                                   "erreurs"}


def _wiki_page_problems(path: Path) -> list[str]:
    """A DokuWiki page: UTF-8, a DokuWiki id as its path, a title, no link to a missing page."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"not UTF-8 ({exc.reason} at byte {exc.start})"]
    problems = []
    if not re.fullmatch(r"[a-z0-9_./-]+", path.relative_to(WIKI).as_posix()):
        problems.append("path is not a DokuWiki id (a-z, 0-9, _ . / -)")
    if not (REDIRECT.search(text) or LEVEL1_HEADING.search(text)):
        problems.append("no ====== title ======")
    targets = {_resolve(link, _page_id(path)) for link in _links(text)} - {None}
    if dangling := targets - {_page_id(p) for p in WIKI.rglob("*.txt")}:
        problems.append(f"dangling links: {sorted(dangling)}")
    return problems


def _html_page_problems(path: Path) -> list[str]:
    """A documentation page: a <title>, and an id on every <h2> for section links."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    problems = [] if soup.title and soup.title.get_text(strip=True) else ["no <title>"]
    return problems + [f"<h2> without id: {h2.get_text(strip=True)!r}"
                       for h2 in soup.find_all("h2") if not h2.get("id")]


def _markdown_page_problems(path: Path) -> list[str]:
    """A Markdown page: starts with its "# " title and has "## " sections."""
    text = path.read_text(encoding="utf-8")
    return ([] if text.startswith("# ") else ["does not start with a '# ' title"]) + \
        ([] if re.search(r"^## ", text, re.MULTILINE) else ["no '## ' section"])


def _pdf_problems(path: Path) -> list[str]:
    """The PDF: a French text layer the crawler can read."""
    text = PdfReader(path, strict=True).pages[0].extract_text()
    return [] if "clôturer l'exercice" in text else ["no French text layer on page 1"]


# Every bundled page file and what it must be: (folder, pattern, check giving its problems).
PAGE_CHECKS = (
    (WIKI, "*.txt", _wiki_page_problems),
    (DOCS, "*.html", _html_page_problems),
    (DOCS, "*.md", _markdown_page_problems),
    (DOCS, "*.pdf", _pdf_problems),
)


def test_every_bundled_page_is_well_formed():
    """One check of every page file, all problems listed at once, file by file."""
    pages = {check: sorted(folder.rglob(pattern)) for folder, pattern, check in PAGE_CHECKS}
    assert all(pages.values()), "a kind of page is missing from the sample"
    problems = [f"{path.relative_to(SAMPLE)}: {problem}"
                for check, paths in pages.items() for path in paths for problem in check(path)]
    assert problems == []


def test_config_declares_the_two_sample_folders():
    config = _config()
    assert config["index"]["dir"] == "var/index"
    assert {(s["name"], s["kind"]) for s in config["sources"]} == {("wiki", "dokuwiki-dir"),
                                                                  ("docs", "folder")}
    assert all((SAMPLE / s["path"]).is_dir() for s in config["sources"])


def test_queries_follow_the_evaluation_schema():
    queries = _queries()
    assert 15 <= len(queries) <= 20
    assert len({q["id"] for q in queries}) == len(queries)
    for q in queries:
        assert set(q) == {"id", "query", "relevant", "no_answer"}
        assert q["no_answer"] == (not q["relevant"]), q["id"]
        assert set(q["relevant"].values()) <= {1, 2}, q["id"]
    assert 3 <= sum(q["no_answer"] for q in queries) <= 4


def test_every_relevant_path_exists_in_its_source():
    folders = {s["name"]: SAMPLE / s["path"] for s in _config()["sources"]}
    for q in _queries():
        for relevant in q["relevant"]:
            source, _, path = relevant.partition("/")
            assert (folders[source] / path).is_file(), f"{q['id']}: {relevant}"
