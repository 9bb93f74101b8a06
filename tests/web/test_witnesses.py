"""Witnesses end to end (#16, point 6), on both databases: two `pakn witness serve`
processes, as a newsroom and a university would run them, trust the log's key; pakn's
own signer pushes each new checkpoint to both (C2SP tlog-witness add-checkpoint, with the
consistency proof from what each cosigned last) and serves the checkpoint with their
cosignatures; `pakn verify --witness` requires them. A forked checkpoint, a bad proof, an
unknown log, a stranger's signature and malformed or oversized requests are refused with
the specification's codes."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.domain.signed_note import Checkpoint, Note, Signer, Verifier
from tests.support.cli import pakn
from tests.support.log import sign
from tests.support.server import RunningServer, free_port
from tests.support.waiting import wait_until
from tests.support.workflow import SUBMIT, submission, workflow_settings


@contextmanager
def witness(folder: Path, name: str, log_key: str) -> Iterator[tuple[str, str, Path]]:
    """`pakn witness serve` with a new key; its URL, verifier key and state file."""
    stem = name.replace("/", "_")
    port, state = free_port(), folder / f"{stem}.json"
    command = [sys.executable, "-m", "app.cli", "witness", "serve", "--name", name]
    command += ["--key", str(folder / f"{stem}.key"), "--state", str(state)]
    command += ["--log-key", log_key, "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=folder)
    try:
        assert process.stdout is not None
        printed = process.stdout.readline().strip()
        assert printed.startswith("pakn witness: "), printed
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(url), f"witness {name} listening")
        yield url, printed.removeprefix("pakn witness: "), state
    finally:
        process.terminate()
        process.wait(timeout=20)


def _answers(url: str) -> bool:
    try:
        return httpx.post(f"{url}/add-checkpoint", content=b"", timeout=1).status_code == 400
    except httpx.HTTPError:
        return False


def _cosigned(server: RunningServer, keys: list[str]) -> Checkpoint | None:
    response = server.client.get("/log/checkpoint")
    if response.status_code != 200:
        return None
    note = Note.parse(response.text)
    if all(note.signed_by(Verifier.parse(k)) is not None for k in keys):
        return Checkpoint.parse(note.text)
    return None


def _add(url: str, old: int, proof: list[bytes], note: str) -> httpx.Response:
    lines = [f"old {old}", *(base64.b64encode(p).decode() for p in proof)]
    body = "\n".join(lines) + "\n\n" + note
    return httpx.post(f"{url}/add-checkpoint", content=body.encode(), timeout=10)


def test_two_witnesses_cosign_what_the_log_signs(empty_database: str, tmp_path: Path) -> None:
    log_key, log_signer = asyncio.run(sign(empty_database, 20, 19))
    with (
        witness(tmp_path, "newsroom.example.vn/w", log_key) as (url1, key1, state1),
        witness(tmp_path, "witness.example.edu.vn", log_key) as (url2, key2, _state2),
    ):
        settings = workflow_settings(  # no background job but the signer writes events
            empty_database,
            checkpoint_seconds=0.2,
            witnesses=((key1, url1), (key2, url2)),
            overdue_clock=False,
            contact_retention_days=0,
        )
        with RunningServer(settings, background=True) as server:
            wait_until(lambda: _cosigned(server, [key1, key2]) is not None, "two cosignatures")
            first = _cosigned(server, [key1, key2])
            assert first is not None
            done = pakn("verify", server.url, "--witness", key1, "--witness", key2)
            assert done.returncode == 0, done.stdout + done.stderr
            assert "cosigned by witness newsroom.example.vn/w" in done.stdout

            server.post(SUBMIT, {"input": submission()})

            def grown() -> bool:
                checkpoint = _cosigned(server, [key1, key2])
                return checkpoint is not None and checkpoint.size > first.size

            wait_until(grown, "both witnesses cosigning the grown tree")
            kept = json.loads(state1.read_text())["127.0.0.1:8000/log"]
            assert kept["size"] > first.size

            stranger = str(Signer("x.example/w", Ed25519PrivateKey.generate(), 4).verifier)
            refused = pakn("verify", server.url, "--witness", stranger)
            assert refused.returncode == 1
            assert "not cosigned by witness x.example/w" in refused.stdout

        size = kept["size"]
        forked = Checkpoint("127.0.0.1:8000/log", size, b"\x05" * 32).body
        fork_note = forked + "\n" + log_signer.sign(forked)
        answer = _add(url1, size, [], fork_note)
        assert answer.status_code == 409 and answer.text == f"{size}\n"
        assert answer.headers["content-type"].startswith("text/x.tlog.size")
        bigger = Checkpoint("127.0.0.1:8000/log", size + 5, b"\x06" * 32).body
        assert (
            _add(url1, size, [b"\0" * 32], bigger + "\n" + log_signer.sign(bigger)).status_code
            == 422
        )
        assert _add(url1, size - 1, [], fork_note).status_code == 409
        other = Signer("other.example/log", Ed25519PrivateKey.generate())
        unknown = Checkpoint("other.example/log", 3, b"\x07" * 32).body
        assert _add(url1, 0, [], unknown + "\n" + other.sign(unknown)).status_code == 404
        impostor = Signer("127.0.0.1:8000/log", Ed25519PrivateKey.generate())
        assert _add(url1, size, [], forked + "\n" + impostor.sign(forked)).status_code == 403
        assert _add(url1, size + 9, [], fork_note).status_code == 400
        assert httpx.post(f"{url1}/add-checkpoint", content=b"old x\n\n").status_code == 400
        huge = httpx.post(f"{url1}/add-checkpoint", content=b"o" * 100_000)
        assert huge.status_code == 413
        assert json.loads(state1.read_text())["127.0.0.1:8000/log"] == kept, "state unchanged"
