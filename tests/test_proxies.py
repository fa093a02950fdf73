"""Tests for proto.proxies: who may speak for the client, and what they may say."""

from __future__ import annotations

import ipaddress

import pytest

from proto.proxies import (
    ProxyHeaderError,
    client_address,
    forwarded_scheme,
    is_trusted,
    parse_trusted_proxies,
    too_broad,
)

# A front server on this machine, an internal load-balancer network, and an
# IPv6 proxy network: the shape of a real deployment.
TRUSTED = parse_trusted_proxies(["127.0.0.1", "::1", "10.0.0.0/8", "2001:db8:1::/48"])


# --------------------------------------------------------------------------
# parse_trusted_proxies


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["127.0.0.1"], ["127.0.0.1/32"]),
        (["10.0.0.0/8", "192.168.1.0/24"], ["10.0.0.0/8", "192.168.1.0/24"]),
        (["::1"], ["::1/128"]),
        (["2001:db8::/32"], ["2001:db8::/32"]),
        ([" 10.1.2.3 "], ["10.1.2.3/32"]),
        (["::ffff:127.0.0.1"], ["127.0.0.1/32"]),
        (["::ffff:10.0.0.0/104"], ["10.0.0.0/8"]),
        (["127.0.0.1", "127.0.0.1/32"], ["127.0.0.1/32"]),
        ([], []),
        ((v for v in ["172.16.0.0/12"]), ["172.16.0.0/12"]),
        ("127.0.0.1, 10.0.0.0/8  ::1", ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]),
    ],
)
def test_parse_trusted_proxies(values, expected: list[str]) -> None:
    assert [str(network) for network in parse_trusted_proxies(values)] == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10.0.0.1/8", r"'10\.0\.0\.1/8' has host bits set.*10\.0\.0\.0/8"),
        ("2001:db8::1/32", "has host bits set"),
        ("localhost", "'localhost' is not an IP address or network"),
        ("10.0.0.0/33", "is not an IP address or network"),
        ("256.1.1.1", "is not an IP address or network"),
        ("1.2.3.4:80", "is not an IP address or network"),
        ("", "empty entry"),
        ("   ", "empty entry"),
    ],
)
def test_parse_trusted_proxies_rejects(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_trusted_proxies([value])


def test_parse_trusted_proxies_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="not a string"):
        parse_trusted_proxies([ipaddress.ip_address("127.0.0.1")])  # type: ignore[list-item]


# --------------------------------------------------------------------------
# is_trusted


