"""Checking that one event is in pakn's transparency log, from the public URL alone: the
README quotes this file, and tests/api/test_log_api.py runs it against a live server.

It needs Python and `cryptography`, nothing of pakn. `vkey` is the log's verifier key,
pinned (from Query.logPublicKeys once, or as the operator publishes it).
"""

import base64
import hashlib
import json
import urllib.request

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def check_inclusion(url: str, vkey: str, log_index: int) -> bytes:
    """The event's log entry, once its inclusion in the signed tree is proven; raises
    cryptography's InvalidSignature or ValueError when anything does not hold."""
    note = urllib.request.urlopen(f"{url}/log/checkpoint").read().decode()
    text, signatures = note[: note.rindex("\n\n") + 1], note[note.rindex("\n\n") + 2 :]
    name, key_id, key = vkey.split("+", 2)
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key)[1:])
    for line in signatures.splitlines():
        blob = base64.b64decode(line.split(" ")[-1])
        if line.startswith(f"\u2014 {name} ") and blob[:4].hex() == key_id:
            public_key.verify(blob[4:], text.encode())  # the checkpoint is the log's
            break
    else:
        raise ValueError("the checkpoint is not signed by this key")
    size, root = int(text.split("\n")[1]), base64.b64decode(text.split("\n")[2])
    query = (
        "query($i: Int!, $n: Int!) "
        "{ logEntry(logIndex: $i) inclusionProof(logIndex: $i, treeSize: $n) }"
    )
    request = urllib.request.Request(
        f"{url}/graphql",
        json.dumps({"query": query, "variables": {"i": log_index, "n": size}}).encode(),
        {"Content-Type": "application/json"},
    )
    data = json.load(urllib.request.urlopen(request))["data"]
    entry = base64.b64decode(data["logEntry"])
    hashed = hashlib.sha256(b"\x00" + entry).digest()  # RFC 9162, section 2.1.3.2
    index, last = log_index, size - 1
    for sibling in map(base64.b64decode, data["inclusionProof"]):
        if last == 0:
            raise ValueError("the proof is too long")
        if index % 2 == 1 or index == last:
            hashed = hashlib.sha256(b"\x01" + sibling + hashed).digest()
            while index % 2 == 0 and index != 0:
                index, last = index >> 1, last >> 1
        else:
            hashed = hashlib.sha256(b"\x01" + hashed + sibling).digest()
        index, last = index >> 1, last >> 1
    if last != 0 or hashed != root:
        raise ValueError("the event is not in the signed tree")
    return entry
