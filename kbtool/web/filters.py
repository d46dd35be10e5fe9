"""Template filters that make untrusted index content safe to show.

Snippets arrive from the index as escaped HTML with ``<mark>`` around matches; they are cleaned
again here, keeping only bare ``<mark>`` tags, before being marked safe.  Links are shown only when
they are http(s) or site-relative, so no ``javascript:`` URL can reach an ``href``.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import nh3
from flask import Flask
from markupsafe import Markup

SNIPPET_TAGS = {"mark"}


def snippet(html: str) -> Markup:
    """The snippet with every tag but ``<mark>`` (and every attribute) removed."""
    return Markup(nh3.clean(html, tags=SNIPPET_TAGS, attributes={}))


def safe_url(url: str) -> str:
    """The URL when it is http(s) or a path of this site, else ``#``."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https") or (not scheme and url.startswith("/")
                                       and not url.startswith("//")):
        return url
    return "#"


def date(timestamp: float | None) -> str:
    """A timestamp as a French date (``31/12/2025``); empty when unknown."""
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y")


def datetime_fr(timestamp: float | None) -> str:
    """A timestamp as French date and time (``31/12/2025 à 14:05``)."""
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp).strftime("%d/%m/%Y à %H:%M")


def days(count: float) -> str:
    """A number of days as French writes it: a decimal comma, "jour" below 2 (``0,5 jour``,
    ``1 jour``, ``2,5 jours``)."""
    rounded = round(count, 1)
    number = f"{rounded:.1f}".removesuffix(".0").replace(".", ",")
    return f"{number} {'jour' if rounded < 2 else 'jours'}"


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(snippet)
    app.add_template_filter(safe_url)
    app.add_template_filter(date)
    app.add_template_filter(days)
    app.add_template_filter(datetime_fr, "datetime")
