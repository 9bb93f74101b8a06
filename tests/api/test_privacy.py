"""No public field path reaches a petitioner's personal data or a private text.

The query is built from introspection, so a field added later is walked too. A private
petition's text is its title and body, and also its answers' bodies, its events' notes,
its rating's comment and its featured note (#14, point 3)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from db.engine import open_engine
from db.models import Answer, Petition, PetitionEvent, Rating
from tests.support.records import personal_data
from tests.support.server import RunningServer

INTROSPECT = """{ __schema { types { name kind fields {
  name args { name type { kind } }
  type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
} } } }"""

PERSONAL_FIELD_NAMES = {"fullName", "email", "phone", "address", "taxCode", "organizationName"}


def _named(type_ref: dict[str, Any]) -> tuple[str, str]:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    return type_ref["kind"], type_ref["name"]


def _selection(types: dict[str, Any], name: str, depth: int, path: tuple[str, ...]) -> str:
    """Every field of `name` that takes no required argument, objects down to `depth`."""
    parts = ["__typename"]
    for field in types[name]["fields"]:
        if any(arg["type"]["kind"] == "NON_NULL" for arg in field["args"]):
            continue
        kind, target = _named(field["type"])
        if kind in {"SCALAR", "ENUM"}:
            parts.append(field["name"])
        elif depth > 0 and path.count(target) < 1:
            if kind == "INTERFACE":
                parts.append(f"{field['name']} {{ __typename id }}")
            else:
                inner = _selection(types, target, depth - 1, (*path, target))
                parts.append(f"{field['name']} {{ {inner} }}")
    return " ".join(parts)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_no_public_field_exposes_contact_data(
    demo_server: RunningServer, demo_database: str
) -> None:
    types = {t["name"]: t for t in demo_server.gql(INTROSPECT)["__schema"]["types"] if t["fields"]}
    assert PERSONAL_FIELD_NAMES <= {f["name"] for f in types["Petitioner"]["fields"]}

    petition_fields = _selection(types, "Petition", 3, ("Petition",))
    query = (
        "{ petitions(first: 100) { edges { node { " + petition_fields + " } } } "
        "agencies(first: 100) { edges { node { "
        + _selection(types, "Agency", 2, ("Agency",))
        + " } } } }"
    )
    response = demo_server.post(query)
    assert response.status_code == 200
    payload = response.json()
    assert "errors" not in payload, payload["errors"]
    seen = " ".join(_strings(payload["data"]))
    petitions = [edge["node"] for edge in payload["data"]["petitions"]["edges"]]
    assert all(p["petitioner"] is None for p in petitions), "the public sees no contact data"

    contacts, private_texts = asyncio.run(personal_data(demo_database))
    assert contacts and private_texts, "demo data has contacts and private petitions"
    leaked = [value for value in contacts if len(value) >= 6 and value in seen]
    assert not leaked
    assert not [text for text in private_texts if text in seen]


async def _private_only_texts(url: str) -> list[str]:
    """The answers' bodies, events' notes and ratings' comments that only private
    petitions hold (a text a public petition also holds may rightly be seen)."""
    statements = [
        select(text, Petition.is_private).join(Petition, Petition.id == petition_id)
        for text, petition_id in (
            (Answer.body, Answer.petition_id),
            (PetitionEvent.note, PetitionEvent.petition_id),
            (Rating.comment, Rating.petition_id),
        )
    ] + [select(Petition.featured_note, Petition.is_private)]
    public: set[str] = set()
    private: set[str] = set()
    async with open_engine(url) as engine, engine.connect() as connection:
        for statement in statements:
            rows = await connection.execute(statement)
            for value, is_private in rows:
                if value:
                    (private if is_private else public).add(value)
    return sorted(private - public)


def _walked_petitions(server: RunningServer) -> tuple[list[dict[str, Any]], str]:
    types = {t["name"]: t for t in server.gql(INTROSPECT)["__schema"]["types"] if t["fields"]}
    query = (
        "{ petitions(first: 100, filter: {statuses: [ANSWERED, CLOSED]}) { edges { node { "
        + _selection(types, "Petition", 3, ("Petition",))
        + " } } } }"
    )
    data = server.gql(query)
    return [edge["node"] for edge in data["petitions"]["edges"]], " ".join(_strings(data))


def test_no_public_field_exposes_a_private_petitions_answers_notes_or_comments(
    demo_server: RunningServer, demo_database: str
) -> None:
    petitions, seen = _walked_petitions(demo_server)
    private = [p for p in petitions if p["isPrivate"]]
    assert any(p["answers"] for p in private), "the walk reaches private petitions' answers"
    assert any(p["rating"] and p["rating"]["score"] for p in private)
    for petition in private:
        assert petition["featuredNote"] is None
        assert all(a["body"] is None and a["bodySha256"] for a in petition["answers"])
        assert petition["latestAnswer"]["body"] is None
        assert petition["rating"] is None or petition["rating"]["comment"] is None
        assert all(e["node"]["note"] is None for e in petition["events"]["edges"])
        assert petition["latestEvent"]["note"] is None
    public = [p for p in petitions if not p["isPrivate"]]
    assert any(a["body"] for p in public for a in p["answers"]), "public text stays public"
    texts = asyncio.run(_private_only_texts(demo_database))
    assert texts, "the demo's private petitions hold answers and notes of their own"
    assert not [text for text in texts if text in seen]
