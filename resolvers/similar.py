"""Similar petitions (`Query.similarPetitions`, `Petition.similar`): arguments checked, the
text turned into words, the search batched through the request's `similar` loader."""

from __future__ import annotations

from app.domain.similarity import similarity_terms
from app.domain.text import normalize, normalize_code
from app.domain.validation import BODY_LENGTH, TITLE_LENGTH
from db.models import Petition
from db.queries.similar import SimilarRequest
from resolvers.context import Context
from resolvers.errors import ClientError

DEFAULT_SIMILAR = 5
MAX_SIMILAR = 20
MAX_TITLE = TITLE_LENGTH[1]
MAX_BODY = BODY_LENGTH[1]
MAX_FIELD_CODE = 64
"""The longest field code the table holds: a longer one names no field."""


def _check_first(first: int | None) -> int:
    if first is None:
        return DEFAULT_SIMILAR
    if not 1 <= first <= MAX_SIMILAR:
        raise ClientError(
            "PAGE_SIZE_OUT_OF_RANGE",
            f"`first` must be between 1 and {MAX_SIMILAR}; got {first}.",
            argument="first",
            maximum=MAX_SIMILAR,
        )
    return first


def _check_length(argument: str, value: str, maximum: int) -> str:
    value = normalize(value).strip()
    if len(value) > maximum:
        raise ClientError(
            "TOO_LONG",
            f"`{argument}` holds at most {maximum:,} characters; got {len(value):,}.",
            argument=argument,
            maximum=maximum,
        )
    return value


async def _petitions(ctx: Context, request: SimilarRequest) -> list[Petition]:
    if not request.terms:
        return []
    ids = await ctx.loaders.similar.load(request)
    found = await ctx.loaders.petition.load_many(ids)
    return [petition for petition in found if petition is not None and not petition.is_private]


async def similar_petitions(
    ctx: Context, title: str, body: str | None, field_code: str | None, first: int | None
) -> list[Petition]:
    """The public petitions most like a text that is not (yet) a petition."""
    limit = _check_first(first)
    title = _check_length("title", title, MAX_TITLE)
    body = _check_length("body", body, MAX_BODY) if body is not None else None
    field_id = None
    if field_code is not None:
        code = normalize_code(field_code)
        found = (
            await ctx.loaders.field_id_by_code.load(code) if len(code) <= MAX_FIELD_CODE else None
        )
        if found is None:
            echo = field_code[:MAX_FIELD_CODE]
            cut = f" (its first {MAX_FIELD_CODE} characters)" if echo != field_code else ""
            raise ClientError(
                "UNKNOWN_CODE",
                f"Unknown field code: {echo!r}{cut}; see Query.fields.",
                argument="fieldCode",
                codes=[echo],
            )
        field_id = found
    terms = tuple(similarity_terms(title, body))
    return await _petitions(ctx, SimilarRequest(terms, limit, field_id=field_id))


async def petition_similar(ctx: Context, petition: Petition, first: int | None) -> list[Petition]:
    """The public petitions most like `petition`, itself left out. A private petition's
    text is compared only for a reader who may read it; for anyone else the list is
    empty, so the private text shapes nothing the public sees."""
    limit = _check_first(first)
    if petition.is_private and not await ctx.may_see_private(petition.id, petition.agency_id):
        return []
    terms = tuple(similarity_terms(petition.title, petition.body))
    request = SimilarRequest(
        terms,
        limit,
        exclude_id=petition.id,
        field_id=petition.field_id,
        indexed=not petition.is_private,
    )
    return await _petitions(ctx, request)
