"""The built wheel: every tracked file of the package is in it (the demo's sample, the web UI's
templates and static files), and setuptools builds it without warning that a data folder is
missing from the packages configuration."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_FILES = ("pyproject.toml", "setup.cfg", "README.md")


def test_wheel_holds_every_package_file_without_warnings(tmp_path: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.rstrip("\0").split("\0")
    source = tmp_path / "source"
    for name in tracked:
        if not name.startswith("kbtool/") and name not in BUILD_FILES:
            continue
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--verbose",
                            "-w", str(tmp_path / "dist"), str(source)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "is absent from the `packages` configuration" not in build.stdout + build.stderr
    [wheel] = (tmp_path / "dist").glob("kbtool-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    expected = {name for name in tracked
                if name.startswith("kbtool/") and not Path(name).name.startswith(".")}
    assert {"kbtool/sample/wiki/start.txt", "kbtool/web/templates/base.html",
            "kbtool/web/static/style.css"} <= expected
    assert expected - packaged == set()
