"""The site's languages (#17): which one a visit gets, and figures written as Babel
writes them in each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal, format_percent

from app.web.site.language import Formats, choose


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_and_percentages_are_written_as_babel_writes_them(language: str) -> None:
    formats = Formats(language)
    for value in [0, 7, 999, 1000, 12_345, 1_000_000, 987_654_321, -4_200]:
        assert formats.number(value) == format_decimal(value, "#,##0", locale=language)
    for value in [0.0, 3.5, 4.25, 1234.5, 4.0625]:
        expected = format_decimal(Decimal(str(value)), "#,##0.00", locale=language)
        assert formats.number(value, 2) == expected
    for part, whole in [(0, 1), (1, 8), (1, 3), (2, 3), (5, 7), (1, 1), (123, 1000)]:
        value = part / whole
        assert formats.percent(value) == format_percent(value, "#,##0.0%", locale=language)
    assert formats.number(None) == formats.percent(None) == "—"


def test_the_language_comes_from_the_address_then_the_browser_then_vietnamese() -> None:
    assert choose("en", "vi") == ("en", True)
    assert choose("vi", "en") == ("vi", True)
    assert choose(None, "en-GB,en;q=0.9") == ("en", False)
    assert choose(None, "fr, vi;q=0.5, en;q=0.4") == ("vi", False)
    assert choose(None, "fr, en;q=0") == ("vi", False)
    assert choose("de", None) == ("vi", False)
    assert choose(None, "en;q=x, *") == ("vi", False)
    assert choose(None, "x" * 10_000 + ",en") == ("vi", False)
