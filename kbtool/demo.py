"""The embedded default: the bundled French sample knowledge base, configured to run anywhere.

The sample's pages are read where the package is installed (possibly read-only); everything the
demo writes (index, database, session key) goes to a folder of the user's choosing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from kbtool.config import Config, from_dict

SAMPLE_CONFIG = Path(__file__).parent / "sample" / "kbtool.toml"


def sample_config(workdir: Path) -> Config:
    """The sample's configuration with its writable files under ``workdir``."""
    raw = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    workdir = Path(workdir).resolve()
    raw["index"] = {**raw.get("index", {}), "dir": str(workdir / "index")}
    raw["web"] = {**raw.get("web", {}), "database": str(workdir / "kbtool.sqlite3"),
                  "secret_key_file": str(workdir / "secret_key")}
    return from_dict(raw, SAMPLE_CONFIG)
