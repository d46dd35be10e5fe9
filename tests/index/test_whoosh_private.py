"""Whoosh's private names are used in ``kbtool.index.whoosh_private`` only, and listed there.

Private: a name starting with ``_`` that Whoosh's own source defines or uses (an attribute, a
method, a keyword argument), a ``whoosh`` module path with a ``_`` part, or a name imported from
the modules of Whoosh 3's on-disk format (``whoosh.codec.whoosh3``, ``whoosh.filedb``), which a
new release may change like any internal.  ``docs/whoosh-upgrade.md`` says when to run this.

A module that gives its own (non-Whoosh) class an attribute named like a Whoosh private one
(``self._lock``) may use that name: the scan cannot tell that object from a Whoosh one there.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest
import whoosh

import kbtool

PACKAGE = Path(kbtool.__file__).parent
# Read, not imported: with a release lacking one of its names, the tests below say which.
PRIVATE_MODULE = PACKAGE / "index" / "whoosh_private.py"
FORMAT_MODULES = ("whoosh.codec.whoosh3", "whoosh.filedb")


@lru_cache(maxsize=1)
def whoosh_private_names() -> frozenset[str]:
    """Every ``_name`` (not ``__dunder__``) the installed Whoosh defines or uses."""
    names = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = {ast.Attribute: "attr", ast.FunctionDef: "name", ast.ClassDef: "name",
                    ast.Name: "id", ast.arg: "arg"}.get(type(node))
            if name:
                names.add(getattr(node, name))
    return frozenset(name for name in names if _private(name))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _private_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "whoosh" and (any(part.startswith("_") for part in parts)
                                     or module.startswith(FORMAT_MODULES))


def private_imports(tree: ast.AST) -> set[str]:
    """``module.name`` of each private Whoosh name imported."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names
                      if _private_module(node.module) or _private(alias.name)}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if _private_module(alias.name)}
    return found


def whoosh_classes(trees: list[ast.AST]) -> set[str]:
    """Names of the classes that derive from a Whoosh class, through kbtool's own ones too."""
    imported = {alias.asname or alias.name for tree in trees for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh")
                for alias in node.names}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    derived: set[str] = set()
    while True:
        more = {node.name for node in classes
                if any(ast.unparse(base).split(".")[-1] in imported | derived
                       for base in node.bases)}
        if more <= derived:
            return derived
        derived |= more


def private_uses(tree: ast.AST, derived: set[str], own_names: bool) -> set[str]:
    """Private Whoosh names a module uses: imports (``module.name``), keyword arguments,
    attributes and methods.  With ``own_names``, an attribute the module defines itself, in a
    class not derived from Whoosh, is its own (``self._lock``); in a derived one, it is Whoosh's."""
    whoosh_names = whoosh_private_names()
    own: set[str] = set()
    used = private_imports(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            (used if node.name in derived else own).update(class_names(node) & whoosh_names)
        elif isinstance(node, ast.keyword) and node.arg and _private(node.arg):
            used.add(node.arg)
        elif isinstance(node, ast.Attribute) and node.attr in whoosh_names:
            used.add(node.attr)
    return used - own if own_names else used


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    return [node.target] if isinstance(node, ast.AnnAssign) else []


def class_names(node: ast.ClassDef) -> set[str]:
    """The names a class defines: its methods, class attributes and fields, and the
    attributes its methods assign (``self._x = ...``, in tuples too)."""
    defined = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
    defined |= {target.id for item in node.body for target in _targets(item)
                if isinstance(target, ast.Name)}
    return defined | {part.attr for item in ast.walk(node) for target in _targets(item)
                      for part in ast.walk(target) if isinstance(part, ast.Attribute)}


def modules() -> dict[Path, ast.AST]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}


def listed_names() -> set[str]:
    """The names listed in ``whoosh_private``'s docstring (first word of each list line)."""
    doc = ast.get_docstring(ast.parse(PRIVATE_MODULE.read_text(encoding="utf-8"))) or ""
    block = doc.split("Private names used", 1)[1].split("::\n\n", 1)[1].split("\n\n", 1)[0]
    return {line.split()[0] for line in block.splitlines() if line.strip()}


