"""The demo loader, its text and personal data: Vietnamese titles and bodies in NFC within
the length limits (also over 20,000 petitions built in memory), private petitions kept out
of search, petitions that pass submission validation, contacts that look like Vietnamese
petitioners, and wording templates whose placeholders do not touch a word.

Most tests read the package's SQLite body of demo petitions (tests/services/conftest.py).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from app.demo.chunks import build_chunk
from app.demo.spec import LoadSpec, Position
from app.demo.wording.template import Template
from app.domain.chain import GENESIS
from app.domain.reference import FIELDS, agencies, province_codes
from app.domain.signing import new_key_pair
from app.domain.text import fold
from app.domain.validation import PetitionerData, SubmissionData, validate_submission
from tests.support.demo_rows import NOW, PETITIONS

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]")


# --- text and personal data ------------------------------------------------


def test_private_petitions_are_not_searchable(data: dict[str, Any]) -> None:
    for petition in data["petitions"]:
        expected = "" if petition.is_private else fold(f"{petition.title} {petition.body}")
        assert petition.search_text == expected


def test_titles_and_bodies_are_vietnamese_nfc(data: dict[str, Any]) -> None:
    texts = [(p.title, p.body) for p in data["petitions"]]
    texts += [(a.body, a.body) for a in data["answers"]]
    for title, body in texts:
        for value in (title, body):
            assert unicodedata.is_normalized("NFC", value)
            assert VIETNAMESE.search(value.lower()), value
    for petition in data["petitions"]:
        assert 10 <= len(petition.title) <= 200
        assert 30 <= len(petition.body) <= 10_000
    assert len({p.title for p in data["petitions"]}) > PETITIONS / 2


def test_petitions_pass_submission_validation(data: dict[str, Any]) -> None:
    known_fields = set(data["fields"].values())
    for petition in data["petitions"]:
        contact = data["contacts"][petition.id]
        submitted = SubmissionData(
            channel=petition.channel,
            kind=petition.kind,
            subject=petition.subject,
            title=petition.title,
            body=petition.body,
            field_code=data["fields"][petition.field_id],
            province_code=petition.province_code,
            is_private=petition.is_private,
            petitioner=PetitionerData(
                contact.full_name,
                contact.email,
                contact.phone,
                contact.address,
                contact.organization_name,
                contact.tax_code,
            ),
        )
        cleaned, problems = validate_submission(
            submitted, known_fields=known_fields, known_provinces=set(province_codes())
        )
        assert problems == [] and cleaned == submitted


def test_contacts_look_like_vietnamese_petitioners(data: dict[str, Any]) -> None:
    for petition in data["petitions"]:
        contact = data["contacts"][petition.id]
        assert len(contact.full_name.split()) == 3
        assert contact.phone is None or re.fullmatch(r"0[3789][0-9]{8}", contact.phone)
        assert contact.email is None or re.fullmatch(
            r"[a-z0-9.]+@[a-z0-9.]+\.[a-z]+", contact.email
        )
        business = petition.channel == "BUSINESS"
        assert (contact.organization_name is not None) is business
        assert (contact.tax_code is not None) is business
        if business:
            assert re.fullmatch(r"[0-9]{10}|[0-9]{13}", contact.tax_code)
        for personal in (contact.full_name, contact.phone, contact.email, contact.tax_code):
            assert personal is None or personal not in petition.body


def test_lengths_stay_within_limits_across_many_petitions() -> None:
    """Built in memory: 20,000 petitions, enough to include a few hundred long ones."""
    agency_ids = {ref.code: i for i, ref in enumerate(agencies(), start=1)}
    key = new_key_pair("DEMO", NOW.date())
    spec = LoadSpec(
        seed=3,
        total=1_000_000,
        now=int(NOW.timestamp()),
        agency_ids=agency_ids,
        field_ids={ref.code: i for i, ref in enumerate(FIELDS, start=1)},
        keys={i: (key.key_id, key.private_key) for i in agency_ids.values()},
    )
    start = Position(1, 1, 1, 1, GENESIS)
    bodies: list[int] = []
    for index in range(0, 40, 10):
        chunk = build_chunk(spec, index, start)
        for row in chunk.tables["petitions"]:
            assert 10 <= len(row[5]) <= 200
            bodies.append(len(row[6]))
        assert all(30 <= len(row[3]) <= 10_000 for row in chunk.tables["answers"])
    assert 30 <= min(bodies) and max(bodies) <= 10_000
    assert 50 < sum(length > 2_000 for length in bodies) < 1_000


def test_a_placeholder_must_not_touch_a_word() -> None:
    assert Template("Thủ tục {name} còn rườm rà").render({"name": ("Đất đai", "dat dai")}) == (
        "Thủ tục Đất đai còn rườm rà",
        "thu tuc dat dai con ruom ra",
    )
    with pytest.raises(ValueError, match="touches a word"):
        Template("Thủ tục{name}")
