"""The production self-check: settings that work but are unsafe, said once at start.

    python run.py --config conf/production.conf

Warnings only (the operator may know better): cookies that would not be Secure,
tracebacks shown to clients, plain HTTP on a public address, and trusted_proxies
broad enough to let strangers forge client addresses and certificates.
Plain Python: run.py logs what it returns.
"""

from __future__ import annotations

import ipaddress

from proto.proxies import too_broad
from proto.settings import Settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # "" (every address) or a host name: assume it is reachable from elsewhere


def production_warnings(settings: Settings, host: str) -> list[str]:
    """Return what is unsafe about serving these settings on ``host`` in production."""
    if settings.environment != "production":
        return []
    warnings = []
    if not settings.https and not settings.trusted_proxies:
        warnings.append("no TLS and no trusted_proxies: session cookies will not be Secure and there is no HSTS")
    if settings.debug:
        warnings.append("request.show_tracebacks is on: clients will see tracebacks")
    if not settings.https and not _is_loopback(host):
        warnings.append(f"serving plain HTTP on {host}, a non-loopback address: passwords and cookies cross "
                        "the network in clear")
    broad = too_broad(settings.trusted_proxies)
    if broad:
        warnings.append(f"trusted_proxies has {', '.join(broad)}: anyone there can forge client addresses and "
                        "client certificates")
    return warnings
