"""A server on an empty database with officer tokens, and GraphQL helpers for the workflow."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.domain.timezone import now
from db import tokens
from db.engine import create_engine, session_factory
from db.models import Agency, PetitionEvent
from tests.support.server import HttpServer

PETITION_FIELDS = """
  id trackingCode status version agency { code } acceptedAt deadlineAt isOverdue answeredAt
  responseWorkingDays answeredOnTime workingDaysElapsed followUpCount title body isPrivate
  escalatedAt featuredAt featuredNote
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
}


def submission(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "CITIZEN",
        "kind": "REFLECTION",
        "subject": "ADMINISTRATIVE_PROCEDURE",
        "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất quá chậm",
        "body": "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ ba tháng trước "
        "nhưng đến nay vẫn chưa có kết quả, cán bộ không giải thích lý do.",
        "fieldCode": "DAT_DAI",
        "provinceCode": "01",
        "petitioner": {
            "fullName": "Nguyễn Thị Hoa",
            "email": "hoa.nguyen@example.vn",
            "phone": "0912345678",
            "address": "12 Phố Huế, Hà Nội",
        },
    }
    data.update(overrides)
    return data


ANSWER_TEXT = (
    "Sở Tài nguyên và Môi trường đã kiểm tra hồ sơ; giấy chứng nhận sẽ được cấp "
    "trong vòng năm ngày làm việc. Xin cảm ơn ông bà đã phản ánh."
)


@dataclass
class Tokens:
    coordinator: str
    btc: str
    byt: str
    admin: str


async def make_tokens(url: str) -> Tokens:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
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
    finally:
        await engine.dispose()
    return Tokens(**made)


async def _count_events(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                await connection.scalar(select(func.count()).select_from(PetitionEvent)) or 0
            )
    finally:
        await engine.dispose()


def count_events(url: str) -> int:
    return asyncio.run(_count_events(url))


class Workflow:
    """Drives one server as the petitioner and the officers would."""

    def __init__(self, server: HttpServer, tokens: Tokens) -> None:
        self.server = server
        self.tokens = tokens

    def call(self, name: str, token: str | None, **input: Any) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = self.server.post(MUTATIONS[name], {"input": input}, headers=headers)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        return next(iter(payload["data"].values()))  # type: ignore[no-any-return]

    def top_level_codes(self, name: str, token: str | None, **input: Any) -> list[str]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = self.server.post(MUTATIONS[name], {"input": input}, headers=headers)
        assert response.status_code == 200, response.text
        return [e["extensions"]["code"] for e in response.json()["errors"]]

    def submit(self, **overrides: Any) -> dict[str, Any]:
        response = self.server.post(SUBMIT, {"input": submission(**overrides)})
        payload = response.json()["data"]["submitPetition"]
        assert not payload["userErrors"], payload["userErrors"]
        return payload  # type: ignore[no-any-return]

    def ok(self, name: str, token: str | None, **input: Any) -> dict[str, Any]:
        payload = self.call(name, token, **input)
        assert not payload["userErrors"], payload["userErrors"]
        return payload["petition"]  # type: ignore[no-any-return]

    def assigned(self, agency: str = "BTC") -> tuple[dict[str, Any], str]:
        submitted = self.submit()
        petition = self.ok(
            "assign",
            self.tokens.coordinator,
            petitionId=submitted["petition"]["id"],
            agencyCode=agency,
            fieldCode="DAT_DAI",
            expectedVersion=submitted["petition"]["version"],
        )
        return petition, submitted["secret"]

    def in_progress(self) -> tuple[dict[str, Any], str]:
        petition, secret = self.assigned()
        petition = self.ok(
            "acknowledge",
            self.tokens.btc,
            petitionId=petition["id"],
            expectedVersion=petition["version"],
        )
        return petition, secret

    def answered(self) -> tuple[dict[str, Any], str]:
        petition, secret = self.in_progress()
        petition = self.ok(
            "answer",
            self.tokens.btc,
            petitionId=petition["id"],
            body=ANSWER_TEXT,
            expectedVersion=petition["version"],
        )
        return petition, secret

    def public_view(self, tracking_code: str) -> dict[str, Any]:
        return self.server.gql(
            "query($c: String!) { petition(trackingCode: $c) { " + PETITION_FIELDS + " } }",
            {"c": tracking_code},
        )["petition"]
