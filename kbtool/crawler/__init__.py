"""Sources: read pages from DokuWiki (folder or HTTP), documentation folders and web sites.

The crawler produces :class:`kbtool.documents.Document` values and knows nothing of the index.
"""

from __future__ import annotations

from kbtool.config import Config, SourceConfig
from kbtool.crawler.base import Source


def open_source(source: SourceConfig, config: Config) -> Source:
    """Build the reader for one configured source."""
    if source.kind == "dokuwiki-dir":
        from kbtool.crawler.dokuwiki_dir import DokuWikiDirSource
        return DokuWikiDirSource(source)
    if source.kind == "folder":
        from kbtool.crawler.folder import FolderSource
        return FolderSource(source)
    if source.kind == "dokuwiki":
        from kbtool.crawler.dokuwiki_http import DokuWikiHTTPSource
        return DokuWikiHTTPSource(source, config)
    if source.kind == "website":
        from kbtool.crawler.website import WebsiteSource
        return WebsiteSource(source, config)
    raise ValueError(f"unknown source kind {source.kind!r}")
