"""Read limits: a token bucket per client address, in each worker's memory (PAKN_READ_RATE).

`/graphql`, `/export/*`, `/reports/*` and `/unsubscribe/*` over HTTP are limited;
`/health` and the other routes are not. A WebSocket to `/graphql` is handed `READ_CHARGE`
in its scope's state: the socket view (`app.web.sockets`, `app.web.socket_protocols`)
spends one request of the
address's public bucket on the upgrade, and one on each operation (of the officer's
bucket on a socket an officer's token opened), so a socket is no way around the rate. A
request over the limit is answered here, before its body is read, with 429, `Retry-After`
and the error shape of every refusal (code RATE_LIMITED, `retryAfter` in seconds).

Why this shape:
- No shared state, no database write per read: each worker keeps its own buckets and
  enforces its share of the rate, `read_rate / workers` a minute (`pakn serve --workers N`
  sets PAKN_WORKERS to N). A client whose requests all reach one worker (one keep-alive
  connection does) gets that share; spread over the workers of a host it gets up to the
  whole rate; behind a load balancer over H hosts, up to H times the rate.
- A bucket holds one minute's share and refills continuously (share / 60 a second). A
  client that keeps within the rate is never refused, however it bunches its requests (a
  page that sends twenty queries at once); the most it gets in any minute is twice its
  share (a full bucket, then a minute of refill). A smaller bucket would refuse
  well-behaved bursts; a fixed window would let the same double through at its edge, and
  free every client at the same instant.
- Officers (a request whose `Authorization: Bearer` token is an active officer's) get
  `OFFICER_FACTOR` times the share, in a bucket of their own per address and token, so
  the public from an office's address does not use up its officers' rate.
- Knowing an officer must not cost a database read per request: `app.services.auth.
  officer_for`'s verdict on a header is remembered `TOKEN_TTL_SECONDS` (30 s), for at most
  `MAX_TOKENS_REMEMBERED` headers of each kind (keyed by their SHA-256, not the token).
  A header not remembered is looked up only when the address's public bucket has a
  request left, and the look-up spends it: forged tokens, each new, cost the database no
  more reads than the public rate allows requests, and never earn the officer rate. A
  token that proved valid is checked again every 30 s at no cost to the public bucket. A
  revoked token keeps the officer *rate* for up to 30 s; what it may do is checked by the
  API on every request, as always.
- Bounded memory: a bucket idle for a whole window is full again, the same as no bucket,
  so it is dropped; buckets are kept in use order and dropped from the idle end. Beyond
  `MAX_BUCKETS` (50,000 clients in a minute, about 15 MB with IPv6 addresses) the least
  recently used goes first: that client starts again with a full bucket, lenient, never
  stricter.

Headers, from draft-ietf-httpapi-ratelimit-headers-11 (May 2026), on every limited
response, refused or not:

    RateLimit-Policy: "read";q=600;w=60     q requests; w: the seconds an empty bucket takes to fill
    RateLimit: "read";r=41;t=1              r requests available now; t: the seconds until one more
                                            is (rounded up), so `Retry-After` on a 429

The policy is "officer" for officers. The older `RateLimit-Limit`, `-Remaining` and
`-Reset` (the drafts up to -06) are not sent: the draft replaced them with these two, and
deployments never agreed on what `Reset` counts (seconds to wait, or a Unix time), so a
client reading them has to guess; `Retry-After`, which HTTP clients already honour, says
the one thing a refused client needs.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services.auth import AuthenticationFailed, officer_for
from app.settings import Settings
from app.web.guard import error_body

READ_CHARGE = "pakn_read_charge"
"""The scope state key of a socket's `Charge`."""
LIMITED_PATH = "/graphql"
SITE_PATHS = frozenset({"/", "/petitions", "/agencies", "/submit", "/track"})
LIMITED_PREFIXES = (
    *("/export/", "/reports/", "/unsubscribe/", "/log/", "/static/", "/files/"),
    *("/p/", "/agencies/"),
)
"""The API's other routes, the website's pages (`app.web.site`) and every static file."""
OFFICER_FACTOR = 10
TOKEN_TTL_SECONDS = 30.0
MAX_TOKENS_REMEMBERED = 10_000
MAX_BUCKETS = 50_000

