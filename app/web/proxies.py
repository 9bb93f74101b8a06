"""Whose `X-Forwarded-For` pakn believes: the addresses in PAKN_TRUSTED_PROXIES, nobody else's.

Every per-client limit (submissions an hour, reads a minute, sockets, exports) counts by
the ASGI scope's `client` address. Behind a reverse proxy that address is the proxy's, and
the client's own travels in `X-Forwarded-For`; but a header is only as true as whoever
wrote it. uvicorn believes it by default from loopback (`forwarded_allow_ips=127.0.0.1`),
so a client on the same host, or any client of a proxy that passes the header through,
could name a new address on every request and start each limit afresh ("after
RATE_LIMITED, four more submissions went through with forged headers").

So uvicorn's own proxy trust is off wherever pakn builds its server
(`app.web.serving.uvicorn_config`), and the application applies uvicorn's middleware
itself, from its settings, when `trusted_proxies` lists anyone: a request that arrives
from a listed address (or network, `10.0.0.0/8`) takes its client address from
`X-Forwarded-For` (the rightmost entry that is not itself a trusted proxy: the one the
last trusted hop saw) and its scheme from `X-Forwarded-Proto`. From any other peer both
headers are ignored. Empty, the default: nobody's header is believed.

Entries are IP addresses or networks; anything else (a typo, a host name, `*`) stops the
server at start instead of silently matching nothing, or everything. To trust every peer
(a server reachable only through the proxy tier), say so: `0.0.0.0/0,::/0`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def trusted_networks(entries: Sequence[str]) -> list[str]:
    """The entries, each checked to be an IP address or network (ValueError if not)."""
    checked = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise ValueError(
                f"PAKN_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
        # a single address as an address: uvicorn looks those up in a set
        single = network.num_addresses == 1
        checked.append(str(network.network_address) if single else str(network))
    return checked


def trusting_proxies(app: ASGIApp, trusted: Sequence[str]) -> ASGIApp:
    """`app`, reading the client address from `X-Forwarded-For` of `trusted` peers only;
    `app` itself when nobody is trusted."""
    if not trusted:
        return app
    return ProxyHeadersMiddleware(app, trusted_hosts=trusted_networks(trusted))
