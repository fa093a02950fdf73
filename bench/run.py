"""The benchmark run: start the servers, alternate A B A B, print one table of ratios.

Absolute figures drift 10-20 % between runs on shared machines; ratios of
medians measured side by side in one run hold. Nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench import servers
from bench.documents import write_document
from bench.load import LoadResult, wrk
from bench.site import gunicorn, postgres_schema_url, prepare_site, session_cookie, upload


@dataclasses.dataclass
class Measured:
    """One subject's figures over the rounds."""

    name: str
    values: list[float] = dataclasses.field(default_factory=list)
    p50: list[float] = dataclasses.field(default_factory=list)
    p99: list[float] = dataclasses.field(default_factory=list)
    errors: int = 0

    def add(self, result: LoadResult) -> None:
        """Record one round."""
        self.values.append(result.requests_per_second)
        self.p50.append(result.p50_ms)
        self.p99.append(result.p99_ms)
        self.errors += result.errors

    @property
    def median(self) -> float:
        """Return the median over the rounds."""
        return statistics.median(self.values)


@dataclasses.dataclass
class Outcome:
    """A scenario's verdict: the ratio of medians against its target."""

    scenario: str
    subject: Measured
    ceiling: Measured
    ratio: float
    target: str
    met: bool
    unit: str = "req/s"
    extra: list[Measured] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Options:
    """How long and how often to measure."""

    seconds: float
    rounds: int
    work: Path
    documents: int = 10_000
    upload_bytes: int = 100 * 1_000_000
    postgres_url: str = "postgresql+psycopg://127.0.0.1:5432/test"


def alternate(options: Options, subjects: dict[str, Callable[[], LoadResult]]) -> dict[str, Measured]:
    """Measure every subject once per round, in turn, so drift hits them alike."""
    measured = {name: Measured(name) for name in subjects}
    for _ in range(options.rounds):
        for name, load in subjects.items():
            measured[name].add(load())
    return measured


def at_least(scenario: str, subject: Measured, ceiling: Measured, target: float, **kw) -> Outcome:
    """Judge a 'subject is at least target x ceiling' scenario."""
    ratio = subject.median / ceiling.median
    return Outcome(scenario, subject, ceiling, ratio, f">= {target:.2f}", ratio >= target, **kw)


def at_most(scenario: str, subject: Measured, ceiling: Measured, target: float, **kw) -> Outcome:
    """Judge a 'subject is at most target x ceiling' scenario."""
    ratio = subject.median / ceiling.median
    return Outcome(scenario, subject, ceiling, ratio, f"<= {target:.2f}", ratio <= target, **kw)


def scenario_status(options: Options) -> list[Outcome]:
    """1. /status with every Proto tool on, against the bare CherryPy and cheroot hellos."""
    proto = servers.proto(options.work, options.work / "status-data")
    hello = servers.hello_cherrypy(options.work)
    raw = servers.hello_cheroot(options.work)
    try:
        measured = alternate(options, {
            "Proto /status": lambda: wrk(proto.url + "/status", seconds=options.seconds),
            "CherryPy hello": lambda: wrk(hello.url + "/", seconds=options.seconds),
            "cheroot WSGI hello": lambda: wrk(raw.url + "/", seconds=options.seconds),
        })
    finally:
        for server in (proto, hello, raw):
            server.stop()
    return [at_least("1. /status vs CherryPy hello", measured["Proto /status"], measured["CherryPy hello"], 0.85,
                     extra=[measured["cheroot WSGI hello"]])]


def _time_to_first_200(start: Callable[[], servers.Server], path: str) -> float:
    began = time.monotonic()
    server = start()
    try:
        while True:
            try:
                with urllib.request.urlopen(server.url + path, timeout=5) as answer:
                    if answer.status == 200:
                        return time.monotonic() - began
            except OSError:
                time.sleep(0.005)
    finally:
        server.stop()


def scenario_startup(options: Options) -> list[Outcome]:
    """7. Start-up: spawn to the first 200, Proto's /status against the CherryPy hello."""
    data = options.work / "startup-data"
    servers.proto(options.work, data).stop()  # the schema exists, as on every start but the first
    # Compiled as an install leaves it, like CherryPy's own modules in site-packages: with
    # PYTHONDONTWRITEBYTECODE set, every start would otherwise compile Proto's modules anew.
    compileall.compile_dir(servers.ROOT / "proto", quiet=1)
    proto, hello = Measured("Proto run.py → 200 /status"), Measured("CherryPy hello → 200")
    # A start takes under half a second: five pairs at least, so one disturbed pair does not decide.
    for _ in range(max(5, options.rounds)):
        proto.values.append(_time_to_first_200(lambda: servers.proto(options.work, data), "/status"))
        hello.values.append(_time_to_first_200(lambda: servers.hello_cherrypy(options.work), "/"))
    return [at_most("7. start-up time vs CherryPy hello", proto, hello, 1.5, unit="s")]


