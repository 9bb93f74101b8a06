"""One set of dataloaders per request: batched lookups by key and to-many relations."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from db import keys
from db.models import (
    Agency,
    AgencyKey,
    Answer,
    Attachment,
    Field,
    Petition,
    PetitionerContact,
    PetitionEvent,
    Rating,
)
from db.queries import events, log, petitions, reference
from db.queries.similar import SimilarRequest, find_similar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedLoader(DataLoader[K, V]):
    """A DataLoader whose futures survive one consumer's cancellation.

    The same key, loaded from two fields, shares one future. When graphql-core cancels a
    field (because a sibling failed), the cancellation must not cancel that shared future
    under the other field. The batch then runs on with no field waiting for it, so the
    request's session stays open until it is done (`SerialSession.keep_open_for`).
    """

    def __init__(
        self, batch: Callable[[list[K]], Awaitable[list[V]]], session: AsyncSession
    ) -> None:
        super().__init__(batch)
        self._keep_open_for = getattr(session, "keep_open_for", None)

    def load(self, key: K) -> asyncio.Future[V]:
        future = super().load(key)
        if self._keep_open_for is not None:
            self._keep_open_for(future)
        return asyncio.shield(future)


def _loader(
    session: AsyncSession,
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]],
    default: Callable[[], Any] = lambda: None,
) -> DataLoader[K, V]:
    async def batch(keys: list[K]) -> list[V]:
        found = await fetch(session, keys)
        return [found[key] if key in found else default() for key in keys]

    return SharedLoader(batch, session)


@dataclass(frozen=True)
class EventPageKey:
    petition_id: int
    after_id: int | None
    limit: int
    public_only: bool = True


def _event_pages(session: AsyncSession) -> DataLoader[EventPageKey, list[PetitionEvent]]:
    async def batch(keys: list[EventPageKey]) -> list[list[PetitionEvent]]:
        results: dict[EventPageKey, list[PetitionEvent]] = {}
        groups: dict[tuple[int | None, int, bool], list[int]] = {}
        for key in keys:
            groups.setdefault((key.after_id, key.limit, key.public_only), []).append(
                key.petition_id
            )
        for (after_id, limit, public_only), ids in groups.items():
            pages = await events.pages_by_petition(session, ids, after_id, limit, public_only)
            for pid in ids:
                results[EventPageKey(pid, after_id, limit, public_only)] = pages[pid]
        return [results[key] for key in keys]

    return SharedLoader(batch, session)


@dataclass(frozen=True)
class AgencyPageKey:
    agency_id: int
    filter: petitions.PetitionCriteria
    page: petitions.PageRequest
    related: petitions.Related


def _agency_pages(session: AsyncSession) -> DataLoader[AgencyPageKey, petitions.Page]:
    """Pages of several agencies' petitions with equal arguments share one query."""

    async def batch(keys: list[AgencyPageKey]) -> list[petitions.Page]:
        groups: dict[tuple[Any, ...], list[int]] = {}
        for key in keys:
            groups.setdefault((key.filter, key.page, key.related), []).append(key.agency_id)
        results: dict[AgencyPageKey, petitions.Page] = {}
        for (flt, page, related), agency_ids in groups.items():
            pages = await petitions.fetch_pages_by_agency(session, flt, page, related, agency_ids)
            for agency_id, found in pages.items():
                results[AgencyPageKey(agency_id, flt, page, related)] = found
        return [results[key] for key in keys]

    return SharedLoader(batch, session)


def _agency_counts(
    session: AsyncSession,
) -> DataLoader[tuple[int, petitions.PetitionCriteria], int]:
    async def batch(keys: list[tuple[int, petitions.PetitionCriteria]]) -> list[int]:
        groups: dict[petitions.PetitionCriteria, list[int]] = {}
        for agency_id, flt in keys:
            groups.setdefault(flt, []).append(agency_id)
        results: dict[tuple[int, petitions.PetitionCriteria], int] = {}
        for flt, agency_ids in groups.items():
            counts = await petitions.counts_by_agency(session, flt, agency_ids)
            results.update({(agency_id, flt): n for agency_id, n in counts.items()})
        return [results[key] for key in keys]

    return SharedLoader(batch, session)


class Loaders:
    """Created in `get_context`; never shared between requests.

    Each loader is made on first use: a request (or one subscription event) pays only for
    the loaders its selection needs.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.known_petitions: dict[int, Petition] = {}
        """Petitions this request has read, by id (`resolvers.private_text`)."""

    @cached_property
    def agency(self) -> DataLoader[int, Agency | None]:
        return _loader(self._session, petitions.agencies_by_ids)

    @cached_property
    def field(self) -> DataLoader[int, Field | None]:
        return _loader(self._session, petitions.fields_by_ids)

    @cached_property
    def petition(self) -> DataLoader[int, Petition | None]:
        return _loader(self._session, petitions.by_ids)

    @cached_property
    def answer(self) -> DataLoader[int, Answer | None]:
        return _loader(self._session, petitions.answers_by_ids)

    @cached_property
    def answers(self) -> DataLoader[int, list[Answer]]:
        return _loader(self._session, petitions.answers_by_petition, list)

    @cached_property
    def attachments(self) -> DataLoader[int, list[Attachment]]:
        return _loader(self._session, petitions.petition_attachments, list)

    @cached_property
    def answer_attachments(self) -> DataLoader[int, list[Attachment]]:
        return _loader(self._session, petitions.answer_attachments, list)

    @cached_property
    def rating(self) -> DataLoader[int, Rating | None]:
        return _loader(self._session, petitions.ratings_by_petition)

    @cached_property
    def event(self) -> DataLoader[int, PetitionEvent | None]:
        return _loader(self._session, events.by_ids)

    @cached_property
    def latest_event(self) -> DataLoader[int, PetitionEvent | None]:
        return _loader(self._session, events.latest_by_petition)

    @cached_property
    def event_count(self) -> DataLoader[int, int]:
        return _loader(self._session, events.counts_by_petition, int)

    @cached_property
    def all_event_count(self) -> DataLoader[int, int]:
        return _loader(self._session, events.counts_including_internal, int)

    @cached_property
    def event_page(self) -> DataLoader[EventPageKey, list[PetitionEvent]]:
        return _event_pages(self._session)

    @cached_property
    def log_salts(self) -> DataLoader[int, log.Salts | None]:
        return _loader(self._session, log.salts_by_event)

    @cached_property
    def agency_id_by_code(self) -> DataLoader[str, int | None]:
        return _loader(self._session, reference.agencies_by_codes)

    @cached_property
    def field_id_by_code(self) -> DataLoader[str, int | None]:
        return _loader(self._session, reference.fields_by_codes)

    @cached_property
    def keys(self) -> DataLoader[int, list[AgencyKey]]:
        return _loader(self._session, keys.keys_by_agency, list)

    @cached_property
    def contact(self) -> DataLoader[int, PetitionerContact | None]:
        return _loader(self._session, petitions.contacts_by_petition)

    @cached_property
    def agency_page(self) -> DataLoader[AgencyPageKey, petitions.Page]:
        return _agency_pages(self._session)

    @cached_property
    def similar(self) -> DataLoader[SimilarRequest, list[int]]:
        """Similar petitions' ids (`db.queries.similar`): every text of a page in one batch."""

        async def batch(keys: list[SimilarRequest]) -> list[list[int]]:
            return await find_similar(self._session, keys)

        return SharedLoader(batch, self._session)

    @cached_property
    def agency_count(self) -> DataLoader[tuple[int, petitions.PetitionCriteria], int]:
        return _agency_counts(self._session)
