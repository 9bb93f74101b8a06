"""The open-data exports name the transparency log's checkpoint they were read at (#16,
point 4), on both databases: the `Pakn-Log-Checkpoint` header of every export (the body
stays a plain CSV or NDJSON), `pakn:logCheckpoint` in the Frictionless descriptors served
and written beside `pakn export`'s file; a new checkpoint changes the exports' ETag."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

from app.domain.signed_note import Checkpoint, Note
from tests.support.cli import pakn
from tests.support.log import sign
from tests.support.server import RunningServer
from tests.support.workflow import workflow_settings

EXPORTS = ("/export/petitions.csv", "/export/petitions.ndjson", "/export/stats.csv")


def test_every_export_names_its_checkpoint(empty_database: str, tmp_path: Path) -> None:
    with RunningServer(workflow_settings(empty_database)) as server:
        assert "pakn-log-checkpoint" not in server.client.get(EXPORTS[0]).headers
        before = server.client.get(EXPORTS[0]).headers["etag"]
        asyncio.run(sign(empty_database, 10, 15))
        signed = Checkpoint.parse(Note.parse(server.client.get("/log/checkpoint").text).text)
        expected = f"{signed.size} {base64.b64encode(signed.root).decode()}"
        for path in EXPORTS:
            response = server.client.get(path)
            assert response.headers["pakn-log-checkpoint"] == expected, path
        csv = server.client.get(EXPORTS[0])
        assert csv.text.splitlines()[0].lstrip("\ufeff").startswith("tracking_code")
        package = server.client.get("/export/datapackage.json").json()
        assert package["pakn:logCheckpoint"] == {
            "treeSize": signed.size,
            "rootHash": base64.b64encode(signed.root).decode(),
            "checkpoint": "/log/checkpoint",
        }
        asyncio.run(sign(empty_database, 10, 16))
        assert server.client.get(EXPORTS[0]).headers["etag"] not in (before, csv.headers["etag"])

    output = tmp_path / "petitions.csv"
    done = pakn(
        "export",
        "petitions",
        "--format",
        "csv",
        "--output",
        str(output),
        database_url=empty_database,
    )
    assert done.returncode == 0, done.stderr
    written = json.loads(Path(f"{output}.datapackage.json").read_text())
    assert written["pakn:logCheckpoint"]["treeSize"] > signed.size
