"""Notices: in the app always; by e-mail, through a real SMTP conversation on loopback, when
SMTP is configured and the user has an address."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest

from kbtool import accounts, config as config_module
from kbtool.knowledge import notices


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message per connection and keep it."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = b""
                while not body.endswith(b"\r\n.\r\n"):
                    body += self.rfile.readline()
                self.server.received.append(body[:-5])  # type: ignore[attr-defined]
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture()
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def settings(smtp_host: str = "") -> config_module.Config:
    return config_module.from_dict({"web": {"smtp_host": smtp_host,
                                            "smtp_from": "kbtool@support.example"}})


def test_in_app_notices_until_read(conn, user):
    agnes = user("agnes")
    notices.notify(conn, agnes.id, "premier", "/articles/1")
    notices.notify(conn, agnes.id, "second")
    assert [n.message for n in notices.unread(conn, agnes.id)] == ["second", "premier"]
    assert notices.unread(conn, user("albert").id) == []
    notices.mark_read(conn, agnes.id)
    assert notices.unread(conn, agnes.id) == []


def test_e_mail_goes_out_when_smtp_is_set_and_the_user_has_an_address(conn, user, smtp_server):
    agnes = user("agnes")
    host = f"127.0.0.1:{smtp_server.server_address[1]}"
    assert not notices.email(settings(host), conn, agnes.id, "Sujet", "texte")  # no address yet
    accounts.set_email(conn, "agnes", "agnes@support.example")
    assert not notices.email(settings(""), conn, agnes.id, "Sujet", "texte")  # no SMTP set
    assert notices.email(settings(host), conn, agnes.id, "kbtool : article publié",
                         "Votre article « Reçu fiscal » est publié.")
    [raw] = smtp_server.received
    message = message_from_bytes(raw, policy=policy.default)
    assert (message["To"], message["From"]) == ("agnes@support.example", "kbtool@support.example")
    assert message["Subject"] == "kbtool : article publié"
    assert "Votre article « Reçu fiscal » est publié." in message.get_content()


def test_a_refusing_mail_server_is_logged_not_raised(conn, user, caplog):
    accounts.set_email(conn, "agnes", "agnes@support.example")
    assert not notices.email(settings("127.0.0.1:1"), conn, user("agnes").id, "s", "t")
    assert "not sent" in caplog.text


def test_addresses_are_checked(conn):
    with pytest.raises(accounts.AccountError, match="invalid e-mail"):
        accounts.set_email(conn, "agnes", "pas une adresse")
