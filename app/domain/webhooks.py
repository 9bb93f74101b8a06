"""The rules of webhook deliveries that need no database and no network: which URLs an
endpoint may have, which addresses it may reach, how long to wait between attempts, and
the body a delivery carries.

Why the address rules: pakn's server sits inside a government network. A webhook URL that
names (or resolves to) a loopback, private, link-local or otherwise non-global address
would let whoever registers an endpoint make the server POST into that network (SSRF).
Such addresses are refused unless the deployment allows them (PAKN_WEBHOOK_ALLOW_PRIVATE,
for tests and for an agency's own LAN), when the endpoint is added and again at each
delivery, on the addresses the host resolves to then (a host that resolved to a public
address at add time may resolve to 127.0.0.1 later: DNS rebinding).
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from app.domain.log_entry import log_index

MAX_URL_LENGTH = 2000
SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

FIRST_BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0

EVENT_TYPE = "petition.event"

INVALID_URL = "INVALID_URL"
URL_TOO_LONG = "URL_TOO_LONG"
UNSUPPORTED_SCHEME = "UNSUPPORTED_SCHEME"
PRIVATE_ADDRESS = "PRIVATE_ADDRESS"


class WebhookRefusal(ValueError):
    """An endpoint, or one of its settings, that pakn does not take; `code` names why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class WebhookUrl:
    """A checked webhook URL: `text` as given, and the parts a delivery connects with."""

    text: str
    scheme: str
    host: str
    """The host name, lower case, or an IP address without brackets."""
    port: int

    @property
    def host_header(self) -> str:
        """The `Host` header: the host as the URL names it, with a port that is not the
        scheme's default."""
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == DEFAULT_PORTS[self.scheme] else f"{shown}:{self.port}"


