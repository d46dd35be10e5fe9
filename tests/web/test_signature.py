"""Each agent's signature under the replies they draft ("Cordialement," was followed by
nothing): set on the profile page or with ``kbtool user signature``, cleaned, kept in bounds."""

from __future__ import annotations

import html
import io
import sys
from pathlib import Path

import pytest

from kbtool import accounts, cli, store
from kbtool.config import Config
from kbtool.knowledge.reply import DEFAULT_SIGNATURE
from tests.web.conftest import post
from tests.web.drafting import body_of, new_draft

SIGNATURE = "Agnès Durand\nSupport Trésorio – 01 23 45 67 89"


@pytest.mark.parametrize(("typed", "stored"), [
    ("", ""),
    ("Agnès", "Agnès"),
    ("  Agnès  \r\n  Support  \r\n", "Agnès\nSupport"),
    ("\n\n\nAgnès\n\n", "Agnès"),
    ("Agnès\rSupport", "Agnès\nSupport"),
    ("Agn\x00ès\x1b[31m\x07", "Agnès[31m"),          # control characters dropped
    ("Agnès\u2028Support", "Agnès\nSupport"),         # a Unicode line separator is a line break
    ("Agnès\u200e\u202eSupport", "AgnèsSupport"),     # bidi controls dropped
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # kept as text, escaped when shown
    ("%%{{x}}%%", "%%{{x}}%%"),
    ("a" * 300, "a" * 300),
    ("\n".join("l" * 5), "\n".join("l" * 5)),
])
def test_a_signature_is_cleaned(typed: str, stored: str) -> None:
    assert accounts.clean_signature(typed) == stored


@pytest.mark.parametrize("typed", ["a" * 301, "\n".join("l" * 6), "x\n" * 6 + "y"])
def test_a_signature_too_long_is_refused(typed: str) -> None:
    with pytest.raises(accounts.AccountError, match="signature too long"):
        accounts.clean_signature(typed)


def test_replies_are_signed_with_the_agents_signature(as_user, settings: Config) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    path, _ = new_draft(agnes)
    assert body_of(agnes.get(path).get_data(as_text=True)).endswith(
        f"Cordialement,\n{DEFAULT_SIGNATURE}")

    profile = agnes.get("/profil").get_data(as_text=True)
    assert 'id="signature"' in profile
    response = post(agnes, "/profil", {"signature": SIGNATURE.replace("\n", "\r\n")})
    assert response.status_code == 302
    assert html.unescape(agnes.get("/profil").get_data(as_text=True)).count(SIGNATURE) == 1

    path, _ = new_draft(agnes)
    assert body_of(agnes.get(path).get_data(as_text=True)).endswith(f"Cordialement,\n{SIGNATURE}")
    recomposed = post(agnes, path, {"ticket": "", "body": "Autre", "action": "recompose"},
                      follow_redirects=True).get_data(as_text=True)
    assert body_of(recomposed).endswith(f"Cordialement,\n{SIGNATURE}")


@pytest.mark.parametrize(("typed", "reason"), [
    ("a" * 301, "300 caractères au plus"),
    ("\n".join("abcdef"), "5 lignes au plus"),
])
def test_the_profile_page_refuses_a_long_signature_in_french(as_user, settings: Config,  # type: ignore[no-untyped-def]
                                                             typed: str, reason: str) -> None:
    agnes = as_user("agnes")
    response = post(agnes, "/profil", {"signature": typed})
    assert response.status_code == 422 and reason in response.get_data(as_text=True)
    conn = store.connect(settings.get("web.database"))
    assert accounts.signature_of(conn, accounts.find_user(conn, "agnes").id) == ""
    conn.close()


def test_a_signature_holding_markup_is_shown_as_text(as_user) -> None:  # type: ignore[no-untyped-def]
    agnes = as_user("agnes")
    post(agnes, "/profil", {"signature": "</textarea><script>alert(1)</script>"})
    page = agnes.get("/profil").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_cli_sets_and_clears_a_signature(settings: Config, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    config_file = tmp_path / "kbtool.toml"
    config_file.write_text(f'[web]\ndatabase = "{settings.get("web.database")}"\n',
                           encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    conn = store.connect(settings.get("web.database"))
    agnes = accounts.find_user(conn, "agnes")
    assert cli.main(["--config", str(config_file), "user", "signature", "agnes", SIGNATURE]) == 0
    assert capsys.readouterr().out == "signature of agnes set\n"
    assert accounts.signature_of(conn, agnes.id) == SIGNATURE
    assert cli.main(["--config", str(config_file), "user", "signature", "agnes", ""]) == 0
    assert accounts.signature_of(conn, agnes.id) == ""
    assert cli.main(["--config", str(config_file), "user", "signature", "agnes", "a" * 301]) == 2
    assert "signature too long" in capsys.readouterr().err
    assert cli.main(["--config", str(config_file), "user", "signature", "nobody", "x"]) == 2
    conn.close()
