"""French labels of the states and actions stored in English in the database, for templates."""

from __future__ import annotations

from flask import Flask

ARTICLE_STATUS = {
    "draft": "brouillon", "submitted": "en validation", "changes": "renvoyé pour modifications",
    "approved": "validé, pas encore publié", "published": "publié", "rejected": "refusé",
}
ARTICLE_ACTIONS = {
    "created": "création", "submitted": "soumis", "comment": "commentaire",
    "approved": "validé", "changes requested": "renvoyé pour modifications",
    "rejected": "refusé", "publish failed": "publication échouée",
    "publish conflict": "conflit de publication", "published": "publié",
    "indexed": "indexation", "overwrite accepted": "remplacement accepté",
    "page changed": "page changée",
}
GAP_CLOSED = {"article": "article publié", "page": "page existante", "dismissed": "écartée"}


def init_app(app: Flask) -> None:
    """Make the labels available to every template."""
    app.jinja_env.globals.update(STATUS=ARTICLE_STATUS, ACTIONS=ARTICLE_ACTIONS,
                                 CLOSED=GAP_CLOSED)
