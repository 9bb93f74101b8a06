"""The HTTP face of `pakn witness serve` (`app.services.witness_server`): `POST
/add-checkpoint` as C2SP tlog-witness defines it, its body read up to the bound a request
may have (413 beyond)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.domain.witness import MAX_REQUEST_BYTES
from app.services.witness_server import WitnessKeeper


def witness_app(keeper: WitnessKeeper) -> Starlette:
    async def add_checkpoint(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_REQUEST_BYTES:
                return Response("the request is too large\n", 413, media_type="text/plain")
        answer = await keeper.add_checkpoint(body)
        return Response(answer.body, answer.status, media_type=answer.media_type)

    return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])
