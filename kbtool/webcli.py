"""Command-line side of the web UI: ``kbtool user add|passwd|list|disable|email``,
``kbtool serve`` and ``kbtool publish --retry``.

``add_commands`` plugs these into the main parser; each handler takes ``(args, config)`` and
returns an exit code.  Refused operations raise :class:`kbtool.accounts.AccountError`, which the
main CLI prints as one line.  Passwords are read from standard input when it is not a terminal,
so scripts can create accounts without putting a password on a command line.
"""

from __future__ import annotations

import argparse
import getpass
import sqlite3
import sys
from contextlib import closing
from typing import TextIO

from kbtool import accounts, store
from kbtool.config import Config

# Errors of these commands that the main CLI should print as one line (exit status 2, usage).
USAGE_ERRORS = (accounts.AccountError, store.StoreError)


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``user`` and ``serve`` subcommands (handler in ``args.handler``)."""
    user = subparsers.add_parser("user", help="manage web UI accounts")
    actions = user.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (password from stdin or prompt)")
    add.add_argument("name")
    add.add_argument("--role", choices=accounts.ROLES, default="agent")
    add.set_defaults(handler=user_add)
    passwd = actions.add_parser("passwd", help="set an account's password (ends its sessions)")
    passwd.add_argument("name")
    passwd.set_defaults(handler=user_passwd)
    listing = actions.add_parser("list", help="list accounts")
    listing.set_defaults(handler=user_list)
    disable = actions.add_parser("disable", help="disable an account (ends its sessions)")
    disable.add_argument("name")
    disable.set_defaults(handler=user_disable)
    email = actions.add_parser("email", help="set the address of e-mail notices ('' to clear)")
    email.add_argument("name")
    email.add_argument("address")
    email.set_defaults(handler=user_email)
    signature = actions.add_parser("signature",
                                   help="set the signature under the account's replies ('' to clear)")
    signature.add_argument("name")
    signature.add_argument("text", help="the signature; a line break as in $'Line 1\\nLine 2'")
    signature.set_defaults(handler=user_signature)

    serve = subparsers.add_parser("serve", help="serve the web UI (gunicorn, web.processes workers)")
    serve.add_argument("--host", help="address to listen on (default: web.host)")
    serve.add_argument("--port", type=int, help="port to listen on (default: web.port)")
    serve.set_defaults(handler=serve_command)

    publish = subparsers.add_parser("publish", help="publish approved articles to the wiki")
    publish.add_argument("--retry", action="store_true", required=True,
                         help="send again every approved article not yet published")
    publish.set_defaults(handler=publish_retry)


def read_password(stdin: TextIO | None = None) -> str:
    """The first line of standard input when piped, else typed twice at a hidden prompt."""
    stdin = stdin or sys.stdin
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise accounts.AccountError("passwords do not match")
    return first


def user_add(args: argparse.Namespace, config: Config) -> int:
    """``kbtool user add NAME --role ROLE``."""
    password = read_password()
    with _connection(config) as conn:
        user = accounts.create_user(conn, args.name, args.role, password)
    print(f"user {user.name} created ({user.role})")
    return 0


def user_passwd(args: argparse.Namespace, config: Config) -> int:
    """``kbtool user passwd NAME``."""
    password = read_password()
    with _connection(config) as conn:
        accounts.set_password(conn, args.name, password)
    print(f"password of {args.name} changed")
    return 0


def user_list(args: argparse.Namespace, config: Config) -> int:
    """``kbtool user list``: name, role, state, origin; one account a line."""
    with _connection(config) as conn:
        for user in accounts.list_users(conn):
            state = "active" if user.active else "disabled"
            print(f"{user.name}\t{user.role}\t{state}\t{user.origin}")
    return 0


def user_disable(args: argparse.Namespace, config: Config) -> int:
    """``kbtool user disable NAME``."""
    with _connection(config) as conn:
        accounts.set_active(conn, args.name, False)
    print(f"user {args.name} disabled")
    return 0


def user_email(args: argparse.Namespace, config: Config) -> int:
    """``kbtool user email NAME ADDRESS``."""
    with _connection(config) as conn:
        accounts.set_email(conn, args.name, args.address)
    print(f"e-mail of {args.name} set")
    return 0


def user_signature(args: argparse.Namespace, config: Config) -> int:
    """``kbtool user signature NAME TEXT``."""
    with _connection(config) as conn:
        accounts.set_signature(conn, args.name, args.text)
    print(f"signature of {args.name} set")
    return 0


def serve_command(args: argparse.Namespace, config: Config) -> int:
    """``kbtool serve [--host H] [--port P]``: blocks until interrupted."""
    from kbtool.web import serve

    host = args.host or config.get("web.host")
    port = args.port if args.port is not None else config.get("web.port")
    serve(config, host, port)
    return 0


def publish_retry(args: argparse.Namespace, config: Config) -> int:
    """``kbtool publish --retry``: one line per article; exit 1 when one is still unpublished."""
    from kbtool.knowledge import publish

    with _connection(config) as conn:
        outcomes = publish.retry_all(config, conn)
    for outcome in outcomes:
        if outcome.published:
            state = f"published as {outcome.page_id}"
        elif outcome.conflict:
            state = f"not published (conflict: a reviewer decides in the web UI): {outcome.reason}"
        else:
            state = f"not published: {outcome.reason}"
        print(f"article {outcome.article_id}: {state}")
    if not outcomes:
        print("no approved article waiting for publication")
    return 0 if all(outcome.published for outcome in outcomes) else 1


def _connection(config: Config) -> closing[sqlite3.Connection]:
    """The store, opened for one command and closed after it."""
    return closing(store.connect(config.get("web.database")))
