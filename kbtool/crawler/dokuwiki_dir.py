"""A DokuWiki read straight from its ``data/pages`` folder (the ``dokuwiki-dir`` source).

The listing only stats files, so the nightly run over an unchanged wiki reads no page; a page's
version is its modification time and size.  Pages are parsed with the DokuWiki syntax parser
and linked to the published wiki (``base_url``) with DokuWiki's own page ids and anchors.
Redirect pages and pages without text are left out; a file that cannot be read or decoded
becomes a Failure naming it.

    [[sources]] name = "wiki", kind = "dokuwiki-dir", path = "/var/lib/dokuwiki/data/pages",
    base_url = "https://wiki.example.org/doku.php"
    tutoriel/x.txt → page id "wiki/tutoriel/x.txt", namespace "tutoriel",
    url "https://wiki.example.org/doku.php?id=tutoriel:x"
"""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath

from kbtool.config import SourceConfig
from kbtool.crawler.dokuwiki_syntax import page_url, parse_dokuwiki, wiki_id_from_path
from kbtool.documents import Document, Failure, Listing

logger = logging.getLogger(__name__)


class DokuWikiDirSource:
    """Every ``*.txt`` page under ``path``; like DokuWiki, names starting with ``.`` or ``_``
    (``_cache``, editor backups, hidden files) are not pages."""

    def __init__(self, source: SourceConfig) -> None:
        self.name = source.name
        self.root = Path(source.get("path"))
        self.base_url = source.get("base_url") or ""

    def listing(self) -> Listing:
        """Page id → ``mtime_ns-size`` of every page, from one stat per file."""
        if not self.root.is_dir():
            failure = Failure(self.name, str(self.root), "pages folder not found")
            return Listing(failures=(failure,), complete=False)
        versions: dict[str, str] = {}
        failures: list[Failure] = []

        def walk_error(error: OSError) -> None:
            reason = f"cannot list: {error.strerror}"
            failures.append(Failure(self.name, str(error.filename), reason))

        for folder, subfolders, files in os.walk(self.root, onerror=walk_error):
            subfolders[:] = sorted(d for d in subfolders if _is_visible(d))
            for file_name in sorted(f for f in files if _is_visible(f) and f.endswith(".txt")):
                path = Path(folder, file_name)
                try:
                    versions[self._page_id(path)] = _version(path.stat())
                except OSError as exc:
                    failures.append(Failure(self.name, str(path), f"cannot stat: {exc.strerror}"))
        return Listing(versions=versions, failures=tuple(failures), complete=not failures)

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The parsed page; None for a redirect or a page without text; a Failure when the file
        cannot be read or is not UTF-8."""
        relative = self._relative(page_id)
        if relative is None:
            return Failure(self.name, page_id, "not a page of this wiki folder")
        path = self.root.joinpath(*relative.parts)
        try:
            stat = path.stat()
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            return Failure(self.name, str(path), f"cannot read: {exc.strerror or exc}")
        except UnicodeDecodeError as exc:
            return Failure(self.name, str(path), f"not valid UTF-8 (byte {exc.start})")
        return self._document(page_id, relative, stat, text)

    def _document(self, page_id: str, relative: PurePosixPath, stat: os.stat_result,
                  text: str) -> Document | None:
        wiki_id = wiki_id_from_path(relative.as_posix())
        page = parse_dokuwiki(text, wiki_id)
        if page.redirect is not None:
            logger.debug("%s: redirect to %s, left out", wiki_id, page.redirect)
            return None
        if not any(section.heading or section.text for section in page.sections):
            logger.debug("%s: no text, left out", wiki_id)
            return None
        return Document(source=self.name, page_id=page_id, title=page.title,
                        url=page_url(self.base_url, wiki_id), namespace=wiki_id.rpartition(":")[0],
                        version=_version(stat), sections=page.sections, modified=stat.st_mtime,
                        tags=page.tags)

    def _page_id(self, path: Path) -> str:
        return f"{self.name}/{path.relative_to(self.root).as_posix()}"

    def _relative(self, page_id: str) -> PurePosixPath | None:
        """The page's path inside the folder, or None for an id that is not one of ours."""
        prefix, _, rest = page_id.partition("/")
        relative = PurePosixPath(rest)
        if prefix != self.name or not rest or relative.is_absolute() or relative.suffix != ".txt":
            return None
        if not all(_is_visible(part) for part in relative.parts):
            return None
        return relative


def _is_visible(name: str) -> bool:
    """DokuWiki's own search skips names starting with ``.`` or ``_`` (this also rules out
    ``..`` in a page id)."""
    return not name.startswith((".", "_"))


def _version(stat: os.stat_result) -> str:
    return f"{stat.st_mtime_ns}-{stat.st_size}"