@pytest.mark.parametrize(
    ("address", "trusted"),
    [
        ("127.0.0.1", True),
        ("10.200.3.4", True),
        ("::1", True),
        ("2001:db8:1::abcd", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.1.1.1", True),
        ("[::1]", True),
        ("127.0.0.2", False),
        ("11.0.0.1", False),
        ("2001:db8:2::1", False),
        ("::ffff:8.8.8.8", False),
        ("::2", False),
        ("", False),
        (None, False),
        ("   ", False),
        ("localhost", False),
        ("/run/proto.sock", False),
        ("127.0.0.1.evil", False),
        ("127.1", False),
    ],
)
def test_is_trusted(address: str | None, trusted: bool) -> None:
    assert is_trusted(address, TRUSTED) is trusted


def test_is_trusted_with_no_networks() -> None:
    assert not is_trusted("127.0.0.1", ())


def test_mapped_network_in_config_matches_plain_ipv4_peer() -> None:
    networks = parse_trusted_proxies(["::ffff:192.0.2.0/120"])
    assert is_trusted("192.0.2.9", networks)
    assert is_trusted("::ffff:192.0.2.9", networks)


def test_scoped_ipv6_peer() -> None:
    networks = parse_trusted_proxies(["fe80::/10"])
    assert is_trusted("fe80::1%eth0", networks)


# --------------------------------------------------------------------------
# client_address


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        # Straight from the client: the peer, whatever the header claims.
        ("203.0.113.7", None, "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ("203.0.113.7", "127.0.0.1", "203.0.113.7"),
        ("203.0.113.7", "garbage, %%%", "203.0.113.7"),
        ("2001:db8:9::1", "10.0.0.1", "2001:db8:9::1"),
        ("::ffff:203.0.113.7", "10.0.0.1", "203.0.113.7"),
        # Through one trusted proxy.
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("::1", "198.51.100.1", "198.51.100.1"),
        ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "2001:db8:9::1", "2001:db8:9::1"),
        ("127.0.0.1", "  198.51.100.1  ", "198.51.100.1"),
        ("127.0.0.1", "::ffff:198.51.100.1", "198.51.100.1"),
        # A trusted proxy without the header: the proxy itself is the client.
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("::ffff:127.0.0.1", None, "127.0.0.1"),
        # Chains: walk from the right past trusted proxies.
        ("127.0.0.1", "198.51.100.1, 10.0.0.5", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1, 10.0.0.5, 10.0.0.6", "198.51.100.1"),
        ("127.0.0.1", "198.51.100.1,10.0.0.5", "198.51.100.1"),
        ("10.0.0.9", "198.51.100.1, 2001:db8:1::7", "198.51.100.1"),
        # The client prepended lies: only the entry the trusted proxy added counts.
        ("127.0.0.1", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "10.0.0.1, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "garbage, 198.51.100.1", "198.51.100.1"),
        ("127.0.0.1", "127.0.0.1, 198.51.100.1, 10.0.0.5", "198.51.100.1"),
        # Every hop trusted: the leftmost is the client.
        ("127.0.0.1", "10.0.0.1, 10.0.0.2", "10.0.0.1"),
        ("127.0.0.1", "127.0.0.1", "127.0.0.1"),
        # Ports and brackets as some proxies write them.
        ("127.0.0.1", "198.51.100.1:5555", "198.51.100.1"),
        ("127.0.0.1", "[2001:db8:9::1]:5555", "2001:db8:9::1"),
        ("127.0.0.1", "[2001:db8:9::1]", "2001:db8:9::1"),
        # Not an IP peer (a Unix socket): unchanged, header ignored.
        ("", "198.51.100.1", ""),
        ("/run/proto.sock", "198.51.100.1", "/run/proto.sock"),
    ],
)
def test_client_address(peer: str, forwarded_for: str | None, expected: str) -> None:
    assert client_address(peer, forwarded_for, TRUSTED) == expected


def test_client_address_trusts_nobody_by_default() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


@pytest.mark.parametrize(
    "forwarded_for",
    [
        "garbage",
        "198.51.100.1, garbage",
        "198.51.100.1, 10.0.0.5, unknown",
        "198.51.100.1,",
        ",",
        "198.51.100.1 10.0.0.5",
        "999.1.1.1",
        "198.51.100.1, 10.0.0.5, %%",
        "[::1",
        "http://198.51.100.1/",
    ],
)
def test_client_address_rejects_garbage_from_trusted_proxy(forwarded_for: str) -> None:
    with pytest.raises(ProxyHeaderError, match="X-Forwarded-For"):
        client_address("127.0.0.1", forwarded_for, TRUSTED)


def test_proxy_header_error_is_a_value_error() -> None:
    assert issubclass(ProxyHeaderError, ValueError)


# --------------------------------------------------------------------------
# forwarded_scheme


@pytest.mark.parametrize(
    ("peer", "proto", "expected"),
    [
        ("127.0.0.1", "https", "https"),
        ("127.0.0.1", "http", "http"),
        ("127.0.0.1", "HTTPS", "https"),
        ("127.0.0.1", " https ", "https"),
        ("::ffff:127.0.0.1", "https", "https"),
        ("2001:db8:1::1", "https", "https"),
        ("127.0.0.1", "http, https", "https"),
        ("127.0.0.1", "https, http", "http"),
        ("127.0.0.1", None, None),
        ("127.0.0.1", "", None),
        # Spoofed from an untrusted peer: ignored, even when nonsense.
        ("203.0.113.7", "https", None),
        ("203.0.113.7", "gopher", None),
        ("::ffff:203.0.113.7", "https", None),
        ("", "https", None),
    ],
)
def test_forwarded_scheme(peer: str, proto: str | None, expected: str | None) -> None:
    assert forwarded_scheme(peer, proto, TRUSTED) == expected


@pytest.mark.parametrize("proto", ["ftp", "https:", "wss", "https, ftp", "https,", "h t t p"])
def test_forwarded_scheme_rejects_garbage_from_trusted_proxy(proto: str) -> None:
    with pytest.raises(ProxyHeaderError, match="X-Forwarded-Proto"):
        forwarded_scheme("127.0.0.1", proto, TRUSTED)


# --------------------------------------------------------------------------
# too_broad


@pytest.mark.parametrize(
    ("values", "broad"),
    [
        (["127.0.0.1", "::1", "10.0.0.0/8", "192.168.0.0/16"], []),
        (["172.16.0.0/12", "2001:db8::/32", "fd00::/8"], []),
        (["0.0.0.0/0"], ["0.0.0.0/0"]),
        (["::/0"], ["::/0"]),
        (["0.0.0.0/1", "128.0.0.0/1"], ["0.0.0.0/1", "128.0.0.0/1"]),
        (["8.0.0.0/7"], ["8.0.0.0/7"]),
        (["2000::/3"], ["2000::/3"]),
        (["2001::/16"], ["2001::/16"]),
        (["127.0.0.1", "0.0.0.0/0", "10.0.0.0/8"], ["0.0.0.0/0"]),
        # IPv4-mapped space is IPv4: all of it is the whole IPv4 internet.
        (["::ffff:0:0/96"], ["0.0.0.0/0"]),
        # Private and link-local IPv6 may be wide without trusting strangers.
        (["fc00::/7", "fe80::/10"], []),
    ],
)
def test_too_broad(values: list[str], broad: list[str]) -> None:
    assert too_broad(parse_trusted_proxies(values)) == broad
