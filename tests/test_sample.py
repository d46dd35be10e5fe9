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
WIKI_PAGES = sorted(WIKI.rglob("*.txt"))
HTML_PAGES = sorted(DOCS.rglob("*.html"))
MARKDOWN_PAGES = sorted(DOCS.rglob("*.md"))

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
    assert 30 <= len(WIKI_PAGES) <= 40
    assert {p.parent.name for p in WIKI_PAGES} >= {"wiki", "logiciel", "faq", "installation",
                                                   "erreurs"}


@pytest.mark.parametrize("path", WIKI_PAGES, ids=_page_id)
def test_wiki_page_is_utf8_with_a_title_and_a_dokuwiki_id(path):
    text = path.read_bytes().decode("utf-8")  # raises on invalid UTF-8
    assert re.fullmatch(r"[a-z0-9_./-]+", path.relative_to(WIKI).as_posix())
    assert REDIRECT.search(text) or LEVEL1_HEADING.search(text), "no ====== title ======"


@pytest.mark.parametrize("path", WIKI_PAGES, ids=_page_id)
def test_internal_wiki_links_point_to_existing_pages(path):
    existing = {_page_id(p) for p in WIKI_PAGES}
    current = _page_id(path)
    targets = {_resolve(link, current) for link in _links(path.read_text(encoding="utf-8"))}
    assert targets - {None} <= existing, f"dangling links: {sorted(targets - {None} - existing)}"


@pytest.mark.parametrize("path", HTML_PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_html_page_has_a_title_and_anchored_sections(path):
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    assert soup.title and soup.title.get_text(strip=True)
    assert all(h2.get("id") for h2 in soup.find_all("h2"))


@pytest.mark.parametrize("path", MARKDOWN_PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_markdown_page_has_a_title_and_sections(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert re.search(r"^## ", text, re.MULTILINE)


def test_pdf_has_a_french_text_layer():
    (pdf,) = DOCS.rglob("*.pdf")
    text = PdfReader(pdf, strict=True).pages[0].extract_text()
    assert "clôturer l'exercice" in text


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
