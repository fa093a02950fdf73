"""The benchmark must keep working: run it in quick mode and read its table (no speed is asserted)."""

import subprocess
import sys

from proto.settings import PROJECT_ROOT
from tests.conftest import require_program


def test_quick_benchmark_prints_a_row_per_scenario():
    require_program("wrk")
    result = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line]
    scenarios = [row.split("|")[1].strip() for row in rows if row.split("|")[1].strip()]
    assert scenarios[0] == "scenario"
    assert scenarios[1:] == ["1. /status vs CherryPy hello", "7. start-up time vs CherryPy hello"]
    assert "requests failed" not in result.stdout
