"""Attachments on petitions (#18, points 1, 2 and 5), with real files over the GraphQL
multipart request specification, on both databases: sent with gql (a stock client) or a
plain multipart POST; typed by their bytes; pictures re-encoded without their metadata;
private by default and downloaded through a grant; hostile files refused with a code and
nothing stored; a request too large refused by its length before it is read."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from gql import Client, FileVar, GraphQLRequest
from gql.transport.httpx import HTTPXAsyncTransport
from PIL import Image
from sqlalchemy import func, select

from db.engine import open_engine
from db.models import Blob
from tests.support import sample_files
from tests.support.server import RunningServer
from tests.support.uploads import PREFLIGHT, File, post_files
from tests.support.workflow import (
    ANSWER_TEXT,
    SUBMIT,
    Workflow,
    make_tokens,
    submission,
    workflow_settings,
)

FILES = """query($c: String!, $s: String!) {
  petitionForPetitioner(trackingCode: $c, secret: $s) {
    attachments { id sha256 filename mediaType size isPublic url }
  }
}"""
PUBLIC = """query($c: String!) { petition(trackingCode: $c) { attachments { sha256 } } }"""


@pytest.fixture
def server(empty_database: str) -> Iterator[RunningServer]:
    with RunningServer(workflow_settings(empty_database)) as running:
        yield running


def _title() -> str:
    return f"Thủ tục cấp giấy chứng nhận quyền sử dụng đất {uuid.uuid4().hex[:8]}"


def _multipart(
    server: RunningServer, files: list[File], headers: dict[str, str] | None = None
) -> httpx.Response:
    return post_files(server, SUBMIT, submission(title=_title()), files, headers=headers)


def _payload(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]["submitPetition"]  # type: ignore[no-any-return]


def _codes(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def _stored(server: RunningServer) -> int:
    return int(server.gql("{ petitions { totalCount } }")["petitions"]["totalCount"])


async def test_a_stock_client_uploads_a_photo_that_comes_back_without_its_metadata(
    server: RunningServer,
) -> None:
    transport = HTTPXAsyncTransport(url=f"{server.url}/graphql", headers=PREFLIGHT)
    photo = sample_files.photo_with_gps()
    variables = {
        "input": {
            **submission(title=_title()),
            "attachments": [
                FileVar(
                    io.BytesIO(photo), filename="../../ảnh CCCD.jpeg", content_type="image/jpeg"
                ),
                FileVar(io.BytesIO(sample_files.pdf()), filename="đơn.pdf"),
            ],
        }
    }
    async with Client(transport=transport) as session:
        request = GraphQLRequest(SUBMIT, variable_values=variables)
        result = await session.execute(request, upload_files=True)
    filed = result["submitPetition"]
    assert filed["userErrors"] == []
    code, secret = filed["trackingCode"], filed["secret"]

    assert server.gql(PUBLIC, {"c": code})["petition"]["attachments"] == [], "private"
    shown = server.gql(FILES, {"c": code, "s": secret})["petitionForPetitioner"]["attachments"]
    assert [(a["filename"], a["mediaType"], a["isPublic"]) for a in shown] == [
        ("ảnh CCCD.jpeg", "image/jpeg", False),
        ("đơn.pdf", "application/pdf", False),
    ]
    download = server.client.get(shown[0]["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["content-security-policy"]
    assert download.headers["cache-control"] == "private, no-store"
    stored = download.content
    assert len(stored) == shown[0]["size"]
    assert sample_files.SERIAL.encode() not in stored
    with Image.open(io.BytesIO(stored)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(sample_files.GPS_IFD), "the GPS position is gone"
        assert not exif.get_ifd(sample_files.EXIF_IFD), "the camera's serial is gone"
        assert image.size == (480, 640), "turned upright by its orientation, then dropped"
    pdf = server.client.get(shown[1]["url"])
    assert pdf.content == sample_files.pdf(), "a PDF is stored as sent"


def test_a_private_file_is_the_same_404_without_a_grant_as_an_absent_one(
    server: RunningServer,
) -> None:
    filed = _payload(_multipart(server, [("id.png", sample_files.png(), "image/png")]))
    files = server.gql(FILES, {"c": filed["trackingCode"], "s": filed["secret"]})
    attachment = files["petitionForPetitioner"]["attachments"][0]
    sha = attachment["sha256"]
    refused = [
        server.client.get(f"/files/{sha}"),
        server.client.get(f"/files/{sha}?grant=9999999999.{'0' * 32}"),
        server.client.get(f"/files/{sha}?grant=" + "x" * 500),
        server.client.get(f"/files/{'0' * 64}"),
        server.client.get("/files/not-a-digest"),
    ]
    assert {r.status_code for r in refused} == {404}
    assert len({r.content for r in refused}) == 1, "absent and not allowed look the same"
    assert server.client.get(attachment["url"]).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "declared", "code"),
    [
        ("photo.jpg", sample_files.pdf(), "image/jpeg", None),
        ("note.txt", b"just some text\n" * 20, "image/jpeg", "UNSUPPORTED_FILE_TYPE"),
        ("run.exe", b"MZ" + bytes(500), "application/pdf", "UNSUPPORTED_FILE_TYPE"),
        ("cut.jpg", sample_files.photo_with_gps()[:700], "image/jpeg", "INVALID_FILE"),
        ("bomb.docx", sample_files.zip_bomb(), "application/msword", "SUSPICIOUS_FILE"),
        ("two.pdf", sample_files.polyglot(), "application/pdf", "SUSPICIOUS_FILE"),
        ("empty.pdf", b"", "application/pdf", "EMPTY_FILE"),
        ("fake.docx", b"PK\x03\x04" + bytes(100), "application/zip", "UNSUPPORTED_FILE_TYPE"),
    ],
)
def test_a_file_is_judged_by_its_bytes(
    server: RunningServer, name: str, content: bytes, declared: str, code: str | None
) -> None:
    payload = _payload(
        _multipart(server, [("fine.docx", sample_files.docx(), "x/y"), (name, content, declared)])
    )
    if code is None:
        shown = server.gql(FILES, {"c": payload["trackingCode"], "s": payload["secret"]})
        kinds = [a["mediaType"] for a in shown["petitionForPetitioner"]["attachments"]]
        assert kinds[1] == "application/pdf", "a PDF named .jpg is a PDF, not an image"
        names = [a["filename"] for a in shown["petitionForPetitioner"]["attachments"]]
        assert names == ["fine.docx", "photo.jpg.pdf"]
        return
    assert _codes(payload) == [(code, ["input", "attachments", "1"])]
    assert payload["trackingCode"] is None and _stored(server) == 0, "nothing stored"


def test_the_counts_and_sizes_are_limited(empty_database: str) -> None:
    settings = replace(
        workflow_settings(empty_database),
        max_uploads=2,
        max_upload_bytes=4000,
        max_upload_total=20_000,
        upload_types=("JPEG", "PNG"),
    )
    with RunningServer(settings) as server:
        small = ("a.png", sample_files.png(), "image/png")
        assert _codes(_payload(_multipart(server, [small] * 3))) == [
            ("TOO_MANY_FILES", ["input", "attachments"])
        ]
        big = ("big.png", sample_files.png() + bytes(5000), "image/png")
        assert _codes(_payload(_multipart(server, [big]))) == [
            ("FILE_TOO_LARGE", ["input", "attachments", "0"])
        ]
        pdf = ("scan.pdf", sample_files.pdf(), "application/pdf")
        assert _codes(_payload(_multipart(server, [pdf]))) == [
            ("UNSUPPORTED_FILE_TYPE", ["input", "attachments", "0"])
        ]
        assert _stored(server) == 0
        assert _payload(_multipart(server, [small, small]))["userErrors"] == []


def test_a_multipart_request_needs_a_preflight_header(server: RunningServer) -> None:
    response = _multipart(server, [("a.png", sample_files.png(), "image/png")], headers={})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    assert _stored(server) == 0


def test_a_request_over_the_upload_limit_is_refused_before_it_is_read(
    server: RunningServer,
) -> None:
    """50 MB declared and hardly a byte sent: the 413 comes back at once."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"GraphQL-Preflight: 1\r\nContent-Length: 52428800\r\n\r\n--x\r\n"
        )
        answer = ""
        while "REQUEST_TOO_LARGE" not in answer and (chunk := raw.recv(4096)):
            answer += chunk.decode()
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "REQUEST_TOO_LARGE" in answer
    unsized = server.client.post(
        "/graphql",
        content=iter([b"--x\r\n"]),
        headers={"content-type": "multipart/form-data; boundary=x", **PREFLIGHT},
    )
    assert unsized.status_code == 411


