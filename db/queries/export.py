"""The public petition record for open-data exports, read in keyset batches.

One statement per batch, whatever its size: the batch's petitions (filtered, ordered by
id, `id > last`, limited) with their agency, field and rating joined, and their answers
counted by a subquery grouped over the batch's id range only. PostgreSQL reads it as index
scans in id order, with no sort and no materialised intermediate. Each batch runs in its
own short read transaction, so an export of any length holds no connection, lock or
snapshot between batches, and at most two batches are in memory (one read ahead). Rows
are Core rows, never ORM objects.

Only public columns are selected: nothing of `petitioner_contacts`, and the text of a
private petition is blanked in SQL, so it never leaves the database.

Title and body come back as UTF-8 bytes (decoding them is the dearest part of reading a
row). Times come back as naive UTC datetimes, without `Instant`'s per-value conversion to an
aware time in Vietnam's zone: at a million rows that conversion costs more than the query.
`app.services.export` formats them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import (
    DateTime,
    LargeBinary,
    Row,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import (
    Agency,
    Answer,
    Attachment,
    Field,
    LogCheckpoint,
    Petition,
    PetitionEvent,
    Rating,
)
from db.queries.petitions import PetitionCriteria, conditions

DEFAULT_BATCH_SIZE = 5000

_NAIVE = DateTime()
_BYTES = LargeBinary()


def _utc(expression: Any, dialect: str) -> Any:
    """A time as a naive UTC datetime, read without `Instant`'s conversion."""
    if dialect != "sqlite":  # PostgreSQL: timestamptz -> timestamp in UTC
        expression = func.timezone("UTC", expression)
    return type_coerce(expression, _NAIVE)


def _utf8(expression: Any, dialect: str) -> Any:
    """Text as its UTF-8 bytes: a CSV writes them as they are, with no decode and encode."""
    if dialect == "sqlite":
        return type_coerce(cast(expression, LargeBinary), _BYTES)
    return type_coerce(func.convert_to(expression, literal_column("'UTF8'")), _BYTES)


def _joined(digest: Any, dialect: str) -> Any:
    """A group's digests in one text, space-separated, in no set order (the writers sort
    them): SQLite's group_concat, PostgreSQL's string_agg."""
    if dialect == "sqlite":
        return func.group_concat(digest, " ")
    return func.string_agg(digest, literal(" "))


def batch_statement(flt: PetitionCriteria, dialect: str, after_id: int, limit: int) -> Select[Any]:
    """The next `limit` public rows after petition `after_id` (0 before the first)."""
    where = [*conditions(flt, dialect), Petition.id > after_id]
    # The batch's last id bounds the stretch of the ratings and answers indexes to read;
    # without it a merge join would scan them from the start, for every batch.
    batch_ids = select(Petition.id).where(*where).order_by(Petition.id).limit(limit)
    last_id = select(func.max(batch_ids.subquery().c.id)).scalar_subquery()
    answers = (
        select(
            Answer.petition_id.label("petition_id"),
            func.count().label("answer_count"),
            _utc(func.max(Answer.answered_at), dialect).label("latest_answer_at"),
        )
        .where(Answer.petition_id > after_id, Answer.petition_id <= last_id)
        .group_by(Answer.petition_id)
        .subquery("answer_totals")
    )
    files = (
        select(
            Attachment.petition_id.label("petition_id"),
            _joined(Attachment.sha256, dialect).label("attachments"),
        )
        .where(
            Attachment.is_public.is_(True),
            Attachment.petition_id > after_id,
            Attachment.petition_id <= last_id,
        )
        .group_by(Attachment.petition_id)
        .subquery("public_files")
    )
    rating = and_(
        Rating.petition_id == Petition.id,
        Rating.petition_id > after_id,
        Rating.petition_id <= last_id,
    )
    private = Petition.is_private
    return (
        select(
            Petition.tracking_code,
            Petition.channel,
            Petition.kind,
            Petition.subject,
            _utf8(case((private, literal("")), else_=Petition.title), dialect).label("title"),
            _utf8(case((private, literal("")), else_=Petition.body), dialect).label("body"),
            Petition.is_private,
            Field.code.label("field_code"),
            Petition.province_code,
            Petition.status,
            Agency.code.label("agency_code"),
            _utc(Petition.submitted_at, dialect).label("submitted_at"),
            _utc(Petition.accepted_at, dialect).label("accepted_at"),
            _utc(Petition.deadline_at, dialect).label("deadline_at"),
            _utc(Petition.answered_at, dialect).label("answered_at"),
            Petition.response_working_days,
            Petition.answered_on_time,
            Petition.follow_up_count,
            Rating.score.label("rating_score"),
            func.coalesce(answers.c.answer_count, 0).label("answer_count"),
            answers.c.latest_answer_at,
            Petition.urge_count,
            Petition.overdue_count,
            Petition.intake_channel,
            files.c.attachments,
            Petition.id,
        )
        .select_from(Petition)
        .outerjoin(Field, Field.id == Petition.field_id)
        .outerjoin(Agency, Agency.id == Petition.agency_id)
        .outerjoin(Rating, rating)
        .outerjoin(answers, answers.c.petition_id == Petition.id)
        .outerjoin(files, files.c.petition_id == Petition.id)
        .where(*where)
        .order_by(Petition.id)
        .limit(limit)
    )


