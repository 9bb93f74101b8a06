"""The webhook endpoints (`pakn webhook add|list|remove`, #15 point 5): who receives
petition events, and the address checks every URL passes when it is added and again at
each delivery (`app.domain.webhooks` says why). The deliveries are `app.services.webhooks`'.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import webhooks as rules
from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.vocabulary import Action
from app.domain.webhooks import WebhookRefusal, WebhookUrl
from db.models import Agency, OutboxMessage, WebhookEndpoint

CHANNEL = "webhook"
"""The endpoints' deliveries in the outbox: channel 'webhook', recipient the endpoint's id."""
MAX_ENDPOINTS = 100
"""Endpoints at most: every event queues one message per matching endpoint."""
SECRET_BYTES = 32
MAX_ERROR = 500
KNOWN_ACTIONS = frozenset(action.value for action in Action)

UNKNOWN_AGENCY = "UNKNOWN_AGENCY"
UNKNOWN_WEBHOOK = "UNKNOWN_WEBHOOK"
TOO_MANY_WEBHOOKS = "TOO_MANY_WEBHOOKS"
UNRESOLVABLE_HOST = "UNRESOLVABLE_HOST"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[Address]]]


async def resolve(host: str, port: int) -> list[Address]:
    """The addresses `host` resolves to now (a literal address: itself); OSError when it
    resolves to none."""
    literal = rules.literal_address(host)
    if literal is not None:
        return [literal]
    found = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    return addresses


async def checked_addresses(
    url: WebhookUrl, allow_private: bool, resolver: Resolver = resolve
) -> list[Address]:
    """The addresses a delivery to `url` may connect to: every one the host resolves to,
    none of them private (`rules.forbidden_address`) unless `allow_private`.
    WebhookRefusal PRIVATE_ADDRESS or UNRESOLVABLE_HOST otherwise."""
    try:
        addresses = await resolver(url.host, url.port)
    except (OSError, UnicodeError) as failed:
        raise WebhookRefusal(
            UNRESOLVABLE_HOST, f"The host {url.host[:100]} does not resolve: {failed}"[:MAX_ERROR]
        ) from None
    if not allow_private:
        refused = [str(a) for a in addresses if rules.forbidden_address(a)]
        if refused:
            raise WebhookRefusal(
                rules.PRIVATE_ADDRESS,
                f"The host {url.host[:100]} is or resolves to a loopback, private or reserved "
                f"address ({', '.join(refused[:3])}); PAKN_WEBHOOK_ALLOW_PRIVATE=1 allows it.",
            )
    return addresses


def _secret_binding(endpoint_id: int) -> str:
    """What an endpoint's encrypted secret is bound to: copied onto another endpoint's
    row, it does not decrypt there."""
    return f"webhook-endpoint:{endpoint_id}"


def secret_of(endpoint: WebhookEndpoint, kek: KeyEncryptionKey) -> str:
    """The endpoint's `whsec_...` secret; KeyUnwrapError when `kek` is not the one it was
    stored under."""
    raw = kek.unwrap(_secret_binding(endpoint.id), endpoint.secret)
    return "whsec_" + base64.b64encode(raw).decode()


@dataclass(frozen=True)
class Added:
    endpoint: WebhookEndpoint
    secret: str
    """`whsec_` and base64 of 32 random bytes: shown once, stored only encrypted."""


async def add_endpoint(
    session: AsyncSession,
    *,
    url: str,
    agency_code: str | None,
    actions: str | None,
    now: datetime,
    kek: KeyEncryptionKey,
    allow_private: bool,
    resolver: Resolver = resolve,
) -> Added:
    """Register an endpoint in the session's transaction; WebhookRefusal (with a code)
    for a URL, agency or action pakn does not take, or past `MAX_ENDPOINTS`."""
    from db.queries.reference import agency_by_code

    checked = rules.parse_url(url)
    named = tuple(rules.parse_actions(actions, KNOWN_ACTIONS)) if actions is not None else None
    agency_id = None
    if agency_code is not None:
        agency = await agency_by_code(session, agency_code[:64])
        if agency is None:
            raise WebhookRefusal(UNKNOWN_AGENCY, f"No agency has the code {agency_code[:64]!r}.")
        agency_id = agency.id
    count = await session.scalar(select(func.count()).select_from(WebhookEndpoint))
    if (count or 0) >= MAX_ENDPOINTS:
        raise WebhookRefusal(
            TOO_MANY_WEBHOOKS, f"pakn keeps at most {MAX_ENDPOINTS} webhook endpoints."
        )
    await checked_addresses(checked, allow_private, resolver)
    raw = os.urandom(SECRET_BYTES)
    endpoint = WebhookEndpoint(
        url=checked.text,
        secret=b"",
        agency_id=agency_id,
        actions=",".join(named) if named else None,
        created_at=now,
    )
    session.add(endpoint)
    await session.flush()
    endpoint.secret = kek.wrap(_secret_binding(endpoint.id), raw)
    await session.flush()
    return Added(endpoint, "whsec_" + base64.b64encode(raw).decode())


@dataclass(frozen=True)
class EndpointView:
    """An endpoint as `pakn webhook list` shows it: never its secret."""

    id: int
    url: str
    agency_code: str | None
    actions: str | None
    state: str
    """'active', 'failing' (since `failing_since`) or 'disabled'."""
    created_at: datetime
    failing_since: datetime | None
    last_error: str | None
    last_success_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    pending: int
    """Deliveries queued and not yet sent nor given up."""


async def list_endpoints(session: AsyncSession) -> list[EndpointView]:
    pending = dict(
        (
            await session.execute(
                select(OutboxMessage.recipient, func.count())
                .where(
                    OutboxMessage.channel == CHANNEL,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.failed_at.is_(None),
                )
                .group_by(OutboxMessage.recipient)
            )
        ).all()
    )
    rows = await session.execute(
        select(WebhookEndpoint, Agency.code)
        .outerjoin(Agency, Agency.id == WebhookEndpoint.agency_id)
        .order_by(WebhookEndpoint.id)
    )
    views = []
    for endpoint, code in rows:
        if endpoint.disabled_at is not None:
            state = "disabled"
        elif endpoint.failing_since is not None:
            state = "failing"
        else:
            state = "active"
        views.append(
            EndpointView(
                id=endpoint.id,
                url=endpoint.url,
                agency_code=code,
                actions=endpoint.actions,
                state=state,
                created_at=endpoint.created_at,
                failing_since=endpoint.failing_since,
                last_error=endpoint.last_error,
                last_success_at=endpoint.last_success_at,
                disabled_at=endpoint.disabled_at,
                disabled_reason=endpoint.disabled_reason,
                pending=int(pending.get(str(endpoint.id), 0)),
            )
        )
    return views


async def give_up_pending(
    session: AsyncSession, endpoint_id: int, now: datetime, reason: str, *, but: int | None = None
) -> int:
    """Give up the endpoint's queued deliveries (all, or all but message `but`)."""
    statement = update(OutboxMessage).where(
        OutboxMessage.channel == CHANNEL,
        OutboxMessage.recipient == str(endpoint_id),
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
    )
    if but is not None:
        statement = statement.where(OutboxMessage.id != but)
    result = await session.execute(
        statement.values(failed_at=now, last_error=reason[:MAX_ERROR]),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def remove_endpoint(session: AsyncSession, endpoint_id: int, now: datetime) -> bool:
    """Delete the endpoint and give up its queued deliveries; False when there is none."""
    result = await session.execute(
        delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id),
        execution_options={"synchronize_session": False},
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await give_up_pending(session, endpoint_id, now, "the webhook endpoint was removed")
    return True


def describe(views: Sequence[EndpointView]) -> list[str]:
    """`pakn webhook list`'s lines: a header, then one tab-separated line per endpoint."""

    def shown(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, datetime):
            return rules.instant(value)
        return str(value).replace("\t", " ").replace("\n", " ")

    lines = [
        "id\turl\tagency\tactions\tstate\tpending\tfailing_since\tlast_error\t"
        "last_success\tdisabled_reason"
    ]
    for view in views:
        lines.append(
            "\t".join(
                shown(value)
                for value in (
                    view.id,
                    view.url,
                    view.agency_code,
                    view.actions or "*",
                    view.state,
                    view.pending,
                    view.failing_since,
                    view.last_error,
                    view.last_success_at,
                    view.disabled_reason,
                )
            )
        )
    return lines


@dataclass
class Rekeyed:
    """What `rekey` did to the endpoints' secrets, by endpoint id."""

    rekeyed: list[int]
    current: list[int]
    unopened: list[int]
    """Secrets that open under none of the keys given: left, to be disabled at their next
    delivery (remove the endpoint and add it again)."""


async def rekey(
    session: AsyncSession, old: Sequence[KeyEncryptionKey], new: KeyEncryptionKey
) -> Rekeyed:
    """Re-encrypt the endpoints' secrets from one of the `old` key encryption keys to `new`,
    in the session's transaction (`pakn keys rekey`, with the sealing keys)."""
    done = Rekeyed([], [], [])
    for endpoint in await session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
        binding = _secret_binding(endpoint.id)
        if new.opens(binding, endpoint.secret):
            done.current.append(endpoint.id)
            continue
        opener = next((kek for kek in old if kek.opens(binding, endpoint.secret)), None)
        if opener is None:
            done.unopened.append(endpoint.id)
            continue
        endpoint.secret = new.wrap(binding, opener.unwrap(binding, endpoint.secret))
        done.rekeyed.append(endpoint.id)
    await session.flush()
    return done
