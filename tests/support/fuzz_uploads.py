"""Hostile uploads for the fuzzer (#18, point 5): multipart requests by the GraphQL
multipart request specification to /graphql, with files that are truncated, mislabelled,
packed to explode, two files at once, empty or random, under hostile names, and with
`operations` and `map` parts that do not agree."""

from __future__ import annotations

import json
from functools import cache
from uuid import uuid4

from hypothesis import strategies as st

from tests.support import sample_files
from tests.support.fuzz_values import HOSTILE_TEXT
from tests.support.workflow import SUBMIT, submission

BOUNDARY = "pakn-fuzz-boundary"


@cache
def hostile_files() -> tuple[bytes, ...]:
    photo = sample_files.photo_with_gps()
    return (
        photo,
        photo[: len(photo) // 3],
        sample_files.pdf(),
        sample_files.polyglot(),
        sample_files.zip_bomb(),
        sample_files.docx(),
        b"PK\x03\x04" + bytes(64),
        b"",
        b"\x89PNG\r\n\x1a\n" + bytes(40),
        b"MZ" + bytes(300),
    )


def multipart_body(parts: list[tuple[str, str | None, str, bytes]]) -> bytes:
    """(name, file name or None for a field, content type, bytes) as one multipart body."""
    out = b""
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if filename is not None:
            head += f"Content-Type: {content_type}\r\n"
        out += head.encode("utf-8", "surrogateescape") + b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


@st.composite
def graphql_uploads(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    count = draw(st.integers(0, 7))
    input = submission(title=f"Thủ tục hành chính kéo dài {uuid4().hex[:8]}")
    operations = {"query": SUBMIT, "variables": {"input": {**input, "attachments": [None] * count}}}
    mapping: object = {str(i): [f"variables.input.attachments.{i}"] for i in range(count)}
    mapping = draw(
        st.sampled_from(
            [mapping, {}, {"0": ["variables.input.title"]}, {"9": ["x"]}, [], "nope", {"0": "x"}]
        )
    )
    names = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=30), st.just("a.jpg"))
    files = [
        (
            str(i),
            draw(names).replace('"', "'"),
            draw(st.sampled_from(["image/jpeg", "", "x/y"])),
            draw(st.sampled_from(hostile_files())),
        )
        for i in range(count)
    ]
    parts = [
        ("operations", None, "", json.dumps(operations).encode()),
        ("map", None, "", json.dumps(mapping).encode()),
        *files,
    ]
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    if draw(st.integers(0, 9)):
        headers["graphql-preflight"] = "1"
    return multipart_body(parts), headers
