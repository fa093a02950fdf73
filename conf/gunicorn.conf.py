"""gunicorn settings for Proto: ``PROTO_CONFIG=conf/production.conf gunicorn -c conf/gunicorn.conf.py``.

Flags on the command line win (``--bind 127.0.0.1:9000``). Mount under a
prefix with ``SCRIPT_NAME=/proto`` in gunicorn's environment.
"""

import os

wsgi_app = "proto.wsgi:application"
bind = os.environ.get("PROTO_BIND", "127.0.0.1:8000")
# Two processes use two cores; sessions and documents live in the database and data_dir, so any worker serves anyone.
workers = 2
# No --preload: each worker imports Proto and starts CherryPy's engine after the fork. An engine started in the
# master before forking never runs its threads (session cleanup, monitors) in the workers.
preload_app = False
# gunicorn 25+ opens a control socket in the home folder by default: Proto needs none.
control_socket_disable = True
# Only a front server on this machine may set X-Forwarded-* and the SCRIPT_NAME header.
forwarded_allow_ips = "127.0.0.1"
# Uploads of 32 MiB on a slow link take longer than the default 30 s.
timeout = 120


def on_starting(server) -> None:
    """Check the settings and database once in the master, so a bad one stops gunicorn with one line."""
    # Workers would find it too, but two failing at once can make gunicorn 27 end in a traceback.
    from proto.startup import load_or_exit

    load_or_exit(4).services.db.dispose()  # 4: gunicorn's "App failed to load"
