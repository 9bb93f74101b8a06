"""Structured logs (#19, point 3): a real `pakn serve` with its stderr in a file. A
petitioner (from 127.0.0.2) submits with a known e-mail, phone and name, reads the petition
back with their secret, sends the secret where it does not belong (a GET's query string,
the website's /track), and paths that carry secrets are asked for (`/unsubscribe/<token>`,
`/files/<sha>?grant=`), with an officer's token and over a WebSocket too.

Every line the server wrote (but the supervisor's own `pakn: ...` lines) is one JSON
object with `ts`, `level`, `logger` and `message`; uvicorn's too. Each request has its
access line (request id, operation, transport, method, route template, status, duration,
error code, the client's hash), and none of the e-mail, phone, name, secret, tokens,
grant or the client's address appears anywhere. PAKN_LOG_FORMAT=text gives lines for
people, and a client's `X-Request-Id` that could forge a `k=v` field there is replaced by a
new id; a PAKN_LOG_LEVEL or PAKN_LOG_FORMAT that means nothing stops `pakn` at start. An
application that raises before answering (uvicorn then sends its own plain 500) is logged
and counted as 500 INTERNAL_SERVER_ERROR.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.web.log_format import FIELDS, JsonFormatter
from app.web.metrics import Metrics
from app.web.observation import Observe
from tests.support.cli import pakn, pakn_serve_process
from tests.support.server import free_port
from tests.support.waiting import wait_until
from tests.support.workflow import submission

SUBMIT = """mutation SubmitForLog($input: SubmitPetitionInput!) {
  submitPetition(input: $input) { trackingCode secret userErrors { code } }
}"""
MINE = """query Mine($c: String!, $s: String!) {
  petitionForPetitioner(trackingCode: $c, secret: $s) { petitioner { fullName email phone } }
}"""
ACCESS_FIELDS = {
    "request_id",
    "operation",
    "transport",
    "method",
    "route",
    "status",
    "duration_ms",
    "error_code",
    "client",
}
PETITIONER_ADDRESS = "127.0.0.2"
KEPT_REQUEST_ID = "trace-1.2_3"
FORGED_REQUEST_IDS = (
    "forged status=500 client=0123456789abcdef",
    "forged\trequest_id=x",
    'forged"',
    "x" * 65,
)
"""Request ids a client may send: one kept as it is, and ones with spaces, `=`, quotes or
too long, that a text log line would show as fields of their own."""


def petitioner() -> dict[str, str]:
    tag = secrets.token_hex(4)
    return {
        "fullName": "Đỗ Thị Kín Đáo",
        "email": f"log-{tag}@example.vn",
        "phone": f"09{secrets.randbelow(10**8):08d}",
        "address": f"{secrets.randbelow(900) + 100} Phố Huế, Hà Nội",
    }


def log_lines(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.strip()]


def entries(log: Path) -> list[dict[str, Any]]:
    """Every line the server logged, parsed; the supervisor's `pakn: ` lines left out."""
    parsed = []
    for line in log_lines(log):
        if line.startswith("pakn: "):
            continue
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        assert {"ts", "level", "logger", "message"} <= set(entry), line
        parsed.append(entry)
    return parsed


def drive(url: str, person: dict[str, str], officer: str, unsubscribe: str, grant: str) -> str:
    """The petitioner's requests and a few others (see the module); the secret."""
    transport = httpx.HTTPTransport(local_address=PETITIONER_ADDRESS)
    with httpx.Client(base_url=url, transport=transport, timeout=30) as client:
        body = {"query": SUBMIT, "variables": {"input": submission(petitioner=person)}}
        submitted = client.post("/graphql", json=body).json()["data"]["submitPetition"]
        assert submitted["userErrors"] == []
        code, secret = submitted["trackingCode"], submitted["secret"]
        mine = {"query": MINE, "variables": {"c": code, "s": secret}}
        own = client.post("/graphql", json=mine).json()["data"]["petitionForPetitioner"]
        assert own["petitioner"]["email"] == person["email"], "the data went through"
        variables = json.dumps(mine["variables"])
        over_get = client.get("/graphql", params={"query": MINE, "variables": variables})
        assert over_get.status_code < 500
        tracking = client.get("/track", params={"trackingCode": code, "secret": secret})
        assert tracking.status_code < 500
        tracked = client.post("/track", data={"trackingCode": code, "secret": secret})
        assert tracked.status_code < 500
        assert client.get(f"/unsubscribe/{unsubscribe}").status_code < 500
        files = client.get(f"/files/{'ab' * 32}", params={"grant": grant})
        assert files.status_code == 404
        headers = {"authorization": f"Bearer {officer}"}
        as_officer = client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert as_officer.status_code < 500
        invalid = client.post("/graphql", json={"query": "query Broken { noSuchField }"})
        assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        return str(secret)


async def open_and_close_a_socket(url: str, officer: str) -> None:
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {officer}"}}
        await socket.send(json.dumps(init))
        with contextlib.suppress(ConnectionClosed):  # 4403: the token is no officer's
            await asyncio.wait_for(socket.recv(), 10)