async def _blobs(url: str) -> int:
    async with open_engine(url) as engine, engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Blob)) or 0)


ERASE = """mutation($c: String!, $s: String!) {
  erasePetitionerData(input: {trackingCode: $c, secret: $s}) { userErrors { code } }
}"""


def test_erasing_the_contact_data_erases_the_unpublished_files(server: RunningServer) -> None:
    """An identity card's photo is personal data: it goes with the name and the address,
    its bytes too unless another petition's attachment names the same ones (a grant is
    for the bytes: the same bytes stay downloadable by whoever already held them)."""
    shared = ("same.png", sample_files.png(), "image/png")
    mine = _payload(_multipart(server, [shared, ("id.pdf", sample_files.pdf(), "x/y")]))
    other = _payload(_multipart(server, [shared]))
    credentials = {"c": mine["trackingCode"], "s": mine["secret"]}
    urls = [
        a["url"] for a in server.gql(FILES, credentials)["petitionForPetitioner"]["attachments"]
    ]
    before = [server.client.get(url) for url in urls]
    assert [response.status_code for response in before] == [200, 200]

    assert server.gql(ERASE, credentials)["erasePetitionerData"]["userErrors"] == []
    assert server.gql(FILES, credentials)["petitionForPetitioner"]["attachments"] == []
    assert server.client.get(urls[1]).status_code == 404
    assert asyncio.run(_blobs(server.settings.database_url)) == 1, "its bytes are gone"
    kept = server.gql(FILES, {"c": other["trackingCode"], "s": other["secret"]})
    still = kept["petitionForPetitioner"]["attachments"][0]["url"]
    assert server.client.get(still).content == before[0].content, "the other's stay"


