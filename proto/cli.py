"""The admin command line: ``python -m proto [--config FILE] COMMAND`` (also ``proto``).

Every command exits 0 on success, or prints one line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from proto import accounts, audit, certificate_logins
from proto.certificates import CertificateError, format_fingerprint, make_dev_pki
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


def make_certs(settings: Settings, args: argparse.Namespace) -> str:
    """Write a development CA, a localhost server certificate and one client certificate per --client."""
    try:
        pki = make_dev_pki(Path(args.directory), args.client, p12_password=args.p12_password)
    except (CertificateError, FileExistsError, ValueError) as error:
        raise CommandError(str(error)) from None
    lines = [f"{'wrote' if pki.ca_created else 'kept'} CA {pki.ca_certificate} (key {pki.ca_private_key})",
             f"{'wrote' if pki.server_created else 'kept'} server certificate {pki.server_certificate} "
             f"(key {pki.server_private_key}) for localhost and 127.0.0.1"]
    for client in pki.clients.values():
        lines.append(f"wrote client {client.name}: {client.certificate}, {client.private_key}, {client.pkcs12}")
        # Printed this once and never stored: the PKCS#12 file is useless without it.
        lines.append(f"  PKCS#12 password: {client.pkcs12_password}")
        lines.append(f"  SHA-256 fingerprint: {format_fingerprint(client.fingerprint)}")
    lines.append(f"serve HTTPS with: python run.py --certs {pki.directory}")
    return "\n".join(lines)


def bind_cert(settings: Settings, args: argparse.Namespace) -> str:
    """Bind a client certificate (PEM file) to an existing account."""
    try:
        data = Path(args.certificate).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {args.certificate}: {error.strerror or error}") from None

    def bind(db: Database) -> str:
        account = _existing(db, args.name)
        bound = certificate_logins.bind_certificate(db, account, certificate_logins.read_certificate(data))
        audit.record(db, "cli-bind-cert", "success", username=account.username, account_id=account.id,
                     detail=f"certificate {bound.fingerprint}")
        return f"bound certificate {bound.display_fingerprint} ({bound.subject}) to {account.username}"
    return _with_database(settings, bind)


def revoke_cert(settings: Settings, args: argparse.Namespace) -> str:
    """Revoke a bound client certificate, given its SHA-256 fingerprint."""
    def revoke(db: Database) -> str:
        found = certificate_logins.find_certificate(db, args.fingerprint)
        if found is None:
            raise CommandError("no bound certificate has that fingerprint")
        bound = certificate_logins.revoke_certificate(db, found.id)
        owner = accounts.get_account(db, bound.account_id)
        audit.record(db, "cli-revoke-cert", "success", username=owner.username if owner else None,
                     account_id=bound.account_id, detail=f"certificate {bound.fingerprint}")
        return f"revoked certificate {bound.display_fingerprint}"
    return _with_database(settings, revoke)


def _make_certs_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="where to write the files (created with mode 0700)")
    parser.add_argument("--client", action="append", default=[], metavar="NAME",
                        help="make a client certificate for NAME (repeat for several)")
    parser.add_argument("--p12-password", help="password of the PKCS#12 files (default: a random one each)")


def _bind_cert_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the account's username")
    parser.add_argument("certificate", help="the client certificate, a PEM file")


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
    "make-certs": (make_certs, _make_certs_arguments),
    "bind-cert": (bind_cert, _bind_cert_arguments),
    "revoke-cert": (revoke_cert, lambda parser: parser.add_argument(
        "fingerprint", help="SHA-256 fingerprint, as make-certs or /account/ show it")),
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
