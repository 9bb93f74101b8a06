"""What the two forms (`/submit`, `/track`) share: reading a posted form within limits,
the CSRF check, and placing the API's userErrors beside the inputs they concern.

A form arrives as `application/x-www-form-urlencoded` (the browser's default): at most
`MAX_FORM_BYTES`, `MAX_FIELDS` fields, each named once, in UTF-8. The submit form, which
takes files, arrives as `multipart/form-data`: its text fields under the same limits, its
files (spooled to disk by Starlette's parser) under the input `files` names, their sizes
and types the API's to judge. Anything else is refused with a coded error page, never a
500.
A 10,000-character Vietnamese text percent-encodes to up to 9 bytes a character (most of
its letters with diacritics take 2 or 3 bytes of UTF-8, each written `%XX`), so the limit
leaves room for the longest text the API takes, and no more than that.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response

from app.web.site.api import Problem
from app.web.site.language import N_, translations
from app.web.site.pages import failed
from app.web.site.problems import message
from app.web.site.security import CSRF_FIELD, csrf_holds, set_csrf_cookie
from app.web.site.templating import Visit

MAX_FORM_BYTES = 128 * 1024
MAX_FIELDS = 40
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
KEY_BYTES = 24


class FormRefused(Exception):
    """A post that cannot be read as one of the site's forms: an error page with a code."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status

    def page(self, visit: Visit) -> Response:
        return failed(visit, [Problem(self.code, "")], status=self.status)


@dataclass(frozen=True)
class Form:
    """A posted form's fields, each a string, and its files (multipart forms only)."""

    values: Mapping[str, str]
    files: tuple[UploadFile, ...] = ()

    def text(self, name: str) -> str:
        return self.values.get(name, "")

    def optional(self, name: str) -> str | None:
        """The value, or None when it is absent or blank (the API's "not given")."""
        value = self.values.get(name, "")
        return value if value.strip() else None

    def checked(self, name: str) -> bool:
        return name in self.values


async def read_form(request: Request, files: str | None = None, most_files: int = 0) -> Form:
    """The posted form; FormRefused when it breaks a limit or is not a form. A form that
    takes files (`files`: their input's name) may come as multipart/form-data."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if files is not None and media_type == MULTIPART_TYPE:
        return await _read_multipart(request, files, most_files)
    if media_type != FORM_TYPE:
        raise FormRefused("UNSUPPORTED_FORM", 415)
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise FormRefused("FORM_TOO_LARGE", 413)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise FormRefused("INVALID_FORM", 400) from None
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise FormRefused("INVALID_FORM", 400)
        values[name] = value
    return Form(values)


async def _read_multipart(request: Request, files: str, most_files: int) -> Form:
    try:
        parsed = await request.form(
            max_files=most_files + 1, max_fields=MAX_FIELDS, max_part_size=MAX_FORM_BYTES
        )
    except (MultiPartException, HTTPException, ValueError):
        raise FormRefused("INVALID_FORM", 400) from None
    values: dict[str, str] = {}
    uploads: list[UploadFile] = []
    for name, value in parsed.multi_items():
        if isinstance(value, UploadFile):
            if name != files:
                raise FormRefused("INVALID_FORM", 400)
            if value.filename or value.size:
                uploads.append(value)  # a file input left empty sends an empty part
        elif name in values:
            raise FormRefused("INVALID_FORM", 400)
        else:
            values[name] = value
    return Form(values, tuple(uploads))


def check_csrf(request: Request, form: Form) -> None:
    """FormRefused (403, CSRF_FAILED) unless the post comes from this site's own page."""
    if not csrf_holds(request, form.optional(CSRF_FIELD)):
        raise FormRefused("CSRF_FAILED", 403)


def with_token(response: Response, request: Request, token: str) -> Response:
    """`response` with the CSRF cookie the page's hidden field matches."""
    set_csrf_cookie(response, token, secure=request.url.scheme == "https")
    return response


def new_key() -> str:
    """A random key for one rendering of a form (the submission's idempotency key)."""
    return secrets.token_urlsafe(KEY_BYTES)


def well_formed_key(value: str) -> bool:
    return 20 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()


SPECIFIC: dict[tuple[str, str], str] = {
    ("REQUIRED", "email"): N_(
        "Give an e-mail address or a phone number; to be notified by e-mail, give an "
        "e-mail address."
    ),
    ("REQUIRED", "organizationName"): N_("A business petition needs the organisation's name."),
    ("REQUIRED", "taxCode"): N_("A business petition needs the organisation's tax code."),
}
"""Words for a code at one input, where the general words would mislead."""


@dataclass
class FieldErrors:
    """Messages by input name (shown beside it, with the API's codes in `data-codes`)
    and the summary above the form, each message with the id of the input it links to
    (None: the form as a whole)."""

    by_name: dict[str, list[str]] = field(default_factory=dict)
    codes: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str | None, str, str]] = field(default_factory=list)

    def add(self, name: str | None, code: str, text: str, anchor: str | None = None) -> None:
        if name is not None:
            self.by_name.setdefault(name, []).append(text)
            self.codes.setdefault(name, []).append(code)
        self.summary.append((anchor or name, code, text))

    def __bool__(self) -> bool:
        return bool(self.summary)

    def unplaced(self) -> FieldErrors:
        """The same messages, in the summary alone: for a page without their inputs."""
        return FieldErrors(summary=[(None, code, text) for _, code, text in self.summary])


def field_errors(
    problems: Iterable[Problem],
    lang: str,
    names: Sequence[str],
    anchors: Mapping[str, str] | None = None,
) -> FieldErrors:
    """`problems` placed at the inputs `names` (a problem's field path ends with the input
    name, e.g. ["input", "petitioner", "email"] -> email); `anchors` gives the id to link
    to where it is not the name (a group of radio buttons)."""
    gettext = translations(lang).gettext
    errors = FieldErrors()
    for problem in problems:
        name = next((part for part in reversed(problem.field[1:]) if part in names), None)
        specific = SPECIFIC.get((problem.code, name or ""))
        text = gettext(specific) if specific else message(problem.code, lang, problem.message)
        errors.add(name, problem.code, text, (anchors or {}).get(name or ""))
    return errors
