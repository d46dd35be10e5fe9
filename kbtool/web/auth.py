"""Sign-in and sign-out, the session user, and the role check every view goes through.

Every route needs a signed-in account unless it is marked public; ``role_required`` adds a rank
check.  With ``web.wiki_login`` on, names without a local password sign in against the wiki
(:mod:`kbtool.wiki.signin`).  The session identifier includes the account's ``session_epoch``, checked
on every request, so signing out, a password change or a disabled account ends its sessions on the
server at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from kbtool import accounts
from kbtool.web.db import get_db
from kbtool.web.errors import render_error
from kbtool.web.inputs import number
from kbtool.wiki import signin

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"

View = TypeVar("View", bound=Callable[..., Any])
_PUBLIC = "_kbtool_public"
_WIKI = "kbtool_wiki_directory"  # app.extensions key: the wiki to sign in against, or None


class SessionUser(UserMixin):
    """The signed-in account, as Flask-Login wants it."""

    def __init__(self, user: accounts.User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}.{self.user.session_epoch}"

    @property
    def is_active(self) -> bool:
        return self.user.active

    def can(self, role: str) -> bool:
        """True when the account's role is ``role`` or ranks above it."""
        return self.user.can(role)


@login_manager.user_loader
def _load(session_id: str) -> SessionUser | None:
    user_id, _, epoch = (number(part) for part in session_id.partition("."))
    if user_id is None or epoch is None:
        return None
    user = accounts.get_user(get_db(), user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return SessionUser(user)


def public(view: View) -> View:
    """Mark a view as reachable without signing in."""
    setattr(view, _PUBLIC, True)
    return view


def role_required(role: str) -> Callable[[View], View]:
    """Refuse (403) accounts whose role ranks below ``role``."""
    accounts.check_role(role)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorate


def _require_login() -> ResponseReturnValue | None:
    """Before every request: anything not public needs a signed-in, active account."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or request.endpoint == "static" or getattr(view, _PUBLIC, False) \
            or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


class LoginForm(FlaskForm):
    name = StringField("Identifiant", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("Mot de passe", validators=[DataRequired(), Length(max=1024)])


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    """Show the sign-in form; on success go to the page asked for (same site only)."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(get_db(), form.name.data, form.password.data,
                                         request.remote_addr or "",
                                         current_app.extensions[_WIKI])
        except accounts.Throttled as exc:
            page, code = render_error(429)
            return page, code, {"Retry-After": str(exc.retry_after)}
        except signin.WikiSignInError as exc:
            flash(str(exc), "error")
            return render_template("login.html", form=form)
        if user is not None:
            session.clear()
            session.permanent = True
            login_user(SessionUser(user))
            return redirect(_safe_next(request.args.get("next")))
        flash("Identifiant ou mot de passe incorrect.", "error")
    return render_template("login.html", form=form)


def _safe_next(target: str | None) -> str:
    """Only redirect to a path of this site, never to another host (open redirect), and never
    with control characters (a CR/LF would split the Location header)."""
    if target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("search.index")


@bp.route("/deconnexion", methods=["POST"])
def logout() -> ResponseReturnValue:
    """End the account's sessions on the server (POST, so another site cannot sign the agent
    out): a copy of the cookie taken before no longer signs anyone in."""
    accounts.end_sessions(get_db(), current_user.user.id)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Install Flask-Login and the sign-in check in front of every view; check the wiki
    sign-in settings now, so a wrong one stops the start rather than every sign-in."""
    app.extensions[_WIKI] = signin.from_config(app.config["KBTOOL"])
    login_manager.init_app(app)
    app.before_request(_require_login)
