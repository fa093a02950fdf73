"""Where a logged-in documents page spends its time, in-process: no server, no load generator.

    python -m bench.profile                 # microseconds per request: hello, /status, /documents/
    python -m bench.profile --profile       # and cProfile's top functions for /documents/
    python -m bench.profile --postgresql    # the same page on PostgreSQL (PROTO_BENCH_DATABASE_URL)

The last line runs the page on as many threads as the built-in server has
(bench.conf) and gives the process's CPU time per request: what the threads
cost in handing the GIL to one another.

Each figure is the best of five batches, so another process's burst does not
count. The request goes through CherryPy's WSGI application exactly as
cheroot hands it over, so what remains between these figures and the
benchmark's is the HTTP server's own work, the same for every app.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import cherrypy

from bench.apps.hello_cherrypy import Hello
from bench.site import BENCH_CONFIG, login_form, postgres_schema_url, prepare_site
from proto.app import make_app
from proto.settings import load_settings

WsgiApp = Callable[..., object]


def call(app: WsgiApp, path: str, cookie: str = "", body: bytes = b"") -> tuple[str, dict[str, str], bytes]:
    """Make one request through the WSGI interface; return status, headers and body."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "POST" if body else "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "HTTP_HOST": "127.0.0.1:8080",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    if body:
        environ.update(CONTENT_TYPE="application/x-www-form-urlencoded", CONTENT_LENGTH=str(len(body)))
    answer: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        answer.update(status=status, headers=dict(headers))

    content = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], content


def log_in(app: WsgiApp) -> str:
    """Log in through the form, as a browser does; return the session's Cookie header."""
    _, headers, page = call(app, "/account/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    status, headers, _ = call(app, "/account/login", cookie, login_form(page))
    if not status.startswith("303"):
        raise RuntimeError(f"the benchmark login answered {status}")
    return headers["Set-Cookie"].split(";")[0]


def microseconds(app: WsgiApp, path: str, cookie: str = "", requests: int = 2000) -> float:
    """Return the best per-request time of five batches, in microseconds."""
    batch, best = max(1, requests // 5), float("inf")
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(batch):
            call(app, path, cookie)
        best = min(best, (time.perf_counter() - began) / batch * 1e6)
    return best


def cpu_per_request(app: WsgiApp, path: str, cookie: str, requests: int, threads: int) -> float:
    """Run the requests on that many threads at once; return the process's CPU microseconds per request."""
    per_thread = max(1, requests // threads)

    def work() -> None:
        for _ in range(per_thread):
            call(app, path, cookie)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    began = time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.process_time() - began) / (per_thread * threads) * 1e6


def main(argv: list[str] | None = None) -> int:
    """Build the site, measure the pages, print the figures (and the profile)."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for /documents/")
    parser.add_argument("--postgresql", action="store_true", help="store the site in PostgreSQL")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="proto-profile-") as work:
        database_url = None
        if args.postgresql:
            database_url = postgres_schema_url(
                os.environ.get("PROTO_BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/test"))
        site = prepare_site(Path(work) / "data", database_url, args.documents)
        cherrypy.config.update({"environment": "production", "log.screen": False})
        settings = load_settings(BENCH_CONFIG, {"PROTO_DATA_DIR": str(site.data_dir),
                                                "PROTO_DATABASE_URL": site.database_url})
        proto = make_app(settings)
        hello = cherrypy.Application(Hello(), "")
        cookie = log_in(proto)
        status, _, page = call(proto, "/documents/", cookie)
        if not status.startswith("200") or f"{args.documents} documents".encode() not in page:
            raise RuntimeError(f"/documents/ answered {status} without the expected total")
        figures = {"CherryPy hello": microseconds(hello, "/", requests=args.requests),
                   "Proto /status": microseconds(proto, "/status", requests=args.requests),
                   "Proto /documents/": microseconds(proto, "/documents/", cookie, args.requests)}
        threads = int(settings.server.get("server.thread_pool", 10))
        figures[f"Proto /documents/, CPU on {threads} threads"] = cpu_per_request(
            proto, "/documents/", cookie, args.requests, threads)
        for name, value in figures.items():
            print(f"{name:<36} {value:8.0f} us/request   {value / figures['CherryPy hello']:5.2f} x hello")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(microseconds, proto, "/documents/", cookie, args.requests)
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        proto.services.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
