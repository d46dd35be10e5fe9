"""The embedded default: the bundled French sample knowledge base, configured to run anywhere.

The sample's pages are read where the package is installed (possibly read-only); everything the
demo writes (its configuration file, index, database, session key) goes to a folder of the
user's choosing.  The configuration is written as a file, not kept in memory, so that the other
commands (``search``, ``status``, ``evaluate``, ``user passwd``…) can be pointed at the demo.
"""

from __future__ import annotations

import shlex
import sys
import tomllib
from pathlib import Path

import tomli_w

from kbtool.config import ENV_VAR

SAMPLE = Path(__file__).parent / "sample"
SAMPLE_CONFIG = SAMPLE / "kbtool.toml"
SAMPLE_QUERIES = SAMPLE / "queries.jsonl"
CONFIG_NAME = "kbtool.toml"
HEADER = ("# Written by `kbtool demo` (rewritten at each run): the bundled sample knowledge base.\n"
          "# Relative paths are relative to this file's folder.\n\n")


def write_config(workdir: Path, host: str, port: int) -> Path:
    """Write ``workdir/kbtool.toml``: the sample's settings, its pages read where the package
    is installed, everything written under ``workdir``; return the file's path."""
    raw = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    workdir = Path(workdir).resolve()
    raw["index"] = {**raw.get("index", {}), "dir": "index"}
    raw["web"] = {**raw.get("web", {}), "database": "kbtool.sqlite3",
                  "secret_key_file": "secret_key", "host": host, "port": port}
    for source in raw["sources"]:
        source["path"] = str((SAMPLE_CONFIG.parent / source["path"]).resolve())
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / CONFIG_NAME
    path.write_text(HEADER + tomli_w.dumps(raw), encoding="utf-8")
    return path


def next_steps(config_path: Path, admin: str) -> list[str]:
    """What the demo prints after indexing: the line that points the other commands at its
    configuration, commands to try, and how to reset a lost admin password."""
    program = _program()
    return [
        f"Configuration written to {config_path}. To use it with the other commands:",
        f"  export {ENV_VAR}={shlex.quote(str(config_path))}",
        "Then try:",
        f"  {program} search 'rapprochement bancaire'",
        f"  {program} status",
        f"  {program} evaluate {shlex.quote(str(SAMPLE_QUERIES))}",
        f"Lost the admin password? Set a new one with: {program} user passwd {admin}",
    ]


def _program() -> str:
    """How to call kbtool again: the console script next to the running Python (a virtual
    environment's ``bin`` is often not on PATH), else plain ``kbtool``."""
    script = Path(sys.executable).parent / "kbtool"
    return shlex.quote(str(script)) if script.is_file() else "kbtool"
