"""robots.txt of the hosts a crawl visits, read once per run and obeyed (RFC 9309).

Parsing is left to Protego, which handles wildcards, ``$``, longest-match precedence and
``Crawl-delay``.  A host's Crawl-delay is handed to the HTTP client, which then spaces requests
to that host by it (or by ``http.delay`` when that is longer).  As RFC 9309 asks, a robots.txt
that does not exist (4xx) allows everything, while one that cannot be read (5xx, timeout)
forbids everything: the bot must not guess at rules it could not see.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from protego import Protego

from kbtool.net.http import HttpClient, HttpError

log = logging.getLogger(__name__)


class RobotsRules:
    """The rules of each host for one user agent; hosts are read on first use."""

    def __init__(self, client: HttpClient, user_agent: str):
        self._client = client
        self._agent = user_agent
        self._hosts: dict[str, Protego | str] = {}

    def allowed(self, url: str) -> bool:
        """Whether the bot may fetch ``url``; HttpError when its host's robots.txt is
        unreachable (nothing there may be fetched until it is)."""
        root = _root(url)
        if root not in self._hosts:
            self._hosts[root] = self._read(root)
        rules = self._hosts[root]
        if isinstance(rules, str):
            raise HttpError(url, rules)
        return rules.can_fetch(url, self._agent)

    def _read(self, root: str) -> Protego | str:
        """The parsed rules, or the reason they could not be read."""
        try:
            response = self._client.get(f"{root}/robots.txt")
        except HttpError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                log.debug("%s/robots.txt: %s, everything allowed", root, error.reason)
                return Protego.parse("")
            return f"robots.txt unreachable, so nothing is fetched from {root} ({error.reason})"
        rules = Protego.parse(response.text())
        delay = rules.crawl_delay(self._agent)
        if delay:
            log.info("%s: robots.txt asks for %s s between requests", root, delay)
            self._client.set_host_delay(root, float(delay))
        return rules


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
