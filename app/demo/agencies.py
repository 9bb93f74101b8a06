"""The agencies a petition can be sent to, by their ids in the database being loaded."""

from __future__ import annotations

from app.demo.places import all_provinces
from app.demo.wording.fields import FIELD_TEXTS
from app.domain.reference import GOVERNMENT_OFFICE_CODE, MINISTRIES, agencies
from app.domain.text import normalize

GOVERNMENT_INSPECTORATE_CODE = "TTCP"


class AgencyDirectory:
    __slots__ = (
        "codes",
        "field_ministries",
        "government_inspectorate",
        "government_office",
        "ministries",
        "names",
        "people_committees",
        "province_agencies",
    )

    def __init__(self, agency_ids: dict[str, int]) -> None:
        names = {ref.code: normalize(ref.name) for ref in agencies()}
        self.names = {agency_id: names.get(code, code) for code, agency_id in agency_ids.items()}
        self.codes = {agency_id: code for code, agency_id in agency_ids.items()}
        self.people_committees = {p.code: agency_ids[f"UBND-{p.code}"] for p in all_provinces()}
        """Each province's People's Committee, by province code."""
        self.province_agencies = frozenset(self.people_committees.values())
        self.ministries = tuple(agency_ids[m.code] for m in MINISTRIES)
        self.field_ministries = {
            code: tuple(agency_ids[m] for m in text.ministries)
            for code, text in FIELD_TEXTS.items()
        }
        """The ministries competent in each field, by field code."""
        self.government_office = agency_ids[GOVERNMENT_OFFICE_CODE]
        self.government_inspectorate = agency_ids[GOVERNMENT_INSPECTORATE_CODE]