Lookup = Callable[[str], Awaitable[int | None]]
"""The token id of the officer behind an Authorization header; None for one that is not an
active officer's token."""
Clock = Callable[[], float]
Charge = Callable[[int | None], int | None]
"""Spend one request of a socket's address (an officer's bucket given the token id): None
when it had one, else the seconds to wait."""

logger = logging.getLogger("pakn")


@dataclass(frozen=True)
class Policy:
    """`capacity` requests, refilled at `refill` a second."""

    name: str
    capacity: int
    refill: float

    @classmethod
    def per_minute(cls, name: str, share: float) -> Policy:
        return cls(name, max(1, math.floor(share)), share / 60)

    @property
    def window(self) -> int:
        """Seconds an empty bucket takes to fill: after that long idle, a bucket is full."""
        return math.ceil(self.capacity / self.refill - 1e-9)

    @property
    def header(self) -> bytes:
        return f'"{self.name}";q={self.capacity};w={self.window}'.encode()

    def wait(self, tokens: float) -> int:
        """Whole seconds (at least 1) until a bucket holding `tokens` holds one more."""
        return max(1, math.ceil((math.floor(tokens) + 1 - tokens) / self.refill - 1e-9))


class _Bucket:
    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


Key = tuple[str, int | None]
"""(client address, officer token id or None for the public)."""


class Buckets:
    """Token buckets by key, in use order, those idle for `idle_after` seconds dropped."""

    def __init__(self, idle_after: float, max_buckets: int = MAX_BUCKETS) -> None:
        self.idle_after = idle_after
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[Key, _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: Key, policy: Policy, now: float) -> tuple[bool, float]:
        """Spend one request from `key`'s bucket if it holds one: (spent, tokens left)."""
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(policy.capacity), now)
        else:
            elapsed = now - bucket.stamp
            bucket.tokens = min(float(policy.capacity), bucket.tokens + elapsed * policy.refill)
            bucket.stamp = now
            self._buckets.move_to_end(key)
        spent = bucket.tokens >= 1
        if spent:
            bucket.tokens -= 1
        self._drop_idle(now)
        return spent, bucket.tokens

    def give_back(self, key: Key, policy: Policy) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None:
            bucket.tokens = min(float(policy.capacity), bucket.tokens + 1)

    def _drop_idle(self, now: float) -> None:
        buckets = self._buckets
        while buckets:
            key, oldest = next(iter(buckets.items()))
            if now - oldest.stamp < self.idle_after and len(buckets) <= self.max_buckets:
                return
            del buckets[key]


class Known(Enum):
    """What the cache knows of an Authorization header."""

    OFFICER = "an active officer's token"
    PUBLIC = "not an officer's token"
    RECHECK = "an officer's token when last looked up: look it up again, at no cost"
    UNKNOWN = "never looked up, or forgotten: look it up, at the public bucket's cost"


class OfficerTokens:
    """What `lookup` said of each Authorization header, for `ttl` seconds (see the module):
    officers' tokens and refused ones kept apart, `size` of each, so a flood of forged
    tokens pushes out only other forged tokens."""

    def __init__(
        self, lookup: Lookup, ttl: float = TOKEN_TTL_SECONDS, size: int = MAX_TOKENS_REMEMBERED
    ) -> None:
        self.lookup = lookup
        self.ttl = ttl
        self.size = size
        self._officers: OrderedDict[bytes, tuple[float, int]] = OrderedDict()
        self._refused: OrderedDict[bytes, float] = OrderedDict()

    def recall(self, digest: bytes, now: float) -> tuple[Known, int | None]:
        """What is known of the header whose SHA-256 is `digest`, and its token id."""
        officer = self._officers.get(digest)
        if officer is not None:
            until, token_id = officer
            return (Known.OFFICER if now < until else Known.RECHECK), token_id
        refused_until = self._refused.get(digest)
        if refused_until is not None and now < refused_until:
            return Known.PUBLIC, None
        return Known.UNKNOWN, None

    async def look_up(self, authorization: str, digest: bytes, now: float) -> int | None:
        """The officer's token id (None: not an officer), remembered `ttl` seconds."""
        try:
            token_id = await self.lookup(authorization)
        except Exception:  # the database is down: the public rate, and nothing remembered
            logger.debug("read limits: the officer look-up failed", exc_info=True)
            return None
        self._officers.pop(digest, None)
        self._refused.pop(digest, None)
        if token_id is None:
            _remember(self._refused, digest, now + self.ttl, self.size)
        else:
            _remember(self._officers, digest, (now + self.ttl, token_id), self.size)
        return token_id


