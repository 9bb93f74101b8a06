"""Checking a sealed answer from pakn's public API alone: the README quotes this file, and
tests/api/test_private_text.py runs it against a live server's GraphQL output.

It needs Python and `cryptography`, nothing of pakn. `answer` is an `Answer` as GraphQL
gives it, selected with::

    body bodySha256 sealVersion signature keyId answeredAt
    agency { code publicKeys { keyId publicKey } } attachments { sha256 }

(the attachments' digests are signed too: download each from its url and compare its
SHA-256, as `pakn verify` does).
"""

import base64
import hashlib
import unicodedata
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def check_answer(answer: dict, tracking_code: str) -> str:
    """ "sealed", or "sealed, text withheld" when the body is null (a private petition);
    raises cryptography's InvalidSignature (or ValueError) when the seal does not hold."""
    key = next(k for k in answer["agency"]["publicKeys"] if k["keyId"] == answer["keyId"])
    when = datetime.fromisoformat(answer["answeredAt"]).astimezone(timezone.utc)  # noqa: UP017 (Python < 3.11 too)
    lines = [tracking_code, answer["agency"]["code"], when.strftime("%Y-%m-%dT%H:%M:%SZ")]
    body = answer["body"]
    if answer["sealVersion"] == 1:  # answers sealed before version 2 sign the text itself
        if body is None:
            return "text withheld: a version 1 seal needs the text to be checked"
        message = "\n".join(["pakn-answer-v1", *lines, body])
    else:  # version 2 signs the body's SHA-256, so it verifies with the text withheld
        digest = answer["bodySha256"]
        if body is not None:
            nfc = unicodedata.normalize("NFC", body).encode("utf-8")
            if hashlib.sha256(nfc).hexdigest() != digest:
                raise ValueError("the body is not the one sealed")
        attachments = ",".join(sorted(a["sha256"] for a in answer.get("attachments") or []))
        message = "\n".join(["pakn-answer-v2", *lines, digest, attachments])
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["publicKey"]))
    public_key.verify(base64.b64decode(answer["signature"]), message.encode("utf-8"))
    return "sealed" if body is not None else "sealed, text withheld"
