"""Input rules for submitting a petition, tested without a server."""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest

from app.domain.validation import (
    PetitionerData,
    Problem,
    SubmissionData,
    clean_text,
    has_invalid_characters,
    normalize_phone,
    validate_submission,
)

FIELDS = {"DAT_DAI", "THUE"}
PROVINCES = {"01", "79"}

PERSON = PetitionerData(
    full_name="Nguyễn Văn An",
    email="an.nguyen@example.vn",
    phone=None,
    address=None,
    organization_name=None,
    tax_code=None,
)
SUBMISSION = SubmissionData(
    channel="CITIZEN",
    kind="REFLECTION",
    subject="ADMINISTRATIVE_PROCEDURE",
    title="Thủ tục đất đai kéo dài",
    body="Hồ sơ cấp giấy chứng nhận quyền sử dụng đất của tôi đã quá hạn ba tháng.",
    field_code="DAT_DAI",
    province_code="79",
    is_private=False,
    petitioner=PERSON,
)
BUSINESS = replace(
    SUBMISSION,
    channel="BUSINESS",
    petitioner=replace(PERSON, organization_name="Công ty TNHH Sao Mai", tax_code="0312345678"),
)


def _validate(data: SubmissionData) -> tuple[SubmissionData, list[Problem]]:
    return validate_submission(data, known_fields=FIELDS, known_provinces=PROVINCES)


def _codes(data: SubmissionData) -> set[tuple[tuple[str, ...], str]]:
    return {(p.field, p.code) for p in _validate(data)[1]}


def _with_person(**changes: object) -> SubmissionData:
    return replace(SUBMISSION, petitioner=replace(PERSON, **changes))


def test_a_valid_submission_has_no_problems() -> None:
    cleaned, problems = _validate(SUBMISSION)
    assert problems == []
    assert cleaned == SUBMISSION
    cleaned, problems = _validate(BUSINESS)
    assert problems == []
    assert cleaned == BUSINESS


# --- clean_text ------------------------------------------------------------


def test_clean_text_strips_and_collapses_spaces() -> None:
    assert clean_text("  Thủ \t tục\u00a0\u00a0đất   đai \n") == "Thủ tục đất đai"
    assert clean_text("line one\nline two") == "line one line two"


def test_clean_text_multiline_keeps_line_breaks() -> None:
    raw = "\n  Kính gửi   Bộ Tài chính,\r\n\r\nTôi  đề nghị\t sửa đổi.  \n"
    assert clean_text(raw, multiline=True) == "Kính gửi Bộ Tài chính,\n\nTôi đề nghị sửa đổi."


def test_clean_text_composes_decomposed_vietnamese() -> None:
    decomposed = unicodedata.normalize("NFD", "Thủ tục đất đai")
    assert decomposed != "Thủ tục đất đai"
    assert clean_text(decomposed) == "Thủ tục đất đai"


def test_submission_is_stored_in_nfc() -> None:
    title = "Thủ tục đất đai quá hạn"
    body = "Hồ sơ đăng ký biến động đất đai của gia đình tôi chưa được giải quyết."
    name = "Trần Thị Bích Ngọc"
    nfd = replace(
        SUBMISSION,
        title=unicodedata.normalize("NFD", title),
        body=unicodedata.normalize("NFD", body),
        petitioner=replace(PERSON, full_name=unicodedata.normalize("NFD", name)),
    )
    cleaned, problems = _validate(nfd)
    assert problems == []
    assert (cleaned.title, cleaned.body, cleaned.petitioner.full_name) == (title, body, name)


@pytest.mark.parametrize(
    "text",
    [
        "a\x00b",
        "bell\x07",
        "esc\x1b[31m",
        "del\x7f",
        "c1\x85",
        "vertical\x0btab",
        "\ud800",  # a lone surrogate
        "\ufdd0",
        "\uffff",
        "\U0001fffe",
        "\U0010ffff",
    ],
)
def test_invalid_characters(text: str) -> None:
    assert has_invalid_characters(text)


@pytest.mark.parametrize("text", ["Thủ tục\nđất\tđai", "emoji 🇻🇳 ok", "\ufffd", "\u200d"])
def test_valid_characters(text: str) -> None:
    assert not has_invalid_characters(text)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Thủ tục \x00 đất đai"}, ("input", "title")),
        ({"body": "Nội dung phản ánh\x1b có ký tự điều khiển ở giữa đoạn."}, ("input", "body")),
        ({"body": "Nội dung phản ánh \ud800 có một nửa cặp thay thế ở giữa."}, ("input", "body")),
        ({"title": "Tiêu đề có ký tự \ufffe lạ"}, ("input", "title")),
    ],
)
def test_control_characters_and_noncharacters_are_invalid_text(
    change: dict[str, str], field: tuple[str, ...]
) -> None:
    assert _codes(replace(SUBMISSION, **change)) == {(field, "INVALID_TEXT")}


def test_invalid_text_in_petitioner_fields() -> None:
    codes = _codes(_with_person(full_name="An\x00", address="Số 1\x08 Hà Nội"))
    assert codes == {
        (("input", "petitioner", "fullName"), "INVALID_TEXT"),
        (("input", "petitioner", "address"), "INVALID_TEXT"),
    }


