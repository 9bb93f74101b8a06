"""What the fuzzer asserts of every response, and the server's error log it watches.

Per request: no 5xx; a JSON body; every error with a stable `extensions.code` (UPPER_SNAKE,
never INTERNAL_SERVER_ERROR), every `userErrors` entry with one too; and nothing logged at
ERROR by the server while it answered (a masked bug is logged with its traceback, by
`ErrorCodes` or by `app.main`'s 500 handler, and uvicorn logs an exception that escaped
the application): a bug that a response hides still fails the case.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson

from tests.support.fuzz_documents import Request

CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
WATCHED_LOGGERS = ("", "uvicorn")
"""The root logger (pakn's loggers propagate to it) and uvicorn's, which does not."""


class ErrorLog(logging.Handler):
    """Records at ERROR and above, from the server's threads."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        """The records since the last call, formatted with their tracebacks."""
        taken, self.records = self.records, []
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        return [formatter.format(record) for record in taken]


@contextmanager
def watched_errors() -> Iterator[ErrorLog]:
    log = ErrorLog()
    loggers = [logging.getLogger(name) for name in WATCHED_LOGGERS]
    for logger in loggers:
        logger.addHandler(log)
    try:
        yield log
    finally:
        for logger in loggers:
            logger.removeHandler(log)


def _bad_code(code: object) -> bool:
    return not isinstance(code, str) or not CODE.fullmatch(code)


def _user_error_codes(data: Any) -> Iterator[object]:
    """The `code` of every `userErrors` entry selected anywhere in `data`."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "userErrors" and isinstance(value, list):
                yield from (entry["code"] for entry in value if "code" in entry)
            else:
                yield from _user_error_codes(value)
    elif isinstance(data, list):
        for item in data:
            yield from _user_error_codes(item)


def check_response(response: httpx.Response, case: object) -> None:
    """Fail unless `response` is a well-formed, coded answer (see the module docstring)."""
    status = response.status_code
    assert status < 500, f"{status} for {case!r}: {response.text[:2000]}"
    if status in (204, 304) or response.request.method == "HEAD":
        return
    assert response.headers.get("content-type", "").startswith("application/json"), (
        f"{status} {response.headers.get('content-type')} for {case!r}: {response.text[:500]}"
    )
    payload = response.json()
    assert isinstance(payload, dict), f"{payload!r} for {case!r}"
    if status == 200 and "errors" not in payload:
        assert "data" in payload, f"neither data nor errors for {case!r}: {payload!r}"
    for error in payload.get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        assert code != "INTERNAL_SERVER_ERROR", f"a masked bug for {case!r}: {error!r}"
        assert not _bad_code(code), f"no stable code for {case!r}: {error!r}"
    for code in _user_error_codes(payload.get("data")):
        assert not _bad_code(code), f"a userError without a stable code for {case!r}: {code!r}"
    if status == 200 and payload.get("errors") is None:
        return
    assert payload.get("errors"), f"{status} without errors for {case!r}: {payload!r}"


def check_quiet(log: ErrorLog, case: object) -> None:
    logged = log.take()
    assert not logged, f"the server logged an error for {case!r}:\n" + "\n".join(logged)


def _jsonable(value: Any) -> Any:
    """`value` with integers beyond 64 bits as JSON fragments (orjson refuses them)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return orjson.Fragment(str(value).encode())
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def to_json(value: Any) -> bytes:
    return orjson.dumps(_jsonable(value))


def send(client: httpx.Client, request: Request, token: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if request.method == "GET":
        params = {"query": request.query}
        if request.variables is not None:
            params["variables"] = to_json(request.variables).decode()
        return client.get("/graphql", params=params, headers=headers)
    body: dict[str, Any] = {"query": request.query}
    if request.variables is not None:
        body["variables"] = request.variables
    headers["content-type"] = "application/json"
    return client.post("/graphql", content=to_json(body), headers=headers)
