"""The website's two languages: Vietnamese by default, English on request.

A page is in English when its address says `?lang=en`, otherwise in the language the
browser prefers of the two (`Accept-Language`), otherwise in Vietnamese. Every text of
the site is a gettext message (English message ids) translated in
`locale/vi/LC_MESSAGES/messages.po`; the catalog is compiled in memory when the module is
loaded, so no compiled `.mo` file is kept beside its source. Dates and numbers are written
by Babel in each language's own way (1.234,5 and 3 thg 12, 2026; 1,234.5 and Dec 3, 2026).
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.domain.timezone import VN_TZ

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
CATALOG = Path(__file__).parent / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
MAX_ACCEPT_LANGUAGE = 200
"""Characters of `Accept-Language` read; a longer header is cut there."""


def _compiled(path: Path) -> gettext.NullTranslations:
    with path.open("rb") as source:
        catalog = read_po(source, locale="vi")
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of `language`; English is the message ids themselves."""
    return _compiled(CATALOG) if language == "vi" else gettext.NullTranslations()


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; `translations` translates it
    where it is shown."""
    return message


def _preferred(header: str) -> list[str]:
    """The languages of an `Accept-Language` header, most preferred first."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:MAX_ACCEPT_LANGUAGE].split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(weighted)]


def choose(query_lang: str | None, accept_language: str | None) -> tuple[str, bool]:
    """The page's language, and whether the address chose it (links then keep `lang`)."""
    if query_lang in LANGUAGES:
        return query_lang, True
    for tag in _preferred(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary, False
    return DEFAULT, False


def _instant(text: str) -> datetime | date:
    """A GraphQL DateTime or Date as Python's."""
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


class Formats:
    """Dates, times and numbers as `language` writes them (times in Vietnam's zone).

    Numbers are written with the language's own grouping and decimal signs, read once
    from Babel's locale data: a dashboard writes some 400 figures, and Babel's
    `format_decimal`, which parses its pattern and the locale at every call, took 15 ms of
    each dashboard (tests/web/site/test_language.py checks the two agree)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        symbols = self.locale.number_symbols["latn"]
        self._signs = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})
        self._percent = symbols["percentSign"]

    def date(self, value: date | datetime | str | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = _instant(value)
        if isinstance(value, datetime):
            value = value.astimezone(VN_TZ).date()
        return format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: datetime | str | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, str):
            value = _instant(value)
        return format_datetime(value, format="medium", tzinfo=VN_TZ, locale=self.locale)

    def month(self, value: str) -> str:
        """A month the API writes "YYYY-MM": "thg 5 2026", "May 2026"."""
        year, month = value.split("-")
        return format_skeleton("yMMM", date(int(year), int(month), 1), locale=self.locale)

    def number(self, value: float | None, digits: int = 0) -> str:
        """`value` grouped by thousands, with `digits` decimals (half to even)."""
        if value is None:
            return "—"
        return f"{value:,.{digits}f}".translate(self._signs)

    def percent(self, value: float | None) -> str:
        """A fraction as a percentage with one decimal: 0.125 is 12.5 % (12,5% in vi)."""
        if value is None:
            return "—"
        return f"{value * 100:,.1f}".translate(self._signs) + self._percent
