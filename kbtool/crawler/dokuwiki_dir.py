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

import os
from pathlib import Path, PurePosixPath

from kbtool.config import SourceConfig
from kbtool.crawler.dokuwiki_syntax import parse_dokuwiki, wiki_document, wiki_id_from_path
from kbtool.crawler.file_tree import FileTree, file_version
from kbtool.documents import Document, Failure, Listing


class DokuWikiDirSource:
    """Every ``*.txt`` page under ``path``; like DokuWiki, names starting with ``.`` or ``_``
    (``_cache``, editor backups, hidden files) are not pages."""

    def __init__(self, source: SourceConfig) -> None:
        self.name = source.name
        self.base_url = source.get("base_url") or ""
        self.files = FileTree(source.name, Path(source.get("path")), _is_visible,
                              lambda name: name.endswith(".txt"))

    def listing(self) -> Listing:
        """Page id → ``mtime_ns-size`` of every page, from one stat per file."""
        return self.files.listing()

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The parsed page (a redirect as its target's other name); None for a page without
        text; a Failure when the file cannot be read or is not UTF-8."""
        relative = self.files.relative(page_id)
        if relative is None:
            return Failure(self.name, page_id, "not a page of this wiki folder")
        path = self.files.path(relative)
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
        return wiki_document(parse_dokuwiki(text, wiki_id), source=self.name, page_id=page_id,
                             wiki_id=wiki_id, base_url=self.base_url,
                             version=file_version(stat), modified=stat.st_mtime)


def _is_visible(name: str) -> bool:
    """DokuWiki's own search skips names starting with ``.`` or ``_`` (this also rules out
    ``..`` in a page id)."""
    return not name.startswith((".", "_"))