COLUMNS: tuple[str, ...] = tuple(
    column.key for column in batch_statement(PetitionCriteria(), "sqlite", 0, 1).selected_columns
)
"""What each row of `batches` holds, in order (`id` last: the keyset, not exported): the
labels of the statement itself, so the layout is written once."""


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not log it as forgotten


async def batches(
    engine: AsyncEngine, flt: PetitionCriteria, batch_size: int = DEFAULT_BATCH_SIZE
) -> AsyncIterator[Sequence[Row[Any]]]:
    """Every petition the filter keeps, in id order, as batches of rows shaped as COLUMNS.

    The next batch is read while the caller works on the current one, so the database's
    time overlaps the caller's; at most two batches are in memory.
    """
    dialect = engine.dialect.name

    async def fetch(after_id: int) -> Sequence[Row[Any]]:
        statement = batch_statement(flt, dialect, after_id, batch_size)
        async with engine.connect() as connection:
            return (await connection.execute(statement)).all()

    pending: asyncio.Future[Sequence[Row[Any]]] | None = asyncio.ensure_future(fetch(0))
    try:
        while pending is not None:
            rows = await pending
            pending = None
            if len(rows) == batch_size:
                pending = asyncio.ensure_future(fetch(rows[-1].id))
            if rows:
                yield rows
    finally:
        if pending is not None:  # the caller stopped early: drop the read ahead
            pending.cancel()
            pending.add_done_callback(_retrieve)


async def count(engine: AsyncEngine, flt: PetitionCriteria) -> int:
    """How many rows `batches` will yield (for a progress bar)."""
    statement = (
        select(func.count()).select_from(Petition).where(*conditions(flt, engine.dialect.name))
    )
    async with engine.connect() as connection:
        return int((await connection.execute(statement)).scalar_one())


async def newest_state(engine: AsyncEngine) -> tuple[int, tuple[int, bytes] | None]:
    """The id of the newest petition event (0 when there is none) and the transparency
    log's latest checkpoint (size and root), which the exports name: two index lookups in
    one statement.

    Every change to a petition writes an event in its own transaction, with ids growing in
    commit order, so an export's content can only change when the id does (or when time
    passes: `is_overdue`). The exports' ETags are made from both.
    """
    latest = select(LogCheckpoint).order_by(LogCheckpoint.tree_size.desc()).limit(1).subquery()
    statement = select(
        select(func.max(PetitionEvent.id)).scalar_subquery(),
        select(latest.c.tree_size).scalar_subquery(),
        select(latest.c.root).scalar_subquery(),
    )
    async with engine.connect() as connection:
        newest, size, root = (await connection.execute(statement)).one()
    return int(newest or 0), (int(size), bytes(root)) if size is not None else None
