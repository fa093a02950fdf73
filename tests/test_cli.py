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


def init(environ):
    assert proto("--config", str(TEST_CONFIG), "init-db", env=environ).returncode == 0


def test_create_user_reads_the_password_from_stdin(environ, database_url):
    init(environ)
    result = proto("--config", str(TEST_CONFIG), "create-user", "Ops", "--admin", "--password-stdin",
                   env=environ, stdin="a long password\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "created admin Ops\n"
    db = Database(create_database_engine(database_url))
    from proto import accounts
    assert accounts.authenticate(db, "ops", "a long password").is_admin
    db.dispose()
    again = proto("--config", str(TEST_CONFIG), "create-user", "OPS", "--password-stdin", env=environ,
                  stdin="a long password\n")
    assert again.returncode == 1
    assert again.stderr == "proto create-user: The username 'OPS' is taken.\n"


def test_disable_user_and_set_password(environ, database_url):
    init(environ)
    proto("--config", str(TEST_CONFIG), "create-user", "ops", "--admin", "--password-stdin", env=environ,
          stdin="a long password\n")
    proto("--config", str(TEST_CONFIG), "create-user", "bot", "--password-stdin", env=environ,
          stdin="a long password\n")
    changed = proto("--config", str(TEST_CONFIG), "set-password", "bot", "--password-stdin", env=environ,
                    stdin="another password\n")
    assert changed.returncode == 0, changed.stderr
    disabled = proto("--config", str(TEST_CONFIG), "disable-user", "bot", env=environ)
    assert disabled.stdout == "disabled bot; its sessions have ended\n"
    db = Database(create_database_engine(database_url))
    from proto import accounts
    assert accounts.find_account(db, "bot").disabled
    db.dispose()
    last_admin = proto("--config", str(TEST_CONFIG), "disable-user", "ops", env=environ)
    assert last_admin.returncode == 1
    assert last_admin.stderr == "proto disable-user: The last active admin cannot be disabled.\n"
    missing = proto("--config", str(TEST_CONFIG), "disable-user", "ghost", env=environ)
    assert missing.stderr == "proto disable-user: no account named 'ghost'\n"
    short = proto("--config", str(TEST_CONFIG), "set-password", "ops", "--password-stdin", env=environ, stdin="x\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr


def test_commands_refuse_an_empty_database(environ):
    result = proto("--config", str(TEST_CONFIG), "disable-user", "x", env=environ)
    assert result.returncode == 1
    assert "the database is empty" in result.stderr


def test_make_certs_prints_passwords_and_fingerprints_once(environ, tmp_path):
    directory = tmp_path / "certs"
    result = proto("make-certs", str(directory), "--client", "alice", "--p12-password", "s3cret", env=environ)
    assert result.returncode == 0, result.stderr
    from proto.certificates import format_fingerprint, fingerprint, load_certificate
    alice = load_certificate((directory / "alice.pem").read_bytes())
    assert result.stdout.count("PKCS#12 password: s3cret") == 1
    assert f"SHA-256 fingerprint: {format_fingerprint(fingerprint(alice))}" in result.stdout
    assert (directory / "alice-key.pem").stat().st_mode & 0o777 == 0o600
    again = proto("make-certs", str(directory), "--client", "alice", env=environ)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr


def test_bind_cert_binds_once_and_refuses_what_it_cannot_bind(environ, database_url, tmp_path):
    init(environ)
    proto("--config", str(TEST_CONFIG), "create-user", "alice", "--password-stdin", env=environ,
          stdin="a long password\n")
    directory = tmp_path / "certs"
    proto("make-certs", str(directory), "--client", "alice", env=environ)
    bind = proto("--config", str(TEST_CONFIG), "bind-cert", "alice", str(directory / "alice.pem"), env=environ)
    assert bind.returncode == 0, bind.stderr
    assert bind.stdout.startswith("bound certificate ") and bind.stdout.endswith(" to alice\n")
    for args, message in [
        (("alice", str(directory / "alice.pem")), "is already bound to an account"),
        (("alice", str(directory / "alice-key.pem")), "not a PEM certificate"),
        (("alice", str(directory / "missing.pem")), "cannot read"),
        (("ghost", str(directory / "alice.pem")), "no account named 'ghost'"),
    ]:
        refused = proto("--config", str(TEST_CONFIG), "bind-cert", *args, env=environ)
        assert refused.returncode == 1
        assert refused.stderr.count("\n") == 1 and message in refused.stderr, refused.stderr
    from proto import audit
    db = Database(create_database_engine(database_url))
    rows, _ = audit.entries(db, action="cli-bind-cert")
    assert len(rows) == 1 and rows[0].username == "alice"
    db.dispose()
    fingerprint = bind.stdout.split()[2]
    revoke = proto("--config", str(TEST_CONFIG), "revoke-cert", fingerprint, env=environ)
    assert revoke.returncode == 0, revoke.stderr
    twice = proto("--config", str(TEST_CONFIG), "revoke-cert", fingerprint, env=environ)
    assert twice.returncode == 1 and "no such unrevoked certificate" in twice.stderr


def test_bind_cert_refuses_an_expired_certificate(environ, tmp_path):
    import datetime as dt
    from proto.certificates import make_client_certificate, make_dev_pki
    init(environ)
    proto("--config", str(TEST_CONFIG), "create-user", "alice", "--password-stdin", env=environ,
          stdin="a long password\n")
    pki = make_dev_pki(tmp_path / "certs")
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=10)
    old = make_client_certificate(pki.ca_certificate, pki.ca_private_key, "old", tmp_path / "certs",
                                  not_before=past, not_after=past + dt.timedelta(days=1))
    refused = proto("--config", str(TEST_CONFIG), "bind-cert", "alice", str(old.certificate), env=environ)
    assert refused.returncode == 1 and "is expired" in refused.stderr
