"""Webhooks for newsrooms and agency systems (#15, point 5): the matching that queues one
outbox message per event and endpoint (`app.services.webhook_endpoints` keeps the
endpoints), and the outbox channel that delivers them, signed per the Standard Webhooks
specification.

Who gets what. An endpoint without an agency gets the public events, as the public feed
shows them. An endpoint bound to an agency gets what that agency's officers see on the
live feed (`app.services.feed.Audience`): the public events and the agency's own internal
events (those whose event or petition is with the agency), never another agency's. Either
may be narrowed to some actions. A note is shown as `app.domain.visibility` says: a
private petition's notes only to an endpoint of the agency handling it; nothing else in a
delivery is personal.

Delivery. At least once: a receiver dedupes by `webhook-id`, the same on every retry of
one event to one endpoint. Each attempt resolves the host anew and refuses it if any of its
addresses is not public (unless PAKN_WEBHOOK_ALLOW_PRIVATE), then connects to the address
it checked, so a name that resolves elsewhere a moment later (DNS rebinding) is never
reached. Redirects are not followed; 10 s bounds the attempt; only a 2xx delivers.
Failures are retried 30 s after the first, doubling up to an hour, for 25 hours. The
endpoint rests until the retry: its other deliveries, and those queued meanwhile, wait with
no attempt, and whichever is tried next waits as long again as the endpoint has been
failing (30 s, 30 s, 1, 2, 4 ... minutes, at most an hour) whatever its own attempts. An
endpoint that has failed for 24 hours without a success in between, or that answered 410
Gone, is disabled with the reason (`pakn webhook list`), and its queued deliveries are
given up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from app.domain import webhooks as rules
from app.domain.key_wrapping import KeyEncryptionKey, KeyUnwrapError
from app.domain.timezone import now as current_time
from app.domain.visibility import handles_petition, shown_text
from app.domain.vocabulary import ActorRole
from app.domain.webhooks import WebhookRefusal, WebhookUrl
from app.domain.workflow import Actor
from app.services.outbox import (
    Delivered,
    Effect,
    GiveUp,
    Outcome,
    RetryLater,
    end_reads,
    enqueue,
    postpone_recipient,
)
from app.services.webhook_endpoints import (
    CHANNEL,
    MAX_ERROR,
    Resolver,
    checked_addresses,
    give_up_pending,
    resolve,
    secret_of,
)
from db.models import Agency, OutboxMessage, Petition, PetitionEvent, WebhookEndpoint

logger = logging.getLogger("pakn.webhooks")

DELIVERY_TIMEOUT_SECONDS = 10.0
RETRY_FOR = timedelta(hours=25)
"""How long a delivery is retried: a day, and the hour of the longest backoff, so that the
first delivery to fail still has an attempt after its endpoint's 24 hours of failure
(which then disable it) rather than expiring just before (the outbox keeps a message at
most 3 days)."""
FAILING_LIMIT = timedelta(hours=24)
"""An endpoint failing this long without a success is disabled."""


# Matching, when an event is appended


def _wants(endpoint: WebhookEndpoint, event: PetitionEvent, petition: Petition) -> bool:
    if endpoint.actions is not None and event.action not in endpoint.actions.split(","):
        return False
    if event.is_public:
        return True
    return endpoint.agency_id is not None and endpoint.agency_id in (
        event.agency_id,
        petition.agency_id,
    )


async def queue_deliveries(
    session: AsyncSession,
    event: PetitionEvent,
    petition: Petition,
    now: datetime | None = None,
) -> int:
    """Queue, in the event's transaction, one delivery of `event` to each enabled
    endpoint that wants it (see the module's docstring); return how many."""
    endpoints = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookEndpoint.id)
    )
    moment = now or current_time()
    queued = 0
    for endpoint in endpoints:
        if not _wants(endpoint, event, petition):
            continue
        await enqueue(
            session,
            event=event,
            petition_id=petition.id,
            channel=CHANNEL,
            recipient=str(endpoint.id),
            now=moment,
            max_age=RETRY_FOR,
        )
        queued += 1
    return queued


# Delivery


def _note_for(endpoint: WebhookEndpoint, event: PetitionEvent, petition: Petition) -> str | None:
    """The note as the endpoint's audience reads it: an agency's endpoint as the agency's
    officers would (`handles_petition`), any other as the public."""
    reader = (
        None
        if endpoint.agency_id is None
        else Actor(ActorRole.AGENCY_OFFICER, agency_id=endpoint.agency_id)
    )
    return shown_text(event.note, petition.is_private, handles_petition(reader, petition.agency_id))


