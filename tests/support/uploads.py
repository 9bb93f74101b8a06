"""Posting files by the GraphQL multipart request specification, as a plain HTTP client
does (the stock client, gql, is used where the test is about the client)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.server import HttpServer
from tests.support.workflow import bearer

PREFLIGHT = {"GraphQL-Preflight": "1"}

File = tuple[str, bytes, str]
"""(file name, bytes, declared type)."""


def post_files(
    server: HttpServer,
    query: str,
    input: dict[str, Any],
    files: list[File],
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """`query` with `{"input": input}`, its `input.attachments` the `files`."""
    variables = {"input": {**input, "attachments": [None] * len(files)}}
    mapping = {str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}
    return server.client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps(mapping),
        },
        files={str(i): file for i, file in enumerate(files)},
        headers={**(PREFLIGHT if headers is None else headers), **bearer(token)},
    )
