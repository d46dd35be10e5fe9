"""Wiki sign-in: the ``"a=b"`` mappings, the highest role and settings that cannot work.
Signing in against real DokuWikis ("Igor" and "Kaos") is in tests/web/test_wiki_login.py."""

from __future__ import annotations

import pytest

from kbtool.config import ConfigError, from_dict
from kbtool.wiki import signin
from kbtool.wiki.signin import RoleMap, parse_pairs

WIKI = {"name": "wiki", "kind": "dokuwiki", "url": "http://127.0.0.1:9/"}


def config(web: dict, sources: list | None = None):  # type: ignore[no-untyped-def]
    return from_dict({"web": web, "sources": [WIKI] if sources is None else sources})


def test_pairs_are_read_in_order_with_spaces_trimmed() -> None:
    assert parse_pairs(["support = agent", "n2=reviewer", "admin=admin"], "web.wiki_groups",
                       role_first=False) == (("support", "agent"), ("n2", "reviewer"),
                                             ("admin", "admin"))
    assert parse_pairs(["reviewer=kb:start"], "web.wiki_role_pages", role_first=True) == (
        ("reviewer", "kb:start"),)


@pytest.mark.parametrize("value", ["support", "support=", "=agent", "support=chef", 3,
                                   "agent=support"])
def test_malformed_group_entries_are_named(value: object) -> None:
    with pytest.raises(ConfigError, match=r'web.wiki_groups: .* is not "group=role"'):
        parse_pairs([value], "web.wiki_groups", role_first=False)


def test_a_role_page_names_the_role_first() -> None:
    with pytest.raises(ConfigError, match=r'web.wiki_role_pages: .*"role=page_id"'):
        parse_pairs(["kb:start=reviewer"], "web.wiki_role_pages", role_first=True)


def test_the_highest_mapped_role_wins() -> None:
    roles = RoleMap(groups=(("support", "agent"), ("n2", "reviewer")),
                    pages=(("admin", "admin:start"), ("agent", "support:start")))
    levels = {"admin:start": 1, "support:start": 2}
    assert roles.role(["user", "support", "n2"], levels.get) == "reviewer"
    assert roles.role(["user"], levels.get) == "agent"
    assert roles.role(None, {"admin:start": 255, "support:start": 1}.get) == "admin"
    assert roles.role(["user"], {"admin:start": 1, "support:start": 1}.get) is None


def test_off_by_default() -> None:
    assert config({}).get("web.wiki_login") is False
    assert signin.from_config(config({})) is None


def test_on_it_needs_a_wiki_source_and_a_mapping() -> None:
    with pytest.raises(ConfigError, match="web.wiki_source is not set"):
        signin.from_config(config({"wiki_login": True, "wiki_groups": ["a=agent"]}))
    with pytest.raises(ConfigError, match="nobody could sign in"):
        signin.from_config(config({"wiki_login": True, "wiki_source": "wiki"}))
    with pytest.raises(ConfigError, match="web.wiki_role_pages"):
        signin.from_config(config({"wiki_login": True, "wiki_source": "wiki",
                                     "wiki_role_pages": ["chef=kb:start"]}))


def test_on_it_signs_in_at_the_wiki_source_without_pause_or_retry() -> None:
    directory = signin.from_config(config({"wiki_login": True, "wiki_source": "wiki",
                                             "wiki_groups": ["support=agent"]}))
    assert directory is not None
    assert directory.url == WIKI["url"] and directory.origin == "dokuwiki"
    assert (directory.http.delay, directory.http.retries) == (0.0, 0)
    assert directory.roles == RoleMap(groups=(("support", "agent"),))