def body_of(
    endpoint: WebhookEndpoint, event: PetitionEvent, petition: Petition, agency_code: str | None
) -> str:
    """The delivery's JSON text, the same on every retry (the event never changes) unless
    a private petition moved to another agency in between: its note then follows the
    agency now handling it, as everywhere else (`app.domain.visibility`)."""
    facts = rules.EventFacts(
        event_id=event.id,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        at=event.at,
        actor_role=event.actor_role,
        agency_code=agency_code,
        note=_note_for(endpoint, event, petition),
        tracking_code=petition.tracking_code,
    )
    return json.dumps(rules.payload(facts), ensure_ascii=False, separators=(",", ":"))


def default_ssl_context() -> ssl.SSLContext:
    """Certificates checked against the CA bundle httpx uses by default."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class Failure(Exception):
    """An attempt that did not deliver; `gone`: the receiver asked for no more (410)."""

    def __init__(self, message: str, *, gone: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message[:MAX_ERROR]
        self.gone = gone
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    return min(max(float(value.strip()), rules.FIRST_BACKOFF_SECONDS), rules.MAX_BACKOFF_SECONDS)


async def post(
    url: WebhookUrl,
    headers: dict[str, str],
    body: bytes,
    *,
    allow_private: bool,
    ssl_context: ssl.SSLContext,
    resolver: Resolver = resolve,
    seconds: float = DELIVERY_TIMEOUT_SECONDS,
) -> int:
    """POST `body` to `url`, connecting to an address checked just now; the 2xx status,
    or Failure. `seconds` bounds the whole attempt, the name's resolution included. No
    redirect is followed, no proxy of the environment used, no connection kept (each
    attempt resolves and checks anew), and no response body read."""
    try:
        async with asyncio.timeout(seconds):
            return await _post_checked(url, headers, body, allow_private, ssl_context, resolver)
    except TimeoutError:
        raise Failure(f"no answer within {seconds:g} s") from None


async def _post_checked(
    url: WebhookUrl,
    headers: dict[str, str],
    body: bytes,
    allow_private: bool,
    ssl_context: ssl.SSLContext,
    resolver: Resolver,
) -> int:
    try:
        addresses = await checked_addresses(url, allow_private, resolver)
    except WebhookRefusal as refused:
        raise Failure(refused.message) from None
    address = addresses[0]
    target = httpx.URL(url.text).copy_with(host=str(address))
    extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
    try:
        async with (
            httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                verify=ssl_context,
                timeout=None,
                limits=httpx.Limits(max_keepalive_connections=0),
            ) as client,
            client.stream(
                "POST",
                target,
                content=body,
                headers={**headers, "host": url.host_header},
                extensions=extensions,
            ) as response,
        ):
            status = response.status_code
            location = response.headers.get("location")
            retry_after = _retry_after(response.headers.get("retry-after"))
    except httpx.HTTPError as failed:
        raise Failure(f"cannot reach {address}: {type(failed).__name__}: {failed}") from None
    except OSError as failed:
        raise Failure(f"cannot reach {address}: {failed}") from None
    if 200 <= status < 300:
        return status
    if 300 <= status < 400:
        where = f" to {location[:200]}" if location else ""
        raise Failure(f"answered {status}, a redirect{where}: redirects are not followed")
    if status == 410:
        raise Failure("answered 410 Gone: the receiver wants no more deliveries", gone=True)
    raise Failure(f"answered {status}", retry_after=retry_after if status in (429, 503) else None)


class WebhookChannel:
    """The outbox channel 'webhook' (`app.services.outbox.OutboxChannel`). It remembers,
    for as long as it runs, until when each failing endpoint rests (its message's retry
    time), and postpones the endpoint's other messages until then without an attempt."""

    name = CHANNEL
    at_most_once = False
    max_age = RETRY_FOR

    def __init__(
        self,
        kek: KeyEncryptionKey,
        *,
        allow_private: bool,
        clock: Callable[[], datetime] = current_time,
        resolver: Resolver = resolve,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = DELIVERY_TIMEOUT_SECONDS,
    ) -> None:
        self._kek = kek
        self._allow_private = allow_private
        self._clock = clock
        self._resolver = resolver
        self._ssl_context = ssl_context or default_ssl_context()
        self._timeout = timeout
        self._resting: dict[str, datetime] = {}

    def backoff(self, attempts: int) -> float:
        return rules.backoff_seconds(attempts)

    def postpone(self, message: OutboxMessage, now: datetime) -> float | None:
        until = self._resting.get(message.recipient)
        if until is None:
            return None
        if now >= until:
            del self._resting[message.recipient]
            return None
        return (until - now).total_seconds()

    async def deliver(self, session: AsyncSession, message: OutboxMessage) -> Outcome:
        """One attempt. The endpoint's new state (failing since, last error, last success,
        disabled) is the outcome's effects, written with it. The `webhook-timestamp` is
        the wall clock's, whatever the sender's clock says: receivers check it against
        theirs."""
        try:
            endpoint_id = int(message.recipient)
        except ValueError:
            return GiveUp(f"no webhook endpoint {message.recipient[:64]!r}")
        endpoint = await session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
        if endpoint is None:
            return GiveUp("the webhook endpoint was removed")
        if endpoint.disabled_at is not None:
            return GiveUp(f"the webhook endpoint is disabled: {endpoint.disabled_reason or ''}")
        found = (
            await session.execute(
                select(PetitionEvent, Petition, Agency.code)
                .join(Petition, Petition.id == PetitionEvent.petition_id)
                .outerjoin(Agency, Agency.id == PetitionEvent.agency_id)
                .where(PetitionEvent.id == message.event_id)
            )
        ).first()
        if found is None:
            return GiveUp("the event is gone")
        event, petition, agency_code = found
        await end_reads(session)
        try:
            secret = secret_of(endpoint, self._kek)
        except KeyUnwrapError:
            reason = (
                "its secret does not decrypt under the key encryption key (the secret key "
                "changed): remove the endpoint and add it again"
            )
            moment = self._clock()
            disable = _disabling(endpoint, moment, reason, message.id, last_error=reason)
            return GiveUp(reason, effects=disable)
        body = body_of(endpoint, event, petition, agency_code)
        msg_id = rules.webhook_id(event.id, endpoint.id)
        signed_at = rules.signing_time(current_time())
        headers = {
            "content-type": "application/json",
            "user-agent": "pakn-webhooks",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(signed_at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, signed_at, body),
        }
        url = rules.parse_url(endpoint.url)
        try:
            await post(
                url,
                headers,
                body.encode(),
                allow_private=self._allow_private,
                ssl_context=self._ssl_context,
                resolver=self._resolver,
                seconds=self._timeout,
            )
        except Failure as failed:
            return self._failed(endpoint, failed, message)
        self._resting.pop(message.recipient, None)
        succeeded = _state(endpoint.id, failing_since=None, last_success_at=self._clock())
        return Delivered(effects=(succeeded,))

    def _failed(
        self, endpoint: WebhookEndpoint, failed: Failure, message: OutboxMessage
    ) -> Outcome:
        """The failure recorded on the endpoint, which rests until the message's retry;
        disabled after 24 hours of failure or a 410."""
        moment = self._clock()
        since = endpoint.failing_since or moment
        if failed.gone:
            reason = failed.message
        elif moment - since >= FAILING_LIMIT:
            reason = (
                f"failing since {rules.instant(since)} (24 hours without a success); "
                f"last: {failed.message}"
            )
        else:
            wait = failed.retry_after
            if wait is None:
                wait = rules.resting_seconds(moment - since, message.attempts)
            until = moment + timedelta(seconds=wait)
            self._resting[message.recipient] = until
            failing = _state(endpoint.id, failing_since=since, last_error=failed.message)
            others = partial(postpone_recipient, channel=CHANNEL, recipient=message.recipient)
            return RetryLater(failed.message, wait, effects=(failing, partial(others, until=until)))
        self._resting.pop(message.recipient, None)
        disable = _disabling(endpoint, moment, reason, message.id, last_error=failed.message)
        return GiveUp(reason[:MAX_ERROR], effects=disable)


