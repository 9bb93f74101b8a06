"""Input rules for submitting a petition: clean what can be cleaned, report all the rest.

`validate_submission` returns the cleaned data (NFC, tidy whitespace, phone and tax code in
their stored forms) together with every problem it found, so a client can fix a whole form
in one round trip. The cleaned data is meant to be stored only when there are no problems.

Problem fields are paths in the GraphQL input, in camelCase, as `UserError.field` wants them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.domain.text import normalize
from app.domain.vocabulary import Channel, PetitionKind, PetitionSubject

TOO_SHORT = "TOO_SHORT"
TOO_LONG = "TOO_LONG"
REQUIRED = "REQUIRED"
INVALID_TEXT = "INVALID_TEXT"
INVALID_EMAIL = "INVALID_EMAIL"
INVALID_PHONE = "INVALID_PHONE"
INVALID_TAX_CODE = "INVALID_TAX_CODE"
UNKNOWN_CODE = "UNKNOWN_CODE"
INVALID_VALUE = "INVALID_VALUE"

TITLE_LENGTH = (10, 200)
BODY_LENGTH = (30, 10_000)
FULL_NAME_LENGTH = (2, 200)
ORGANIZATION_NAME_LENGTH = (2, 300)
ADDRESS_MAX_LENGTH = 500
EMAIL_MAX_LENGTH = 254

Path = tuple[str, ...]
_INPUT: Path = ("input",)
_PETITIONER: Path = ("input", "petitioner")


@dataclass(frozen=True)
class Problem:
    field: Path
    code: str
    message: str


@dataclass(frozen=True)
class PetitionerData:
    full_name: str
    email: str | None
    phone: str | None
    address: str | None
    organization_name: str | None
    tax_code: str | None
    notify_by_email: bool = False
    """The petitioner consents to e-mails about the petition (needs `email`)."""


@dataclass(frozen=True)
class SubmissionData:
    channel: str
    kind: str
    subject: str
    title: str
    body: str
    field_code: str | None
    province_code: str | None
    is_private: bool
    petitioner: PetitionerData


# --- text ------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|[\r\u2028\u2029]")
# tabs and every Unicode space separator (category Zs), e.g. the no-break space
_SPACES = re.compile(r"[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NONCHARACTERS = r"\ufdd0-\ufdef" + "".join(
    rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17)
)
# C0/C1 controls except \t and \n, lone surrogates, and the 66 Unicode noncharacters
_FORBIDDEN = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def clean_text(value: str, multiline: bool = False) -> str:
    """`value` in NFC with outer whitespace stripped and inner runs of spaces collapsed.

    Line breaks (CRLF, CR, U+2028/9) become `\\n`. With `multiline`, each line is tidied
    on its own and the line breaks are kept; otherwise they become single spaces too.
    Control characters are left in place for `has_invalid_characters` to find.
    """
    text = _LINE_BREAK.sub("\n", normalize(value))
    if not multiline:
        return _SPACES.sub(" ", text.replace("\n", " ")).strip(" ")
    lines = (_SPACES.sub(" ", line).strip(" ") for line in text.split("\n"))
    return "\n".join(lines).strip("\n")


def has_invalid_characters(text: str) -> bool:
    """Whether `text` holds a control character (other than \\n, \\t), a noncharacter or a
    lone surrogate: nothing a person types, and trouble for storage and JSON."""
    return _FORBIDDEN.search(text) is not None


def _check_text(
    problems: list[Problem], path: Path, label: str, text: str, minimum: int, maximum: int
) -> None:
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        problems.append(
            Problem(
                path,
                INVALID_TEXT,
                f"{label} contains a control or non-text character "
                f"(U+{ord(bad.group()):04X} at position {bad.start() + 1}).",
            )
        )
    if len(text) < minimum:
        problems.append(
            Problem(
                path,
                TOO_SHORT,
                f"{label} must be at least {minimum} characters long (it has {len(text)}).",
            )
        )
    elif len(text) > maximum:
        problems.append(
            Problem(
                path,
                TOO_LONG,
                f"{label} must be at most {maximum} characters long (it has {len(text)}).",
            )
        )


def _required_text(
    problems: list[Problem],
    path: Path,
    label: str,
    value: str,
    length: tuple[int, int],
    *,
    multiline: bool = False,
) -> str:
    text = clean_text(value, multiline=multiline)
    _check_text(problems, path, label, text, *length)
    return text


def _optional_text(
    problems: list[Problem], path: Path, label: str, value: str | None, length: tuple[int, int]
) -> str | None:
    """Like `_required_text`, but a missing or blank value is simply absent (None)."""
    text = _blank_to_none(value)
    if text is not None:
        _check_text(problems, path, label, text, *length)
    return text


def _blank_to_none(value: str | None) -> str | None:
    """Clients send "" for a form field left empty; treat it as not given."""
    if value is None:
        return None
    return clean_text(value) or None


# --- contacts --------------------------------------------------------------

_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_VN_PHONE = re.compile(r"0[35789][0-9]{8}|02[0-9]{8,9}")
"""Mobile: 10 digits, prefixes 03, 05, 07, 08, 09. Landline: 02x; since the 2017 renumbering
a real one has 11 digits (area code 02x or 02xx, then the subscriber number)."""
_TAX_CODE = re.compile(r"[0-9]{10}(?:-?[0-9]{3})?")


def _email(problems: list[Problem], value: str | None) -> str | None:
    email = _blank_to_none(value)
    if email is None:
        return None
    match = _EMAIL.fullmatch(email) if len(email) <= EMAIL_MAX_LENGTH else None
    if match is None or len(match["local"]) > 64:
        problems.append(
            Problem(
                (*_PETITIONER, "email"),
                INVALID_EMAIL,
                f"{email!r} is not a valid email address (like name@example.vn).",
            )
        )
        return email
    return f"{match['local']}@{match['domain'].lower()}"


def normalize_phone(value: str) -> str | None:
    """A Vietnamese phone number as stored (0xxxxxxxxx), or None when it is not one.

    Accepts 0 and 9 digits, or +84 and 9 digits (a landline, 02..., may have one more),
    written with any spaces, dots, dashes or parentheses.
    """
    digits = _PHONE_SEPARATORS.sub("", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits if _VN_PHONE.fullmatch(digits) else None


def _phone(problems: list[Problem], value: str | None) -> str | None:
    phone = _blank_to_none(value)
    if phone is None:
        return None
    stored = normalize_phone(phone)
    if stored is None:
        problems.append(
            Problem(
                (*_PETITIONER, "phone"),
                INVALID_PHONE,
                f"{phone!r} is not a Vietnamese phone number: give 10 digits starting with "
                "03, 05, 07, 08 or 09 (or a landline starting with 02), or +84 and 9 digits.",
            )
        )
        return phone
    return stored


def _tax_code(problems: list[Problem], value: str | None) -> str | None:
    tax_code = _blank_to_none(value)
    if tax_code is None:
        return None
    if _TAX_CODE.fullmatch(tax_code) is None:
        problems.append(
            Problem(
                (*_PETITIONER, "taxCode"),
                INVALID_TAX_CODE,
                f"{tax_code!r} is not a tax code: give 10 digits, or 13 digits "
                "(which may be written as 10 digits, a dash and 3 digits).",
            )
        )
        return tax_code
    return tax_code.replace("-", "")


# --- codes -----------------------------------------------------------------


def _choice(problems: list[Problem], name: str, value: str, choices: type[StrEnum]) -> None:
    """Guards callers other than GraphQL (whose enums already did), e.g. the demo loader."""
    allowed = [member.value for member in choices]
    if value not in allowed:
        problems.append(
            Problem(
                (*_INPUT, name),
                INVALID_VALUE,
                f"{value!r} is not a valid {name}; expected one of {', '.join(allowed)}.",
            )
        )


def _known_code(
    problems: list[Problem], name: str, label: str, value: str | None, known: set[str]
) -> str | None:
    code = _blank_to_none(value)
    if code is not None and code not in known:
        problems.append(Problem((*_INPUT, name), UNKNOWN_CODE, f"{code!r} is not a known {label}."))
    return code


# --- submission ------------------------------------------------------------


def validate_submission(
    data: SubmissionData, *, known_fields: set[str], known_provinces: set[str]
) -> tuple[SubmissionData, list[Problem]]:
    """The cleaned submission and every problem found in it, in the order of the input."""
    problems: list[Problem] = []
    _choice(problems, "channel", data.channel, Channel)
    _choice(problems, "kind", data.kind, PetitionKind)
    _choice(problems, "subject", data.subject, PetitionSubject)
    title = _required_text(problems, (*_INPUT, "title"), "The title", data.title, TITLE_LENGTH)
    body = _required_text(
        problems, (*_INPUT, "body"), "The body", data.body, BODY_LENGTH, multiline=True
    )
    field_code = _known_code(problems, "fieldCode", "field", data.field_code, known_fields)
    province_code = _known_code(
        problems, "provinceCode", "province code", data.province_code, known_provinces
    )
    petitioner = _validate_petitioner(problems, data.petitioner, business=_is_business(data))
    cleaned = SubmissionData(
        channel=data.channel,
        kind=data.kind,
        subject=data.subject,
        title=title,
        body=body,
        field_code=field_code,
        province_code=province_code,
        is_private=data.is_private,
        petitioner=petitioner,
    )
    return cleaned, problems


def _is_business(data: SubmissionData) -> bool:
    return data.channel == Channel.BUSINESS


def _validate_petitioner(
    problems: list[Problem], person: PetitionerData, *, business: bool
) -> PetitionerData:
    full_name = _required_text(
        problems, (*_PETITIONER, "fullName"), "The full name", person.full_name, FULL_NAME_LENGTH
    )
    email = _email(problems, person.email)
    phone = _phone(problems, person.phone)
    address = _optional_text(
        problems, (*_PETITIONER, "address"), "The address", person.address, (0, ADDRESS_MAX_LENGTH)
    )
    organization_name = _optional_text(
        problems,
        (*_PETITIONER, "organizationName"),
        "The organization name",
        person.organization_name,
        ORGANIZATION_NAME_LENGTH,
    )
    tax_code = _tax_code(problems, person.tax_code)
    cleaned = PetitionerData(
        full_name, email, phone, address, organization_name, tax_code, person.notify_by_email
    )
    if cleaned.email is None and cleaned.phone is None:
        problems.append(
            Problem(
                (*_PETITIONER, "email"),
                REQUIRED,
                "Give an email address or a phone number, so the petitioner can be reached.",
            )
        )
    elif cleaned.notify_by_email and _blank_to_none(person.email) is None:
        problems.append(
            Problem(
                (*_PETITIONER, "email"),
                REQUIRED,
                "notifyByEmail needs an email address to write to.",
            )
        )
    if business:
        _require_business_identity(problems, cleaned)
    return cleaned


def _require_business_identity(problems: list[Problem], person: PetitionerData) -> None:
    """A BUSINESS petition speaks for an enterprise, which its name and tax code identify."""
    if person.organization_name is None:
        problems.append(
            Problem(
                (*_PETITIONER, "organizationName"),
                REQUIRED,
                "A BUSINESS petition needs the name of the organization.",
            )
        )
    if person.tax_code is None:
        problems.append(
            Problem(
                (*_PETITIONER, "taxCode"),
                REQUIRED,
                "A BUSINESS petition needs the organization's tax code (10 or 13 digits).",
            )
        )
