"""The petition page's checks in a real browser (#17): Chromium runs static/seal.js, which
verifies each answer's Ed25519 seal and the inclusion of its ANSWER event in the signed
transparency log with WebCrypto alone. A public answer is verified, a private one is
verified with its text withheld, a text or seal changed in the page fails; an answer
written live appears without a reload and is pending until the next checkpoint, then
verified. On both databases; the checkpoints are signed by the test (`tests.support.log`),
as the server's own signer would."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import pytest

from app.domain.timezone import now
from db import log_checkpoints
from db.engine import open_engine, session_factory
from tests.support import sample_files
from tests.support.browser_driver import WAIT, Browser, browser_or_skip, chromium_driver
from tests.support.databases import fresh_database
from tests.support.demo import load_demo
from tests.support.log import PUBLIC_URL, sign
from tests.support.server import RunningServer
from tests.support.uploads import post_files
from tests.support.workflow import ANSWER_TEXT, TEST_KEK, Workflow, make_tokens, workflow_settings

PETITIONS = 60
ANSWERED = """{
  petitions(first: 100, filter: {statuses: [ANSWERED, CLOSED]}) {
    nodes { trackingCode isPrivate }
  }
}"""
STATES = """[...document.querySelectorAll('.check')].map((e) => ({
  kind: e.classList.contains('seal') ? 'seal' : 'log',
  state: e.dataset.sealState || e.dataset.state,
  text: e.querySelector('.state-text').textContent,
  reason: e.dataset.reason,
}))"""
SETTLED = {"verified", "withheld", "failed", "unsupported", "unverifiable", "unavailable"}


async def _log_key_with_a_plus(url: str) -> None:
    """Make the log's key one whose verifier key has a "+" in its base64 too (about half
    of them do), which a reader must not take for the separator of its three parts."""
    async with open_engine(url) as engine, session_factory(engine)() as session:
        while True:
            key = await log_checkpoints.create_key(session, TEST_KEK, PUBLIC_URL, now())
            if "+" in key.verifier_key.split("+", 2)[2]:
                await session.commit()
                return
            await session.rollback()


@pytest.fixture(scope="module")
def site(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workflow]]:
    """Demo petitions, a signed checkpoint of them, and a server (whose own signer is off:
    the tests sign, so an answer stays outside the log until they do)."""
    with fresh_database(backend, tmp_path_factory.mktemp("seal")) as url:
        asyncio.run(load_demo(url, PETITIONS, 7))
        asyncio.run(_log_key_with_a_plus(url))
        asyncio.run(sign(url))
        tokens = asyncio.run(make_tokens(url))
        with RunningServer(workflow_settings(url, checkpoint_seconds=1)) as server:
            yield url, Workflow(server, tokens)


@pytest.fixture(scope="module")
def browser(site: tuple[str, Workflow]) -> Iterator[Browser]:
    """A browser for each database's server: the two serve the same addresses (the port may
    be reused, the demo petitions are the same), and a page cached from the other's would
    carry its seals."""
    node, chromium = browser_or_skip()
    with chromium_driver(node, chromium) as driver:
        yield driver


def _code(workflow: Workflow, private: bool) -> str:
    nodes = workflow.server.gql(ANSWERED)["petitions"]["nodes"]
    return next(n["trackingCode"] for n in nodes if n["isPrivate"] is private)


def _settled(browser: Browser, page: str, wanted: dict[str, str]) -> list[dict[str, str]]:
    """The checks' states once each kind in `wanted` is in its wanted state (or any other
    settled state, which then fails the assertion with what the page says)."""
    deadline = time.monotonic() + WAIT
    while True:
        states = browser.command("eval", page=page, expression=STATES)
        kinds = {kind: [s for s in states if s["kind"] == kind] for kind in wanted}
        done = all(
            group and all(s["state"] == wanted[kind] or s["state"] in SETTLED for s in group)
            for kind, group in kinds.items()
        )
        if done or time.monotonic() > deadline:
            assert not browser.where(kind="pageerror"), browser.where(kind="pageerror")
            for kind, group in kinds.items():
                assert group and all(s["state"] == wanted[kind] for s in group), states
            return states  # type: ignore[no-any-return]
        time.sleep(0.1)


def test_a_public_answer_is_verified_and_a_changed_text_or_seal_fails(
    site: tuple[str, Workflow], browser: Browser
) -> None:
    _url, workflow = site
    code = _code(workflow, private=False)
    browser.command("open", page="public", url=f"{workflow.server.url}/p/{code}?lang=en")
    states = _settled(browser, "public", {"seal": "verified", "log": "verified"})
    assert states[0]["text"].startswith("verified in your browser")
    assert "includes this answer's event" in states[1]["text"]

    browser.command(
        "eval",
        page="public",
        expression="""document.getElementById('answer-1-text').textContent += '.';
          document.dispatchEvent(new CustomEvent('pakn:updated'))""",
    )
    states = _settled(browser, "public", {"seal": "failed", "log": "verified"})
    assert states[0]["text"].startswith("FAILED")

    browser.command(
        "eval",
        page="public",
        expression="""const seal = document.getElementById('seal-1');
          const signature = atob(seal.dataset.signature);
          seal.dataset.signature = btoa(String.fromCharCode(signature.charCodeAt(0) ^ 1)
            + signature.slice(1));
          document.dispatchEvent(new CustomEvent('pakn:updated'))""",
    )
    _settled(browser, "public", {"seal": "failed", "log": "failed"})


MALFORMED_KEY_FIRST = """(() => {
  const real = window.fetch;
  window.fetch = async (...args) => {
    const response = await real(...args);
    if (!String(args[0]).endsWith('/graphql')) return response;
    const payload = await response.json();
    payload.data?.logPublicKeys?.unshift('pakn+00000000+not*base64', 'pakn', '++');
    return new Response(JSON.stringify(payload), {status: response.status});
  };
  document.dispatchEvent(new CustomEvent('pakn:updated'));
})()"""


def test_a_malformed_log_key_beside_the_good_one_is_passed_over(
    site: tuple[str, Workflow], browser: Browser
) -> None:
    """The page reads the log's keys from the API: one it cannot parse has signed nothing,
    and the check goes on to the next (the page's fetch adds them before the real one)."""
    _url, workflow = site
    code = _code(workflow, private=False)
    browser.command("open", page="keys", url=f"{workflow.server.url}/p/{code}?lang=en")
    _settled(browser, "keys", {"seal": "verified", "log": "verified"})
    browser.command("eval", page="keys", expression=MALFORMED_KEY_FIRST)
    _settled(browser, "keys", {"seal": "verified", "log": "verified"})


def test_a_private_answer_is_verified_with_its_text_withheld(
    site: tuple[str, Workflow], browser: Browser
) -> None:
    _url, workflow = site
    code = _code(workflow, private=True)
    browser.command("open", page="private", url=f"{workflow.server.url}/p/{code}?lang=en")
    states = _settled(browser, "private", {"seal": "withheld", "log": "verified"})
    assert "text withheld" in states[0]["text"]
    assert browser.command(
        "eval", page="private", expression="document.querySelector('.answer .body') === null"
    )

    browser.command(
        "eval",
        page="private",
        expression="""crypto.subtle.importKey = () =>
            Promise.reject(new DOMException('no Ed25519 here', 'NotSupportedError'));
          document.dispatchEvent(new CustomEvent('pakn:updated'))""",
    )
    states = _settled(browser, "private", {"seal": "unsupported", "log": "unsupported"})
    assert "cannot check Ed25519" in states[0]["text"]


def test_an_answer_written_live_is_pending_until_the_next_checkpoint(
    site: tuple[str, Workflow], browser: Browser
) -> None:
    url, workflow = site
    petition, secret = workflow.in_progress()
    code = petition["trackingCode"]
    subscribed = workflow.server.subscriptions()
    browser.command("open", page="live", url=f"{workflow.server.url}/p/{code}?lang=en")
    workflow.server.wait_for_subscriptions(subscribed + 1)
    assert browser.command("eval", page="live", expression=STATES) == []

    answered = workflow.step("answer", petition, secret)
    assert answered["status"] == "ANSWERED"
    states = _settled(browser, "live", {"seal": "verified", "log": "pending"})
    assert "after the next one" in states[1]["text"]
    status = browser.command(
        "eval", page="live", expression="document.getElementById('status').textContent"
    )
    assert status == "Answered"

    asyncio.run(sign(url))
    _settled(browser, "live", {"seal": "verified", "log": "verified"})
    texts = json.loads(
        browser.command(
            "eval", page="live", expression="document.getElementById('check-texts').textContent"
        )
    )
    assert "every 1 seconds" in texts["log"]["pending"], "it names PAKN_CHECKPOINT_SECONDS"


ANSWER_WITH_FILES = """mutation($input: AnswerPetitionInput!) { answerPetition(input: $input) {
  userErrors { code } } }"""


def test_an_answers_documents_are_listed_and_checked_with_its_seal(
    site: tuple[str, Workflow], browser: Browser
) -> None:
    """The seal signs the documents' SHA-256s: the page verifies it with them, links each
    document, and fails when one of them is not the one sealed (#18, point 2)."""
    url, workflow = site
    petition, _secret = workflow.in_progress()
    input = {
        "petitionId": petition["id"],
        "expectedVersion": petition["version"],
        "body": ANSWER_TEXT,
    }
    files = [("công văn số 12.pdf", sample_files.pdf(), "application/pdf")]
    posted = post_files(workflow.server, ANSWER_WITH_FILES, input, files, token=workflow.tokens.btc)
    assert posted.json()["data"]["answerPetition"]["userErrors"] == [], posted.text
    asyncio.run(sign(url))
    code = petition["trackingCode"]
    browser.command("open", page="files", url=f"{workflow.server.url}/p/{code}?lang=en")
    _settled(browser, "files", {"seal": "verified", "log": "verified"})
    link = browser.command(
        "eval", page="files", expression="document.querySelector('.answer .files a').textContent"
    )
    assert link == "công văn số 12.pdf"
    browser.command(
        "eval",
        page="files",
        expression="""document.getElementById('seal-1').dataset.attachments = '0'.repeat(64);
          document.dispatchEvent(new CustomEvent('pakn:updated'))""",
    )
    _settled(browser, "files", {"seal": "failed", "log": "verified"})