def scenario_documents_page(options: Options) -> list[Outcome]:
    """2-4. A logged-in /documents/ page (20 of N documents): SQLite, PostgreSQL, gunicorn -w 2."""
    sqlite = prepare_site(options.work / "docs-sqlite", None, options.documents)
    postgres = prepare_site(options.work / "docs-postgres", postgres_schema_url(options.postgres_url),
                            options.documents)
    started = {
        "sqlite": servers.proto(options.work, sqlite.data_dir, sqlite.database_url, name="proto-sqlite"),
        "postgres": servers.proto(options.work, postgres.data_dir, postgres.database_url, name="proto-postgres"),
        "gunicorn": gunicorn(options.work, sqlite),
        "hello": servers.hello_cherrypy(options.work),
    }
    try:
        cookies = {name: session_cookie(server.url) for name, server in started.items() if name != "hello"}

        def page(name: str) -> Callable[[], LoadResult]:
            return lambda: wrk(started[name].url + "/documents/", seconds=options.seconds,
                               headers={"Cookie": cookies[name]})

        measured = alternate(options, {
            "Proto /documents/ (SQLite)": page("sqlite"),
            "CherryPy hello": lambda: wrk(started["hello"].url + "/", seconds=options.seconds),
            "Proto /documents/ (PostgreSQL)": page("postgres"),
            "Proto /documents/ (SQLite, gunicorn -w 2)": page("gunicorn"),
        })
    finally:
        for server in started.values():
            server.stop()
    hello, on_sqlite = measured["CherryPy hello"], measured["Proto /documents/ (SQLite)"]
    count = f"{options.documents:,}"
    return [
        at_least(f"2. /documents/ of {count}, SQLite vs hello", on_sqlite, hello, 0.60),
        at_least(f"3. /documents/ of {count}, PostgreSQL vs hello", measured["Proto /documents/ (PostgreSQL)"],
                 hello, 0.50),
        at_least("4. gunicorn -w 2 vs scenario 2", measured["Proto /documents/ (SQLite, gunicorn -w 2)"],
                 on_sqlite, 1.8),
    ]


def _peak_rss_during(server: servers.Server, work: Callable[[], None]) -> int:
    """Run ``work`` while sampling the server's resident memory; return the peak in KiB."""
    import threading
    peak, done = [server.rss_kib()], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(server.rss_kib())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return max(peak)


