"""`/log/` over HTTP (#16, point 3), on both databases: the signed checkpoint, and the
tiles and entry bundles of the tree it signs, as C2SP tlog-tiles spells them: a client
that knows only the log's public key rebuilds the root from what it fetched; full tiles
and bundles are cacheable for a year, the checkpoint for seconds; what the signed tree does
not cover, and paths the specification does not spell, are 404."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import delete

from app.domain import merkle
from app.domain.signed_note import Checkpoint, Note, Verifier
from db.engine import create_engine
from db.models import LogEntry
from tests.domain import rfc9162
from tests.support.log import sign
from tests.support.server import RunningServer
from tests.support.waiting import wait_until
from tests.support.workflow import SUBMIT, count_events, submission, workflow_settings


async def _lose_leaf(url: str, event_id: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(LogEntry).where(LogEntry.event_id == event_id))
    finally:
        await engine.dispose()


def _bundle(body: bytes) -> list[bytes]:
    entries, at = [], 0
    while at < len(body):
        length = int.from_bytes(body[at : at + 2], "big")
        entries.append(body[at + 2 : at + 2 + length])
        at += 2 + length
    return entries


def test_a_client_rebuilds_the_signed_root_from_the_tiles(empty_database: str) -> None:
    with RunningServer(workflow_settings(empty_database)) as server:
        assert server.client.get("/log/checkpoint").status_code == 404, "none signed yet"
        vkey, _signer = asyncio.run(sign(empty_database, 70, 11))
        response = server.client.get("/log/checkpoint", headers={"Origin": "https://a.example"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=5"
        assert response.headers["access-control-allow-origin"] == "*"
        note = Note.parse(response.text)
        assert note.signed_by(Verifier.parse(vkey)) is not None
        checkpoint = Checkpoint.parse(note.text)
        size = checkpoint.size
        assert 256 < size < 512

        full = server.client.get("/log/tile/entries/000")
        assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
        rest = server.client.get(f"/log/tile/entries/001.p/{size - 256}")
        entries = _bundle(full.content) + _bundle(rest.content)
        assert len(entries) == size
        assert rfc9162.mth(entries) == checkpoint.root

        gzipped = httpx.get(
            f"{server.url}/log/tile/entries/000", headers={"Accept-Encoding": "gzip"}
        )
        assert gzipped.headers["content-encoding"] == "gzip" and gzipped.content == full.content
        tile = httpx.get(f"{server.url}/log/tile/0/000", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in tile.headers, "hash tiles do not compress"
        leaves = server.client.get("/log/tile/0/000").content
        assert leaves == b"".join(merkle.leaf_hash(e) for e in entries[:256])
        level1 = server.client.get("/log/tile/1/000.p/1")
        assert level1.content == rfc9162.mth(entries[:256])
        partial = server.client.get(f"/log/tile/0/001.p/{size - 256}").content
        assert partial == b"".join(merkle.leaf_hash(e) for e in entries[256:])
        assert server.client.head("/log/tile/0/000").status_code == 200

        asyncio.run(_lose_leaf(empty_database, size))
        lost = server.client.get(f"/log/tile/0/001.p/{size - 256}")
        assert lost.status_code == 404 and lost.headers["cache-control"] == "no-store"
        for beyond in (
            "/log/tile/0/001",
            f"/log/tile/0/001.p/{size - 255}",
            "/log/tile/0/002.p/1",
            "/log/tile/1/000",
            "/log/tile/2/000.p/1",
            "/log/tile/entries/001",
            "/log/tile/0/x000/001",
            "/log/tile/0/000.p/256",
            "/log/tile/64/000",
            "/log/tile/0",
        ):
            answer = server.client.get(beyond)
            assert answer.status_code == 404, beyond
            assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND", beyond


def test_the_servers_own_signer_checkpoints_what_is_written(empty_database: str) -> None:
    """The background job log-checkpoint: a petition submitted over the API is in a signed
    checkpoint moments later, with nobody else signing."""
    settings = workflow_settings(empty_database, checkpoint_seconds=0.2)
    with RunningServer(settings, background=True) as server:
        submitted = server.post(SUBMIT, {"input": submission()}).json()
        assert submitted["data"]["submitPetition"]["userErrors"] == []

        def signed() -> int:
            time.sleep(0.2)  # well within the read rate limit
            response = server.client.get("/log/checkpoint")
            if response.status_code != 200:
                return 0
            return Checkpoint.parse(Note.parse(response.text).text).size

        wait_until(lambda: signed() >= 1, "a checkpoint of the submission")
        assert signed() == count_events(empty_database)