def test_no_module_but_whoosh_private_uses_private_whoosh_names() -> None:
    trees = modules()
    derived = whoosh_classes(list(trees.values()))
    found = {str(path.relative_to(PACKAGE.parent)): sorted(uses)
             for path, tree in trees.items() if path != PRIVATE_MODULE
             if (uses := private_uses(tree, derived, own_names=True))}
    assert found == {}


def test_whoosh_private_lists_exactly_what_it_uses() -> None:
    trees = modules()
    derived = whoosh_classes(list(trees.values()))
    assert listed_names() == private_uses(trees[PRIVATE_MODULE], derived, own_names=False)


def test_every_listed_name_is_in_the_installed_whoosh() -> None:
    """What fails first when a new whoosh3 release renames or drops an internal."""
    missing = set()
    for name in listed_names():
        module, _, attribute = name.rpartition(".")
        if module:
            if not hasattr(__import__(module, fromlist=[attribute]), attribute):
                missing.add(name)
        elif name not in whoosh_private_names():
            missing.add(name)
    assert missing == set()


@pytest.mark.parametrize(("source", "flagged"), [
    ("from whoosh.writing import SegmentWriter\nw = SegmentWriter(ix, _lk=False)", {"_lk"}),
    ("def commit(writer):\n    writer._commit_toc([])", {"_commit_toc"}),
    ("blocks = matcher._read_ids()", {"_read_ids"}),
    ("from whoosh.codec.whoosh3 import COMPRESSION_MIN_SIZE",
     {"whoosh.codec.whoosh3.COMPRESSION_MIN_SIZE"}),
    ("from whoosh.filedb.filetables import OrderedHashWriter as T",
     {"whoosh.filedb.filetables.OrderedHashWriter"}),
    ("from whoosh.writing import _private_thing", {"whoosh.writing._private_thing"}),
    ("import whoosh._impl.x", {"whoosh._impl.x"}),
    ("from whoosh.writing import SegmentWriter\nclass W(SegmentWriter):\n"
     "    def _flush_segment(self):\n        pass", {"_flush_segment"}),
    ("from whoosh.writing import SegmentWriter\nclass W(SegmentWriter):\n    pass\n"
     "class V(W):\n    def go(self):\n        self._added = True", {"_added"}),
    # kbtool's own private attributes, even those named like Whoosh's
    ("import threading\nclass Cache:\n    def __init__(self):\n"
     "        self._lock = threading.Lock()\n    def get(self):\n        return self._lock",
     set()),
    ("from dataclasses import dataclass\n@dataclass\nclass R:\n    _starts: list\n"
     "    def at(self, i):\n        return self._starts[i]", set()),
    ("class P:\n    def __init__(self):\n        self._ids, self._x = 1, 2\n"
     "    def f(self):\n        return self._ids", set()),
    ("from whoosh.writing import SegmentWriter\nfrom whoosh.codec.base import Segment\n"
     "w = SegmentWriter(ix, limitmb=64)\nw.commit()", set()),
])
def test_the_scan_flags_private_uses(source: str, flagged: set[str]) -> None:
    tree = ast.parse(source)
    assert private_uses(tree, whoosh_classes([tree]), own_names=True) == flagged


def test_docstring_list_is_read_whole() -> None:
    assert {"_lk", "_commit_toc", "whoosh.filedb.filetables.md5_hash"} <= listed_names()
    assert all(re.fullmatch(r"[\w.]+", name) for name in listed_names())


def test_the_upgrade_script_runs_the_tests_the_upgrade_doc_names() -> None:
    root = PACKAGE.parent
    script = (root / "scripts" / "try-whoosh-release.sh").read_text(encoding="utf-8")
    run = script.split("UPGRADE_TESTS=(", 1)[1].split(")", 1)[0].split()
    table = (root / "docs" / "whoosh-upgrade.md").read_text(encoding="utf-8").split(
        "## What the tests prove", 1)[1].split("##", 1)[0]
    assert run == re.findall(r"^\| `(tests/\S+\.py)` \|", table, re.MULTILINE)
    assert all((root / path).is_file() for path in run)
