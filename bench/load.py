"""Load a URL with wrk and read back requests per second and latency percentiles."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess



@dataclasses.dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _millis(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _millis(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = _millis(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return LoadResult(rps, p50, p99, errors + (int(non_2xx.group(1)) if non_2xx else 0))


def wrk(url: str, *, seconds: float, connections: int = 16, threads: int = 2,
        headers: dict[str, str] | None = None) -> LoadResult:
    """Run wrk with keep-alive against one URL and return what it measured."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return parse_wrk(output)
