#!/usr/bin/env python3
"""Serve Proto: ``python run.py [--config FILE] [--host H] [--port N] [--certs DIR] [--fastcgi [ADDRESS] | --scgi ADDRESS]``.

On CherryPy's own HTTP server by default; with ``--fastcgi`` or ``--scgi``
through flup (``pip install 'proto[fastcgi]'``) for a front server: ADDRESS is
``host:port`` or a unix socket path, and ``--fastcgi`` alone serves on the
socket a spawning server passes as stdin (lighttpd's ``bin-path``).
Development settings by default (conf/development.conf); PROTO_CONFIG,
PROTO_DATABASE_URL and PROTO_DATA_DIR override as everywhere else.
HTTPS when the config names ``server.ssl_certificate`` and
``server.ssl_private_key``, or with ``--certs DIR`` (a ``python -m proto
make-certs DIR`` folder: its server certificate, and its CA for optional client
certificates). Ctrl-C or SIGTERM stops it cleanly.
"""

from __future__ import annotations

import gc

if __name__ == "__main__":
    # The start allocates a hundred thousand objects that live as long as the process
    # (modules, classes, the app): collecting them as they come costs a tenth of the start.
    # main() freezes them once the app is ready and turns the collector back on.
    gc.disable()

import argparse
import logging
import os
import stat
import sys
import time
from pathlib import Path

import cherrypy

from proto.app import make_app
from proto.selfcheck import production_warnings
from proto.settings import ConfigError, Settings, load_settings
from proto.startup import StartupError, first_run_path, prepare
from proto.storage.database import DatabaseConfigError
from proto.tls import CA_CERT_FILE, SERVER_CERT_FILE, SERVER_KEY_FILE, CertificateError, build_server_ssl_context


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Serve Proto.")
    parser.add_argument("--config", help="CherryPy config file (default: $PROTO_CONFIG or conf/development.conf)")
    parser.add_argument("--host", help="address to listen on (overrides server.socket_host)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides server.socket_port)")
    parser.add_argument("--certs", metavar="DIR",
                        help="serve HTTPS with the files of `python -m proto make-certs DIR`: server.pem, "
                             "server-key.pem, and ca.pem for client certificates (optional unless the config "
                             "says required)")
    gateway = parser.add_mutually_exclusive_group()
    gateway.add_argument("--fastcgi", nargs="?", const="", metavar="ADDRESS",
                         help="serve FastCGI on host:port or a unix socket path; "
                              "with no ADDRESS, on the socket passed as stdin (lighttpd bin-path)")
    gateway.add_argument("--scgi", metavar="ADDRESS", help="serve SCGI on host:port or a unix socket path")
    return parser.parse_args(argv)


def with_certs(settings: Settings, directory: str) -> Settings:
    """Return the settings serving HTTPS with a make-certs folder's server and CA files."""
    folder = Path(directory).absolute()
    server = {**settings.server, "server.ssl_certificate": str(folder / SERVER_CERT_FILE),
              "server.ssl_private_key": str(folder / SERVER_KEY_FILE)}
    verify = settings.client_verify if settings.client_verify != "none" else "optional"
    return settings.replace(server=server, client_ca=folder / CA_CERT_FILE, client_verify=verify)


def tls_config(settings: Settings) -> dict:
    """Return cheroot's TLS settings: our SSLContext asks for client certificates as configured."""
    if not settings.https:
        return {}
    certificate = settings.server["server.ssl_certificate"]
    key = settings.server.get("server.ssl_private_key")
    if not key:
        raise CertificateError("server.ssl_certificate is set but server.ssl_private_key is not")
    context = build_server_ssl_context(Path(certificate), Path(key), settings.client_ca, settings.client_verify)
    # cheroot still loads the certificate and key itself before taking our context.
    return {"server.ssl_module": "builtin", "server.ssl_context": context}



def socket_address(text: str) -> str | tuple[str, int]:
    """Return ``(host, port)`` for ``host:port`` or ``[v6]:port``, else the text as a unix socket path."""
    host, separator, port = text.rpartition(":")
    if separator and port.isdigit() and "/" not in text:
        return host.strip("[]") or "127.0.0.1", int(port)
    return text


