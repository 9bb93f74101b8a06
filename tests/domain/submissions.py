"""Submissions the validation tests start from: a citizen's (`SUBMISSION`, by `PERSON`) and
a business's (`BUSINESS`), both valid against the known `FIELDS` and `PROVINCES`, and the
shorthand the tests use (`_validate`, `_codes`, `_with_person`), under the names they had
in the single validation test module they came from.

The validation test modules import it relatively (`from .submissions import ...`): a pure
`app.domain` test imports nothing of pakn outside `app.domain`, and an absolute
`tests.domain` import would be such an import. test_purity.py holds this module, as every
module in this folder, to that rule: it imports only `app.domain` and the standard library.
"""

from __future__ import annotations

from dataclasses import replace

from app.domain.validation import PetitionerData, Problem, SubmissionData, validate_submission

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
