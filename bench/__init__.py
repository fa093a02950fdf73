"""Benchmarks that print ratios against the stack's own ceiling, measured side by side in one run.

    python -m bench            # the full run (several minutes)
    python -m bench --quick    # a few seconds per scenario: proves the benchmark still works
"""
