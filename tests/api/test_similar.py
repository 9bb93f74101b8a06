"""Similar petitions (`Query.similarPetitions`, `Petition.similar`) on both databases:
relevance on the demo data, diacritics, privacy, the order, the refusals and the
statement budget."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from graphql import parse
from sqlalchemy import select

from app.domain.text import fold
from app.settings import Settings
from db.engine import open_engine
from db.models import Petition
from schema.build import build_schema
from schema.cost import plan_cost
from schema.extensions import too_costly
from tests.support.server import RunningServer
from tests.support.workflow import Workflow, bearer

SIMILAR = """
query($title: String!, $body: String, $fieldCode: String, $first: Int) {
  similarPetitions(title: $title, body: $body, fieldCode: $fieldCode, first: $first) {
    trackingCode title isPrivate answeredAt field { code } latestAnswer { body agency { code } }
  }
}
"""
PETITION_SIMILAR = """
query($code: String!, $first: Int) {
  petition(trackingCode: $code) { trackingCode similar(first: $first) { trackingCode isPrivate } }
}
"""
PAGE = """
query($first: Int!) {
  petitions(first: $first) { edges { node {
    trackingCode similar(first: 3) { trackingCode title latestAnswer { body } }
  } } }
}
"""


def _texts(url: str, *, private: bool, limit: int) -> list[tuple[str, str, str]]:
    """(tracking code, title, body) of demo petitions, read from the database itself (the
    API withholds a private petition's text)."""

    async def read() -> list[tuple[str, str, str]]:
        async with open_engine(url) as engine, engine.connect() as connection:
            rows = await connection.execute(
                select(Petition.tracking_code, Petition.title, Petition.body)
                .where(Petition.is_private.is_(private))
                .order_by(Petition.id)
                .limit(limit)
            )
            return [(code, title, body) for code, title, body in rows]

    return asyncio.run(read())


def _rephrased(title: str, body: str) -> tuple[str, str]:
    """A citizen's own wording of the same petition: no diacritics, the words of the title
    in another order, a few of the body's words swapped for others, its sentences reversed."""
    title_words = fold(title).split()
    half = len(title_words) // 2
    new_title = " ".join(title_words[half:] + title_words[:half])
    sentences = [
        fold(sentence) for sentence in body.replace("\n", " ").split(".") if fold(sentence)
    ]
    words = " ".join(reversed(sentences)).split()
    swaps = ["viec", "nay", "ay", "nhu", "vay"]
    new_body = " ".join(
        swaps[i // 9 % len(swaps)] if i % 9 == 4 else word for i, word in enumerate(words)
    )
    return new_title, new_body


def _similar(server: RunningServer, **variables: Any) -> list[dict[str, Any]]:
    return server.gql(SIMILAR, variables)["similarPetitions"]  # type: ignore[no-any-return]


def test_a_rephrased_copy_of_a_demo_petition_finds_it_first(
    demo_server: RunningServer, demo_database: str
) -> None:
    for code, title, body in _texts(demo_database, private=False, limit=12):
        new_title, new_body = _rephrased(title, body)
        assert new_title != fold(title)
        found = _similar(demo_server, title=new_title, body=new_body)
        assert found and found[0]["trackingCode"] == code, (code, title, found[:3])
        assert all(not petition["isPrivate"] for petition in found)


def test_a_title_without_diacritics_finds_the_accented_petition(
    demo_server: RunningServer, demo_database: str
) -> None:
    for code, title, _body in _texts(demo_database, private=False, limit=8):
        plain = fold(title)
        found = _similar(demo_server, title=plain, first=20)
        assert code in [petition["trackingCode"] for petition in found], (code, plain)
        shown = next(p for p in found if p["trackingCode"] == code)
        assert shown["title"] == title  # accented, as submitted
        # a word written without diacritics may stand for a stop syllable and is dropped
        # ("dang" may be "đang"), so the two lists need not be equal; both find it
        accented = _similar(demo_server, title=title, first=20)
        assert code in [petition["trackingCode"] for petition in accented]


def test_a_petition_is_not_similar_to_itself(
    demo_server: RunningServer, demo_database: str
) -> None:
    for code, _title, _body in _texts(demo_database, private=False, limit=5):
        petition = demo_server.gql(PETITION_SIMILAR, {"code": code, "first": 20})["petition"]
        found = [p["trackingCode"] for p in petition["similar"]]
        assert found, code
        assert code not in found
        assert len(found) == len(set(found)) <= 20


def test_private_petitions_never_appear_nor_shape_the_public_lists(
    demo_server: RunningServer, demo_database: str
) -> None:
    private = _texts(demo_database, private=True, limit=5)
    assert private
    for code, title, body in private:
        # the private petition's own words find public petitions only
        found = _similar(demo_server, title=title, body=body, first=20)
        assert code not in [p["trackingCode"] for p in found]
        assert all(not p["isPrivate"] for p in found)
        # nor does the public see what its text is like
        petition = demo_server.gql(PETITION_SIMILAR, {"code": code})["petition"]
        assert petition["similar"] == []


def test_answers_come_with_the_similar_petitions(demo_server: RunningServer) -> None:
    found = _similar(demo_server, title="thủ tục hành chính", body="giải quyết hồ sơ", first=20)
    answered = [p for p in found if p["answeredAt"]]
    assert answered, found
    assert all(p["latestAnswer"]["body"] and p["latestAnswer"]["agency"]["code"] for p in answered)


def test_nothing_to_compare_finds_nothing(demo_server: RunningServer) -> None:
    assert _similar(demo_server, title="của và các những") == []
    assert _similar(demo_server, title="   ", body="!!!") == []
    assert _similar(demo_server, title="xyzzyqwv plughfrob") == []


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"title": "đất đai", "first": 0}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"title": "đất đai", "first": 21}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"title": "đất đai", "first": -5}, "PAGE_SIZE_OUT_OF_RANGE"),
        ({"title": "đ" * 201}, "TOO_LONG"),
        ({"title": "đất", "body": "a" * 10_001}, "TOO_LONG"),
        ({"title": "đất", "fieldCode": "NO_SUCH_FIELD"}, "UNKNOWN_CODE"),
        ({"title": "đất", "fieldCode": "X" * 500}, "UNKNOWN_CODE"),
        ({"title": "đất", "fieldCode": "DAT\x00DAI"}, "UNKNOWN_CODE"),
    ],
)
def test_refusals_are_coded(
    demo_server: RunningServer, variables: dict[str, Any], code: str
) -> None:
    assert demo_server.error_codes(SIMILAR, variables) == [code]


