"""Proto under real WSGI hosts and front servers, each running tests/hosts/scenario.py."""

import pytest

# The scenario's asserts say what differed, like a test module's.
pytest.register_assert_rewrite("tests.hosts.scenario")
