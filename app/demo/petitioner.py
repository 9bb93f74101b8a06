"""Who sends a petition: the contact row with a Vietnamese name, a phone number or an
e-mail address (usually both), often an address, and for a business its name and tax code."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from app.demo.draw import Draw
from app.demo.enum_values import BUSINESS
from app.demo.places import draw_province
from app.demo.rows import Row
from app.demo.state import PetitionState
from app.demo.wording.petitioners import (
    COMPANY_BRANDS,
    COMPANY_FORMS,
    COMPANY_TRADES,
    EMAIL_DOMAINS,
    FEMALE_GIVEN,
    FEMALE_MIDDLES,
    MALE_GIVEN,
    MALE_MIDDLES,
    PHONE_PREFIXES,
    STREETS,
    SURNAMES,
    WARDS,
)
from app.domain.text import fold, normalize

GivenName = tuple[str, str, str, str]
"""Middle name, given name, the middle name's ASCII initial, the given name in ASCII."""


class _NameParts(NamedTuple):
    """Names with their ASCII forms, which e-mail addresses are made of."""

    surnames: tuple[tuple[str, str], ...]
    male: tuple[GivenName, ...]
    female: tuple[GivenName, ...]
    brands: tuple[tuple[str, str], ...]


def _ascii(text: str) -> str:
    return fold(text).replace(" ", "")


def _given_names(middles: tuple[str, ...], given: tuple[str, ...]) -> tuple[GivenName, ...]:
    return tuple(
        (normalize(middle), normalize(name), _ascii(middle)[0], _ascii(name))
        for middle in middles
        for name in given
    )


@cache
def _name_parts() -> _NameParts:
    return _NameParts(
        surnames=tuple((normalize(s), _ascii(s)) for s in SURNAMES),
        male=_given_names(MALE_MIDDLES, MALE_GIVEN),
        female=_given_names(FEMALE_MIDDLES, FEMALE_GIVEN),
        brands=tuple((normalize(b), _ascii(b)) for b in COMPANY_BRANDS),
    )


def contact_row(draw: Draw, petition: PetitionState) -> Row:
    """The petitioner's contact; none of it appears in the petition's text."""
    names = _name_parts()
    surname, surname_ascii = draw.pick(names.surnames)
    middle, given, middle_initial, given_ascii = draw.pick(
        names.female if draw.chance(0.5) else names.male
    )
    province = petition.province or draw_province(draw)
    address = None
    if draw.chance(0.8):
        address = (
            f"Số {draw.between(1, 250)}, {draw.pick(STREETS)}, {draw.pick(WARDS)}, "
            f"{province.address}"
        )
    phone = None
    if draw.chance(0.9):
        phone = f"{draw.pick(PHONE_PREFIXES)}{int(draw.random() * 100_000_000):08d}"
    full_name = f"{surname} {middle} {given}"
    if petition.channel == BUSINESS:
        brand, brand_ascii = draw.pick(names.brands)
        organization = f"{draw.pick(COMPANY_FORMS)} {draw.pick(COMPANY_TRADES)} {brand}"
        tax_code = f"{draw.between(100_000_000, 9_999_999_999):010d}"
        if draw.chance(0.2):
            tax_code += f"{draw.between(1, 20):03d}"
        email = None
        if phone is None or draw.chance(0.9):
            email = f"{given_ascii}.{surname_ascii}@{brand_ascii}.com.vn"
        return (petition.petition_id, full_name, email, phone, address, organization, tax_code)
    email = None
    if phone is None or draw.chance(0.75):
        email = (
            f"{given_ascii}{surname_ascii[0]}{middle_initial}{draw.between(60, 99)}"
            f"@{draw.pick(EMAIL_DOMAINS)}"
        )
    return (petition.petition_id, full_name, email, phone, address, None, None)
