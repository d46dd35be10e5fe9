"""Sign-in against the DokuWiki itself, so the team keeps one set of identities.

When ``web.wiki_login`` is on, a name without a local password is checked by logging in to the
wiki of ``web.wiki_source`` with a fresh API session (the password goes to the wiki and nowhere
else: never stored, never logged).  The wiki then says what the account may be in kbtool:

- ``web.wiki_groups`` (``"group=role"``) maps the groups the wiki reports; only DokuWiki 2024
  "Kaos" and later can report them (``core.whoAmI``);
- ``web.wiki_role_pages`` (``"role=page_id"``) gives a role to whoever may edit that page.
  DokuWiki sets ACLs per group, so this maps groups to roles through the wiki's own ACL, and it
  works on Debian's 2022 "Igor", whose API cannot list a user's groups.

The highest role found wins; none found is a refusal.  Messages raised here are French: the
sign-in page shows them as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable

from kbtool import accounts
from kbtool.config import Config, ConfigError
from kbtool.net.http import HttpClient, HttpSettings
from kbtool.wiki.api import AccessDenied, DokuWikiAPI, DokuWikiError, LoginRefused
from kbtool.wiki.site import wiki_source

log = logging.getLogger(__name__)

ORIGIN = "dokuwiki"
# wiki.aclCheck levels: 1 read, 2 edit, 4 create, 8 upload, 16 delete, 255 admin.
EDIT = 2

UNREACHABLE = ("Le wiki est injoignable : la connexion avec un compte du wiki est impossible "
               "pour le moment. Réessayez plus tard ou utilisez un compte local.")
NO_ROLE = ("Votre compte du wiki n'a aucun rôle dans kbtool. Demandez à un administrateur du "
           "wiki de vous ajouter au groupe qui convient.")


class WikiSignInError(Exception):
    """The wiki could not decide (unreachable, no role); the message is shown as is."""


@dataclass(frozen=True)
class RoleMap:
    """Which wiki groups, and which editable pages, give which role."""

    groups: tuple[tuple[str, str], ...] = ()
    pages: tuple[tuple[str, str], ...] = ()

    def role(self, groups: list[str] | None, level: Callable[[str], int]) -> str | None:
        """The highest role given by these groups (None: the wiki cannot list them) or by the
        pages whose permission ``level`` is edit or more; None when nothing maps."""
        found = {role for group, role in self.groups if group in (groups or ())}
        found |= {role for role, page in self.pages
                  if role not in found and level(page) >= EDIT}
        return max(found, key=accounts.ROLES.index, default=None)


def parse_pairs(values: list[object], setting: str,
                role_first: bool) -> tuple[tuple[str, str], ...]:
    """``["a=b", …]`` as ``(("a", "b"), …)``, in the setting's order (group, role) or
    (role, page); a ConfigError naming the setting and the entry otherwise."""
    pairs = []
    for value in values:
        left, sep, right = value.partition("=") if isinstance(value, str) else ("", "", "")
        left, right = left.strip(), right.strip()
        role = left if role_first else right
        if not sep or not left or not right or role not in accounts.ROLES:
            shape = '"role=page_id"' if role_first else '"group=role"'
            raise ConfigError(f"{setting}: {value!r} is not {shape} with a role among "
                              f"{', '.join(accounts.ROLES)}")
        pairs.append((left, right))
    return tuple(pairs)


def role_map(config: Config) -> RoleMap:
    """The role mapping of a configuration (checked)."""
    return RoleMap(groups=parse_pairs(config.get("web.wiki_groups"), "web.wiki_groups", False),
                   pages=parse_pairs(config.get("web.wiki_role_pages"), "web.wiki_role_pages",
                                     True))


class WikiDirectory:
    """The wiki as an :class:`accounts.Directory`."""

    origin = ORIGIN

    def __init__(self, url: str, http: HttpSettings, roles: RoleMap) -> None:
        self.url = url
        self.http = http
        self.roles = roles

    def role_for(self, name: str, password: str) -> str | None:
        """The role of that wiki account, None for wrong credentials."""
        client = HttpClient(self.http)
        api = DokuWikiAPI(self.url, client, name, password)
        try:
            api.login()
            role = self.roles.role(_groups(api), lambda page: _level(api, page))
        except LoginRefused:
            return None
        except DokuWikiError as exc:
            log.warning("wiki sign-in of %r: %s", name, exc)
            raise WikiSignInError(UNREACHABLE) from None
        finally:
            client.session.close()
        if role is None:
            log.warning("wiki account %r signed in but has no role in kbtool", name)
            raise WikiSignInError(NO_ROLE)
        return role


def _groups(api: DokuWikiAPI) -> list[str] | None:
    try:
        return api.who_am_i()
    except AccessDenied:
        return None


def _level(api: DokuWikiAPI, page: str) -> int:
    """Permission on the page; an account the API refuses (not in ``remoteuser``) has none."""
    try:
        return api.acl_check(page)
    except AccessDenied:
        return 0


def from_config(config: Config) -> WikiDirectory | None:
    """The wiki to sign in against, None when ``web.wiki_login`` is off; a ConfigError when the
    settings cannot work (no wiki source, a malformed mapping, no mapping at all)."""
    if not config.get("web.wiki_login"):
        return None
    source = wiki_source(config)
    roles = role_map(config)
    if not roles.groups and not roles.pages:
        raise ConfigError("web.wiki_login is on but neither web.wiki_groups nor "
                          "web.wiki_role_pages maps a role: nobody could sign in")
    # A person is waiting: no pause between calls, no retry after a dropped connection.
    http = replace(HttpSettings.from_config(config), delay=0.0, retries=0)
    return WikiDirectory(source.get("url"), http, roles)
