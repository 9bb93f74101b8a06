"""The transparency log over GraphQL (#16, point 3): the latest checkpoint, proofs and
entries within the signed tree, the log's keys. Arguments are checked against the latest
checkpoint's size before any proof is read."""

from __future__ import annotations

import base64
import inspect

from app.services import witness_push
from db import log_checkpoints
from db.models import LogCheckpoint, PetitionEvent
from db.queries import log
from resolvers.context import Context
from resolvers.errors import ClientError
from resolvers.private_text import text_for

LOG_INDEX_OUT_OF_RANGE = "LOG_INDEX_OUT_OF_RANGE"
TREE_SIZE_OUT_OF_RANGE = "TREE_SIZE_OUT_OF_RANGE"


def encoded(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


async def latest_checkpoint(context: Context) -> tuple[LogCheckpoint, str]:
    """The latest checkpoint, and its note with the witnesses' cosignatures."""
    found = await log_checkpoints.latest(context.session)
    if found is None:
        raise ClientError("NOT_FOUND", "The log has not signed a checkpoint yet.")
    return found, await witness_push.with_cosignatures(context.session, found)


async def _signed_size(context: Context) -> int:
    found = await log_checkpoints.latest(context.session)
    return found.tree_size if found is not None else 0


def _check_size(name: str, size: int, signed: int) -> None:
    if not 1 <= size <= signed:
        raise ClientError(
            TREE_SIZE_OUT_OF_RANGE,
            f"`{name}` must be between 1 and the latest checkpoint's size, {signed}; got {size}.",
            argument=name,
            maximum=signed,
        )


def _check_index(index: int, size: int) -> None:
    if not 0 <= index < size:
        raise ClientError(
            LOG_INDEX_OUT_OF_RANGE,
            f"`logIndex` must be between 0 and {size - 1}; got {index}.",
            argument="logIndex",
            maximum=size - 1,
        )


async def inclusion_proof(context: Context, index: int, size: int) -> list[str]:
    _check_size("treeSize", size, await _signed_size(context))
    _check_index(index, size)
    return encoded(await log.inclusion_proof(context.session, index, size))


async def consistency_proof(context: Context, old_size: int, new_size: int) -> list[str]:
    signed = await _signed_size(context)
    _check_size("toSize", new_size, signed)
    _check_size("fromSize", old_size, new_size)
    return encoded(await log.consistency_proof(context.session, old_size, new_size))


async def log_entry(context: Context, index: int) -> str:
    signed = await _signed_size(context)
    if signed == 0:
        _check_size("treeSize", 1, signed)
    _check_index(index, signed)
    found = await log.entry(context.session, index)
    assert found is not None, "a signed tree has every entry"
    return base64.b64encode(found).decode()


async def public_keys(context: Context) -> list[str]:
    return await log_checkpoints.public_keys(context.session)


async def text_salt(context: Context, event: PetitionEvent, which: str) -> str | None:
    """The salt of the commitment to the event's `which` text ('note'; 'title' or 'body'
    of a SUBMIT; 'blinding', the whole entry of an internal event) in its leaf, base64;
    null wherever the reader is not shown the text (an internal event is shown only to
    those who may see it)."""
    if which == "blinding":
        probe = None if event.is_public else ""
    elif which == "note":
        probe = event.note
    elif event.action == "SUBMIT":
        probe = ""
    else:
        return None
    shown = text_for(context, event.petition_id, probe)
    if inspect.isawaitable(shown):
        shown = await shown
    if shown is None:
        return None
    salts = await context.loaders.log_salts.load(event.id)
    value = getattr(salts, which) if salts is not None else None
    return base64.b64encode(value).decode() if value is not None else None
