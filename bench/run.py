"""The benchmark run: start the servers, alternate A B A B, print one table of ratios.

Absolute figures drift 10-20 % between runs on shared machines; ratios of
medians measured side by side in one run hold. Nothing here asserts speed.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench import servers
from bench.load import LoadResult, wrk


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
    proto, hello = Measured("Proto run.py → 200 /status"), Measured("CherryPy hello → 200")
    for _ in range(max(3, options.rounds)):
        proto.values.append(_time_to_first_200(lambda: servers.proto(options.work, data), "/status"))
        hello.values.append(_time_to_first_200(lambda: servers.hello_cherrypy(options.work), "/"))
    return [at_most("7. start-up time vs CherryPy hello", proto, hello, 1.5, unit="s")]


SCENARIOS: dict[str, Callable[[Options], list[Outcome]]] = {
    "status": scenario_status,
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
                          rounds=args.rounds or (1 if args.quick else 3), work=Path(work))
        outcomes: list[Outcome] = []
        for name in args.scenarios or SCENARIOS:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            outcomes.extend(SCENARIOS[name](options))
    print(table(outcomes))
    errors = sum(outcome.subject.errors + outcome.ceiling.errors for outcome in outcomes)
    if errors:
        print(f"\n{errors} requests failed during the run: the figures above are suspect.")
    return 0
