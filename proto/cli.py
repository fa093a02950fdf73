"""The admin command line: ``python -m proto [--config FILE] COMMAND`` (also ``proto``).

Every command exits 0 on success, or prints one line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

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


COMMANDS: dict[str, tuple[Callable[[Settings, argparse.Namespace], str], Callable[[argparse.ArgumentParser], None]]] = {
    "init-db": (init_db, lambda parser: None),
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