def test_crlf_in_a_body_is_not_a_control_character() -> None:
    body = "Dòng thứ nhất của phản ánh.\r\nDòng thứ hai của phản ánh."
    cleaned, problems = _validate(replace(SUBMISSION, body=body))
    assert problems == []
    assert cleaned.body == "Dòng thứ nhất của phản ánh.\nDòng thứ hai của phản ánh."


# --- lengths ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "minimum", "maximum"),
    [("title", 10, 200), ("body", 30, 10_000)],
)
def test_title_and_body_lengths(field: str, minimum: int, maximum: int) -> None:
    path = ("input", field)
    assert _codes(replace(SUBMISSION, **{field: "đ" * minimum})) == set()
    assert _codes(replace(SUBMISSION, **{field: "đ" * maximum})) == set()
    assert _codes(replace(SUBMISSION, **{field: "đ" * (minimum - 1)})) == {(path, "TOO_SHORT")}
    assert _codes(replace(SUBMISSION, **{field: "đ" * (maximum + 1)})) == {(path, "TOO_LONG")}
    assert _codes(replace(SUBMISSION, **{field: ""})) == {(path, "TOO_SHORT")}


def test_length_is_counted_after_cleaning() -> None:
    # 9 letters padded with spaces, decomposed: still too short once cleaned
    padded = "   " + unicodedata.normalize("NFD", "ắ" * 9) + "     "
    assert len(padded) > 10
    assert _codes(replace(SUBMISSION, title=padded)) == {(("input", "title"), "TOO_SHORT")}
    assert _codes(replace(SUBMISSION, title="a    b    c    d")) == {
        (("input", "title"), "TOO_SHORT")
    }


def test_full_name_length() -> None:
    path = ("input", "petitioner", "fullName")
    assert _codes(_with_person(full_name="Ý")) == {(path, "TOO_SHORT")}
    assert _codes(_with_person(full_name="  ")) == {(path, "TOO_SHORT")}
    assert _codes(_with_person(full_name="Vũ")) == set()
    assert _codes(_with_person(full_name="a" * 200)) == set()
    assert _codes(_with_person(full_name="a" * 201)) == {(path, "TOO_LONG")}


def test_address_length() -> None:
    path = ("input", "petitioner", "address")
    cleaned, problems = _validate(_with_person(address="  Số 1,  phố Hàng Bài, Hà Nội "))
    assert problems == []
    assert cleaned.petitioner.address == "Số 1, phố Hàng Bài, Hà Nội"
    assert _codes(_with_person(address="x" * 500)) == set()
    assert _codes(_with_person(address="x" * 501)) == {(path, "TOO_LONG")}


def test_blank_optional_fields_become_none() -> None:
    data = replace(
        _with_person(address="  ", phone="", organization_name=" ", tax_code=""),
        field_code="",
        province_code=" ",
    )
    cleaned, problems = _validate(data)
    assert problems == []
    person = cleaned.petitioner
    assert (person.address, person.phone, person.organization_name, person.tax_code) == (
        None,
        None,
        None,
        None,
    )
    assert (cleaned.field_code, cleaned.province_code) == (None, None)


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


# --- codes -----------------------------------------------------------------


def test_unknown_field_and_province_codes() -> None:
    data = replace(SUBMISSION, field_code="NOPE", province_code="99")
    assert _codes(data) == {
        (("input", "fieldCode"), "UNKNOWN_CODE"),
        (("input", "provinceCode"), "UNKNOWN_CODE"),
    }
    assert _codes(replace(SUBMISSION, field_code=None, province_code=None)) == set()


def test_unknown_enum_values_from_non_graphql_callers() -> None:
    data = replace(SUBMISSION, channel="PRESS", kind="RUMOUR", subject="GOSSIP")
    assert _codes(data) == {
        (("input", "channel"), "INVALID_VALUE"),
        (("input", "kind"), "INVALID_VALUE"),
        (("input", "subject"), "INVALID_VALUE"),
    }


# --- all at once -----------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    data = SubmissionData(
        channel="BUSINESS",
        kind="RECOMMENDATION",
        subject="POLICY",
        title="Ngắn",
        body="Quá ngắn\x00",
        field_code="NOPE",
        province_code="99",
        is_private=True,
        petitioner=PetitionerData(
            full_name="A",
            email="not-an-email",
            phone="12345",
            address="x" * 600,
            organization_name=None,
            tax_code="123",
        ),
    )
    cleaned, problems = _validate(data)
    assert [(p.field, p.code) for p in problems] == [
        (("input", "title"), "TOO_SHORT"),
        (("input", "body"), "INVALID_TEXT"),
        (("input", "body"), "TOO_SHORT"),
        (("input", "fieldCode"), "UNKNOWN_CODE"),
        (("input", "provinceCode"), "UNKNOWN_CODE"),
        (("input", "petitioner", "fullName"), "TOO_SHORT"),
        (("input", "petitioner", "email"), "INVALID_EMAIL"),
        (("input", "petitioner", "phone"), "INVALID_PHONE"),
        (("input", "petitioner", "address"), "TOO_LONG"),
        (("input", "petitioner", "taxCode"), "INVALID_TAX_CODE"),
        (("input", "petitioner", "organizationName"), "REQUIRED"),
    ]
    for problem in problems:
        assert problem.message.endswith(".")
        assert "Traceback" not in problem.message
    assert cleaned.is_private is True
