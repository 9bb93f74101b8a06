"""The per-request context: one session, one set of loaders, who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.timezone import now
from app.domain.visibility import reads_private_text
from app.domain.vocabulary import ActorRole
from app.domain.workflow import Actor
from app.services.auth import AuthenticationFailed, Officer, officer_for
from app.services.feed import EventFeed
from db.transactions import WriteGate
from resolvers.errors import ClientError
from resolvers.loaders import Loaders

if TYPE_CHECKING:
    from app.settings import Settings


@dataclass
class Context:
    session: AsyncSession
    settings: Settings
    request_id: str
    loaders: Loaders
    writes: WriteGate = field(default_factory=lambda: WriteGate(serialise=False))
    feed: EventFeed | None = None
    authorization: str | None = None
    client_address: str | None = None
    http_method: str | None = None
    """GET or POST; None over a WebSocket."""
    now: datetime = field(default_factory=now)
    petitioner_of: set[int] = field(default_factory=set)
    no_store: bool = False
    """A resolver answered something made for this caller alone (a bot-check challenge):
    the HTTP response is then never cached, even for an anonymous GET."""
    """Petitions whose petitioner proved the secret in this request."""
    scorecards: Any = None
    """The request's scorecard loader (`resolvers.stats.scorecard_loader`), made on first use."""
    _officer: Officer | None = None
    _authenticated: bool = False

    connection_params: dict[str, object] | None = None
    """The `connection_init` payload of a WebSocket, where an officer's token travels."""

    def for_operation(self, session: AsyncSession) -> Context:
        """The context of one operation on a WebSocket: its own session and loaders (an
        operation may run beside others on the socket), and its token checked again, so a
        token revoked since `connection_init` stops working at the next operation."""
        return replace(
            self,
            session=session,
            loaders=Loaders(session),
            now=now(),
            petitioner_of=set(),
            scorecards=None,
            _officer=None,
            _authenticated=False,
        )

    def forget_officer(self) -> None:
        """Authenticate again at the next `officer()` (a new `connection_init`)."""
        self._officer = None
        self._authenticated = False

    @property
    def token_id(self) -> int | None:
        """The id of the officer token this context authenticated, once it has."""
        return self._officer.token_id if self._officer is not None else None

    async def release(self) -> None:
        """End the session's transaction and forget cached loads (long-lived contexts).

        A subscription's context lives as long as its WebSocket; between two events it
        must hold no database connection and no stale data.
        """
        await self.session.close()
        self.loaders = Loaders(self.session)
        self.scorecards = None

    def refuse_secret_over_get(self) -> None:
        """Operations that take a petitioner's secret are refused over GET, where the
        secret would sit in the URL, and so in browser history and proxy logs."""
        if self.http_method == "GET":
            raise ClientError(
                "SECRET_OVER_GET",
                "Send an operation that carries a petitioner's secret by POST, not GET.",
            )

    async def officer(self) -> Officer | None:
        """The officer behind the request's bearer token (None for the public)."""
        if not self._authenticated:
            try:
                self._officer = await officer_for(self.session, self.authorization)
            except AuthenticationFailed as failure:
                raise ClientError("UNAUTHENTICATED", str(failure)) from None
            self._authenticated = True
        return self._officer

    async def actor(self) -> Actor | None:
        """Who the request's bearer token acts as (None for the public)."""
        officer = await self.officer()
        return None if officer is None else officer.actor

    async def require_officer(self, *roles: ActorRole) -> Officer:
        officer = await self.officer()
        if officer is None:
            raise ClientError(
                "UNAUTHENTICATED",
                "This operation needs an officer's `Authorization: Bearer` token.",
            )
        if officer.actor.role not in roles:
            allowed = " or ".join(role.value for role in roles)
            raise ClientError("FORBIDDEN", f"This operation is for {allowed} only.")
        return officer

    async def may_see_private(self, petition_id: int, agency_id: int | None) -> bool:
        """Contact data and private text: the petitioner, the agency handling it, the GO."""
        if petition_id in self.petitioner_of:
            return True
        if self.authorization is None:
            return False
        return reads_private_text(await self.actor(), agency_id, petitioner=False)
