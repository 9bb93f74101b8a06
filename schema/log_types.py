"""The transparency log's GraphQL types and root fields (#16, point 3); `schema.query`'s
Query takes the fields from `LogQueries`."""

from __future__ import annotations

import base64
from typing import Annotated

import strawberry

from app.domain.signed_note import Checkpoint, Note
from resolvers import log as log_resolvers
from schema.info import GraphInfo

LOG_INDEX = "The leaf's index in the log: the event's, from PetitionEvent.logIndex."


@strawberry.type(
    name="LogCheckpoint",
    description="A checkpoint of the transparency log (C2SP tlog-checkpoint): the tree of "
    "every petition event, its size and root, signed by the Government Office's log key "
    "(Query.logPublicKeys). Also at /log/checkpoint.",
)
class LogCheckpointType:
    origin: str = strawberry.field(description="The log's name, fixed for its lifetime.")
    tree_size: int = strawberry.field(description="How many events (leaves) the tree holds.")
    root_hash: str = strawberry.field(description="The RFC 9162 root hash, base64.")
    signed_note: str = strawberry.field(
        description="The whole C2SP signed note, as /log/checkpoint serves it: the log's "
        "signature, then its witnesses' cosignatures (C2SP tlog-cosignature)."
    )


@strawberry.type
class LogQueries:
    @strawberry.field(description="The latest checkpoint the log signed; NOT_FOUND before any.")
    async def log_checkpoint(self, info: GraphInfo) -> LogCheckpointType:
        latest, note = await log_resolvers.latest_checkpoint(info.context)
        body = Checkpoint.parse(Note.parse(latest.note).text)
        return LogCheckpointType(
            origin=body.origin,
            tree_size=latest.tree_size,
            root_hash=base64.b64encode(bytes(latest.root)).decode(),
            signed_note=note,
        )

    @strawberry.field(
        description="The RFC 9162 inclusion proof of a leaf in the tree of `treeSize` leaves: "
        "base64 SHA-256 hashes, leaf side first. `treeSize` between 1 and the latest "
        "checkpoint's size (TREE_SIZE_OUT_OF_RANGE), `logIndex` below it "
        "(LOG_INDEX_OUT_OF_RANGE)."
    )
    async def inclusion_proof(
        self,
        info: GraphInfo,
        log_index: Annotated[int, strawberry.argument(description=LOG_INDEX)],
        tree_size: Annotated[int, strawberry.argument(description="The tree's size.")],
    ) -> list[str]:
        return await log_resolvers.inclusion_proof(info.context, log_index, tree_size)

    @strawberry.field(
        description="The RFC 9162 consistency proof that the tree of `toSize` leaves extends "
        "the tree of `fromSize`: base64 SHA-256 hashes. 1 <= fromSize <= toSize <= the latest "
        "checkpoint's size (TREE_SIZE_OUT_OF_RANGE)."
    )
    async def consistency_proof(
        self,
        info: GraphInfo,
        from_size: Annotated[int, strawberry.argument(description="The older tree's size.")],
        to_size: Annotated[int, strawberry.argument(description="The newer tree's size.")],
    ) -> list[str]:
        return await log_resolvers.consistency_proof(info.context, from_size, to_size)

    @strawberry.field(
        description="A leaf's entry (app.domain.log_entry's pakn-log-entry/v1), base64: "
        "hashed as RFC 9162 leaf, it is the leaf. LOG_INDEX_OUT_OF_RANGE beyond the latest "
        "checkpoint."
    )
    async def log_entry(
        self,
        info: GraphInfo,
        log_index: Annotated[int, strawberry.argument(description=LOG_INDEX)],
    ) -> str:
        return await log_resolvers.log_entry(info.context, log_index)

    @strawberry.field(
        description="The log's public keys as C2SP verifier keys "
        "(`<name>+<hex key id>+<base64 key>`), the current one first, then those retired. "
        "Pin one (`pakn verify --key`) rather than trust this list at every check."
    )
    async def log_public_keys(self, info: GraphInfo) -> list[str]:
        return await log_resolvers.public_keys(info.context)
