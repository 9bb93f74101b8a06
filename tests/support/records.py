"""What the tests read back to hold the service to: export bodies as records, and the
personal data and private texts a database holds (which no public answer may show)."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
from sqlalchemy import select

from app.services.export_columns import COLUMNS
from db.engine import open_engine
from db.models import Petition, PetitionerContact


def csv_records(data: bytes) -> list[dict[str, str]]:
    """A petition CSV export (with or without its byte-order mark) as records of COLUMNS."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader)
    assert tuple(header) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in reader]


def ndjson_records(data: bytes) -> list[dict[str, Any]]:
    """A petition NDJSON export as records of COLUMNS, one a line."""
    assert data == b"" or data.endswith(b"\n")
    records = [orjson.loads(line) for line in data.split(b"\n")[:-1]]
    assert all(tuple(record) == COLUMNS for record in records)
    return records


async def personal_data(url: str) -> tuple[list[str], list[str]]:
    """(every petitioner's contact values, the texts only private petitions hold)."""
    async with open_engine(url) as engine, engine.connect() as connection:
        rows = (await connection.execute(select(PetitionerContact))).all()
        texts = (
            await connection.execute(select(Petition.is_private, Petition.title, Petition.body))
        ).all()
    values = [
        v
        for row in rows
        for v in (
            row.full_name,
            row.email,
            row.phone,
            row.address,
            row.organization_name,
            row.tax_code,
        )
        if v
    ]
    public = {text for private, *pair in texts if not private for text in pair}
    private_only = {text for private, *pair in texts if private for text in pair} - public
    return values, sorted(private_only)
