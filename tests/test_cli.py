"""The admin command line, run as an operator would: ``python -m proto ...``."""

import subprocess
import sys

from proto.settings import PROJECT_ROOT
from proto.storage import schema
from proto.storage.database import Database, create_database_engine

TEST_CONFIG = PROJECT_ROOT / "conf" / "test.conf"


def proto(*args, env, stdin=None):
    """Run ``python -m proto`` with the test environment and return the finished process."""
    import os
    return subprocess.run([sys.executable, "-m", "proto", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=PROJECT_ROOT, timeout=60)


def test_init_db_creates_then_keeps_the_schema(environ, database_url):
    first = proto("--config", str(TEST_CONFIG), "init-db", env=environ)
    assert first.returncode == 0, first.stderr
    assert f"schema upgraded from empty to revision {schema.head_revision()}" in first.stdout
    db = Database(create_database_engine(database_url))
    assert schema.current_revision(db) == schema.head_revision()
    db.dispose()
    again = proto("--config", str(TEST_CONFIG), "init-db", env=environ)
    assert again.returncode == 0
    assert "schema already at revision" in again.stdout


def test_a_bad_config_is_one_line_on_stderr(environ, tmp_path):
    config = tmp_path / "bad.conf"
    config.write_text("[proto]\nbogus = 1\n")
    result = proto("--config", str(config), "init-db", env=environ)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"proto init-db: {config}: [proto] bogus: unknown setting")


def test_an_unreachable_database_is_one_line_on_stderr(environ):
    env = {**environ, "PROTO_DATABASE_URL": "postgresql+psycopg://127.0.0.1:1/none"}
    result = proto("--config", str(TEST_CONFIG), "init-db", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("proto init-db: database error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_an_unknown_command_is_refused():
    result = subprocess.run([sys.executable, "-m", "proto", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
