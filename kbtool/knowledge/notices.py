"""Notices to users: in the app always, by e-mail too when SMTP is configured.

In-app notices are rows shown on the user's home page until read.  E-mail is best effort: a mail
server that refuses is logged and never undoes what the notice reports.
"""

from __future__ import annotations

import logging
import smtplib
import sqlite3
from dataclasses import dataclass
from email.message import EmailMessage

from kbtool.config import Config
from kbtool.store import now

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 10


@dataclass(frozen=True)
class Notice:
    """One message to a user."""

    id: int
    at: float
    message: str
    url: str


def notify(conn: sqlite3.Connection, user_id: int, message: str, url: str = "") -> None:
    """Leave a notice for the user in the app."""
    conn.execute("INSERT INTO notifications (user_id, at, message, url) VALUES (?, ?, ?, ?)",
                 (user_id, now(), message, url))


def unread(conn: sqlite3.Connection, user_id: int) -> list[Notice]:
    """The user's unread notices, newest first."""
    rows = conn.execute("SELECT * FROM notifications WHERE user_id = ? AND seen = 0 "
                        "ORDER BY at DESC, id DESC", (user_id,)).fetchall()
    return [Notice(row["id"], row["at"], row["message"], row["url"]) for row in rows]


def mark_read(conn: sqlite3.Connection, user_id: int) -> None:
    """Mark every notice of the user as read."""
    conn.execute("UPDATE notifications SET seen = 1 WHERE user_id = ? AND seen = 0", (user_id,))


def email(config: Config, conn: sqlite3.Connection, user_id: int, subject: str,
          text: str) -> bool:
    """Send the notice by e-mail when SMTP is set and the user has an address; True if sent."""
    host = config.get("web.smtp_host")
    row = conn.execute("SELECT email FROM users WHERE id = ?", (user_id,)).fetchone()
    if not host or row is None or not row["email"]:
        return False
    message = EmailMessage()
    message["From"] = config.get("web.smtp_from")
    message["To"] = row["email"]
    message["Subject"] = subject
    message.set_content(text)
    server, _, port = host.partition(":")
    try:
        with smtplib.SMTP(server, int(port or 25), timeout=SMTP_TIMEOUT) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail to user %d not sent: %s", user_id, exc)
        return False
    return True