def parse_url(text: str) -> WebhookUrl:
    """`text` as a webhook URL: absolute http or https, a host, no user name or password
    (the signature authenticates pakn, not the URL), no fragment, printable ASCII only (an
    international domain name is given in its xn-- form), at most `MAX_URL_LENGTH`
    characters. WebhookRefusal otherwise; the message never repeats a long URL."""
    if len(text) > MAX_URL_LENGTH:
        raise WebhookRefusal(
            URL_TOO_LONG, f"A webhook URL has at most {MAX_URL_LENGTH} characters."
        )
    if not text or not text.isascii() or not text.isprintable() or " " in text:
        raise WebhookRefusal(
            INVALID_URL, "A webhook URL is printable ASCII without spaces (xn-- for IDNs)."
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise WebhookRefusal(INVALID_URL, "The webhook URL cannot be parsed.") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise WebhookRefusal(UNSUPPORTED_SCHEME, "A webhook URL is http:// or https://.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise WebhookRefusal(INVALID_URL, "The webhook URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise WebhookRefusal(
            INVALID_URL,
            "A webhook URL holds no user name or password: the signature authenticates pakn.",
        )
    if parts.fragment or text.endswith("#"):
        raise WebhookRefusal(INVALID_URL, "A webhook URL has no #fragment.")
    if port == 0:
        raise WebhookRefusal(INVALID_URL, "The webhook URL's port is 0.")
    return WebhookUrl(text, scheme, host, port or DEFAULT_PORTS[scheme])


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` is, when it is one (not a name)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
"""RFC 6052: a translator forwards 64:ff9b::a.b.c.d to the IPv4 address a.b.c.d."""

REFUSED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(text)
    for text in (
        "192.0.0.0/24",  # IETF protocol assignments (RFC 6890), whatever Python's table says
        "::/96",  # IPv4-compatible, deprecated (RFC 4291): ::a.b.c.d may still reach a.b.c.d
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765, SIIT)
        "64:ff9b:1::/48",  # NAT64 for local use (RFC 8215): translators inside a network
        "fec0::/10",  # site-local, deprecated (RFC 3879) but still routed by some networks
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 segment identifiers (RFC 9602)
    )
)
"""Ranges refused whatever `ipaddress` thinks of them: the Python versions pakn runs on
disagree on some (3.11 calls ::127.0.0.1 and fec0::1 global), and each can carry a request
to a host that is not on the internet."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one forwards to, when it is one of the forms that do:
    IPv4-mapped, 6to4, Teredo (its client), NAT64's well-known prefix."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a delivery may not go to `address` unless private addresses are allowed:
    anything not globally routable (loopback, private, link-local, unspecified, shared,
    reserved, documentation ranges), multicast, and `REFUSED_NETWORKS`. An IPv6 address
    that forwards to an IPv4 one (`embedded_ipv4`) is judged by that too."""
    if any(address in network for network in REFUSED_NETWORKS):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        embedded = embedded_ipv4(address)
        if embedded is not None and forbidden_address(embedded):
            return True
    return address.is_multicast or not address.is_global


def backoff_seconds(attempts: int) -> float:
    """The wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour."""
    exponent = min(max(attempts - 1, 0), 16)
    return min(FIRST_BACKOFF_SECONDS * 2.0**exponent, MAX_BACKOFF_SECONDS)


def resting_seconds(failing_for: timedelta, attempts: int) -> float:
    """How long a failing endpoint rests before its next attempt: as long again as it has
    been failing (so the waits double whichever of its deliveries is tried), and never less
    than the attempted delivery's own backoff; 30 s to an hour."""
    grown = max(failing_for.total_seconds(), backoff_seconds(attempts))
    return min(max(grown, FIRST_BACKOFF_SECONDS), MAX_BACKOFF_SECONDS)


def event_cursor(event_id: int) -> str:
    """The event's cursor, as the GraphQL API gives it (`PetitionEvent.cursor`, the
    `after` of `Subscription.petitionEvents`): URL-safe base64 of `event:<id>`, unpadded.
    tests/services/test_webhooks.py checks it against the resolvers' own."""
    return base64.urlsafe_b64encode(f"event:{event_id}".encode()).decode().rstrip("=")


def webhook_id(event_id: int, endpoint_id: int) -> str:
    """The `webhook-id` of the delivery of one event to one endpoint: the same on every
    retry, so a receiver that got it already recognises a repeat."""
    return f"msg_pakn_{event_id}_{endpoint_id}"


def instant(moment: datetime) -> str:
    """ISO 8601 with its offset, to the second, as the exports write times."""
    return moment.isoformat(timespec="seconds")


def signing_time(moment: datetime) -> datetime:
    """`moment` in UTC: `standardwebhooks.Webhook.sign` replaces a datetime's zone with UTC
    rather than converting it, so a time in Asia/Ho_Chi_Minh would be signed 7 hours off."""
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class EventFacts:
    """What a delivery says of one event: nothing personal (no petitioner's data; the
    actor only by role) and the note only as the endpoint's audience may read it."""

    event_id: int
    action: str
    from_status: str | None
    to_status: str
    at: datetime
    actor_role: str
    agency_code: str | None
    note: str | None
    tracking_code: str


def payload(facts: EventFacts) -> dict[str, object]:
    """The body of a delivery (API.md, "HTTP additions" → Webhooks)."""
    return {
        "type": EVENT_TYPE,
        "data": {
            "cursor": event_cursor(facts.event_id),
            "logIndex": log_index(facts.event_id),
            "action": facts.action,
            "fromStatus": facts.from_status,
            "toStatus": facts.to_status,
            "at": instant(facts.at),
            "actorRole": facts.actor_role,
            "agencyCode": facts.agency_code,
            "note": facts.note,
            "trackingCode": facts.tracking_code,
        },
    }


def parse_actions(text: str, known: frozenset[str]) -> tuple[str, ...]:
    """`--actions A,B`: the action names, upper-cased, each known, without repeats, in the
    order given; WebhookRefusal UNKNOWN_ACTION otherwise."""
    names: list[str] = []
    for raw in text.split(","):
        name = raw.strip().upper()
        if not name:
            continue
        if name not in known:
            shown = raw.strip()[:40]
            raise WebhookRefusal(
                "UNKNOWN_ACTION",
                f"No action is called {shown!r}; actions: {', '.join(sorted(known))}.",
            )
        if name not in names:
            names.append(name)
    if not names:
        raise WebhookRefusal("UNKNOWN_ACTION", "--actions names no action.")
    return tuple(names)
