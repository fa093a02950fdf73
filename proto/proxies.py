"""Trusted front servers: the real client address and scheme behind proxies.

Turned on by the ``[proto]`` config key ``trusted_proxies`` (a list of addresses
or networks, e.g. ``["127.0.0.1", "10.0.0.0/8"]``). Only a request whose TCP peer
is in that list may speak for the client through ``X-Forwarded-For``,
``X-Forwarded-Proto`` or the client-certificate headers; from any other peer
those headers are ignored, because anyone can send them.

Plain Python on purpose (no cherrypy import): the request tools, the
production self-check and the tests all use it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "Network",
    "ProxyHeaderError",
    "client_address",
    "forwarded_scheme",
    "is_trusted",
    "parse_trusted_proxies",
    "too_broad",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# "[2001:db8::1]:8080" and "192.0.2.1:8080": some proxies record the client's
# port too; the address is all Proto needs.
_BRACKETED = re.compile(r"\[(?P<address>[^\]]+)\](?::\d{1,5})?")
_IPV4_WITH_PORT = re.compile(r"(?P<address>\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}")

# Broader than this trusts a good part of the internet (spelled out in the
# brief for the production self-check).
_MIN_PREFIX = {4: 8, 6: 32}
# Wholly private or local IPv6 space may be broader than /32 without trusting
# strangers (IPv4's private blocks are all /8 or narrower anyway).
_LOCAL_IPV6 = (
    ipaddress.IPv6Network("fc00::/7"),
    ipaddress.IPv6Network("fe80::/10"),
)
_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


class ProxyHeaderError(ValueError):
    """A forwarding header from a trusted proxy that cannot be understood."""


def parse_trusted_proxies(values: Iterable[str] | str) -> tuple[Network, ...]:
    """Parse the trusted_proxies setting: addresses and CIDR networks.

    A single string is split on commas and whitespace, as an environment
    variable would give it. A network with host bits set is refused rather than
    widened: "10.0.0.1/8" is more likely a typo than a wish to trust 10.0.0.0/8.
    """
    if isinstance(values, str):
        values = [part for part in re.split(r"[\s,]+", values) if part]
    networks: list[Network] = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"trusted_proxies: {value!r} is not a string")
        text = value.strip()
        if not text:
            raise ValueError("trusted_proxies: empty entry")
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            if "has host bits set" in str(exc):
                raise ValueError(
                    f"trusted_proxies: {text!r} has host bits set; write the network"
                    f" address ({ipaddress.ip_network(text, strict=False)}) or a single"
                    " address"
                ) from None
            raise ValueError(
                f"trusted_proxies: {text!r} is not an IP address or network"
            ) from None
        network = _unmap_network(network)
        if network not in networks:
            networks.append(network)
    return tuple(networks)


def is_trusted(address: str | None, networks: Sequence[Network]) -> bool:
    """Tell whether `address` (a peer address) is one of the trusted proxies."""
    parsed = _parse_address(address) if address else None
    return parsed is not None and _in_networks(parsed, networks)


def client_address(
    peer: str, forwarded_for: str | None, networks: Sequence[Network]
) -> str:
    """Return the real client address, honouring X-Forwarded-For from trusted peers only.

    From a trusted peer the header is walked from the right (the entries that
    trusted proxies appended), skipping trusted proxies; the first untrusted
    entry is the client. Entries left of it were written by the client and are
    never examined. If every entry is trusted, the leftmost one is the client.
    """
    parsed_peer = _parse_address(peer) if peer else None
    if parsed_peer is None or not _in_networks(parsed_peer, networks):
        # Unix sockets and other non-IP peers come back unchanged.
        return str(parsed_peer) if parsed_peer is not None else peer
    if forwarded_for is None or not forwarded_for.strip():
        return str(parsed_peer)
    # Several X-Forwarded-For headers arrive joined by commas (RFC 9110 §5.3).
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    current = parsed_peer
    for entry in reversed(entries):
        address = _parse_address(entry)
        if address is None:
            raise ProxyHeaderError(
                f"X-Forwarded-For from a trusted proxy has an invalid entry: {entry[:64]!r}"
            )
        current = address
        if not _in_networks(address, networks):
            return str(address)
    return str(current)


def forwarded_scheme(
    peer: str, forwarded_proto: str | None, networks: Sequence[Network]
) -> str | None:
    """Return "https" or "http" from X-Forwarded-Proto of a trusted peer, else None.

    With several comma-separated values the rightmost wins: it was set by the
    proxy nearest to us, the one we trust.
    """
    if not forwarded_proto or not forwarded_proto.strip() or not is_trusted(peer, networks):
        return None
    values = [value.strip().lower() for value in forwarded_proto.split(",")]
    for value in values:
        if value not in ("http", "https"):
            raise ProxyHeaderError(
                f"X-Forwarded-Proto from a trusted proxy is not http or https: {value[:32]!r}"
            )
    return values[-1]


def too_broad(networks: Iterable[Network]) -> list[str]:
    """List the trusted networks broad enough to trust large parts of the internet."""
    broad: list[str] = []
    for network in networks:
        network = _unmap_network(network)
        if network.prefixlen >= _MIN_PREFIX[network.version]:
            continue
        if isinstance(network, ipaddress.IPv6Network) and any(
            network.subnet_of(local) for local in _LOCAL_IPV6
        ):
            continue
        broad.append(str(network))
    return broad


def _parse_address(text: str) -> Address | None:
    """Parse an address as proxies and servers write it, or return None."""
    text = text.strip()
    match = _BRACKETED.fullmatch(text) or _IPV4_WITH_PORT.fullmatch(text)
    if match:
        text = match.group("address")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        # A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; compare them
        # with the IPv4 networks an operator writes. A zone (%eth0) does not
        # change which host it is.
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id is not None:
            return ipaddress.IPv6Address(text.split("%", 1)[0])
    return address


def _in_networks(address: Address, networks: Sequence[Network]) -> bool:
    """Tell whether a parsed address lies in any of `networks`."""
    return any(
        address.version == network.version and address in network for network in networks
    )


def _unmap_network(network: Network) -> Network:
    """Rewrite an IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) as its IPv4 network."""
    if (
        isinstance(network, ipaddress.IPv6Network)
        and network.prefixlen >= 96
        and network.subnet_of(_IPV4_MAPPED)
    ):
        mapped = network.network_address.ipv4_mapped
        assert mapped is not None
        return ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}")
    return network
