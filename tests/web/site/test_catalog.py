"""Every text of the website is in the Vietnamese catalog (#17): Babel extracts the
messages of the templates and modules as `make messages` does, and each has a translation
with the same placeholders; the catalog keeps no entry the site no longer uses."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.checkers import python_format
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.web.site.language import CATALOG

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "app" / "web" / "site"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def _extracted() -> Catalog:
    catalog = Catalog(locale="vi")
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for _file, _line, message, _comments, _context in extract_from_dir(
        SITE, METHODS, keywords=keywords
    ):
        catalog.add(message)
    return catalog


def _translations() -> Catalog:
    with CATALOG.open("rb") as source:
        return read_po(source, locale="vi")


def test_every_text_of_the_site_is_translated_into_vietnamese() -> None:
    extracted, translated = _extracted(), _translations()
    assert len(extracted) > 100
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = translated.get(message.id)
        strings = entry.string if entry is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id)
    assert missing == [], "untranslated (run `make messages`, then translate):\n" + "\n".join(
        map(str, missing)
    )


def test_translations_keep_their_placeholders_and_nothing_is_left_over() -> None:
    extracted, translated = _extracted(), _translations()
    for message in translated:
        if message.id:
            python_format(translated, message)
    unused = [m.id for m in translated if m.id and extracted.get(m.id) is None]
    assert unused == [], "entries the site no longer uses (make messages drops them)"
