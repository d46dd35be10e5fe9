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
from kbtool.crawler.dokuwiki_ids import page_id_for
from kbtool.crawler.dokuwiki_syntax import page_url, parse_dokuwiki, wiki_id_from_path
from kbtool.crawler.file_tree import FileTree, file_version
from kbtool.documents import Document, Failure, Listing

logger = logging.getLogger(__name__)


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
        """The parsed page; None for a redirect or a page without text; a Failure when the file
        cannot be read or is not UTF-8."""
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
        page = parse_dokuwiki(text, wiki_id)
        if page.redirect is not None:
            logger.debug("%s: redirect to %s, left out", wiki_id, page.redirect)
            return None
        if not any(section.heading or section.text for section in page.sections):
            logger.debug("%s: no text, left out", wiki_id)
            return None
        return Document(source=self.name, page_id=page_id, title=page.title,
                        url=page_url(self.base_url, wiki_id), namespace=wiki_id.rpartition(":")[0],
                        version=file_version(stat), sections=page.sections, modified=stat.st_mtime,
                        tags=page.tags,
                        links=tuple(page_id_for(self.name, link) for link in page.links))


def _is_visible(name: str) -> bool:
    """DokuWiki's own search skips names starting with ``.`` or ``_`` (this also rules out
    ``..`` in a page id)."""
    return not name.startswith((".", "_"))
