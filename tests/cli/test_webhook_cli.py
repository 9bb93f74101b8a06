"""`pakn webhook add|list|remove` as an operator runs it (#15, point 5): the secret shown
once and never listed, nor stored in the clear; the refusals, coded on stderr."""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.domain.key_wrapping import KeyEncryptionKey
from db.engine import open_engine, session_factory
from db.models import WebhookEndpoint
from tests.support.cli import pakn
from tests.support.workflow import TEST_KEK, TEST_KEY

ALLOWED = {**os.environ, "PAKN_SECRET_KEY": TEST_KEY, "PAKN_WEBHOOK_ALLOW_PRIVATE": "1"}
STRICT = {
    **{k: v for k, v in os.environ.items() if k != "PAKN_WEBHOOK_ALLOW_PRIVATE"},
    "PAKN_SECRET_KEY": TEST_KEY,
}


async def _stored(url: str) -> list[WebhookEndpoint]:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        return list(await session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def test_add_prints_the_secret_once_and_list_never(empty_database: str) -> None:
    url = empty_database
    added = pakn(
        "webhook",
        "add",
        "http://127.0.0.1:9/hooks",
        "--agency",
        "btc",
        "--actions",
        "answer,OVERDUE",
        database_url=url,
        environment=ALLOWED,
    )
    assert added.returncode == 0, added.stderr
    ident, secret = added.stdout.strip().split("\t")
    assert secret.startswith("whsec_")
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    assert len(raw) == 32
    assert "shown only this once" in added.stderr
    assert secret not in added.stderr

    listed = pakn("webhook", "list", database_url=url, environment=ALLOWED)
    assert listed.returncode == 0, listed.stderr
    header, line = listed.stdout.strip().split("\n")
    assert header.split("\t")[:5] == ["id", "url", "agency", "actions", "state"]
    assert line.split("\t")[:6] == [
        ident,
        "http://127.0.0.1:9/hooks",
        "BTC",
        "ANSWER,OVERDUE",
        "active",
        "0",
    ]
    for shown in (secret, secret.removeprefix("whsec_"), raw.hex()):
        assert shown not in listed.stdout + listed.stderr

    (row,) = asyncio.run(_stored(url))
    assert str(row.id) == ident
    assert raw not in row.secret  # encrypted at rest, bound to the endpoint's id
    assert TEST_KEK.unwrap(f"webhook-endpoint:{row.id}", row.secret) == raw

    removed = pakn("webhook", "remove", ident, database_url=url, environment=ALLOWED)
    assert removed.returncode == 0, removed.stderr
    again = pakn("webhook", "remove", ident, database_url=url, environment=ALLOWED)
    assert again.returncode == 1
    assert f"pakn: UNKNOWN_WEBHOOK: no webhook endpoint {ident}" in again.stderr
    after = pakn("webhook", "list", database_url=url, environment=ALLOWED)
    assert after.stdout.strip().count("\n") == 0  # the header alone

    readded = pakn(
        "webhook", "add", "http://127.0.0.1:9/hooks", database_url=url, environment=ALLOWED
    )
    assert int(readded.stdout.split("\t")[0]) > int(ident)  # a removed id is never reused


def test_refusals(
    empty_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each refusal through `app.cli.main` in this process (a process each would cost a
    second of start-up per case); one of them also through a real `pakn` process."""
    url = empty_database
    monkeypatch.setenv("PAKN_DATABASE_URL", url)
    monkeypatch.setenv("PAKN_SECRET_KEY", TEST_KEY)
    monkeypatch.delenv("PAKN_WEBHOOK_ALLOW_PRIVATE", raising=False)
    cases = [
        (("http://127.0.0.1:8080/hooks",), "PRIVATE_ADDRESS"),
        (("http://[::1]/hooks",), "PRIVATE_ADDRESS"),
        (("http://10.0.0.7/hooks",), "PRIVATE_ADDRESS"),
        (("http://169.254.169.254/latest/meta-data",), "PRIVATE_ADDRESS"),
        (("http://localhost:8080/hooks",), "PRIVATE_ADDRESS"),
        (("ftp://news.example/",), "UNSUPPORTED_SCHEME"),
        (("http://user:pw@203.0.113.5/",), "INVALID_URL"),
        (("https://203.0.113.5/" + "a" * 2001,), "URL_TOO_LONG"),
        (("https://1.1.1.1/h", "--agency", "NOPE"), "UNKNOWN_AGENCY"),
        (("https://1.1.1.1/h", "--agency", "x" * 5000), "UNKNOWN_AGENCY"),
        (("https://1.1.1.1/h", "--actions", "ANSWER,NOPE"), "UNKNOWN_ACTION"),
        (("https://1.1.1.1/h", "--actions", ""), "UNKNOWN_ACTION"),
        (("https://name.invalid/h",), "UNRESOLVABLE_HOST"),
    ]
    for args, code in cases:
        status = main(["webhook", "add", *args])
        out, err = capsys.readouterr()
        assert status == 2, (args, out, err)
        assert out == ""
        assert err.startswith(f"pakn: {code}: "), (args, err)
        assert "Traceback" not in err
        assert len(err) < 400
    done = pakn("webhook", "add", *cases[0][0], database_url=url, environment=STRICT)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("pakn: PRIVATE_ADDRESS: ")
    assert asyncio.run(_stored(url)) == []

    for bad in ("abc", "-1", "99999999999999999999"):
        try:
            status = main(["webhook", "remove", bad])
        except SystemExit as exited:
            status = int(exited.code or 0)
        _out, err = capsys.readouterr()
        assert status in (1, 2), (bad, err)
        assert "Traceback" not in err


def test_keys_rekey_re_encrypts_the_webhook_secrets(empty_database: str, tmp_path: Path) -> None:
    url = empty_database
    added = pakn("webhook", "add", "http://127.0.0.1:9/h", database_url=url, environment=ALLOWED)
    raw = base64.b64decode(added.stdout.split("\t")[1].strip().removeprefix("whsec_"))
    new_key = "a-new-secret-key-of-thirty-two-bytes-0000"
    old = tmp_path / "old-key"
    old.write_text(TEST_KEY + "\n")
    environment = {**ALLOWED, "PAKN_SECRET_KEY": new_key}
    done = pakn(
        "keys", "rekey", "--old-key-file", str(old), database_url=url, environment=environment
    )
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 1 webhook secret(s)" in done.stderr
    (row,) = asyncio.run(_stored(url))
    assert (
        KeyEncryptionKey.derived_from(new_key).unwrap(f"webhook-endpoint:{row.id}", row.secret)
        == raw
    )