def _bare_expat_seconds(path: Path) -> float:
    """Parse the file with expat and no handlers at all, in this process: the parser's own speed."""
    from xml.parsers import expat
    parser = expat.ParserCreate(namespace_separator="}")
    began = time.monotonic()
    with open(path, "rb") as file:
        while chunk := file.read(64 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return time.monotonic() - began


def scenario_upload(options: Options) -> list[Outcome]:
    """5-6. A large upload end to end: throughput against a bare streaming handler, and peak memory."""
    document = write_document(options.work / "upload.xml", options.upload_bytes)
    size_mb = document.stat().st_size / 1_000_000
    site = prepare_site(options.work / "upload-data", None, 0)
    config = options.work / "upload.conf"
    config.write_text(servers.ROOT.joinpath("bench", "bench.conf").read_text()
                      + f"document_max_bytes = {document.stat().st_size + 1_000_000}\n")
    proto = servers.Server("proto-upload", [sys.executable, "run.py", "--config", str(config), "--port", "0"],
                           options.work, {"PROTO_DATA_DIR": str(site.data_dir)})
    sink = servers.Server("expat-sink", [sys.executable, "-m", "bench.apps.expat_sink", "0"], options.work)
    rates = {"Proto POST /api/documents": Measured("Proto POST /api/documents"),
             "CherryPy handler streaming expat": Measured("CherryPy handler streaming expat (no-op handlers)"),
             "expat alone": Measured("expat alone, no handlers, in-process")}
    try:
        # Warm up first, so the first request's one-time costs do not count as growth.
        upload(proto.url, site.token, write_document(options.work / "warm.xml", 200_000))
        idle = proto.rss_kib()
        peak = idle
        # An upload takes under a second: five pairs at least, so one disturbed pair does not decide.
        for _ in range(max(5, options.rounds)):
            began = time.monotonic()
            peak = max(peak, _peak_rss_during(proto, lambda: upload(proto.url, site.token, document)))
            rates["Proto POST /api/documents"].values.append(size_mb / (time.monotonic() - began))
            began = time.monotonic()
            # Sampled too, though only Proto's peak is reported: both uploads carry the same sampler.
            _peak_rss_during(sink, lambda: _post_raw(sink.url + "/", document))
            rates["CherryPy handler streaming expat"].values.append(size_mb / (time.monotonic() - began))
            rates["expat alone"].values.append(size_mb / _bare_expat_seconds(document))
    finally:
        proto.stop()
        sink.stop()
    growth = Measured("Proto peak RSS above idle")
    growth.values.append((peak - idle) / 1024)
    budget = Measured("budget")
    budget.values.append(16.0)
    proto_rate = rates["Proto POST /api/documents"]
    return [
        at_least(f"5. upload {size_mb:.0f} MB vs streaming CherryPy+expat", proto_rate,
                 rates["CherryPy handler streaming expat"], 1.0, unit="MB/s"),
        at_least("5b. upload vs expat alone (aim)", proto_rate, rates["expat alone"], 0.5, unit="MB/s"),
        at_most("6. peak RSS growth during upload", growth, budget, 1.0, unit="MiB"),
    ]


def _post_raw(url: str, path: Path) -> None:
    import http.client
    import urllib.parse
    netloc = urllib.parse.urlsplit(url).netloc
    host, port = netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=600)
    connection.putrequest("POST", "/")
    connection.putheader("Content-Type", "application/xml")
    connection.putheader("Content-Length", str(path.stat().st_size))
    connection.endheaders()
    with open(path, "rb") as file:
        while chunk := file.read(256 * 1024):
            connection.send(chunk)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    if answer.status != 200:
        raise RuntimeError(f"the expat sink answered {answer.status}")


SCENARIOS: dict[str, Callable[[Options], list[Outcome]]] = {
    "status": scenario_status,
    "documents": scenario_documents_page,
    "upload": scenario_upload,
    "startup": scenario_startup,
}


def _span(values: list[float], unit: str) -> str:
    fmt = "{:.0f}" if unit == "req/s" else "{:.3f}"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def table(outcomes: list[Outcome]) -> str:
    """Format the outcomes as a Markdown table."""
    lines = ["| scenario | subject | median (min-max) | p50 ms | p99 ms | ratio | target | met |",
             "|---|---|---|---|---|---|---|---|"]
    for outcome in outcomes:
        for index, measured in enumerate([outcome.subject, outcome.ceiling, *outcome.extra]):
            latency = ((f"{statistics.median(measured.p50):.2f}", f"{statistics.median(measured.p99):.2f}")
                       if measured.p50 else ("", ""))
            verdict = (f"{outcome.ratio:.2f}", outcome.target, "yes" if outcome.met else "NO") if index == 0 \
                else (f"{measured.median / outcome.ceiling.median:.2f}" if index > 1 else "1.00", "", "")
            lines.append(f"| {outcome.scenario if index == 0 else ''} | {measured.name} | "
                         f"{_span(measured.values, outcome.unit)} {outcome.unit} | {latency[0]} | {latency[1]} | "
                         f"{' | '.join(verdict)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and print the table; exit 0 whatever the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds per scenario, to prove it runs")
    parser.add_argument("--seconds", type=float, help="wrk duration per measurement (default 10, quick 1)")
    parser.add_argument("--rounds", type=int, help="A B rounds (default 3, quick 1)")
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], help="which scenarios (default: all)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="proto-bench-") as work:
        options = Options(seconds=args.seconds or (1 if args.quick else 10),
                          rounds=args.rounds or (1 if args.quick else 3), work=Path(work),
                          documents=200 if args.quick else 10_000,
                          upload_bytes=(5 if args.quick else 100) * 1_000_000)
        if os.environ.get("PROTO_BENCH_DATABASE_URL"):
            options.postgres_url = os.environ["PROTO_BENCH_DATABASE_URL"]
        outcomes: list[Outcome] = []
        for name in args.scenarios or SCENARIOS:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            outcomes.extend(SCENARIOS[name](options))
    print(table(outcomes))
    errors = sum(outcome.subject.errors + outcome.ceiling.errors for outcome in outcomes)
    if errors:
        print(f"\n{errors} requests failed during the run: the figures above are suspect.")
    return 0
