"""A folder of documentation files (HTML, Markdown, text, PDF) published under a base URL.

The listing only stats files, so an unchanged folder costs no reading or parsing; a page's
version is its modification time and size.  Each file is parsed by the parser of its extension
and linked to where the same relative path is published (``base_url``; Markdown where MkDocs
publishes it with ``url_style = "mkdocs"``), or to the file itself when no base URL is
configured.  Everything that can go wrong with one file — unreadable, too
large, broken PDF — becomes a Failure for that file; ``fetch`` never raises.

    [[sources]] name = "docs", path = "corpus/docs", base_url = "https://doc.example.org/"
    grisbi/grisbi-manuel018.html → page id "docs/grisbi/grisbi-manuel018.html", namespace
    "grisbi", url "https://doc.example.org/grisbi/grisbi-manuel018.html"
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from kbtool.config import SourceConfig
from kbtool.crawler.file_tree import FileTree, file_version
from kbtool.crawler.html_page import parse_html
from kbtool.crawler.markdown_page import parse_markdown
from kbtool.crawler.parsed import ParsedPage
from kbtool.crawler.pdf_page import parse_pdf
from kbtool.crawler.text_page import decode, parse_text
from kbtool.documents import Document, Failure, Listing

logger = logging.getLogger(__name__)

# Larger files are not documentation pages (a video, a dump); reading them would stall a run.
MAX_FILE_BYTES = 50_000_000

MARKDOWN_SUFFIXES = (".md", ".markdown")
EXTENSIONS = frozenset({".html", ".htm", *MARKDOWN_SUFFIXES, ".txt", ".pdf"})


class FolderSource:
    """The ``folder`` source: every supported file under ``path``, hidden ones left out."""

    def __init__(self, source: SourceConfig) -> None:
        self.name = source.name
        self.base_url = source.get("base_url") or ""
        self.url_style = source.get("url_style")
        self.files = FileTree(source.name, Path(source.get("path")),
                              lambda name: not name.startswith("."),
                              lambda name: PurePosixPath(name).suffix.lower() in EXTENSIONS)

    def listing(self) -> Listing:
        """Page id → ``mtime_ns-size`` of every supported file; stat errors as failures."""
        return self.files.listing()

    def fetch(self, page_id: str) -> Document | Failure | None:
        """The parsed file, a Failure saying why it could not be read, or None when it holds
        no text at all."""
        relative = self.files.relative(page_id)
        if relative is None:
            return Failure(self.name, page_id, "not a page of this folder source")
        path = self.files.path(relative)
        try:
            return self._document(page_id, relative, path)
        except (OSError, ValueError) as exc:
            return Failure(self.name, str(path), str(exc))
        except Exception as exc:  # a parser bug must not stop the run; the trace goes to the log
            logger.exception("unexpected error reading %s", path)
            return Failure(self.name, str(path), f"unexpected error: {exc!r}")

    def _document(self, page_id: str, relative: PurePosixPath, path: Path) -> Document | None:
        stat = path.stat()
        if stat.st_size > MAX_FILE_BYTES:
            raise ValueError(f"file too large ({stat.st_size} bytes > {MAX_FILE_BYTES})")
        page = parse_file(path.read_bytes(), relative)
        if not any(section.heading or section.text for section in page.sections):
            logger.info("%s: no text, left out", path)
            return None
        namespace = "" if str(relative.parent) == "." else str(relative.parent)
        return Document(source=self.name, page_id=page_id, title=page.title or relative.stem,
                        url=self._url(relative, path), namespace=namespace,
                        version=file_version(stat), sections=page.sections,
                        modified=stat.st_mtime, tags=page.tags)

    def _url(self, relative: PurePosixPath, path: Path) -> str:
        if not self.base_url:
            return path.resolve().as_uri()
        published = published_path(relative, self.url_style)
        return f"{self.base_url.rstrip('/')}/{quote(published, safe='/')}"


def published_path(relative: PurePosixPath, url_style: str) -> str:
    """Where a file is published under the site's root: as it is (``file``), or as MkDocs
    publishes Markdown with its default directory URLs (``mkdocs``: ``a/b.md`` → ``a/b/``,
    ``a/index.md`` and ``a/README.md`` → ``a/``); other files are copied as they are."""
    if url_style != "mkdocs" or relative.suffix.lower() not in MARKDOWN_SUFFIXES:
        return relative.as_posix()
    folder = "" if relative.parent == PurePosixPath(".") else f"{relative.parent.as_posix()}/"
    return folder if relative.stem.lower() in ("index", "readme") else f"{folder}{relative.stem}/"


def parse_file(content: bytes, relative: PurePosixPath) -> ParsedPage:
    """The content of one file, parsed by the parser its extension names."""
    suffix = relative.suffix.lower()
    if suffix in (".html", ".htm"):
        return parse_html(content)
    if suffix in MARKDOWN_SUFFIXES:
        return parse_markdown(decode(content))
    if suffix == ".pdf":
        return parse_pdf(content)
    return parse_text(decode(content), relative.stem)