PUBLISH = """mutation($c: String!, $s: String!, $a: ID!, $p: Boolean!) {
  publishAttachment(input: {trackingCode: $c, secret: $s, attachmentId: $a, isPublic: $p}) {
    petition { trackingCode } userErrors { code field } } }"""


def test_the_petitioner_publishes_one_file_and_takes_it_back(server: RunningServer) -> None:
    files = [
        ("ảnh hiện trường.png", sample_files.png(), "image/png"),
        ("cccd.pdf", sample_files.pdf(), "x/y"),
    ]
    filed = _payload(_multipart(server, files))
    credentials = {"c": filed["trackingCode"], "s": filed["secret"]}
    mine = server.gql(FILES, credentials)["petitionForPetitioner"]["attachments"]
    scene = mine[0]

    def publish(attachment: str, public: bool, secret: str = filed["secret"]) -> list[str]:
        payload = server.gql(PUBLISH, {**credentials, "s": secret, "a": attachment, "p": public})
        return [error["code"] for error in payload["publishAttachment"]["userErrors"]]

    assert publish(scene["id"], True) == []
    public = server.gql(PUBLIC, {"c": filed["trackingCode"]})["petition"]["attachments"]
    assert public == [{"sha256": scene["sha256"]}], "only the published one"
    served = server.client.get(f"/files/{scene['sha256']}")
    assert served.status_code == 200 and served.headers["cache-control"].startswith("public")
    assert server.client.get(f"/files/{mine[1]['sha256']}").status_code == 404

    assert publish(scene["id"], True, secret="guess") == ["INVALID_SECRET"]
    other = _payload(_multipart(server, [("x.pdf", sample_files.pdf(), "x/y")]))
    theirs = server.gql(FILES, {"c": other["trackingCode"], "s": other["secret"]})
    assert publish(theirs["petitionForPetitioner"]["attachments"][0]["id"], True) == ["NOT_FOUND"]
    assert publish("bm90IGFuIGlk", True) == ["INVALID_ID"]

    assert publish(scene["id"], False) == []
    assert server.gql(PUBLIC, {"c": filed["trackingCode"]})["petition"]["attachments"] == []
    assert server.client.get(f"/files/{scene['sha256']}").status_code == 404


