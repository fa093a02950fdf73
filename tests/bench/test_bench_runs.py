"""The benchmark must keep working: run it in quick mode and read its table (no speed is asserted)."""

import os
import subprocess
import sys

import pytest

from proto.settings import PROJECT_ROOT
from tests.conftest import IN_CI, POSTGRES_URL, require_program


def require_postgres() -> None:
    """Scenario 3 measures PostgreSQL: it needs the test database URL (CI sets it)."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("PROTO_TEST_DATABASE_URL is not set, and CI must run every test", pytrace=False)
        pytest.skip("PROTO_TEST_DATABASE_URL is not set")


def test_quick_benchmark_prints_a_row_per_scenario():
    require_program("wrk")
    require_postgres()
    result = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=900, env={**os.environ, "PROTO_BENCH_DATABASE_URL": POSTGRES_URL})
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    scenarios = [row.split("|")[1].strip() for row in rows if row.split("|")[1].strip()]
    assert scenarios[0] == "scenario"
    assert [name.split(" ", 1)[0] for name in scenarios[1:]] == ["1.", "2.", "3.", "4.", "5.", "5b.", "6.", "7."]
    assert "requests failed" not in result.stdout


def test_the_in_process_profile_logs_in_and_times_each_page():
    result = subprocess.run([sys.executable, "-m", "bench.profile", "--documents", "30", "--requests", "10",
                             "--profile"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    names = [line.split("  ")[0] for line in result.stdout.splitlines() if line.endswith("x hello")]
    assert names == ["CherryPy hello", "Proto /status", "Proto /documents/", "Proto /documents/, CPU on 10 threads"]
    assert "Ordered by: internal time" in result.stdout
