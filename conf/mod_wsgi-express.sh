#!/bin/sh
# Proto under Apache with mod_wsgi-express: two daemon processes, as www-data.
#
#   PROTO_CONFIG=/srv/proto/conf/production.conf PROTO_DATA_DIR=/srv/proto-data \
#   PROTO_MODWSGI_PORT=8000 PROTO_MODWSGI_ROOT=/var/lib/proto-apache conf/mod_wsgi-express.sh
#
# Needs: Debian's apache2 and apache2-dev, and a venv made from Debian's Python
# (/usr/bin/python3.11 -m venv /opt/proto-venv; package python3-venv) with
# `pip install --no-cache-dir mod_wsgi` and `pip install -e '/srv/proto[postgres]'`,
# its bin/ first on PATH. Apache's workers run as www-data: a Python under /root
# (mode 0700, as pyenv's) makes them crash, so the venv, the checkout and the config
# must be readable by www-data and PROTO_DATA_DIR writable by it.
# PROTO_PREFIX=/proto mounts Proto (and Apache's /static alias) under /proto; extra
# flags (such as --include-file for client certificates, see the README) are passed on.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
exec mod_wsgi-express start-server "$here/proto/wsgi.py" \
    --host "${PROTO_MODWSGI_HOST:-127.0.0.1}" --port "${PROTO_MODWSGI_PORT:-8000}" \
    --server-root "${PROTO_MODWSGI_ROOT:-/tmp/proto-mod_wsgi}" \
    --processes 2 --threads 5 \
    --user www-data --group www-data \
    --locale C.UTF-8 \
    --python-path "$here" \
    --mount-point "${PROTO_PREFIX:-/}" \
    --url-alias "${PROTO_PREFIX:-}/static" "$here/static" \
    --limit-request-body 67108864 \
    --request-timeout 120 \
    --log-to-terminal \
    "$@"
