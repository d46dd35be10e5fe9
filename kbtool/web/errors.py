"""Error pages in French that say what happened and what to do, and nothing about the internals."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Requête invalide", "La demande envoyée n'est pas valide. Revenez à la page précédente "
                              "et réessayez."),
    403: ("Accès refusé", "Votre compte n'a pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou plus."),
    405: ("Action non permise", "Cette action n'est pas possible sur cette page."),
    413: ("Envoi trop volumineux", "Le texte envoyé est trop long."),
    429: ("Trop de tentatives", "Trop de tentatives en peu de temps. Patientez quelques minutes "
                                "avant de réessayer."),
    500: ("Erreur interne", "Une erreur inattendue s'est produite. Elle a été enregistrée ; "
                            "réessayez dans un instant."),
}
CSRF_MESSAGE = ("Le formulaire a expiré ou ne vient pas de cette application. Rechargez la page "
                "et recommencez.")


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """The French error page for that HTTP status."""
    title, default = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("error.html", code=code, title=title,
                           message=message or default), code


def _http_error(exc: HTTPException) -> tuple[str, int]:
    return render_error(exc.code or 500)


def _csrf_error(_exc: CSRFError) -> tuple[str, int]:
    return render_error(400, CSRF_MESSAGE)


def init_app(app: Flask) -> None:
    """Register the handlers; Flask logs an unexpected exception, then renders the 500 page."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
