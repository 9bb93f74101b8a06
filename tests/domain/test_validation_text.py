"""Input rules for submitting a petition, the text: `clean_text` (spaces, line breaks,
NFC), invalid characters in any text, and the lengths of titles, bodies, names and
addresses, counted after cleaning; blank optional fields become None. Tested without a
server.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace

import pytest

from app.domain.validation import clean_text, has_invalid_characters

from .submissions import PERSON, SUBMISSION, _codes, _validate, _with_person

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
