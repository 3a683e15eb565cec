"""Where a webhook may go: public addresses only, unless TOLLGATE_WEBHOOK_ALLOW names the host
or a network that holds the address.

Checked when a subscription is registered (the URL, and what its host resolves to then) and
again before every delivery (transport.py resolves the host once, checks every address and
connects to a checked one), so a name that later resolves to 127.0.0.1 or to the cloud
metadata service reaches nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

ALLOW_VARIABLE = "TOLLGATE_WEBHOOK_ALLOW"
MAX_URL = 2000
SCHEMES = ("http", "https")
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
METADATA_NAMES = frozenset(
    ("metadata", "metadata.google.internal", "metadata.goog", "instance-data")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*\.?", re.IGNORECASE)
_FIX = f"webhooks go to public addresses only, unless {ALLOW_VARIABLE} names the host"


class Refused(Exception):
    """This URL, or an address its host resolves to, may not receive webhooks (says why)."""


class Unresolved(Exception):
    """The host name did not resolve to any address."""


@dataclass(frozen=True)
class AllowList:
    """Host names and networks that may receive webhooks although not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Host names, addresses and CIDRs (infra.settings checked their form)."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip().strip("[]").lower() for e in entries):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts - {""}), tuple(networks))

    def names(self, host: str) -> bool:
        return host.rstrip(".").lower() in self.hosts

    def holds(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


@functools.lru_cache(maxsize=8)
def allow_list(entries: tuple[str, ...]) -> AllowList:
    return AllowList.parse(entries)


def problem(address: IPAddress) -> str | None:
    """What keeps `address` from receiving webhooks, or None for a public address."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        found = problem(inner)
        return f"{found} (IPv4 {inner} inside IPv6)" if found else None
    checks = (
        (address in METADATA, "a cloud metadata address"),
        (address.is_unspecified, "the unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    return next((what for hit, what in checks if hit), None)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo client, NAT64)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def literal(host: str) -> IPAddress | None:
    """`host` as the address a resolver reads it as (`[::1]`, `2130706433`, `0x7f.1`)."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def check_address(host: str, address: IPAddress, allow: AllowList) -> None:
    found = None if allow.holds(address) else problem(address)
    if found is None:
        return
    if literal(host) == address:
        raise Refused(f"{host} is {found}; {_FIX} or a network holding it")
    raise Refused(f"{host} resolves to {found}; {_FIX}")


def check_url(url: str, allow: AllowList) -> httpx.URL:
    """The URL, parsed, if its form and host may receive webhooks (no DNS look-up)."""
    if len(url) > MAX_URL:
        raise Refused(f"the URL is longer than {MAX_URL} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise Refused("the URL contains spaces or control characters")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise Refused(f"not a valid URL ({exc})") from None
    if parsed.scheme not in SCHEMES:
        raise Refused("only http:// and https:// URLs can receive webhooks")
    if not parsed.host:
        raise Refused("the URL has no host")
    if parsed.userinfo:
        raise Refused("the URL may not carry credentials: the secret signs every delivery")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise Refused(f"{parsed.port} is not a port number")
    host = parsed.host.rstrip(".").lower()
    if literal(host) is None and not _HOST_NAME.fullmatch(parsed.raw_host.decode("ascii")):
        raise Refused(f"{parsed.host[:80]!r} is not a valid host name")
    if allow.names(host):
        return parsed
    if host in METADATA_NAMES:
        raise Refused(f"{host} is a cloud metadata service; {_FIX}")
    if host == "localhost" or host.endswith(".localhost"):
        raise Refused(f"{host} is a loopback name; {_FIX}")
    if (address := literal(host)) is not None:
        check_address(host, address, allow)
    return parsed


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (one look-up)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except (OSError, UnicodeError):
        raise Unresolved(host) from None
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def resolve_checked(host: str, port: int, allow: AllowList, resolve: Resolver) -> IPAddress:
    """Resolve once, check every address (one bad address refuses them all), return the
    first: the one to connect to."""
    addresses = await resolve(host, port)
    if not addresses:
        raise Unresolved(host)
    if not allow.names(host):
        for address in addresses:
            check_address(host, address, allow)
    return addresses[0]


async def check_registration(
    url: str, allow: AllowList, resolve: Resolver = system_resolve, timeout: float = 2.0
) -> str:
    """Refuse a URL whose host is not public now; a name that does not resolve yet is
    accepted (each delivery checks again)."""
    parsed = check_url(url, allow)
    host = parsed.host
    if literal(host) is None and not allow.names(host):
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        with contextlib.suppress(Unresolved, TimeoutError):
            await asyncio.wait_for(resolve_checked(host, port, allow, resolve), timeout)
    return url
