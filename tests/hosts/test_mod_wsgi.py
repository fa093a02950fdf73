"""Proto under Apache + mod_wsgi-express (conf/mod_wsgi-express.sh): two daemon processes as www-data, under /proto.

mod_wsgi must be built against a Python that www-data can read: a venv from
Debian's /usr/bin/python3.11, built once and cached under /opt, keyed by setup.cfg
and the tree it installs (rebuilt when either changes). The tree itself is copied
under /opt for each run, because a checkout may live where www-data cannot read
(root's 0700 home).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from proto.settings import PROJECT_ROOT
from tests.conftest import IN_CI, require_program
from tests.hosts.conftest import ProtoSite, free_port, write_config
from tests.hosts.scenario import exercise

SYSTEM_PYTHON = Path("/usr/bin/python3.11")
TREE_KEY = hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:12]
READABLE_TREE = Path("/opt") / f"proto-modwsgi-tree-{TREE_KEY}"
MOD_WSGI_SCRIPT = READABLE_TREE / "conf" / "mod_wsgi-express.sh"


def missing(what: str) -> None:
    """Skip for lack of ``what`` on a laptop; fail in CI, which must run every test."""
    if IN_CI:
        pytest.fail(f"{what}, and CI must run every test", pytrace=False)
    pytest.skip(what)


def venv_dir() -> Path:
    """Return where the venv for this setup.cfg and this tree lives."""
    key = hashlib.sha256((PROJECT_ROOT / "setup.cfg").read_bytes() + str(READABLE_TREE).encode()).hexdigest()[:12]
    return Path("/opt") / f"proto-modwsgi-venv-{key}"


def copy_readable_tree() -> Path:
    """Copy this checkout (code, templates, static, conf) where Apache's www-data workers can read it."""
    shutil.rmtree(READABLE_TREE, ignore_errors=True)
    shutil.copytree(PROJECT_ROOT, READABLE_TREE, ignore=shutil.ignore_patterns(
        ".git", "var", "test-artifacts", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache"))
    subprocess.run(["chmod", "-R", "a+rX", str(READABLE_TREE)], check=True, timeout=60)
    return READABLE_TREE


@pytest.fixture(scope="session")
def mod_wsgi_venv() -> Path:
    """Return a www-data-readable venv with mod_wsgi and this tree installed, building it on first use."""
    require_program("apxs")  # apache2-dev: pip builds mod_wsgi with it
    require_program("apache2")
    if not SYSTEM_PYTHON.exists():
        missing(f"{SYSTEM_PYTHON} is not installed")
    tree = copy_readable_tree()
    venv = venv_dir()
    if (venv / "bin" / "mod_wsgi-express").exists() and (venv / ".complete").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [str(SYSTEM_PYTHON), "-m", "venv", str(venv)],
        # --no-cache-dir: root's pip cache is under /root, which www-data cannot read.
        [str(venv / "bin" / "pip"), "install", "-q", "--no-cache-dir", "mod_wsgi"],
        [str(venv / "bin" / "pip"), "install", "-q", "--no-cache-dir", "-e", f"{tree}[postgres]"],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            pytest.fail(f"{' '.join(step)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}", pytrace=False)
    subprocess.run(["chmod", "-R", "a+rX", str(venv)], check=True, timeout=60)
    (venv / ".complete").write_text("built\n")
    return venv


def www_data_site(environ: dict[str, str], world_dir: Path) -> ProtoSite:
    """Return a site whose config, data and logs www-data can reach, on this test's database."""
    folder = world_dir / "site"
    config = write_config(folder)
    data = folder / "data"
    env = {**environ, "PROTO_CONFIG": str(config), "PROTO_DATA_DIR": str(data)}
    url = make_url(environ["PROTO_DATABASE_URL"])
    if url.drivername == "sqlite":
        env["PROTO_DATABASE_URL"] = f"sqlite:///{data / 'proto.sqlite3'}"
    elif url.username is None:
        # Apache's workers are www-data, which has no PostgreSQL role: connect as the test's own user.
        env["PROTO_DATABASE_URL"] = url.set(username=getpass.getuser()).render_as_string(hide_password=False)
    return ProtoSite(env, folder)


def test_mod_wsgi_express_serves_the_scenario_under_a_prefix(mod_wsgi_venv, environ, world_dir, start_host):
    proto_site = www_data_site(environ, world_dir)
    site = proto_site.with_account()
    # The account and schema were made as root; Apache's workers run as www-data.
    subprocess.run(["chown", "-R", "www-data:www-data", str(proto_site.folder)], check=True, timeout=60)
    port = free_port()
    env = {**proto_site.env, "PATH": f"{mod_wsgi_venv / 'bin'}:{os.environ['PATH']}",
           "PROTO_MODWSGI_PORT": str(port), "PROTO_MODWSGI_ROOT": str(world_dir / "apache"), "PROTO_PREFIX": "/proto"}
    host = start_host([str(MOD_WSGI_SCRIPT)], env=env, name="mod_wsgi")
    host.wait_until_serving(f"http://127.0.0.1:{port}/proto/status", timeout=90)
    browser = exercise(f"http://127.0.0.1:{port}/proto", site, prefix="/proto")
    # Apache serves the static files itself: none of Proto's headers on them.
    assert "Content-Security-Policy" not in browser.get("/static/css/proto.css").headers
    assert host.stop() == 0
