"""The petition workflow driven over GraphQL: the officers' tokens, the mutations, and
`Workflow`, which submits petitions and acts on them as the petitioner and the officers do.

An action reads as what it does: `workflow.act("answer", tokens.btc, petition, body=...)`
is BTC's officer answering `petition`; the petition (as the API last returned it) gives
the id and the expected version, or for the petitioner's actions the tracking code.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.domain.key_wrapping import KeyEncryptionKey
from app.domain.timezone import now
from app.settings import Settings
from db import tokens
from db.engine import open_engine, session_factory
from db.models import Agency, PetitionEvent
from tests.support.sample import SUBMISSION
from tests.support.server import HttpServer, RunningServer

PETITION_FIELDS = """
  id trackingCode status version agency { code } acceptedAt deadlineAt isOverdue answeredAt
  responseWorkingDays answeredOnTime workingDaysElapsed followUpCount title body isPrivate
  escalatedAt featuredAt featuredNote urgeCount overdueCount
  answers { body answeredAt signature keyId agency { code } }
  rating { score comment }
  events(first: 100) { totalCount edges { node { action fromStatus toStatus actorRole note
                                                    agency { code } } } }
"""

SUBMIT = (
    """mutation($input: SubmitPetitionInput!) { submitPetition(input: $input) {
    trackingCode secret petition { """
    + PETITION_FIELDS
    + """ } userErrors { field code message } } }"""
)


def action_mutation(name: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ petition {{ "
        + PETITION_FIELDS
        + " } userErrors { field code message } } }"
    )


MUTATIONS = {
    # name: the mutation; the petitioner's (rate, follow_up) name the petition by its
    # tracking code, the officers' by its id and expected version
    "assign": action_mutation("assignPetition", "AssignPetitionInput"),
    "reject": action_mutation("rejectPetition", "RejectPetitionInput"),
    "transfer": action_mutation("transferPetition", "TransferPetitionInput"),
    "escalate": action_mutation("escalatePetition", "EscalatePetitionInput"),
    "acknowledge": action_mutation("acknowledgePetition", "PetitionActionInput"),
    "request_transfer": action_mutation("requestTransfer", "PetitionNoteInput"),
    "progress": action_mutation("postProgressUpdate", "PetitionNoteInput"),
    "answer": action_mutation("answerPetition", "AnswerPetitionInput"),
    "rate": action_mutation("rateAnswer", "RateAnswerInput"),
    "follow_up": action_mutation("followUpPetition", "FollowUpInput"),
    "feature": action_mutation("featurePetition", "FeaturePetitionInput"),
    "urge": action_mutation("urgePetition", "PetitionNoteInput"),
}
PETITIONER_ACTIONS = frozenset({"rate", "follow_up"})


def submission(**overrides: Any) -> dict[str, Any]:
    return {**copy.deepcopy(SUBMISSION), **overrides}


ANSWER_TEXT = (
    "Sở Tài nguyên và Môi trường đã kiểm tra hồ sơ; giấy chứng nhận sẽ được cấp "
    "trong vòng năm ngày làm việc. Xin cảm ơn ông bà đã phản ánh."
)
FOLLOW_UP_TEXT = "Vấn đề vẫn chưa được giải quyết, đề nghị xem xét lại."


@dataclass
class Tokens:
    coordinator: str
    btc: str
    byt: str
    admin: str


async def make_tokens(url: str) -> Tokens:
    async with open_engine(url) as engine, session_factory(engine)() as session:
        ids = dict((await session.execute(select(Agency.code, Agency.id))).all())
        made = {}
        for name, role, agency in (
            ("coordinator", "COORDINATOR", None),
            ("btc", "AGENCY_OFFICER", ids["BTC"]),
            ("byt", "AGENCY_OFFICER", ids["BYT"]),
            ("admin", "ADMIN", None),
        ):
            made[name] = (await tokens.create(session, role, agency, name, now()))[1]
        await session.commit()
    return Tokens(**made)


async def _count_events(url: str) -> int:
    async with open_engine(url) as engine, engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(PetitionEvent)) or 0)


def count_events(url: str) -> int:
    return asyncio.run(_count_events(url))


TEST_KEY = "test-key-of-thirty-two-bytes-0123456789"
"""The tests' secret key (a key must hold at least 32 bytes)."""
TEST_KEK = KeyEncryptionKey.derived_from(TEST_KEY)
"""The key encryption key of `TEST_KEY`: sealing keys made by a server of the tests."""


def workflow_settings(database_url: str, **overrides: Any) -> Settings:
    """A server for the workflow tests: a known secret key, no rate limit to speak of, no
    read limit (tests/web/test_read_rate.py tests it)."""
    defaults = {
        "submissions_per_hour": 100_000,
        "read_rate": 0,
        "secret_key": "test-key-of-thirty-two-bytes-0123456789",
    }
    return Settings(database_url=database_url, **(defaults | overrides))


