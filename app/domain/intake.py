"""Petitions that reach an agency otherwise than online (a letter, a phone call, a fax, an
e-mail, a visit), entered by the officer who received them: when they may say it was
received. The petition's submittedAt is that moment, so its place in the statistics is
the day the petitioner wrote, not the day it was typed in; it may not lie in the future,
nor before the record begins (2000)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.domain.vocabulary import IntakeChannel

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of the server's clock an officer's may run."""
OFFLINE = tuple(channel for channel in IntakeChannel if channel is not IntakeChannel.ONLINE)


def received_at_problem(received_at: datetime, now: datetime) -> str | None:
    """Why `received_at` cannot be when a petition was received, or None."""
    if received_at.tzinfo is None:
        return "Give receivedAt with its offset."
    if received_at < EARLIEST:
        return "A petition received before 2000 is not in this record."
    if received_at > now + CLOCK_SKEW:
        return "receivedAt lies in the future."
    return None
