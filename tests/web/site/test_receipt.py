"""The receipt (#18, point 3): from the petitioner's view on /track, a printable page with
the tracking code, the secret and a QR code of the petition's public page (at
PAKN_PUBLIC_URL), for the officer who entered a letter to hand over, or the citizen to
keep. Over HTTP, and in Chromium with axe (it is a POST's page, which the crawl of every
page cannot reach), with a screenshot kept."""

from __future__ import annotations

import os
import re
from html import unescape as html_unescape
from pathlib import Path

from tests.support.browser_driver import browser_or_skip, chromium_driver
from tests.support.browser_page import ROOT
from tests.support.site_forms import visitor
from tests.support.workflow import Workflow

ARTIFACTS = Path(os.environ.get("PAKN_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "screenshots"


def test_the_receipt_carries_the_code_the_secret_and_a_qr_code(workflow: Workflow) -> None:
    filed = workflow.submit()
    code, secret = filed["trackingCode"], filed["secret"]
    with visitor(workflow.server.url) as who:
        view = who.fill("/track?lang=en", "track-form", {"trackingCode": code, "secret": secret})
        hidden = view.hidden("receipt-form")
        assert hidden["action"] == "receipt"
        receipt = who.post("/track?lang=en", hidden)
        assert receipt.status == 200, receipt.response.text
        assert receipt.response.headers["cache-control"] == "private, no-store"
        assert receipt.text_of("receipt-code") == code
        assert receipt.text_of("receipt-secret") == secret
        html = receipt.response.text
        svg = re.search(r'<svg role="img" aria-label="([^"]+)"[^>]*class="qr"', html)
        assert svg and html_unescape(svg.group(1)) == "QR code of the petition's page"
        public = f"{workflow.server.settings.public_url.rstrip('/')}/p/{code}"
        assert public in html
        assert secret not in "".join(receipt.urls())
        forged = who.post("/track?lang=en", {**hidden, "secret": "guess"})
        assert forged.status == 422 and forged.error_codes("secret") == ["INVALID_SECRET"]


def test_the_view_and_the_receipt_pass_axe_in_chromium(workflow: Workflow) -> None:
    node, chromium = browser_or_skip()
    filed = workflow.submit()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_driver(node, chromium) as browser:
        browser.command("open", page="r", url=f"{workflow.server.url}/track?lang=vi")
        browser.command("fill", page="r", selector="#trackingCode", value=filed["trackingCode"])
        browser.command("fill", page="r", selector="#secret", value=filed["secret"])
        browser.command("submit", page="r", selector="#track-form button[type=submit]")
        assert browser.command("axe", page="r") == []
        browser.command("submit", page="r", selector="#receipt-form button[type=submit]")
        browser.command("waitFor", page="r", selector="svg.qr")
        assert browser.command("axe", page="r") == []
        shot = ARTIFACTS / "receipt-vi.png"
        browser.command("screenshot", page="r", path=str(shot), fullPage=True)
    assert not browser.where(kind="pageerror")