def serve_gateway(app: cherrypy.Application, settings: Settings, args: argparse.Namespace) -> int:
    """Serve the app over FastCGI or SCGI through flup until SIGTERM or SIGINT."""
    try:
        from flup.server import fcgi, scgi
    except ImportError:
        print("proto: --fastcgi and --scgi need flup: pip install 'proto[fastcgi]'", file=sys.stderr)
        return 2
    if args.fastcgi == "" and not stat.S_ISSOCK(os.fstat(0).st_mode):
        # flup would quietly fall back to CGI and answer one request from the environment.
        print("proto: --fastcgi without ADDRESS serves on a socket passed as stdin (lighttpd bin-path); "
              "give host:port or a socket path to run it yourself", file=sys.stderr)
        return 2
    # The front server says where it mounted us (SCRIPT_NAME): links and cookies follow.
    app.script_name = None
    config = {key: value for key, value in settings.server.items() if not key.startswith("server.")}
    for key in ("log.error_file", "log.access_file"):
        if config.get(key):
            Path(config[key]).parent.mkdir(parents=True, exist_ok=True)
    # The reloader re-executes the process, which would lose the socket a spawning server passed.
    cherrypy.config.update({**config, "engine.autoreload.on": False})
    cherrypy.server.unsubscribe()
    cherrypy.engine.subscribe("stop", app.services.db.dispose)
    cherrypy.engine.start()
    if cherrypy.engine.state != cherrypy.engine.states.STARTED:
        return 1
    # debug off: flup's debug pages import cgitb (gone in Python 3.13) and show tracebacks to clients.
    if args.scgi:
        address = socket_address(args.scgi)
        server = scgi.WSGIServer(app, bindAddress=address, debug=False)
        shown = f"SCGI {args.scgi}"
    else:
        address = socket_address(args.fastcgi) if args.fastcgi else None
        server = fcgi.WSGIServer(app, bindAddress=address, debug=False)
        shown = f"FastCGI {args.fastcgi or 'on stdin'}"
    setup = first_run_path(app)
    if setup:
        # stdout only, never the log files: the link is a credential until used.
        print(f"No account yet: create the first admin at <this site>{setup}", flush=True)
    print(f"Proto {shown} ({settings.environment} settings: {settings.config_file})", flush=True)
    try:
        # flup handles SIGTERM, SIGINT and SIGHUP itself: run() returns once one arrives.
        server.run()
    finally:
        cherrypy.engine.exit()
    return 0


def server_config(settings: Settings, args: argparse.Namespace) -> dict:
    """Return the [global] config with the command line's overrides applied."""
    # cheroot's listen backlog is 5: a burst of clients connecting at once overflows it and
    # some get their connection reset. The kernel caps it at net.core.somaxconn anyway.
    config = {"server.socket_host": "127.0.0.1", "server.socket_port": 8080, "server.socket_queue_size": 128,
              **settings.server}
    if args.host:
        config["server.socket_host"] = args.host
    if args.port is not None:
        config["server.socket_port"] = args.port
    for key in ("log.error_file", "log.access_file"):
        if config.get(key):
            Path(config[key]).parent.mkdir(parents=True, exist_ok=True)
    return config


def listen_promptly(server: cherrypy._cpserver.Server) -> None:
    """Let ``engine.start()`` return as soon as the server listens, not at CherryPy's next look."""
    # CherryPy looks for its server thread every 0.1 s: a quarter of Proto's whole start.
    cherrypy_wait = server.wait

    def wait() -> None:
        while not getattr(server.httpserver, "ready", False) and not server.interrupt:
            time.sleep(0.002)
        cherrypy_wait()  # its own checks: a failed server thread, the port really taken

    server.wait = wait


def main(argv: list[str] | None = None) -> int:
    """Load the settings, build the app and serve it until stopped."""
    args = parse_args(argv)
    try:
        settings = load_settings(args.config)
        if args.certs:
            settings = with_certs(settings, args.certs)
        tls = tls_config(settings)
        app = make_app(settings)
        prepare(app)
    except (ConfigError, StartupError, DatabaseConfigError, CertificateError) as error:
        print(f"proto: {error}", file=sys.stderr)
        return 2
    # What exists now lives until the end: later collections need not walk it again.
    gc.freeze()
    gc.enable()
    if args.fastcgi is not None or args.scgi:
        return serve_gateway(app, settings, args)
    config = {**server_config(settings, args), **tls}
    for warning in production_warnings(settings, config["server.socket_host"]):
        # On stderr for whoever starts it, and in the error log for whoever reads it later.
        print(f"proto: warning: {warning}", file=sys.stderr, flush=True)
        cherrypy.log(f"warning: {warning}", "PROTO", severity=logging.WARNING)
    cherrypy.config.update(config)
    cherrypy.tree.mount(app)
    cherrypy.engine.subscribe("stop", app.services.db.dispose)
    cherrypy.engine.signals.subscribe()
    listen_promptly(cherrypy.server)
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
