"""What the site says of a problem the API reports, by its stable code, in the visitor's
language: the API's rules, in words for a person rather than a program."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.web.site.language import N_, translations

MESSAGES: dict[str, str] = {
    "REQUIRED": N_("This is required."),
    "TOO_SHORT": N_("This is too short."),
    "TOO_LONG": N_("This is too long."),
    "INVALID_TEXT": N_(
        "This contains characters that are not allowed, or line breaks where none may be."
    ),
    "INVALID_EMAIL": N_("Enter an e-mail address like name@example.vn."),
    "INVALID_PHONE": N_("Enter a Vietnamese phone number, e.g. 0912 345 678 or +84 912 345 678."),
    "INVALID_TAX_CODE": N_(
        "Enter a tax code of 10 or 13 digits (13 may be written as 10, a dash and 3)."
    ),
    "UNKNOWN_CODE": N_("Choose one of the listed values."),
    "INVALID_SECRET": N_("The tracking code and secret do not match."),
    "INVALID_SCORE": N_("Choose a score from 1 to 5."),
    "INVALID_TRANSITION": N_("This cannot be done in the petition's current status."),
    "STALE_VERSION": N_("The petition changed since you opened it; look again and retry."),
    "RATE_LIMITED": N_("Too many requests from your address; wait a while and retry."),
    "INVALID_SEARCH": N_("Search for words with at least one letter or digit."),
    "INVALID_DATE_RANGE": N_("The dates are out of range or in the wrong order."),
    "TOO_MANY_FILES": N_("Too many files: attach fewer."),
    "FILE_TOO_LARGE": N_("This file is too large."),
    "UPLOADS_TOO_LARGE": N_("The files together are too large: attach fewer or smaller ones."),
    "UNSUPPORTED_FILE_TYPE": N_(
        "This file is not of a type the form takes (judged by its contents, not its name)."
    ),
    "INVALID_FILE": N_("This file cannot be read as its type: it may be damaged."),
    "EMPTY_FILE": N_("This file is empty."),
    "SUSPICIOUS_FILE": N_("This file holds more than it shows (another file, or a packed one)."),
    "IMAGE_TOO_LARGE": N_("This picture has too many pixels (more than 40 megapixels)."),
    "CHALLENGE_REQUIRED": N_(
        "The bot check was not done: this form needs JavaScript for it. Turn it on and send "
        "the form again."
    ),
    "CHALLENGE_INVALID": N_("The bot check did not hold; send the form again."),
    "CHALLENGE_EXPIRED": N_("The bot check expired after 10 minutes; send the form again."),
    "CHALLENGE_USED": N_("This form was sent already; send it again to file a new petition."),
    "INVALID_CURSOR": N_("This page link is not valid; start again from the first page."),
    "INVALID_PARAMETER": N_("A value in the address is not one this page accepts."),
    "FILTER_TOO_LARGE": N_("Too many values in one filter."),
    "CSRF_FAILED": N_(
        "This form has expired or did not come from this site; reload the page and send it again."
    ),
    "NOT_FOUND": N_("There is no such page."),
    "UNKNOWN_PETITION": N_("There is no petition with this tracking code."),
    "REQUEST_TIMEOUT": N_("This took too long; try again, or narrow the search."),
    "DATABASE_UNAVAILABLE": N_("The service is briefly unavailable; try again in a minute."),
    "UNSUPPORTED_FORM": N_("This form was not sent the way this site's forms are sent."),
    "FORM_TOO_LARGE": N_("This form holds more than this site accepts; shorten the texts."),
    "INVALID_FORM": N_(
        "This form cannot be read: a field is repeated, malformed or not in UTF-8. "
        "Reload the page and send it again."
    ),
    "IDEMPOTENCY_KEY_REUSED": N_(
        "This form was already sent for another petition; check it and send it again to "
        "file a new one."
    ),
}
HEADINGS: dict[int, str] = {
    400: N_("This request cannot be answered"),
    403: N_("This form cannot be accepted"),
    404: N_("Not found"),
    429: N_("Too many requests"),
    503: N_("Briefly unavailable"),
}
HEADING_OF = {
    "CSRF_FAILED": 403,
    "NOT_FOUND": 404,
    "UNKNOWN_PETITION": 404,
    "RATE_LIMITED": 429,
    "REQUEST_TIMEOUT": 503,
    "DATABASE_UNAVAILABLE": 503,
}


@dataclass(frozen=True)
class Described:
    heading: str
    text: str


def message(code: str, lang: str, fallback: str = "") -> str:
    gettext = translations(lang).gettext
    if code in MESSAGES:
        return gettext(MESSAGES[code])
    return fallback or gettext(N_("Something in the request is not right."))


PARAMETERS: dict[str, str] = {
    "search": N_("Search the titles and texts"),
    "statuses": N_("Status"),
    "agencyCodes": N_("Agency"),
    "fieldCodes": N_("Field"),
    "provinceCodes": N_("Province"),
    "channel": N_("From"),
    "kind": N_("Kind"),
    "overdue": N_("Overdue"),
    "from": N_("Submitted from"),
    "to": N_("Submitted until"),
    "order": N_("Order"),
    "after": N_("Next page"),
    "before": N_("Previous page"),
    "period": N_("Petitions submitted in"),
    "sort": N_("Ranked by"),
    "code": N_("Tracking code"),
}
"""The address's parameters by the labels of the inputs that set them (the same messages)."""


def describe(code: str, field: Sequence[str], lang: str, fallback: str = "") -> Described:
    gettext = translations(lang).gettext
    heading = gettext(HEADINGS[HEADING_OF.get(code, 400)])
    text = message(code, lang, fallback)
    if field and code == "INVALID_PARAMETER" and field[-1] in PARAMETERS:
        text = f"{text} ({gettext(PARAMETERS[field[-1]])})"
    return Described(heading, text)