@pytest.mark.parametrize(
    ("operations", "mapping", "as_file"),
    [
        ('{"query": "{ fields { code } }"}', "[]", False),
        ('{"query": "{ fields { code } }"}', '{"0": "variables.x"}', False),
        ('{"query": "{ fields { code } }"}', '{"0": ["variables.input.attachments.7"]}', False),
        ('{"query": "{ fields { code } }"}', '{"9": ["variables.x"]}', False),
        ("[1, 2]", "{}", False),
        ('{"query": "{ fields { code } }"}', "{}", True),
    ],
)
def test_a_malformed_multipart_request_is_a_400(
    server: RunningServer, operations: str, mapping: str, as_file: bool
) -> None:
    """Found by the fuzzer (tests/support/fuzz_uploads.py): Strawberry took any `map`."""
    parts: dict[str, object] = {"map": mapping}
    files: dict[str, object] = {"0": ("a.png", sample_files.png(), "image/png")}
    if as_file:
        files["operations"] = ("ops.json", operations.encode(), "application/json")
    else:
        parts["operations"] = operations
    response = server.client.post("/graphql", data=parts, files=files, headers=PREFLIGHT)
    assert response.status_code == 400, response.text
    assert response.json()["errors"]


def test_the_exports_list_the_published_files_digests_and_no_private_one(
    empty_database: str,
) -> None:
    tokens = asyncio.run(make_tokens(empty_database))
    with RunningServer(workflow_settings(empty_database)) as server:
        workflow = Workflow(server, tokens)
        files = [("a.png", sample_files.png(), "image/png"), ("b.pdf", sample_files.pdf(), "x/y")]
        filed = _payload(_multipart(server, files))
        credentials = {"c": filed["trackingCode"], "s": filed["secret"]}
        mine = server.gql(FILES, credentials)["petitionForPetitioner"]["attachments"]
        server.gql(PUBLISH, {**credentials, "a": mine[0]["id"], "p": True})
        dispatch = ("công văn.pdf", sample_files.docx(), "x/y")
        _answer_with(workflow, workflow.public_view(filed["trackingCode"]), dispatch)
        sealed = server.gql(SEALED_FILES, {"c": filed["trackingCode"]})["petition"]
        expected = sorted([mine[0]["sha256"], sealed["answers"][0]["attachments"][0]["sha256"]])
        exported = server.client.get("/export/petitions.csv")
        (row,) = csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")))
        assert row["attachments"] == " ".join(expected)
        assert mine[1]["sha256"] not in exported.text, "a private file is not listed"
        lines = server.client.get("/export/petitions.ndjson").text.splitlines()
        assert json.loads(lines[0])["attachments"] == " ".join(expected)


def _answer_with(workflow: Workflow, petition: dict[str, Any], document: File) -> None:
    """`petition` assigned to BTC, taken up and answered by its officer with `document`."""
    tokens = workflow.tokens
    petition = workflow.act(
        "assign", tokens.coordinator, petition, agencyCode="BTC", fieldCode="DAT_DAI"
    )
    petition = workflow.act("acknowledge", tokens.btc, petition)
    input = {"petitionId": petition["id"], "expectedVersion": petition["version"]}
    answered = post_files(
        workflow.server, ANSWER, {**input, "body": ANSWER_TEXT}, [document], token=tokens.btc
    )
    assert answered.json()["data"]["answerPetition"]["userErrors"] == [], answered.text


ANSWER = """mutation($input: AnswerPetitionInput!) { answerPetition(input: $input) {
  userErrors { code } } }"""
