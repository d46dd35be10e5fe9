"""kbtool's rooms and the imports between them, read from the source (nothing is imported).

A room is a package (``kbtool/wiki/``) or a few top-level modules with one job (``pipeline.py``
and ``read_ahead.py``: the reindex).  Rooms stand on floors, bottom first (``FLOORS``): a room
imports only rooms of lower floors, never one of its own floor nor above, so the rooms form no
cycle and data flows one way (``tests/test_import_graph.py`` checks it, and that
``docs/architecture.md`` draws this graph).

    .venv/bin/python scripts/import_graph.py          # the Mermaid picture of docs/architecture.md
    .venv/bin/python scripts/import_graph.py --dot    # the same graph for Graphviz
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "kbtool"
PACKAGE_DIR = Path(__file__).resolve().parents[1] / PACKAGE

# Bottom to top.  Each room: its name and its modules (a package stands for all it holds).
FLOORS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (("base", ("kbtool", "kbtool.config", "kbtool.documents", "kbtool.stopping")),),
    (("app data", ("kbtool.store", "kbtool.accounts")),),
    (("net", ("kbtool.net",)),),
    (("wiki", ("kbtool.wiki",)),),
    (("crawler", ("kbtool.crawler",)), ("index", ("kbtool.index",))),
    (("reindex", ("kbtool.pipeline", "kbtool.read_ahead")),),
    (("knowledge", ("kbtool.knowledge",)),),
    (("web", ("kbtool.web",)),),
    (("commands", ("kbtool.cli", "kbtool.webcli", "kbtool.evaluation", "kbtool.demo",
                   "kbtool.__main__")),),
)


@dataclass(frozen=True)
class Import:
    """One import of a kbtool module by another, where it is written."""

    module: str      # the importing module
    target: str      # the imported module
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module} imports {self.target}"


def module_name(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    """'kbtool/wiki/api.py' → 'kbtool.wiki.api'; a package's ``__init__`` is the package."""
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, name: str, package_dir: Path) -> str:
    """``from module import name``: the module ``module.name`` when there is one, else
    ``module`` (the name is a function, class or constant of it)."""
    candidate = package_dir.parent.joinpath(*f"{module}.{name}".split("."))
    return f"{module}.{name}" if candidate.is_dir() or candidate.with_suffix(".py").is_file() \
        else module


def imports(package_dir: Path = PACKAGE_DIR) -> list[Import]:
    """Every import of one kbtool module by another, function-level ones included."""
    found = []
    package = package_dir.name
    for path in sorted(package_dir.rglob("*.py")):
        module = module_name(path, package_dir)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [_resolve(node.module, alias.name, package_dir)
                           for alias in node.names]
            else:
                continue
            found += [Import(module, target, path, node.lineno) for target in targets
                      if target == package or target.startswith(f"{package}.")]
    return found


def room_of(module: str, floors=FLOORS) -> tuple[int, str] | None:
    """(floor, room name) of a module; None when no room lists it."""
    for floor, rooms in enumerate(floors):
        for name, members in rooms:
            if any(module == member or (module.startswith(f"{member}.") and "." in member)
                   for member in members):
                return floor, name
    return None


def modules(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Every module of the package."""
    return sorted(module_name(path, package_dir) for path in package_dir.rglob("*.py"))


def homeless(names: list[str], floors=FLOORS) -> list[str]:
    """Modules no room lists."""
    return [name for name in names if room_of(name, floors) is None]


def upward(found: list[Import], floors=FLOORS) -> list[Import]:
    """Imports of a room on the same floor or above the importing one."""
    wrong = []
    for item in found:
        source, target = room_of(item.module, floors), room_of(item.target, floors)
        if source and target and source[1] != target[1] and target[0] >= source[0]:
            wrong.append(item)
    return wrong


def room_edges(found: list[Import], floors=FLOORS) -> set[tuple[str, str]]:
    """(importing room, imported room) pairs."""
    edges = set()
    for item in found:
        source, target = room_of(item.module, floors), room_of(item.target, floors)
        if source and target and source[1] != target[1]:
            edges.add((source[1], target[1]))
    return edges


def _node(name: str) -> str:
    return name.replace(" ", "_")


def _ordered(edges: set[tuple[str, str]], floors=FLOORS) -> list[tuple[str, str]]:
    """Edges from the top floor down, so the picture reads like the house."""
    order = {name: (-floor, n) for floor, rooms in enumerate(floors)
             for n, (name, _) in enumerate(rooms)}
    return sorted(edges, key=lambda edge: (order[edge[0]], order[edge[1]]))


def _label(name: str, members: tuple[str, ...]) -> str:
    """A room's name and what it holds: 'wiki/' or 'reindex: pipeline, read_ahead'."""
    if len(members) == 1 and PACKAGE_DIR.joinpath(*members[0].split(".")[1:]).is_dir():
        return f"{members[0].split('.')[-1]}/"
    short = [member.split(".")[-1] if "." in member else "__init__" for member in members]
    return f"{name}: {', '.join(short)}"


def mermaid(edges: set[tuple[str, str]], floors=FLOORS) -> str:
    """A Mermaid flowchart, importing rooms above the rooms they import."""
    lines = ["flowchart TB"]
    for rooms in reversed(floors):
        lines += [f'    {_node(name)}["{_label(name, members)}"]' for name, members in rooms]
    lines += [f"    {_node(a)} --> {_node(b)}" for a, b in _ordered(edges, floors)]
    return "\n".join(lines)


def dot(edges: set[tuple[str, str]], floors=FLOORS) -> str:
    """The same graph in Graphviz's language, one rank per floor."""
    lines = ["digraph kbtool {", "    node [shape=box];"]
    for rooms in reversed(floors):
        names = " ".join(f'{_node(name)} [label="{_label(name, members)}"];'
                         for name, members in rooms)
        lines.append(f"    {{ rank=same; {names} }}")
    lines += [f"    {_node(a)} -> {_node(b)};" for a, b in _ordered(edges, floors)]
    return "\n".join([*lines, "}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print Graphviz dot, not Mermaid")
    args = parser.parse_args(argv)
    found = imports()
    wrong = [f"upward: {item}" for item in upward(found)]
    wrong += [f"in no room: {name}" for name in homeless(modules())]
    print(dot(room_edges(found)) if args.dot else mermaid(room_edges(found)))
    for line in wrong:
        print(line, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