def test_every_line_is_json_and_nothing_personal_or_secret(
    empty_database: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    person = petitioner()
    officer = "pakn_" + secrets.token_urlsafe(24)
    unsubscribe = "unsub" + secrets.token_urlsafe(24)
    grant = "grant" + secrets.token_urlsafe(24)
    with (
        log.open("wb") as stderr,
        pakn_serve_process(empty_database, 1, None, stderr) as (
            url,
            _process,
        ),
    ):
        secret = drive(url, person, officer, unsubscribe, grant)
        asyncio.run(open_and_close_a_socket(url, officer))
    logged = entries(log)
    text = log.read_text()
    for needle in (
        *person.values(),
        secret,
        officer,
        unsubscribe,
        grant,
        PETITIONER_ADDRESS,
        "secret=",
        "grant=",
    ):
        assert needle not in text, f"{needle!r} is in the log"
    assert any(e["logger"].startswith("uvicorn") for e in logged), "uvicorn's lines are JSON too"
    access = [e for e in logged if e["logger"] == "pakn.access"]
    for entry in access:
        assert ACCESS_FIELDS <= set(entry), entry
        assert re.fullmatch(r"[0-9a-f]{16}", entry["client"]), entry
        assert re.fullmatch(r"[0-9a-f]{32}", entry["request_id"]), entry
        assert entry["level"] == "info"
    theirs = {e["client"] for e in access if e["operation"] in ("SubmitForLog", "Mine")}
    assert len(theirs) == 1, "one client, one hash"
    routes = {e["route"] for e in access}
    assert {"/graphql", "/track", "/unsubscribe/{token}", "/files/{sha256}"} <= routes
    by_operation = {e["operation"]: e for e in access if e["transport"] == "http"}
    assert by_operation["SubmitForLog"]["status"] == 200
    assert by_operation["SubmitForLog"]["error_code"] is None
    assert by_operation["Broken"]["error_code"] == "GRAPHQL_VALIDATION_FAILED"
    assert by_operation["/files/{sha256}"]["error_code"] == "NOT_FOUND"
    assert any(e["transport"] == "ws" and e["route"] == "/graphql" for e in access)


def test_text_format_is_for_people(empty_database: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    settings = {"PAKN_LOG_FORMAT": "text", "PAKN_LOG_LEVEL": "info"}
    with (
        log.open("wb") as stderr,
        pakn_serve_process(empty_database, 1, settings, stderr) as (
            url,
            _process,
        ),
    ):
        assert httpx.get(f"{url}/export/petitions.csv?x=1").status_code == 400  # no such filter
        given = {}
        for request_id in (*FORGED_REQUEST_IDS, KEPT_REQUEST_ID):
            answered = httpx.get(f"{url}/health", headers={"x-request-id": request_id})
            assert answered.status_code == 200
            given[request_id] = answered.headers["x-request-id"]
    lines = log_lines(log)
    assert not any(line.startswith("{") for line in lines)
    [line] = [line for line in lines if "pakn.access" in line and "/export/petitions.csv" in line]
    assert " INFO pakn.access: GET /export/petitions.csv 400" in line
    assert "route=/export/petitions.csv" in line and "error_code=BAD_REQUEST" in line
    assert "x=1" not in line
    assert given[KEPT_REQUEST_ID] == KEPT_REQUEST_ID
    for forged in FORGED_REQUEST_IDS:
        assert re.fullmatch(r"[0-9a-f]{32}", given[forged]), forged
    assert not any("forged" in line or "client=0123456789abcdef" in line for line in lines)
    health = [line for line in lines if "pakn.access: GET /health" in line]
    for line in health:
        assert line.count(" request_id=") == 1 and line.count(" status=") == 1, line
    logged = {line.split(" request_id=")[1].split(" ")[0] for line in health}
    assert set(given.values()) <= logged


@pytest.mark.parametrize(
    ("variable", "value"), [("PAKN_LOG_LEVEL", "loud"), ("PAKN_LOG_FORMAT", "xml")]
)
def test_a_meaningless_log_setting_stops_pakn_at_start(
    variable: str, value: str, tmp_path: Path
) -> None:
    done = pakn(
        "serve",
        "--port",
        str(free_port()),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'pakn.db'}",
        environment=os.environ | {variable: value},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"pakn: {variable} ")
    assert repr(value) in done.stderr and "Traceback" not in done.stderr


def test_an_exception_is_one_line_with_its_traceback() -> None:
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonFormatter())
    logger = logging.Logger("pakn.test")
    logger.addHandler(handler)
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        logger.exception("it failed [request %s]", "r1")
    [line] = written.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "it failed [request r1]" and entry["level"] == "error"
    assert "Traceback" in entry["exception"] and "ZeroDivisionError" in entry["exception"]
    assert entry["ts"].endswith("Z")


async def failing_middleware(scope: Scope, _receive: Receive, _send: Send) -> None:
    """An outer middleware's bug: it raises before anything is answered."""
    assert scope["type"] == "http"
    raise RuntimeError("a middleware failed")


@contextmanager
def served(app: ASGIApp) -> Iterator[str]:
    """`app` behind a real uvicorn on loopback, in a thread."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None, log_level="critical"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, "uvicorn started")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_a_failure_before_any_answer_is_a_logged_and_counted_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()
    caplog.set_level(logging.INFO, logger="pakn.access")
    with served(Observe(failing_middleware, metrics, "test-secret-key")) as url:
        answered = httpx.get(f"{url}/graphql", headers={"x-request-id": "r-500"})
    assert answered.status_code == 500 and answered.text == "Internal Server Error"  # uvicorn's
    [record] = [r for r in caplog.records if r.name == "pakn.access"]
    fields = record.__dict__[FIELDS]
    assert fields["status"] == 500 and fields["error_code"] == "INTERNAL_SERVER_ERROR"
    assert fields["request_id"] == "r-500"
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics.exposition().decode())
        for sample in family.samples
    }
    assert samples[("pakn_errors_total", (("code", "INTERNAL_SERVER_ERROR"),))] == 1
    assert samples[("pakn_requests_total", (("operation", "-"), ("transport", "http")))] == 1
