"""The admin command line: ``python -m proto [--config FILE] COMMAND`` (also ``proto``).

Every command exits 0 on success, or prints one line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence

from proto import accounts, audit
from proto.settings import ConfigError, Settings, load_settings
from proto.storage import schema
from proto.storage.database import Database, DatabaseConfigError, create_database_engine
from sqlalchemy.exc import SQLAlchemyError


class CommandError(Exception):
    """A command failed; the message is one line for the operator."""


def open_database(settings: Settings) -> Database:
    """Open the database the settings name."""
    return Database(create_database_engine(settings.database_url))


def init_db(settings: Settings, args: argparse.Namespace) -> str:
    """Create or upgrade the database schema (idempotent)."""
    db = open_database(settings)
    try:
        before, after = schema.upgrade(db)
    finally:
        db.dispose()
    where = db.engine.url.render_as_string(hide_password=True)
    if before == after:
        return f"{where}: schema already at revision {after}"
    return f"{where}: schema upgraded from {before or 'empty'} to revision {after}"


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the passwords differ")
    return first


def _existing(db: Database, name: str) -> accounts.Account:
    account = accounts.find_account(db, name)
    if account is None:
        raise CommandError(f"no account named {name!r}")
    return account


def _with_database(settings: Settings, work: Callable[[Database], str]) -> str:
    db = open_database(settings)
    try:
        schema.check(db)
        return work(db)
    except (schema.SchemaOutOfDate, accounts.AccountError) as error:
        raise CommandError(str(error)) from None
    finally:
        db.dispose()


def create_user(settings: Settings, args: argparse.Namespace) -> str:
    """Create an account; the password is prompted for, or read from stdin."""
    password = _read_password(args)

    def create(db: Database) -> str:
        account = accounts.create_account(db, args.name, password, is_admin=args.admin)
        audit.record(db, "cli-create-user", "success", username=account.username, account_id=account.id,
                     detail="admin" if account.is_admin else "")
        return f"created {'admin' if account.is_admin else 'user'} {account.username}"
    return _with_database(settings, create)


def disable_user(settings: Settings, args: argparse.Namespace) -> str:
    """Disable an account and end its sessions."""
    def disable(db: Database) -> str:
        account = _existing(db, args.name)
        accounts.set_disabled(db, account, True)
        audit.record(db, "cli-disable-user", "success", username=account.username, account_id=account.id)
        return f"disabled {account.username}; its sessions have ended"
    return _with_database(settings, disable)


def set_password(settings: Settings, args: argparse.Namespace) -> str:
    """Set an account's password and end its sessions."""
    password = _read_password(args)

    def change(db: Database) -> str:
        account = _existing(db, args.name)
        accounts.set_password(db, account, password)
        audit.record(db, "cli-set-password", "success", username=account.username, account_id=account.id)
        return f"password of {account.username} changed; its sessions have ended"
    return _with_database(settings, change)


def _name_and_password(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the account's username")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def _create_user_arguments(parser: argparse.ArgumentParser) -> None:
    _name_and_password(parser)
    parser.add_argument("--admin", action="store_true", help="make the account an admin")


COMMANDS: dict[str, tuple[Callable[[Settings, argparse.Namespace], str], Callable[[argparse.ArgumentParser], None]]] = {
    "init-db": (init_db, lambda parser: None),
    "create-user": (create_user, _create_user_arguments),
    "disable-user": (disable_user, lambda parser: parser.add_argument("name", help="the account's username")),
    "set-password": (set_password, _name_and_password),
}


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="proto", description="Administer a Proto installation.")
    parser.add_argument("--config", help="CherryPy config file (default: $PROTO_CONFIG or conf/development.conf)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (run, add_arguments) in COMMANDS.items():
        add_arguments(commands.add_parser(name, help=run.__doc__.splitlines()[0], description=run.__doc__))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one admin command and return its exit status."""
    args = build_parser().parse_args(argv)
    run, _ = COMMANDS[args.command]
    try:
        message = run(load_settings(args.config), args)
    except (ConfigError, CommandError, DatabaseConfigError) as error:
        print(f"proto {args.command}: {error}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        print(f"proto {args.command}: database error: {reason}", file=sys.stderr)
        return 1
    if message:
        print(message)
    return 0
