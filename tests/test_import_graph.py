"""The house: kbtool's rooms import only rooms below them, the index engine stays behind its
seam, and docs/architecture.md draws the graph as it is (``scripts/import_graph.py``)."""

from __future__ import annotations

import ast
import re
import sys
from graphlib import TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import import_graph  # noqa: E402

# What a module outside kbtool/index may import of it: the protocols and the engine's factory,
# the result records, the errors, and the French analysis's text functions (kbtool's own,
# whichever engine holds the index).
INDEX_SURFACE = {"kbtool.index.engine", "kbtool.index.reading", "kbtool.index.updating",
                 "kbtool.index.results", "kbtool.index.errors", "kbtool.index.analysis",
                 "kbtool.index.synonym_rules"}


def _third_party_imports(top: str) -> dict[str, list[str]]:
    """kbtool module → where it imports package ``top`` (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(import_graph.PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name == top or name.startswith(f"{top}.") for name in names):
                found.setdefault(import_graph.module_name(path), []).append(
                    f"{path.relative_to(REPO)}:{node.lineno}")
    return found


def test_every_module_is_in_a_room() -> None:
    assert import_graph.homeless(import_graph.modules()) == []


def test_rooms_import_only_rooms_below_them() -> None:
    assert [str(item) for item in import_graph.upward(import_graph.imports())] == []


def test_the_rooms_form_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in import_graph.room_edges(import_graph.imports()):
        graph.setdefault(source, set()).add(target)
    order = list(TopologicalSorter(graph).static_order())   # CycleError otherwise
    assert order.index("net") < order.index("wiki") < order.index("knowledge") < \
        order.index("web") < order.index("commands")


def test_the_scan_sees_the_imports_the_code_makes() -> None:
    """Not vacuous: known arrows are found, function-level imports included (cli's)."""
    edges = import_graph.room_edges(import_graph.imports())
    assert {("knowledge", "reindex"), ("web", "knowledge"), ("wiki", "net"),
            ("crawler", "wiki"), ("reindex", "index"), ("commands", "web")} <= edges
    assert ("crawler", "index") not in edges and ("index", "crawler") not in edges


@pytest.mark.parametrize("where, source, expected", [
    ("wiki/api.py", "from kbtool.web import views\n", "kbtool.wiki.api imports kbtool.web.views"),
    ("crawler/site.py", "import kbtool.index.search\n",
     "kbtool.crawler.site imports kbtool.index.search"),       # same floor
    ("net/http.py", "def later():\n    from kbtool.knowledge import drafts\n",
     "kbtool.net.http imports kbtool.knowledge.drafts"),
    ("config.py", "from kbtool import pipeline\n", "kbtool.config imports kbtool.pipeline"),
])
def test_an_import_upward_or_sideways_is_reported(tmp_path: Path, where: str, source: str,
                                                  expected: str) -> None:
    package = tmp_path / "kbtool"
    for module in ("__init__.py", "config.py", "pipeline.py", "web/__init__.py",
                   "web/views.py", "index/__init__.py", "index/search.py",
                   "knowledge/__init__.py", "knowledge/drafts.py", "wiki/__init__.py",
                   "net/__init__.py", "crawler/__init__.py"):
        (package / module).parent.mkdir(parents=True, exist_ok=True)
        (package / module).touch()
    (package / where).parent.mkdir(parents=True, exist_ok=True)
    (package / where).write_text(source, encoding="utf-8")
    reported = [str(item) for item in import_graph.upward(import_graph.imports(package))]
    assert [line.split(": ", 1)[1] for line in reported] == [expected]


def test_the_index_engine_stays_behind_its_seam() -> None:
    """Outside kbtool/index no module imports Whoosh, nor any index module but its surface."""
    outside = {module: where for module, where in _third_party_imports("whoosh").items()
               if not module.startswith("kbtool.index")}
    assert outside == {}
    reached = sorted(str(item) for item in import_graph.imports()
                     if item.target.startswith("kbtool.index")
                     and not item.module.startswith("kbtool.index")
                     and item.target not in INDEX_SURFACE)
    assert reached == []


def test_flask_stays_in_the_web_room() -> None:
    assert [module for module in _third_party_imports("flask")
            if not module.startswith("kbtool.web")] == []


def test_the_architecture_picture_is_the_import_graph() -> None:
    """docs/architecture.md draws what the code imports (rerun the script after a change)."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawn = re.search(r"```mermaid\n(.*?)\n```", text, re.S)
    assert drawn is not None
    assert drawn.group(1) == import_graph.mermaid(
        import_graph.room_edges(import_graph.imports()))


def test_every_room_has_its_paragraph() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (.+)$", text, re.M))
    assert headings == {name for rooms in import_graph.FLOORS for name, _ in rooms}
