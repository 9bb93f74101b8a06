"""`pakn verify`: check a pakn log from its public URL alone (#16, point 5).

What it checks, each reported in plain words:

1. the checkpoint at /log/checkpoint is signed by the pinned log key (`--key`, or the key
   kept in the state file, or on first use the first of Query.logPublicKeys, then kept);
   a checkpoint not signed by the pinned key fails, whatever keys the server lists now;
   and cosigned by every witness named (`--witness`, a cosignature verifier key);
2. the tree extends the last checkpoint this state file saw (Query.consistencyProof), so
   any rewrite of history since fails: a shrunk tree, another root at the same size, or a
   proof that does not lead from the old root to the new one;
3. with `--petition`, every event the API shows is a leaf of the signed tree
   (Query.inclusionProof and Query.logEntry), and says in its leaf what the API says (the
   petition, action, statuses, time; a shown note, title and body against their
   commitments); each answer's seal verifies under the agency's published key and is the
   seal in its ANSWER leaf. The agencies' keys are pinned too, on first use: a key id that
   later names another key fails.

The state file (JSON: the pinned key, the last size and root) is written only when every
check passed, through a temporary file renamed into place.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.domain import log_entry, merkle
from app.domain.log_entry import Entry
from app.domain.signed_note import Checkpoint, Note, NoteError, Verifier, cosignature_time
from app.domain.signing import verify_answer

TIMEOUT_SECONDS = 30.0
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""The most a response of the server being checked may hold: it is not trusted."""
EVENTS_PAGE = 100
PETITION = """query($code: String!, $after: String) {
  petition(trackingCode: $code) {
    trackingCode title body
    events(first: 100, after: $after) {
      nodes {
        logIndex action fromStatus toStatus at actorRole note noteSalt titleSalt bodySalt
        agency { code } }
      pageInfo { hasNextPage endCursor } }
    answers { body bodySha256 sealVersion signature keyId answeredAt
      agency { code publicKeys { keyId publicKey } } attachments { sha256 url } }
  }
}"""


class VerifyFailed(Exception):
    """A check failed; the message says which and why."""


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append(f"ok: {text}")

    def fail(self, text: str) -> None:
        self.lines.append(f"FAILED: {text}")
        self.failures.append(text)


@dataclass
class State:
    """What a state file pins: the log's key and origin, the last checkpoint seen (size
    and root), and the agencies' sealing keys seen (key id: public key)."""

    key: str | None = None
    size: int = 0
    root: str | None = None
    origin: str | None = None
    agency_keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path | None) -> State:
        if path is None or not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text())
            return cls(
                data.get("key"),
                int(data.get("size", 0)),
                data.get("root"),
                data.get("origin"),
                {str(k): str(v) for k, v in (data.get("agency_keys") or {}).items()},
            )
        except (OSError, ValueError, TypeError, AttributeError) as bad:
            raise VerifyFailed(f"the state file {path} cannot be read: {bad}") from None

    def write(self, path: Path) -> None:
        kept = {"key": self.key, "origin": self.origin, "size": self.size, "root": self.root}
        text = json.dumps({**kept, "agency_keys": self.agency_keys}, indent=2)
        folder = path.resolve().parent
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as out:
            out.write(text + "\n")
        os.replace(out.name, path)


class PublicLog:
    """The public endpoints of one pakn."""

    def __init__(self, url: str, client: httpx.Client) -> None:
        self.url = url.rstrip("/")
        self.client = client

    def _bounded(self, method: str, path: str, **options: Any) -> tuple[int, bytes]:
        with self.client.stream(method, f"{self.url}{path}", **options) as response:
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise VerifyFailed(f"{path} answered more than {MAX_RESPONSE_BYTES} bytes")
            return response.status_code, body

    def checkpoint(self) -> str:
        status, body = self._bounded("GET", "/log/checkpoint")
        if status != 200:
            raise VerifyFailed(f"no checkpoint at {self.url}/log/checkpoint ({status})")
        return body.decode()

    def file_digest(self, path: str) -> str | None:
        """The SHA-256 of the file the server serves at `path`, streamed (None: absent)."""
        digest = hashlib.sha256()
        with self.client.stream("GET", f"{self.url}{path}") as response:
            if response.status_code != 200:
                return None
            for chunk in response.iter_bytes():
                digest.update(chunk)
        return digest.hexdigest()

    def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        _status, body = self._bounded(
            "POST", "/graphql", json={"query": document, "variables": variables or {}}
        )
        payload = json.loads(body)
        if payload.get("errors"):
            raise VerifyFailed(f"the API refused: {payload['errors'][0].get('message')}")
        return payload["data"]  # type: ignore[no-any-return]


