"""Where webhooks may go: public http(s) addresses, or what TOLLGATE_WEBHOOK_ALLOW names.
No test here sends anything: resolvers are fakes."""

from __future__ import annotations

import ipaddress

import pytest

from api.webhooks.address import (
    AllowList,
    IPAddress,
    Refused,
    Unresolved,
    check_registration,
    check_url,
)
from infra.settings import ConfigError, load

NOBODY = AllowList()
REFUSED = {
    "http://127.0.0.1:5432/": "127.0.0.1 is a loopback address",
    "http://10.0.0.1/hook": "10.0.0.1 is a private address",
    "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a cloud metadata address",
    "http://[::1]:22/": "::1 is a loopback address",
    "http://0.0.0.0/": "0.0.0.0 is the unspecified address",
    "http://172.16.5.4/": "172.16.5.4 is a private address",
    "http://192.168.1.1/": "192.168.1.1 is a private address",
    "http://100.64.0.1/": "100.64.0.1 is not a public address",
    "http://224.0.0.1/": "224.0.0.1 is a multicast address",
    "http://240.0.0.1/": "240.0.0.1 is a reserved address",
    "http://[fe80::1]/": "fe80::1 is a link-local address",
    "http://[fc00::1]/": "fc00::1 is a private address",
    "http://[fd00:ec2::254]/": "fd00:ec2::254 is a cloud metadata address",
    "http://[ff02::1]/": "ff02::1 is a multicast address",
    "http://[::ffff:127.0.0.1]/": "loopback address (IPv4 127.0.0.1 inside IPv6)",
    "http://[::ffff:a9fe:a9fe]/": "cloud metadata address (IPv4 169.254.169.254 inside IPv6)",
    "http://[64:ff9b::a00:1]/": "private address (IPv4 10.0.0.1 inside IPv6)",
    "http://[2002:7f00:1::]/": "loopback address (IPv4 127.0.0.1 inside IPv6)",
    "http://2130706433/": "2130706433 is a loopback address",
    "http://0x7f.1/": "0x7f.1 is a loopback address",
    "http://127.1/": "127.1 is a loopback address",
    "http://localhost:8000/": "localhost is a loopback name",
    "http://api.localhost/": "api.localhost is a loopback name",
    "http://metadata.google.internal/": "metadata.google.internal is a cloud metadata service",
}


@pytest.mark.parametrize("url", list(REFUSED))
def test_a_url_to_a_non_public_address_is_refused_with_the_reason(url: str):
    with pytest.raises(Refused) as refused:
        check_url(url, NOBODY)
    assert REFUSED[url] in str(refused.value)
    assert "TOLLGATE_WEBHOOK_ALLOW" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("gopher://127.0.0.1:6379/_", "only http:// and https://"),
        ("http://user:pw@example.com/", "may not carry credentials"),
        ("http://exa mple.com/", "spaces or control characters"),
        ("http://example.com/\x00", "spaces or control characters"),
        ("https://example.com/" + "a" * 2000, "longer than 2000 characters"),
        ("http:///nohost", "no host"),
        ("http://example.com:99999/", "99999 is not a port number"),
        ("http://a..b/", "not a valid host name"),
        ("http://%31%32%37.0.0.1/", "not a valid host name"),
    ],
)
def test_a_url_of_the_wrong_form_is_refused(url: str, reason: str):
    with pytest.raises(Refused, match=reason):
        check_url(url, NOBODY)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/tollgate", "http://8.8.8.8:8080/x", "https://[2606:4700::1]/"],
)
def test_a_public_url_is_accepted(url: str):
    assert str(check_url(url, NOBODY)) == url


def test_the_allow_list_lets_through_the_hosts_and_networks_it_names_and_nothing_else():
    allow = AllowList.parse(["127.0.0.1", "10.0.0.0/8", "[::1]", "Receiver.Internal."])
    for url in (
        "http://127.0.0.1:9/",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://receiver.internal/",
    ):
        check_url(url, allow)
    for url in ("http://127.0.0.2/", "http://169.254.169.254/", "http://192.168.0.1/"):
        with pytest.raises(Refused):
            check_url(url, allow)


def test_an_allow_list_entry_that_is_neither_host_nor_network_stops_start_up():
    assert load({"TOLLGATE_WEBHOOK_ALLOW": "127.0.0.1, 10.0.0.0/8,hooks"}).webhook_allow == (
        "127.0.0.1",
        "10.0.0.0/8",
        "hooks",
    )
    for bad in ("10.0.0.0/33", "http://x", "a..b"):
        with pytest.raises(ConfigError, match="TOLLGATE_WEBHOOK_ALLOW"):
            load({"TOLLGATE_WEBHOOK_ALLOW": bad})


class FakeResolver:
    """Answers from a table; records every look-up."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, _port: int) -> list[IPAddress]:
        self.asked.append(host)
        if host not in self.table:
            raise Unresolved(host)
        return [ipaddress.ip_address(a) for a in self.table[host]]


async def test_a_name_that_resolves_to_a_private_address_is_refused_at_registration():
    resolve = FakeResolver({"inside.example.com": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(Refused, match=r"inside\.example\.com resolves to a private address"):
        await check_registration("https://inside.example.com/x", NOBODY, resolve)


async def test_a_name_that_does_not_resolve_yet_is_accepted_at_registration():
    resolve = FakeResolver({})
    url = "https://not-yet.example.com/x"
    assert await check_registration(url, NOBODY, resolve) == url
    assert resolve.asked == ["not-yet.example.com"]


async def test_an_allowed_name_is_not_even_resolved_at_registration():
    resolve = FakeResolver({"receiver.internal": ["10.0.0.5"]})
    await check_registration(
        "http://receiver.internal/", AllowList.parse(["receiver.internal"]), resolve
    )
    assert resolve.asked == []
