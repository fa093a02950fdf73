"""The production self-check warns about unsafe settings and stays quiet about safe ones."""

import pytest

from proto.proxies import parse_trusted_proxies
from proto.selfcheck import production_warnings

SAFE_SERVER = {"server.ssl_certificate": "/etc/proto/server.pem"}


def test_development_is_never_warned_about(settings):
    assert production_warnings(settings.replace(environment="development"), "0.0.0.0") == []


def test_a_safe_production_setup_has_no_warnings(settings):
    production = settings.replace(environment="production", debug=False, server=SAFE_SERVER)
    assert production_warnings(production, "0.0.0.0") == []
    behind_proxy = settings.replace(environment="production", debug=False,
                                    trusted_proxies=parse_trusted_proxies(["127.0.0.1"]))
    assert production_warnings(behind_proxy, "127.0.0.1") == []


@pytest.mark.parametrize(("changes", "host", "expected"), [
    ({}, "127.0.0.1", "session cookies will not be Secure"),
    ({"debug": True, "server": SAFE_SERVER}, "127.0.0.1", "clients will see tracebacks"),
    ({"trusted_proxies": parse_trusted_proxies(["127.0.0.1"])}, "0.0.0.0", "plain HTTP on 0.0.0.0"),
    ({"server": SAFE_SERVER, "trusted_proxies": parse_trusted_proxies(["0.0.0.0/0"])}, "0.0.0.0",
     "trusted_proxies has 0.0.0.0/0"),
])
def test_unsafe_production_settings_are_warned_about(settings, changes, host, expected):
    production = settings.replace(**{"environment": "production", "debug": False, **changes})
    warnings = production_warnings(production, host)
    assert len(warnings) == 1 and expected in warnings[0]
