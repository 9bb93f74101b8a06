"""Every page of the website in Chromium (#17): axe-core finds no WCAG 2.1 A or AA
violation, in Vietnamese and English, at phone and desktop widths; nothing is asked of any
host but pakn; no script error and no Content-Security-Policy violation; no sideways
scrolling on a phone; no missing resource but the not-found page's own (and, on the demo
server, which signs no checkpoints, the log's checkpoint that seal.js asks for).
Full-page screenshots are kept in PAKN_TEST_ARTIFACTS (default test-artifacts/screenshots/),
named <page>-<lang>-<width>-<backend>.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser_driver import browser_or_skip, chromium_driver
from tests.support.browser_page import NODE_MODULES, ROOT
from tests.support.server import RunningServer

PHONE = (390, 844)
DESKTOP = (1280, 900)
ARTIFACTS = Path(os.environ.get("PAKN_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "screenshots"
CODES = """{
  answered: petitions(first: 20, filter: {statuses: [ANSWERED, CLOSED]}) {
    nodes { trackingCode isPrivate }
  }
  all: petitions(first: 100) { nodes { trackingCode isPrivate status } }
}"""
PROBE = """(() => {
  window.__cspViolations = window.__cspViolations || [];
  document.addEventListener(
    "securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective));
  return true;
})()"""
WIDE = "document.documentElement.scrollWidth <= window.innerWidth"


def _pages(server: RunningServer) -> dict[str, str]:
    found = server.gql(CODES)
    public = next(p for p in found["answered"]["nodes"] if not p["isPrivate"])["trackingCode"]
    private = next(p for p in found["all"]["nodes"] if p["isPrivate"])["trackingCode"]
    return {
        "dashboard": "/",
        "dashboard-sorted": "/?sort=MEDIAN_RESPONSE",
        "petitions": "/petitions",
        "search": "/petitions?search=thu+tuc+dat+dai",
        "petition": f"/p/{public}",
        "petition-private": f"/p/{private}",
        "agencies": "/agencies",
        "agency": "/agencies/BTC",
        "submit": "/submit",
        "track": "/track",
        "not-found": "/p/PAKN-2000-999999",
    }


@pytest.fixture
def browser_tools() -> tuple[str, str]:
    tools = browser_or_skip()
    if not (NODE_MODULES / "axe-core" / "axe.min.js").is_file():
        pytest.fail("node_modules has no axe-core: run make node (npm ci)")
    return tools


def test_every_page_passes_axe_in_both_languages_at_phone_and_desktop_widths(
    browser_tools: tuple[str, str], demo_server: RunningServer, backend: str
) -> None:
    node, chromium = browser_tools
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="a", url=f"{demo_server.url}/")
        for name, path in _pages(demo_server).items():
            for lang in ("vi", "en"):
                url = f"{demo_server.url}{path}"
                url += ("&" if "?" in url else "?") + f"lang={lang}"
                for width, height in (PHONE, DESKTOP):
                    browser.command("viewport", page="a", width=width, height=height)
                    browser.command("goto", page="a", url=url)
                    browser.command("eval", page="a", expression=PROBE)
                    if lang == "vi" or width == DESKTOP[0]:
                        for violation in browser.command("axe", page="a"):
                            problems.append(f"{name} {lang} {width}: {violation}")
                    if width == PHONE[0] and not browser.command("eval", page="a", expression=WIDE):
                        problems.append(f"{name} {lang}: scrolls sideways on a phone")
                    shot = ARTIFACTS / f"{name}-{lang}-{width}-{backend}.png"
                    browser.command("screenshot", page="a", path=str(shot), fullPage=True)
                    violations = browser.command(
                        "eval", page="a", expression="window.__cspViolations"
                    )
                    if violations:
                        problems.append(f"{name} {lang}: CSP violations {violations}")
        unlabelled = "document.body.append(document.createElement('img')) && true"
        browser.command("eval", page="a", expression=unlabelled)
        caught = [v["id"] for v in browser.command("axe", page="a")]
        assert "image-alt" in caught, "axe runs and reports (an image without alt text)"
        requested = [m["url"] for m in browser.where(kind="request", page="a")]
        elsewhere = [u for u in requested if not u.startswith((demo_server.url, "data:"))]
        errors = [m for m in browser.where(page="a") if m["kind"] == "pageerror"]
        errors += [m for m in browser.where(kind="console", page="a") if m["type"] == "error"]
        missing = {m["url"] for m in browser.where(kind="response", page="a") if m["status"] == 404}
        refused = [m for m in errors if "Content Security Policy" in str(m)]
    assert problems == [], "\n".join(problems)
    assert elsewhere == [], "the pages asked for nothing but pakn"
    expected = {"/log/checkpoint", *(f"/p/PAKN-2000-999999?lang={lang}" for lang in ("vi", "en"))}
    assert {url.removeprefix(demo_server.url) for url in missing} <= expected, missing
    errors = [m for m in errors if not str(m.get("text", "")).startswith("Failed to load resource")]
    assert refused == [] and errors == [], errors