def verify(
    url: str,
    *,
    petition: str | None = None,
    state_path: Path | None = None,
    key: str | None = None,
    witnesses: Sequence[str] = (),
    client: httpx.Client | None = None,
) -> Report:
    report = Report()
    try:
        state = State.read(state_path)
    except VerifyFailed as failed:
        report.fail(str(failed))
        return report
    with client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as http:
        log = PublicLog(url, http)
        try:
            checkpoint = _checkpoint(log, state, key, witnesses, report)
            _consistency(log, state, checkpoint, report)
            if petition is not None:
                _petition(log, petition, checkpoint, state, report)
        except VerifyFailed as failed:
            report.fail(str(failed))
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as failed:
            report.fail(f"cannot read {url}: {type(failed).__name__}: {failed}")
    if not report.failures and state_path is not None:
        state.write(state_path)
    return report


def _checkpoint(
    log: PublicLog, state: State, key: str | None, witnesses: Sequence[str], report: Report
) -> Checkpoint:
    note = Note.parse(log.checkpoint())
    pinned = key or state.key
    if pinned is None:
        listed = log.query("{ logPublicKeys }")["logPublicKeys"]
        if not listed:
            raise VerifyFailed("the log publishes no key")
        pinned = listed[0]
        report.ok(f"log key taken on first use and kept: {pinned}")
    elif state.key is not None and key is not None and key != state.key:
        raise VerifyFailed(f"--key {key} is not the key this state file pinned ({state.key})")
    verifier = Verifier.parse(pinned)
    try:
        signed = note.signed_by(verifier)
    except NoteError as bad:
        raise VerifyFailed(f"the checkpoint's signature does not verify: {bad}") from None
    if signed is None:
        raise VerifyFailed(
            f"the checkpoint is not signed by the pinned log key {pinned}: the log's key "
            "changed, or this is not the log it was"
        )
    checkpoint = Checkpoint.parse(note.text)
    if checkpoint.origin != verifier.name:
        raise VerifyFailed(f"the checkpoint is of the log {checkpoint.origin}, not {verifier.name}")
    if state.origin is not None and checkpoint.origin != state.origin:
        raise VerifyFailed(f"the log is {checkpoint.origin}, not {state.origin} as last checked")
    state.key, state.origin = pinned, checkpoint.origin
    report.ok(f"checkpoint of {checkpoint.size} events signed by {verifier.name}")
    for witness in witnesses:
        _cosigned(note, Verifier.parse(witness), report)
    return checkpoint


def _cosigned(note: Note, witness: Verifier, report: Report) -> None:
    try:
        found = note.signed_by(witness)
    except NoteError as bad:
        message = f"the cosignature of witness {witness.name} does not verify: {bad}"
        raise VerifyFailed(message) from None
    if found is None:
        raise VerifyFailed(f"the checkpoint is not cosigned by witness {witness.name}")
    when = datetime.fromtimestamp(cosignature_time(found), UTC).isoformat()
    report.ok(f"cosigned by witness {witness.name} at {when}")


def _consistency(log: PublicLog, state: State, checkpoint: Checkpoint, report: Report) -> None:
    root = base64.b64encode(checkpoint.root).decode()
    if state.root is not None and state.size > 0:
        if checkpoint.size < state.size:
            raise VerifyFailed(
                f"the log shrank: {checkpoint.size} events now, {state.size} when last checked"
            )
        if checkpoint.size == state.size and root != state.root:
            raise VerifyFailed(
                f"history was rewritten: another root for the same {state.size} events"
            )
        if checkpoint.size > state.size:
            proof = log.query(
                "query($a: Int!, $b: Int!) { consistencyProof(fromSize: $a, toSize: $b) }",
                {"a": state.size, "b": checkpoint.size},
            )["consistencyProof"]
            try:
                merkle.verify_consistency(
                    state.size,
                    checkpoint.size,
                    base64.b64decode(state.root),
                    checkpoint.root,
                    [base64.b64decode(p) for p in proof],
                )
            except merkle.ProofError as failed:
                raise VerifyFailed(
                    f"history was rewritten since the {state.size} events last checked: {failed}"
                ) from None
        report.ok(f"the log extends the {state.size} events last checked, unchanged")
    state.size, state.root = checkpoint.size, root


def _petition(
    log: PublicLog, code: str, checkpoint: Checkpoint, state: State, report: Report
) -> None:
    found, events = _history(log, code)
    seals: list[Any] = []
    for event in events:
        entry = _proven(log, event["logIndex"], checkpoint, report)
        problems = _differences(entry, event, found)
        if problems:
            report.fail(f"event {event['logIndex']} ({event['action']}): {'; '.join(problems)}")
        if entry.seal is not None:
            seals.append(entry.seal)
    report.ok(f"all {len(events)} events of {found['trackingCode']} in the log")
    for number, answer in enumerate(found["answers"], start=1):
        _answer(answer, found["trackingCode"], seals, number, state, report)
        _answer_files(log, answer, number, report)


