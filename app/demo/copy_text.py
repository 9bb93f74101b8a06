"""A chunk's rows as PostgreSQL COPY data (text format), one writer per table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from app.demo.chunks import build_chunk
from app.demo.moment_text import COPY_NULL, moment_formats
from app.demo.rows import Row
from app.demo.spec import LoadSpec, Position, chunk_count

MomentText = Callable[[int | None], str]


def _text(value: str | None) -> str:
    if value is None:
        return COPY_NULL
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _optional(value: object) -> object:
    """A value that needs no escaping (a number, a code), or NULL."""
    return COPY_NULL if value is None else value


def _flag(value: bool | None) -> str:
    return COPY_NULL if value is None else "t" if value else "f"


def _petitions(rows: Sequence[Row], at: MomentText) -> str:
    lines = []
    for (
        petition_id,
        tracking_code,
        channel,
        kind,
        subject,
        title,
        body,
        is_private,
        field_id,
        province_code,
        status,
        agency_id,
        submitted_at,
        accepted_at,
        clock_started_at,
        deadline_at,
        answered_at,
        response_working_days,
        answered_on_time,
        closed_at,
        follow_up_count,
        escalation_reason,
        rejection_reason,
        duplicate_of,
        version,
        search_text,
        escalated_at,
        rating_score,
        urge_count,
        last_urged_at,
        overdue_count,
        overdue_deadline_at,
    ) in rows:
        lines.append(
            f"{petition_id}\t{tracking_code}\t{channel}\t{kind}\t{subject}\t{_text(title)}\t"
            f"{_text(body)}\t{_flag(is_private)}\t{_optional(field_id)}\t"
            f"{_optional(province_code)}\t{status}\t{_optional(agency_id)}\t"
            f"{at(submitted_at)}\t{at(accepted_at)}\t{at(clock_started_at)}\t{at(deadline_at)}\t"
            f"{at(answered_at)}\t{_optional(response_working_days)}\t"
            f"{_flag(answered_on_time)}\t{at(closed_at)}\t{follow_up_count}\t"
            f"{_optional(escalation_reason)}\t{_optional(rejection_reason)}\t"
            f"{_optional(duplicate_of)}\t{version}\t{_text(search_text)}\t{at(escalated_at)}\t"
            f"{_optional(rating_score)}\t{urge_count}\t{at(last_urged_at)}\t"
            f"{overdue_count}\t{at(overdue_deadline_at)}\n"
        )
    return "".join(lines)


def _contacts(rows: Sequence[Row], _at: MomentText) -> str:
    return "".join(
        f"{petition_id}\t{_text(name)}\t{_text(email)}\t{_text(phone)}\t{_text(address)}\t"
        f"{_text(organization)}\t{_text(tax_code)}\n"
        for petition_id, name, email, phone, address, organization, tax_code in rows
    )


def _assignments(rows: Sequence[Sequence[object]], at: MomentText) -> str:
    return "".join(
        f"{assignment_id}\t{petition_id}\t{agency_id}\t{at(assigned_at)}\t{at(ended_at)}\t"
        f"{_optional(end_reason)}\n"
        for assignment_id, petition_id, agency_id, assigned_at, ended_at, end_reason in rows
    )


def _answers(rows: Sequence[Row], at: MomentText) -> str:
    return "".join(
        f"{answer_id}\t{petition_id}\t{agency_id}\t{_text(body)}\t{at(answered_at)}\t"
        f"{_text(signature)}\t{_text(key_id)}\t{seal_version}\t{digest}\n"
        for (
            answer_id,
            petition_id,
            agency_id,
            body,
            answered_at,
            signature,
            key_id,
            seal_version,
            digest,
        ) in rows
    )


def _ratings(rows: Sequence[Row], at: MomentText) -> str:
    return "".join(
        f"{petition_id}\t{_optional(answer_id)}\t{score}\t{_text(comment)}\t{at(rated_at)}\n"
        for petition_id, answer_id, score, comment, rated_at in rows
    )


def _events(rows: Sequence[Row], at: MomentText) -> str:
    return "".join(
        f"{event_id}\t{petition_id}\t{action}\t{_optional(from_status)}\t{to_status}\t"
        f"{at(moment)}\t{role}\t{_optional(agency_id)}\t{_text(note)}\t"
        f"{'t' if public else 'f'}\t{previous_hash}\t{digest}\n"
        for (
            event_id,
            petition_id,
            action,
            from_status,
            to_status,
            moment,
            role,
            agency_id,
            note,
            public,
            previous_hash,
            digest,
        ) in rows
    )


_WRITERS: dict[str, Callable[[Sequence[Row], MomentText], str]] = {
    "petitions": _petitions,
    "petitioner_contacts": _contacts,
    "assignments": _assignments,
    "answers": _answers,
    "ratings": _ratings,
    "petition_events": _events,
}


class CopyChunk(NamedTuple):
    """One chunk as COPY text per table, and where the next chunk starts."""

    tables: dict[str, bytes]
    end: Position


def build_copy_chunk(spec: LoadSpec, index: int, start: Position) -> CopyChunk:
    """Chunk `index` rendered for PostgreSQL's COPY (text format)."""
    chunk = build_chunk(spec, index, start)
    at = moment_formats(spec.now).copy
    tables = {
        table: _WRITERS[table](rows, at).encode() for table, rows in chunk.tables.items() if rows
    }
    return CopyChunk(tables, chunk.end)


def copy_chunks(spec: LoadSpec, start: Position) -> Iterator[dict[str, bytes]]:
    """Every chunk of the load in order, as COPY text per table."""
    for index in range(chunk_count(spec.total)):
        chunk = build_copy_chunk(spec, index, start)
        yield chunk.tables
        start = chunk.end