def bearer(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token else {}


def action_input(name: str, petition: Mapping[str, Any], **input: Any) -> dict[str, Any]:
    """The input of action `name` on `petition`: its tracking code for the petitioner's
    actions, else its id and expected version; `input` adds fields or overrides those."""
    if name in PETITIONER_ACTIONS:
        return {"trackingCode": petition["trackingCode"], **input}
    return {"petitionId": petition["id"], "expectedVersion": petition["version"], **input}


def action_body(name: str, petition: Mapping[str, Any], **input: Any) -> dict[str, Any]:
    """The JSON body that posts action `name` on `petition` (see `action_input`)."""
    return {"query": MUTATIONS[name], "variables": {"input": action_input(name, petition, **input)}}


STEPS: dict[str, tuple[str | None, dict[str, Any]]] = {
    "assign": ("coordinator", {"agencyCode": "BTC", "fieldCode": "DAT_DAI"}),
    "acknowledge": ("btc", {}),
    "answer": ("btc", {"body": ANSWER_TEXT}),
    "rate": (None, {"score": 5, "comment": "Được giải quyết nhanh."}),
}
"""A petition's usual life: who takes each step (a `Tokens` field; None: the petitioner)
and with what input."""


class Workflow:
    """Drives one server as the petitioner and the officers would."""

    def __init__(self, server: HttpServer, tokens: Tokens | None = None) -> None:
        self.server = server
        self._tokens = tokens

    @property
    def tokens(self) -> Tokens:
        assert self._tokens is not None, "this workflow was given no officers' tokens"
        return self._tokens

    def _post(
        self, name: str, token: str | None, petition: Mapping[str, Any], input: dict[str, Any]
    ) -> dict[str, Any]:
        body = action_body(name, petition, **input)
        response = self.server.client.post("/graphql", json=body, headers=bearer(token))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def attempt(
        self, name: str, token: str | None, petition: Mapping[str, Any], **input: Any
    ) -> dict[str, Any]:
        """Try action `name` on `petition` with `token` (None: anonymous, the petitioner);
        return the payload, `petition` and `userErrors`, whatever they hold."""
        payload = self._post(name, token, petition, input)
        assert "errors" not in payload, payload["errors"]
        return next(iter(payload["data"].values()))  # type: ignore[no-any-return]

    def act(
        self, name: str, token: str | None, petition: Mapping[str, Any], **input: Any
    ) -> dict[str, Any]:
        """Take action `name` on `petition` with `token`; it must succeed. Return the
        petition after it."""
        payload = self.attempt(name, token, petition, **input)
        assert not payload["userErrors"], payload["userErrors"]
        return payload["petition"]  # type: ignore[no-any-return]

    def refusal(
        self, name: str, token: str | None, petition: Mapping[str, Any], **input: Any
    ) -> list[str]:
        """The codes of the top-level errors that refuse action `name` (authentication,
        roles): the mutation must not run at all."""
        payload = self._post(name, token, petition, input)
        assert payload.get("errors"), payload
        return [e["extensions"]["code"] for e in payload["errors"]]

    def step(self, name: str, petition: Mapping[str, Any], secret: str) -> dict[str, Any]:
        """Step `name` of a petition's usual life (`STEPS`), by whoever takes it."""
        officer, input = STEPS[name]
        if officer is None:
            return self.act(name, None, petition, secret=secret, **input)
        return self.act(name, getattr(self.tokens, officer), petition, **input)

    def submit(self, **overrides: Any) -> dict[str, Any]:
        response = self.server.post(SUBMIT, {"input": submission(**overrides)})
        payload = response.json()["data"]["submitPetition"]
        assert not payload["userErrors"], payload["userErrors"]
        return payload  # type: ignore[no-any-return]

    def assigned(self, agency: str = "BTC") -> tuple[dict[str, Any], str]:
        submitted = self.submit()
        petition = self.act(
            "assign",
            self.tokens.coordinator,
            submitted["petition"],
            agencyCode=agency,
            fieldCode="DAT_DAI",
        )
        return petition, submitted["secret"]

    def in_progress(self) -> tuple[dict[str, Any], str]:
        petition, secret = self.assigned()
        return self.step("acknowledge", petition, secret), secret

    def answered(self) -> tuple[dict[str, Any], str]:
        petition, secret = self.in_progress()
        return self.step("answer", petition, secret), secret

    def public_view(self, tracking_code: str) -> dict[str, Any]:
        return self.server.gql(
            "query($c: String!) { petition(trackingCode: $c) { " + PETITION_FIELDS + " } }",
            {"c": tracking_code},
        )["petition"]


@contextmanager
def serving_workflow(database_url: str, tokens: Tokens, **settings: Any) -> Iterator[Workflow]:
    """A server on `database_url` (`workflow_settings` with `settings`) for the length of a
    `with` block, and the workflow driving it."""
    with RunningServer(workflow_settings(database_url, **settings)) as server:
        yield Workflow(server, tokens)