V = TypeVar("V")


def _remember(cache: OrderedDict[bytes, V], digest: bytes, value: V, size: int) -> None:
    cache[digest] = value
    while len(cache) > size:
        cache.popitem(last=False)


def officer_lookup(sessions: async_sessionmaker[AsyncSession]) -> Lookup:
    """The `Lookup` of the API's own check (`officer_for`), in a session of its own."""

    async def lookup(authorization: str) -> int | None:
        async with sessions() as session:
            try:
                officer = await officer_for(session, authorization)
            except AuthenticationFailed:
                return None
        return None if officer is None else officer.token_id

    return lookup


def is_limited(path: str) -> bool:
    return path == LIMITED_PATH or path in SITE_PATHS or path.startswith(LIMITED_PREFIXES)


class ReadLimits:
    """ASGI middleware: `per_minute` requests a minute per client address (officers
    `OFFICER_FACTOR` times as many), answered 429 beyond; see the module."""

    def __init__(
        self, app: ASGIApp, per_minute: float, lookup: Lookup, clock: Clock = time.monotonic
    ) -> None:
        self.app = app
        self.public = Policy.per_minute("read", per_minute)
        self.officer = Policy.per_minute("officer", per_minute * OFFICER_FACTOR)
        self.buckets = Buckets(idle_after=max(self.public.window, self.officer.window))
        self.tokens = OfficerTokens(lookup)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "websocket" and client and scope["path"] == LIMITED_PATH:
            address = str(client[0])
            scope.setdefault("state", {})[READ_CHARGE] = partial(self.charge, address)
        if scope["type"] != "http" or not client or not is_limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        address = str(client[0])
        now = self.clock()
        policy, key = self.public, (address, None)
        authorization = _authorization(scope)
        if authorization is not None:
            digest = hashlib.sha256(authorization.encode("latin-1")).digest()
            known, token_id = self.tokens.recall(digest, now)
            if known is Known.UNKNOWN:
                spent, left = self.buckets.take(key, policy, now)
                if not spent:
                    await self._refuse(send, policy, left)
                    return
                token_id = await self.tokens.look_up(authorization, digest, now)
                if token_id is None:  # the look-up was this request's cost
                    await self._admit(scope, receive, send, policy, left)
                    return
                self.buckets.give_back(key, policy)
            elif known is Known.RECHECK:
                token_id = await self.tokens.look_up(authorization, digest, now)
            if token_id is not None:
                policy, key = self.officer, (address, token_id)
        spent, left = self.buckets.take(key, policy, now)
        if spent:
            await self._admit(scope, receive, send, policy, left)
        else:
            await self._refuse(send, policy, left)

    def charge(self, address: str, token_id: int | None = None) -> int | None:
        """One request for a socket: of `address`'s public bucket, or of the officer's
        whose token the socket authenticated (checked at `connection_init` and by the
        sweep since); None, or the seconds to wait."""
        policy = self.public if token_id is None else self.officer
        spent, left = self.buckets.take((address, token_id), policy, self.clock())
        return None if spent else policy.wait(left)

    async def _admit(
        self, scope: Scope, receive: Receive, send: Send, policy: Policy, left: float
    ) -> None:
        headers = _headers(policy, left)

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_limits)

    async def _refuse(self, send: Send, policy: Policy, left: float) -> None:
        wait = policy.wait(left)
        body = error_body(
            "RATE_LIMITED",
            f"Too many requests from this address: at most {policy.capacity} every "
            f"{policy.window} seconds. Try again in {wait} s.",
            retryAfter=wait,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"private, no-store"),
                    (b"retry-after", str(wait).encode()),
                    *_headers(policy, left),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _headers(policy: Policy, left: float) -> list[tuple[bytes, bytes]]:
    remaining = f'"{policy.name}";r={math.floor(left)};t={policy.wait(left)}'
    return [(b"ratelimit-policy", policy.header), (b"ratelimit", remaining.encode())]


def _authorization(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            text = value.decode("latin-1")
            return text if text.strip() else None
    return None


def read_limits(
    app: ASGIApp, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> ASGIApp:
    """`app` under this worker's share of `settings.read_rate`; `app` itself when it is 0."""
    if settings.read_rate <= 0:
        return app
    share = settings.read_rate / max(1, settings.workers)
    return ReadLimits(app, share, officer_lookup(sessions))
