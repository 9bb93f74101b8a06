"""The per-request context: one session, one set of loaders, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from app.timezone import now
from resolvers.loaders import Loaders


@dataclass
class Context:
    session: AsyncSession
    settings: Settings
    request_id: str
    loaders: Loaders
    now: datetime = field(default_factory=now)

    @property
    def dialect(self) -> str:
        return self.session.bind.dialect.name
