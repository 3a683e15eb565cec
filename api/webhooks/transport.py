"""An httpx transport that connects only to addresses it checked itself.

Each request's host is resolved once; every address is checked (address.py), and the
request goes to the first one: the URL is rewritten to that address, the Host header keeps
the name, and for https the certificate is still verified against the name
(`sni_hostname`). No second look-up happens, so a name cannot resolve to a public address
for the check and to 127.0.0.1 for the connection (DNS rebinding).

Connections are not kept alive: httpx pools them by address, and a connection opened (and
its certificate checked) for one host name must not carry a request for another.
"""

from __future__ import annotations

import ssl

import httpx

from api.webhooks.address import AllowList, Refused, Resolver, resolve_checked, system_resolve


def plain_transport(verify: ssl.SSLContext | bool = True) -> httpx.AsyncHTTPTransport:
    return httpx.AsyncHTTPTransport(
        verify=verify,
        limits=httpx.Limits(max_keepalive_connections=0),
        retries=0,
        trust_env=False,
    )


class CheckedTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        allow: AllowList,
        resolve: Resolver = system_resolve,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.allow = allow
        self.resolve = resolve
        self.inner = inner or plain_transport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise Refused("only http:// and https:// URLs can receive webhooks")
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await resolve_checked(url.host, port, self.allow, self.resolve)
        extensions = dict(request.extensions)
        if url.scheme == "https":
            extensions["sni_hostname"] = url.host
        pinned = httpx.Request(
            request.method,
            url.copy_with(host=str(address)),
            headers=request.headers,  # keeps Host: the name
            stream=request.stream,
            extensions=extensions,
        )
        return await self.inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        await self.inner.aclose()