def _state(endpoint_id: int, **values: object) -> Effect:
    return partial(_set_state, endpoint_id=endpoint_id, **values)


def _disabling(
    endpoint: WebhookEndpoint, moment: datetime, reason: str, but: int, *, last_error: str
) -> tuple[Effect, ...]:
    """The effects that disable the endpoint and give up its other queued deliveries."""
    endpoint_id = endpoint.id

    async def give_up_queue(session: AsyncSession) -> None:
        given_up = await give_up_pending(
            session, endpoint_id, moment, f"the webhook endpoint was disabled: {reason}", but=but
        )
        logger.warning(
            "webhook endpoint %d disabled (%s); %d queued deliveries given up",
            endpoint_id,
            reason,
            given_up,
        )

    disabled = _state(
        endpoint_id,
        failing_since=endpoint.failing_since or moment,
        last_error=last_error[:MAX_ERROR],
        disabled_at=moment,
        disabled_reason=reason[:MAX_ERROR],
    )
    return (disabled, give_up_queue)


async def _set_state(session: AsyncSession, *, endpoint_id: int, **values: object) -> None:
    """Update an endpoint's delivery state by statement: an endpoint removed or disabled
    meanwhile is simply not updated."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.disabled_at.is_(None))
        .values(**values),
        execution_options={"synchronize_session": False},
    )
