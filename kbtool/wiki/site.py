"""Which configured source is the team's wiki: the one articles are published to, staff sign in
with, and links in articles point to (``web.wiki_source``, a ``dokuwiki`` source)."""

from __future__ import annotations

from kbtool.config import Config, ConfigError, SourceConfig
from kbtool.wiki.links import WikiLinks


def wiki_source(config: Config) -> SourceConfig:
    """The ``dokuwiki`` source named by ``web.wiki_source``, or a ConfigError saying what to set."""
    name = config.get("web.wiki_source")
    if not name:
        raise ConfigError("web.wiki_source is not set: name the dokuwiki source to publish to")
    source = config.source(name)
    if source.kind != "dokuwiki":
        raise ConfigError(f"web.wiki_source {name!r} is a {source.kind} source, not dokuwiki")
    return source


def wiki_links(config: Config) -> WikiLinks | None:
    """The wiki articles are published to, as link targets (None when no wiki is set)."""
    try:
        return WikiLinks(wiki_source(config).get("url"))
    except ConfigError:
        return None
