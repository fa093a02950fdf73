#!/usr/bin/env python3
"""Serve Proto on CherryPy's own server: ``python run.py [--config FILE] [--host H] [--port N]``.

Development settings by default (conf/development.conf); PROTO_CONFIG,
PROTO_DATABASE_URL and PROTO_DATA_DIR override as everywhere else.
Ctrl-C or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cherrypy

from proto.app import make_app
from proto.settings import ConfigError, Settings, load_settings
from proto.startup import StartupError, first_run_path, prepare
from proto.storage.database import DatabaseConfigError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Serve Proto.")
    parser.add_argument("--config", help="CherryPy config file (default: $PROTO_CONFIG or conf/development.conf)")
    parser.add_argument("--host", help="address to listen on (overrides server.socket_host)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides server.socket_port)")
    return parser.parse_args(argv)


def server_config(settings: Settings, args: argparse.Namespace) -> dict:
    """Return the [global] config with the command line's overrides applied."""
    config = {"server.socket_host": "127.0.0.1", "server.socket_port": 8080, **settings.server}
    if args.host:
        config["server.socket_host"] = args.host
    if args.port is not None:
        config["server.socket_port"] = args.port
    for key in ("log.error_file", "log.access_file"):
        if config.get(key):
            Path(config[key]).parent.mkdir(parents=True, exist_ok=True)
    return config


def main(argv: list[str] | None = None) -> int:
    """Load the settings, build the app and serve it until stopped."""
    args = parse_args(argv)
    try:
        settings = load_settings(args.config)
        app = make_app(settings)
        prepare(app)
    except (ConfigError, StartupError, DatabaseConfigError) as error:
        print(f"proto: {error}", file=sys.stderr)
        return 2
    config = server_config(settings, args)
    cherrypy.config.update(config)
    cherrypy.tree.mount(app)
    cherrypy.engine.subscribe("stop", app.services.db.dispose)
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    if cherrypy.engine.state != cherrypy.engine.states.STARTED:
        return 1
    scheme = "https" if settings.https else "http"
    host = config["server.socket_host"]
    shown = f"[{host}]" if ":" in host else host
    base = f"{scheme}://{shown}:{cherrypy.server.bound_addr[1]}"
    setup = first_run_path(app)
    if setup:
        # stdout only, never the log files: the link is a credential until used.
        print(f"No account yet: create the first admin at {base}{setup}", flush=True)
    # Last: scripts and tests take this line to mean "ready".
    print(f"Proto {base}/ ({settings.environment} settings: {settings.config_file})", flush=True)
    cherrypy.engine.block()
    return 0


if __name__ == "__main__":
    sys.exit(main())
