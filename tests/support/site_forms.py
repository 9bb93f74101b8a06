"""The website's forms as a test reads them: a page's inputs, hidden values, links and
error messages (with the API's codes), parsed by the standard library's HTML parser, and
a visitor with a cookie jar of their own who fills and posts them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import httpx

from tests.support.sample import SUBMISSION

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})
VOID = frozenset({"input", "meta", "link", "br", "img", "hr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


class Page:
    """One response's HTML: every element with its attributes, and the text of each."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        parser = _Parser()
        parser.feed(response.text)
        self.elements = parser.elements

    @property
    def status(self) -> int:
        return self.response.status_code

    def by_id(self, ident: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == ident), None)

    def text_of(self, ident: str) -> str:
        element = self.by_id(ident)
        assert element is not None, f"no #{ident} on the page"
        return " ".join(element.text.split())

    def form(self, ident: str) -> list[Element]:
        """The inputs, selects and text areas of form `ident`, in order."""
        inside, found = False, []
        for element in self.elements:
            if element.tag == "form":
                inside = element.attrs.get("id") == ident
            elif inside and element.tag in {"input", "select", "textarea"}:
                found.append(element)
        assert found, f"no form #{ident}"
        return found

    def hidden(self, form: str) -> dict[str, str]:
        return {
            e.attrs["name"]: e.attrs.get("value", "")
            for e in self.form(form)
            if e.attrs.get("type") == "hidden"
        }

    def field(self, form: str, name: str) -> Element:
        return next(e for e in self.form(form) if e.attrs.get("name") == name)

    def error_codes(self, name: str) -> list[str]:
        """The API's codes of the errors shown beside input `name`."""
        element = self.by_id(f"{name}-error")
        return element.attrs["data-codes"].split() if element is not None else []

    def summary_codes(self) -> list[str]:
        return [e.attrs["data-code"] for e in self.elements if "data-code" in e.attrs]

    def urls(self) -> list[str]:
        return [v for e in self.elements for k, v in e.attrs.items() if k in URL_ATTRIBUTES]


def petition_form(**overrides: Any) -> dict[str, str]:
    """The sample submission as the form's fields (`overrides` by field name)."""
    person = SUBMISSION["petitioner"]
    fields = {
        "channel": SUBMISSION["channel"],
        "kind": SUBMISSION["kind"],
        "subject": SUBMISSION["subject"],
        "title": SUBMISSION["title"],
        "body": SUBMISSION["body"],
        "fieldCode": SUBMISSION["fieldCode"],
        "provinceCode": SUBMISSION["provinceCode"],
        **{name: person[name] for name in ("fullName", "email", "phone", "address")},
    }
    return {k: v for k, v in {**fields, **overrides}.items() if v is not None}


class Visitor:
    """A browser-like visitor: its own cookies, GETs a form page and posts it back with
    the page's hidden fields."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)

    def get(self, path: str, **kwargs: Any) -> Page:
        return Page(self.client.get(path, **kwargs))

    def post(self, path: str, fields: dict[str, str], **kwargs: Any) -> Page:
        return Page(self.client.post(path, data=fields, **kwargs))

    def fill(self, path: str, form: str, fields: dict[str, str], **kwargs: Any) -> Page:
        """Open `path`, then post its form `form` with `fields` over its hidden ones."""
        page = self.get(path)
        assert page.status == 200, page.response.text
        return self.post(path, {**page.hidden(form), **fields}, **kwargs)

    def close(self) -> None:
        self.client.close()


@contextmanager
def visitor(url: str) -> Iterator[Visitor]:
    who = Visitor(url)
    try:
        yield who
    finally:
        who.close()
