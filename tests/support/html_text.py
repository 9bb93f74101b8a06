"""Reading the website's HTML in tests without a browser: its text, its links, its scripts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline_styles: list[str] = []
        self.handlers: list[str] = []
        self.html_lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag in {"script", "style"}:
            self._skip += 1
        if tag == "script":
            self.scripts.append(values)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if "style" in values:
            self.inline_styles.append(tag)
        self.handlers.extend(name for name in values if name.startswith("on"))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


class Page:
    def __init__(self, html: str) -> None:
        reader = _Reader()
        reader.feed(html)
        self.html = html
        self.text = re.sub(r"\s+", " ", " ".join(reader.text)).strip()
        self.links = reader.links
        self.scripts = reader.scripts
        self.inline_styles = reader.inline_styles
        self.handlers = reader.handlers
        self.lang = reader.html_lang

    def inline_scripts(self) -> list[dict[str, str | None]]:
        """Scripts the browser would run from the page itself (data blocks are not run)."""
        return [s for s in self.scripts if not s.get("src") and s.get("type") != "application/json"]

    def count(self, pattern: str) -> int:
        return len(re.findall(pattern, self.html))


def assets_of(html: str) -> set[str]:
    """The site's own scripts and styles a page loads."""
    return set(re.findall(r'(?:src|href)="(/static/site/[^"]+)"', html))


def compressed_weight(client: httpx.Client, path: str) -> int:
    """Bytes on the wire of the page at `path` and its assets, gzip-compressed."""

    def downloaded(url: str) -> int:
        with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
            assert response.status_code == 200, url
            response.read()
            return response.num_bytes_downloaded

    page = client.get(path).text
    return downloaded(path) + sum(downloaded(asset) for asset in assets_of(page))