def test_an_unknown_field_code_is_echoed_cut_to_the_longest_code(
    demo_server: RunningServer,
) -> None:
    """A 100 KB fieldCode is refused without sending its 100 KB back."""
    [error] = demo_server.errors(SIMILAR, {"title": "đất", "fieldCode": "X" * 100_000})
    assert error["extensions"]["code"] == "UNKNOWN_CODE"
    assert len(error["message"]) < 200
    assert len(orjson.dumps(error)) < 1_000


def test_limits_are_inclusive(demo_server: RunningServer) -> None:
    assert len(_similar(demo_server, title="thủ tục " * 25, first=20)) <= 20
    _similar(demo_server, title="đ" * 200, body="thủ tục " * 1250, fieldCode=" dat_dai ")
    _similar(demo_server, title="đất đai", first=None)


def test_petition_similar_refuses_a_bad_first(demo_server: RunningServer) -> None:
    code = demo_server.gql("{ petitions(first: 1) { edges { node { trackingCode } } } }")[
        "petitions"
    ]["edges"][0]["node"]["trackingCode"]
    for first in (0, 21):
        codes = demo_server.error_codes(PETITION_SIMILAR, {"code": code, "first": first})
        assert codes == ["PAGE_SIZE_OUT_OF_RANGE"]


STATEMENT_BOUND = 7
"""The page, then for all its petitions at once: the words' rarity, at most two rounds of
look-ups, the candidates' texts, the similar petitions' rows, their latest answers."""


def test_statement_count_does_not_grow_with_page_size(demo_server: RunningServer) -> None:
    for first in (5, 50):
        demo_server.log.clear()
        page = demo_server.gql(PAGE, {"first": first})["petitions"]["edges"]
        statements = list(demo_server.log.statements)
        assert len(page) == first
        assert sum(bool(edge["node"]["similar"]) for edge in page) >= first // 2
        assert len(statements) <= STATEMENT_BOUND, statements


def test_a_page_with_similar_answers_alike_twice(demo_server: RunningServer) -> None:
    # the second time the document may take the compiled path (schema/fastpath), which
    # must leave `similar` to the general path rather than answer it differently
    first = demo_server.gql(PAGE, {"first": 10})
    assert demo_server.gql(PAGE, {"first": 10}) == first


def _cost(query: str, variables: dict[str, Any] | None = None) -> int:
    schema = build_schema(Settings(secret_key="cost"))._schema
    return plan_cost(schema, parse(query), None).cost(variables)