def _answer_files(log: PublicLog, answer: dict[str, Any], number: int, report: Report) -> None:
    """Each of the answer's documents as served hashes to the digest its seal signs (one
    withheld, on a private petition, is covered by the seal's digest alone)."""
    for file in answer["attachments"]:
        if file["url"] is None:
            continue
        url = str(file["url"])
        if not url.startswith("/files/"):
            report.fail(f"answer {number}: an attachment's url {url!r} is not this server's")
        elif log.file_digest(url) != file["sha256"]:
            report.fail(f"answer {number}: the file at {url} is not the one its seal signs")
    if answer["attachments"]:
        report.ok(f"answer {number}: its {len(answer['attachments'])} documents as sealed")


def _history(log: PublicLog, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The petition and every event the API shows of it, page after page."""
    events: list[dict[str, Any]] = []
    after = None
    while True:
        found = log.query(PETITION, {"code": code, "after": after})["petition"]
        if found is None:
            raise VerifyFailed(f"no petition {code}")
        page = found["events"]
        events += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found, events
        after = page["pageInfo"]["endCursor"]


def _proven(log: PublicLog, index: int, checkpoint: Checkpoint, report: Report) -> Entry:
    data = log.query(
        "query($i: Int!, $n: Int!) { logEntry(logIndex: $i) "
        "inclusionProof(logIndex: $i, treeSize: $n) }",
        {"i": index, "n": checkpoint.size},
    )
    entry = base64.b64decode(data["logEntry"])
    proof = [base64.b64decode(p) for p in data["inclusionProof"]]
    try:
        merkle.verify_inclusion(
            index, checkpoint.size, merkle.leaf_hash(entry), proof, checkpoint.root
        )
    except merkle.ProofError as failed:
        raise VerifyFailed(f"event {index} is not in the signed tree: {failed}") from None
    parsed = log_entry.parse_leaf(entry)
    if isinstance(parsed, log_entry.Blinded):
        raise VerifyFailed(f"event {index} is shown publicly but blinded in the log")
    return parsed


def _differences(entry: Entry, event: dict[str, Any], petition: dict[str, Any]) -> list[str]:
    """What the API says of an event that its leaf does not."""
    problems = []
    said = {
        "petition": (entry.tracking_code, petition["trackingCode"]),
        "action": (entry.action, event["action"]),
        "from status": (entry.from_status, event["fromStatus"]),
        "to status": (entry.to_status, event["toStatus"]),
        "actor": (entry.actor_role, event["actorRole"]),
        "agency": (entry.agency_code, (event.get("agency") or {}).get("code")),
        "time": (entry.at, datetime.fromisoformat(event["at"])),
    }
    problems += [f"its {name} differs from the log's" for name, (a, b) in said.items() if a != b]
    texts = [("note", event.get("note"), event.get("noteSalt"), entry.note)]
    if entry.action == "SUBMIT":
        texts += [
            ("title", petition.get("title"), event.get("titleSalt"), entry.title),
            ("body", petition.get("body"), event.get("bodySalt"), entry.body),
        ]
    for name, text, salt, committed in texts:
        if text is None:
            continue
        if salt is None or log_entry.commitment(base64.b64decode(salt), text) != committed:
            problems.append(f"its {name} is not the text the log committed to")
    return problems


def _answer(
    answer: dict[str, Any],
    code: str,
    seals: list[Any],
    number: int,
    state: State,
    report: Report,
) -> None:
    agency = answer["agency"]
    key = next((k for k in agency["publicKeys"] if k["keyId"] == answer["keyId"]), None)
    if key is not None:
        pinned = state.agency_keys.get(key["keyId"])
        if pinned is not None and pinned != key["publicKey"]:
            report.fail(
                f"answer {number}: {agency['code']}'s key {key['keyId']} is not the key this "
                "state file saw under that id"
            )
            return
        state.agency_keys[key["keyId"]] = key["publicKey"]
    sealed = key is not None and verify_answer(
        key["publicKey"],
        answer["signature"],
        code,
        agency["code"],
        answer["body"],
        datetime.fromisoformat(answer["answeredAt"]),
        version=answer["sealVersion"],
        digest=answer["bodySha256"],
        attachments=[file["sha256"] for file in answer["attachments"]],
    )
    if not sealed:
        report.fail(f"answer {number}: its seal does not verify under {agency['code']}'s keys")
        return
    logged = any(s.signature == answer["signature"] and s.key_id == answer["keyId"] for s in seals)
    if not logged:
        report.fail(f"answer {number}: its seal is not the one in the log's ANSWER leaf")
        return
    withheld = ", text withheld" if answer["body"] is None else ""
    report.ok(f"answer {number}: sealed by {agency['code']} and in the log{withheld}")