SEALED_FILES = """query($c: String!) { petition(trackingCode: $c) {
  answers { attachments { sha256 } } } }"""


PUBLIC_ANSWER_FILES = """query($c: String!) { petition(trackingCode: $c) {
  answers { attachments { sha256 filename url isPublic } } } }"""
OWN_ANSWER_FILES = """query($c: String!, $s: String!) {
  petitionForPetitioner(trackingCode: $c, secret: $s) {
    answers { attachments { sha256 filename url isPublic } } } }"""


def test_a_private_petitions_answer_documents_are_listed_for_the_seal_but_not_opened(
    empty_database: str,
) -> None:
    """Found in review: the agency's reply letter names the petitioner."""
    tokens = asyncio.run(make_tokens(empty_database))
    with RunningServer(workflow_settings(empty_database)) as server:
        workflow = Workflow(server, tokens)
        filed = workflow.submit(isPrivate=True)
        letter = ("trả lời ông Nguyễn Văn An.pdf", sample_files.pdf(), "x/y")
        _answer_with(workflow, filed["petition"], letter)
        code = filed["trackingCode"]
        seen = server.gql(PUBLIC_ANSWER_FILES, {"c": code})["petition"]["answers"][0]
        (public,) = seen["attachments"]
        assert public["sha256"] and public["isPublic"] is False
        assert public["filename"] is None and public["url"] is None
        assert server.client.get(f"/files/{public['sha256']}").status_code == 404
        assert public["sha256"] not in server.client.get("/export/petitions.csv").text
        own = server.gql(OWN_ANSWER_FILES, {"c": code, "s": filed["secret"]})
        (mine,) = own["petitionForPetitioner"]["answers"][0]["attachments"]
        assert mine["filename"] == letter[0]
        assert server.client.get(mine["url"]).content == sample_files.pdf()


def test_a_grant_opens_its_own_attachment_under_its_own_name(server: RunningServer) -> None:
    """Found in review: the same bytes sent by two petitioners; each grant gives its own
    file name, never the other's."""
    first = _payload(_multipart(server, [("của tôi.pdf", sample_files.pdf(), "x/y")]))
    second = _payload(
        _multipart(server, [("bí mật của người khác.pdf", sample_files.pdf(), "x/y")])
    )
    url = server.gql(FILES, {"c": first["trackingCode"], "s": first["secret"]})[
        "petitionForPetitioner"
    ]["attachments"][0]["url"]
    served = server.client.get(url)
    assert "của tôi" in unquote(served.headers["content-disposition"])
    assert "người khác" not in unquote(served.headers["content-disposition"])
    assert second["trackingCode"]
    sha = url.split("/files/")[1].split("?")[0]
    for odd in ("²." + "1" * 10 + "." + "0" * 32, "1.1.zz", "9" * 30):
        assert server.client.get(f"/files/{sha}?grant={odd}").status_code == 404


def test_a_value_that_is_not_a_file_is_a_coded_refusal(server: RunningServer) -> None:
    """Found in review: Strawberry's Upload scalar takes any JSON value."""
    data = submission(title=_title(), attachments=["x", 3])
    response = server.post(SUBMIT, {"input": data})
    payload = response.json()["data"]["submitPetition"]
    assert _codes(payload) == [
        ("INVALID_FILE", ["input", "attachments", "0"]),
        ("INVALID_FILE", ["input", "attachments", "1"]),
    ]


def test_without_a_solution_no_file_is_read(empty_database: str) -> None:
    """The bot check and the hourly limit come before a picture is decoded: a truncated
    photo from a sender without a solution is refused for the check, not for the photo."""
    settings = workflow_settings(empty_database, submit_pow=True, pow_max_number=2000)
    with RunningServer(settings) as server:
        cut = ("cut.jpg", sample_files.photo_with_gps()[:700], "image/jpeg")
        assert _codes(_payload(_multipart(server, [cut]))) == [
            ("CHALLENGE_REQUIRED", ["input", "challengeSolution"])
        ]
