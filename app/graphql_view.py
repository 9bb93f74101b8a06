"""The GraphQL endpoint: Strawberry's ASGI view with pakn's context and error format."""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from app.feed import EventFeed
from app.http import send_error
from app.settings import Settings
from app.writes import WriteGate
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.loaders import Loaders

_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "REQUEST_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


class PaknGraphQL(GraphQL[Context, None]):
    """One AsyncSession per request, opened lazily and closed when the response is sent."""

    def __init__(
        self,
        schema: Any,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        writes: WriteGate,
        feed: EventFeed,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            keep_alive=True,
            keep_alive_interval=settings.keep_alive_seconds,
        )
        self.sessions = sessions
        self.settings = settings
        self.writes = writes
        self.feed = feed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id", "-")
        async with self.sessions() as session:
            scope.setdefault("state", {})["session"] = session
            try:
                response = await self.run(Request(scope=scope, receive=receive))
            except HTTPException as e:
                status = 415 if e.reason == "Unsupported content type" else e.status_code
                code = _HTTP_CODES.get(status, "BAD_REQUEST")
                await send_error(send, status, code, e.reason, request_id)
                return
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.scope.get("state", {})
        session = state.get("session")
        if isinstance(request, WebSocket):
            session = self.sessions()
        if session is None:
            raise RuntimeError("no session for this request")
        client = request.scope.get("client")
        return Context(
            session=session,
            settings=self.settings,
            request_id=state.get("request_id", "-"),
            loaders=Loaders(session),
            writes=self.writes,
            feed=self.feed,
            authorization=request.headers.get("authorization"),
            client_address=client[0] if client else None,
        )

    async def on_ws_connect(self, context: Context) -> Any:
        """Officers put `{"authorization": "Bearer <token>"}` in connection_init's payload."""
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        context.authorization = authorization if isinstance(authorization, str) else None
        try:
            await context.officer()
        except ClientError:
            raise ConnectionRejectionError({"code": "UNAUTHENTICATED"}) from None
        finally:
            await context.release()
        return UNSET

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            raise HTTPException(400, "The request body is not valid UTF-8 JSON.") from None
