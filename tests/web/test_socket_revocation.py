"""A token revoked with `pakn token revoke` stops working on sockets opened before, as it
does over HTTP: every operation checks it again, and each worker's sweep closes the
sockets that carry it within `socket_recheck_seconds`: two servers on one database play
two workers (or hosts); the revoking command is a third process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from app.domain.timezone import now
from app.domain.vocabulary import ActorRole
from db import tokens
from db.engine import open_engine, session_factory
from tests.support.cli import pakn, pakn_serve
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, action_body, workflow_settings
from tests.support.ws_client import GraphQLSocket

RECHECK_SECONDS = 0.5
CONTACT = """query($code: String!) {
  petition(trackingCode: $code) { petitioner { fullName email } }
}"""


async def _new_coordinator_token(database_url: str) -> tuple[int, str]:
    async with open_engine(database_url) as engine, session_factory(engine)() as session:
        row, token = await tokens.create(session, ActorRole.COORDINATOR, None, "revocable", now())
        await session.commit()
        return row.id, token


def _revoke(database_url: str, token_id: int) -> None:
    done = pakn("token", "revoke", str(token_id), database_url=database_url)
    assert done.returncode == 0, done.stderr


def _codes(reply: dict[str, Any]) -> list[str]:
    errors = reply["payload"] if reply["type"] == "error" else reply["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]


@pytest.fixture
def two_workers(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[list[Workflow]]:
    settings = workflow_settings(
        lifecycle_database, socket_recheck_seconds=RECHECK_SECONDS, feed_poll_seconds=0.5
    )
    with RunningServer(settings) as one, RunningServer(settings) as two:
        yield [Workflow(one, lifecycle_tokens), Workflow(two, lifecycle_tokens)]


@pytest.fixture
def no_sweep(lifecycle_database: str, lifecycle_tokens: Tokens) -> Iterator[Workflow]:
    """A worker whose sweep is off: what a revoked token can still do between sweeps."""
    settings = workflow_settings(lifecycle_database, socket_recheck_seconds=0)
    with RunningServer(settings) as server:
        yield Workflow(server, lifecycle_tokens)


@pytest.mark.parametrize("legacy", [False, True], ids=["graphql-transport-ws", "graphql-ws"])
async def test_each_operation_checks_the_token_again(
    no_sweep: Workflow, lifecycle_database: str, legacy: bool
) -> None:
    token_id, token = await _new_coordinator_token(lifecycle_database)
    submitted = await asyncio.to_thread(no_sweep.submit)
    code = submitted["trackingCode"]
    assign = action_body("assign", submitted["petition"], agencyCode="BTC", fieldCode="DAT_DAI")
    async with GraphQLSocket(no_sweep.server.url, token=token, legacy=legacy) as socket:
        before = await socket.operation(CONTACT, {"code": code})
        assert before["payload"]["data"]["petition"]["petitioner"]["fullName"]
        await asyncio.to_thread(_revoke, lifecycle_database, token_id)
        read = await socket.operation(CONTACT, {"code": code})
        assert _codes(read) == ["UNAUTHENTICATED"]
        assert read["payload"]["data"] == {"petition": {"petitioner": None}}
        assigned = await socket.operation(assign["query"], assign["variables"])
        assert _codes(assigned) == ["UNAUTHENTICATED"]
        events = await socket.operation("subscription { petitionEvents { action note } }")
        assert _codes(events) == ["UNAUTHENTICATED"]
    assert no_sweep.public_view(code)["status"] == "SUBMITTED", "the assignment did not run"


async def test_revoking_closes_the_tokens_sockets_on_every_worker(
    two_workers: list[Workflow], lifecycle_database: str
) -> None:
    token_id, token = await _new_coordinator_token(lifecycle_database)
    one, two = (workflow.server.url for workflow in two_workers)
    sockets = [
        GraphQLSocket(one, token=token),
        GraphQLSocket(two, token=token, legacy=True),
        GraphQLSocket(two, token=token),
    ]
    public = GraphQLSocket(two)
    for socket in [*sockets, public]:
        await socket.__aenter__()
        await socket.subscribe()
    await asyncio.to_thread(_revoke, lifecycle_database, token_id)
    closes = await asyncio.gather(*(socket.closing(RECHECK_SECONDS * 10) for socket in sockets))
    assert closes[0] == (4403, [])
    assert closes[2] == (4403, [])
    code, said = closes[1]
    assert code == 1000
    assert [m["payload"]["extensions"]["code"] for m in said] == ["UNAUTHENTICATED"]
    assert await public.nothing_within(RECHECK_SECONDS * 3), "the public socket stays open"
    await public.__aexit__(None, None, None)
    with pytest.raises(ConnectionClosed) as refused:
        async with GraphQLSocket(one, token=token):
            pass
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4403


async def test_pakn_serve_with_two_workers_closes_a_revoked_tokens_sockets(
    backend: str, lifecycle_database: str
) -> None:
    """The same through `pakn serve --workers 2`: six sockets, which the kernel hands to
    either worker (the two servers above make sure of two), all closed in time."""
    if backend != "postgresql":
        pytest.skip("several workers need PostgreSQL; SQLite serves one worker")
    token_id, token = await _new_coordinator_token(lifecycle_database)
    settings = {"PAKN_SOCKET_RECHECK": str(RECHECK_SECONDS)}
    with pakn_serve(lifecycle_database, workers=2, settings=settings) as url:
        sockets = [GraphQLSocket(url, token=token) for _ in range(6)]
        for socket in sockets:
            await socket.__aenter__()
            await socket.subscribe()
        await asyncio.to_thread(_revoke, lifecycle_database, token_id)
        closes = await asyncio.gather(*(s.closing(RECHECK_SECONDS * 10) for s in sockets))
    assert closes == [(4403, [])] * 6
