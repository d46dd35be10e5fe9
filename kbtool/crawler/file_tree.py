"""Pages that are files under a source folder: which files, their ids, their versions.

Shared by the sources that read from disk (a DokuWiki ``data/pages`` folder, a documentation
folder).  Listing only stats files, so a nightly run over an unchanged folder reads nothing; a
file's version is its modification time and size.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from kbtool.documents import Failure, Listing


def file_version(stat: os.stat_result) -> str:
    """``mtime_ns-size``: changes whenever the file is written."""
    return f"{stat.st_mtime_ns}-{stat.st_size}"


class FileTree:
    """The page files of one source folder.

    ``visible`` says whether a file or folder name takes part at all (hidden names do not);
    ``is_page`` whether a visible file name is a page.
    """

    def __init__(self, source: str, root: Path, visible: Callable[[str], bool],
                 is_page: Callable[[str], bool]) -> None:
        self.source = source
        self.root = root
        self.visible = visible
        self.is_page = is_page

    def listing(self) -> Listing:
        """Page id → version of every page file; unreadable folders and files as failures."""
        if not self.root.is_dir():
            failure = Failure(self.source, str(self.root), "folder not found")
            return Listing(failures=(failure,), complete=False)
        versions: dict[str, str] = {}
        failures: list[Failure] = []

        def walk_error(error: OSError) -> None:
            failures.append(Failure(self.source, str(error.filename),
                                    f"cannot list: {error.strerror or error}"))

        for folder, subfolders, files in os.walk(self.root, onerror=walk_error):
            subfolders[:] = sorted(d for d in subfolders if self.visible(d))
            for name in sorted(f for f in files if self.visible(f) and self.is_page(f)):
                path = Path(folder, name)
                try:
                    versions[self.page_id(path)] = file_version(path.stat())
                except OSError as exc:
                    failures.append(Failure(self.source, str(path),
                                            f"cannot stat: {exc.strerror or exc}"))
        return Listing(versions=versions, failures=tuple(failures), complete=not failures)

    def page_id(self, path: Path) -> str:
        """``<source>/<path relative to the root>``."""
        return f"{self.source}/{path.relative_to(self.root).as_posix()}"

    def relative(self, page_id: str) -> PurePosixPath | None:
        """The page's path inside the folder, or None for an id that is not one of its pages
        (another source, an absolute path, ``..`` or a hidden part, not a page file)."""
        prefix, _, rest = page_id.partition("/")
        relative = PurePosixPath(rest)
        if prefix != self.source or not rest or relative.is_absolute():
            return None
        if not all(self.visible(part) for part in relative.parts):
            return None
        return relative if self.is_page(relative.name) else None

    def path(self, relative: PurePosixPath) -> Path:
        """Where that page is on disk."""
        return self.root.joinpath(*relative.parts)
