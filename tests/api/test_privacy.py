"""No public field path reaches a petitioner's personal data or a private text.

The query is built from introspection, so a field added later is walked too."""

from __future__ import annotations

import asyncio
from typing import Any

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
