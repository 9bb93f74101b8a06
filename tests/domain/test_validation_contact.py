"""Input rules for submitting a petition, the petitioner's contact: emails and Vietnamese
phone numbers as stored, one of them required, and a business's organisation name and tax
code. Tested without a server.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.validation import normalize_phone

from .submissions import BUSINESS, SUBMISSION, _codes, _validate, _with_person

# --- email -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("an.nguyen@example.vn", "an.nguyen@example.vn"),
        ("  An.Nguyen+pakn@Mail.Gov.VN ", "An.Nguyen+pakn@mail.gov.vn"),
        ("x@a-b.co", "x@a-b.co"),
    ],
)
def test_valid_emails(raw: str, stored: str) -> None:
    cleaned, problems = _validate(_with_person(email=raw))
    assert problems == []
    assert cleaned.petitioner.email == stored


@pytest.mark.parametrize(
    "raw",
    [
        "plain",
        "no-at.example.vn",
        "a@b",
        "a@@b.vn",
        "a b@c.vn",
        ".a@b.vn",
        "a..b@c.vn",
        "a@-b.vn",
        "a@b.v",
        "a@b.vn.",
        "nguyễn@example.vn",
        "a" * 65 + "@example.vn",
        "a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 60 + ".vn",
    ],
)
def test_invalid_emails(raw: str) -> None:
    assert _codes(_with_person(email=raw)) == {(("input", "petitioner", "email"), "INVALID_EMAIL")}


# --- phone -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84-38-123-4567", "0381234567"),
        ("0241234567", "0241234567"),
        # real landlines have 11 digits: area code 02x / 02xx and the subscriber number
        ("(024) 3822 1234", "02438221234"),
        ("0236.3821.234", "02363821234"),
        ("+84 28 3822 1234", "02838221234"),
        ("0551234567", "0551234567"),
        ("0701234567", "0701234567"),
        ("0861234567", "0861234567"),
    ],
)
def test_valid_phones(raw: str, stored: str) -> None:
    cleaned, problems = _validate(_with_person(phone=raw))
    assert problems == []
    assert cleaned.petitioner.phone == stored


@pytest.mark.parametrize(
    "raw",
    [
        "091234567",  # 9 digits
        "09123456789",  # 11 digits, but not a landline
        "024382212345",  # 12 digits
        "1912345678",  # no leading 0
        "0112345678",  # 01 is no longer a prefix
        "0412345678",
        "0612345678",
        "+8491234567",  # +84 and 8 digits
        "+849123456789",  # +84 and 10 digits
        "+1 912 345 6789",
        "0912abc678",
        "０９１２３４５６７８",  # full-width digits
        "0912/345/678",
    ],
)
def test_invalid_phones(raw: str) -> None:
    assert normalize_phone(raw) is None
    codes = _codes(_with_person(phone=raw, email=None))
    assert codes == {(("input", "petitioner", "phone"), "INVALID_PHONE")}


def test_email_or_phone_is_required() -> None:
    assert _codes(_with_person(email=None, phone=None)) == {
        (("input", "petitioner", "email"), "REQUIRED")
    }
    assert _codes(_with_person(email=" ", phone="")) == {
        (("input", "petitioner", "email"), "REQUIRED")
    }
    assert _codes(_with_person(email=None, phone="0912345678")) == set()
    assert _codes(_with_person(email="an@example.vn", phone=None)) == set()


# --- business --------------------------------------------------------------


def test_business_needs_organization_name_and_tax_code() -> None:
    person = replace(BUSINESS.petitioner, organization_name=None, tax_code=None)
    assert _codes(replace(BUSINESS, petitioner=person)) == {
        (("input", "petitioner", "organizationName"), "REQUIRED"),
        (("input", "petitioner", "taxCode"), "REQUIRED"),
    }


def test_citizen_needs_neither() -> None:
    assert _codes(SUBMISSION) == set()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0312345678", "0312345678"),
        (" 0312345678 ", "0312345678"),
        ("0312345678001", "0312345678001"),
        ("0312345678-001", "0312345678001"),
    ],
)
def test_valid_tax_codes(raw: str, stored: str) -> None:
    data = replace(BUSINESS, petitioner=replace(BUSINESS.petitioner, tax_code=raw))
    cleaned, problems = _validate(data)
    assert problems == []
    assert cleaned.petitioner.tax_code == stored


@pytest.mark.parametrize(
    "raw",
    [
        "031234567",
        "03123456789",
        "031234567800",
        "03123456780012",
        "0312345678-01",
        "031234567-8001",
        "0312345678 001",
        "03123456AB",
        "0312345678--001",
    ],
)
def test_invalid_tax_codes(raw: str) -> None:
    data = replace(BUSINESS, petitioner=replace(BUSINESS.petitioner, tax_code=raw))
    assert _codes(data) == {(("input", "petitioner", "taxCode"), "INVALID_TAX_CODE")}
