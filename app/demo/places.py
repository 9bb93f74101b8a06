"""The provinces petitioners write from, and how often each one does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.demo.draw import Draw, cumulative
from app.demo.wording.template import Phrase, phrase
from app.domain.reference import provinces
from app.domain.text import normalize

BIG_CITIES = {"01": 4.0, "79": 4.0, "31": 1.8, "48": 1.8, "92": 1.5}
"""Provinces sending more petitions than the others, by code (the others weigh 1)."""


@dataclass(frozen=True)
class ProvincePlace:
    code: str
    place: Phrase
    """As written inside a sentence: "tỉnh Lào Cai", "thành phố Hà Nội"."""
    address: str
    """As written at the end of an address: "tỉnh Lào Cai", "Thành phố Hà Nội"."""


@cache
def all_provinces() -> tuple[ProvincePlace, ...]:
    listed: list[ProvincePlace] = []
    for ref in provinces():
        city = ref.name.startswith("Thành phố ")
        address = ref.name if city else f"tỉnh {ref.name}"
        place = "thành phố " + ref.name.removeprefix("Thành phố ") if city else address
        listed.append(ProvincePlace(ref.code, phrase(place), normalize(address)))
    return tuple(listed)


@cache
def _province_shares() -> tuple[float, ...]:
    return cumulative([BIG_CITIES.get(p.code, 1.0) for p in all_provinces()])


def draw_province(draw: Draw) -> ProvincePlace:
    """A province, the big cities more often."""
    return all_provinces()[draw.weighted_index(_province_shares())]