def test_similar_lists_count_their_first() -> None:
    assert _cost('{ similarPetitions(title: "x", first: 3) { trackingCode } }') == 3
    # not given: counted at its maximum, 20; each petition's agency one more
    assert _cost('{ similarPetitions(title: "x") { agency { code } } }') == 2 * 20
    page = "{ petitions(first: 10) { nodes { similar(first: 4) { trackingCode } } } }"
    assert _cost(page) == 1 + 10 + 10 * 4
    sized = "query($n: Int) { petitions(first: 10) { nodes { similar(first: $n) { id } } } }"
    assert _cost(sized, {"n": 2}) == 1 + 10 + 10 * 2
    assert _cost(sized, {}) == 1 + 10 + 10 * 20
    # a larger first is refused when it runs: it counts the maximum, and nesting stays finite
    assert _cost(sized, {"n": 2**31 - 1}) == 1 + 10 + 10 * 20
    nested = (
        '{ similarPetitions(title: "x", first: 2147483647) { '
        + "similar(first: 2147483647) { " * 7
        + "id"
        + " }" * 9
    )
    assert _cost(nested) == sum(20**n for n in range(1, 9))


def test_a_refusal_for_cost_reports_a_cost_json_can_hold() -> None:
    # three nested pages of 2**31 - 1 rows: a cost past 2**64, which orjson refused (a 500)
    refusal = too_costly(2**93, 20_000)
    assert refusal.extensions["cost"] == 2**53  # type: ignore[index]
    assert orjson.loads(orjson.dumps(refusal.formatted))["extensions"]["code"] == "QUERY_TOO_COSTLY"


# --- a database the test writes to: order, field preference, private petitions ------------

UNIQUE_TITLE = "Hươu cao cổ và kỳ lân đi lạc vào vườn rau xà lách"
UNIQUE_BODY = (
    "Đàn hươu cao cổ cùng một con kỳ lân đi lạc vào vườn rau xà lách của khu phố, dẫm nát "
    "luống rau muống và cải bó xôi, đề nghị kiểm lâm sớm đưa chúng về nơi ở."
)


def _codes(found: list[dict[str, Any]]) -> list[str]:
    return [p["trackingCode"] for p in found]


def test_answered_first_field_preferred_private_left_out(workflow: Workflow) -> None:
    server = workflow.server
    submitted = [
        workflow.submit(
            title=UNIQUE_TITLE,
            body=UNIQUE_BODY + f" Lần thứ {n}.",
            fieldCode=field,
            isPrivate=private,
        )
        for n, (field, private) in enumerate(
            [("DAT_DAI", False), ("DAT_DAI", False), ("Y_TE", False), ("DAT_DAI", True)]
        )
    ]
    first, second, other_field, private = (s["petition"] for s in submitted)
    # answer the second: among near-equal scores it now comes before the first
    petition = workflow.act(
        "assign", workflow.tokens.coordinator, second, agencyCode="BTC", fieldCode="DAT_DAI"
    )
    petition = workflow.step("acknowledge", petition, submitted[1]["secret"])
    workflow.step("answer", petition, submitted[1]["secret"])

    found = _codes(_similar(server, title=UNIQUE_TITLE, body=UNIQUE_BODY, first=20))
    assert private["trackingCode"] not in found
    assert found.index(second["trackingCode"]) < found.index(first["trackingCode"])
    assert set(found[:3]) == {
        first["trackingCode"],
        second["trackingCode"],
        other_field["trackingCode"],
    }

    preferred = _codes(_similar(server, title=UNIQUE_TITLE, fieldCode="y_te", first=3))
    assert preferred[0] == other_field["trackingCode"]

    # the private petition's similar: empty for the public, its neighbours for the coordinator
    query = PETITION_SIMILAR
    variables = {"code": private["trackingCode"], "first": 5}
    assert server.gql(query, variables)["petition"]["similar"] == []
    response = server.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers=bearer(workflow.tokens.coordinator),
    )
    shown = _codes(response.json()["data"]["petition"]["similar"])
    assert shown[:3] and set(shown[:3]) == {
        first["trackingCode"],
        second["trackingCode"],
        other_field["trackingCode"],
    }
    # and a public petition's similar never lists the private one
    public = server.gql(query, {"code": first["trackingCode"], "first": 20})["petition"]
    assert private["trackingCode"] not in _codes(public["similar"])
    assert second["trackingCode"] in _codes(public["similar"])
