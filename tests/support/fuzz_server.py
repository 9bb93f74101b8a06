"""The fuzzer's own server (tests/api/test_fuzz.py): a database of its own with demo
petitions, officers' tokens, petitions in each open status whose petitioners' secrets it
knows, and the `Seeds` read back from it.

A database of its own because the fuzzer's mutations really run (as the coordinator and
an agency's officer, some aimed at a real petition at its current version): no other test
may share it. The limits that would distort the fuzz are off (the read rate, the
submission rate); the cost limit and the depth, alias, token and body limits stay on,
since refusing is part of what must not give a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from app.settings import Settings
from tests.support.databases import fresh_database
from tests.support.demo import load_demo
from tests.support.fuzz_documents import Request
from tests.support.fuzz_values import Seeds
from tests.support.server import RunningServer
from tests.support.workflow import Tokens, Workflow, make_tokens

FUZZ_PETITIONS = 60
FUZZ_SEED = 13

SEED_QUERY = """{
  agencies(first: 100) { edges { cursor node { id code } } }
  fields { code }
  provinces { code }
  petitions(first: 100) { edges { cursor node {
    id trackingCode version answers { id }
    events(first: 3) { edges { cursor node { id } } }
  } } }
}"""

VERSION_QUERY = "query($id: ID!) { node(id: $id) { ... on Petition { version } } }"


@dataclass
class FuzzTarget:
    server: RunningServer
    tokens: Tokens
    seeds: Seeds

    def __repr__(self) -> str:
        return f"FuzzTarget({self.server.url})"

    def senders(self, kind: str) -> list[str | None]:
        """Who may send a case of `kind` (drawn uniformly, so repeats weigh): anonymous, the
        coordinator, BTC's officer, a bogus token. Queries mostly anonymous, mutations
        mostly an officer, so that they get past authentication."""
        tokens = self.tokens
        if kind == "mutation":
            return [tokens.coordinator] * 4 + [tokens.btc] * 3 + [None] * 2 + ["not-a-token"]
        return [None] * 5 + [tokens.coordinator] * 2 + [tokens.btc] * 2 + ["not-a-token"]

    def aimed(self, request: Request, aim: Aim) -> Request:
        """`request` with each action's input aimed (`Aim`) at a real petition, at its
        current version: a random id and expected version would almost never name one,
        and the action's own checks and writes, of the text fuzzed, would never run."""
        if not request.variables:
            return request
        version = self.server.gql(VERSION_QUERY, {"id": aim.petition_id})["node"]["version"]
        variables = {name: aim.applied(value, version) for name, value in request.variables.items()}
        return replace(request, variables=variables)


@dataclass(frozen=True)
class Aim:
    """What an aimed action names: a petition (officers), a petitioner's tracking code and
    secret, an agency and a field; its text stays as generated."""

    petition_id: str
    petitioner: tuple[str, str]
    agency_code: str
    field_code: str

    def applied(self, value: Any, version: int) -> Any:
        if not isinstance(value, dict):
            return value
        value = dict(value)
        if "petitionId" in value:
            value.update(petitionId=self.petition_id, expectedVersion=version)
        if "trackingCode" in value and "secret" in value:
            value.update(trackingCode=self.petitioner[0], secret=self.petitioner[1])
            value.pop("expectedVersion", None)
        if "agencyCode" in value:
            value["agencyCode"] = self.agency_code
        if value.get("fieldCode") is not None:
            value["fieldCode"] = self.field_code
        return value


def read_seeds(server: RunningServer, made: list[tuple[dict[str, Any], str]]) -> Seeds:
    data = server.gql(SEED_QUERY)
    seeds = Seeds(
        secrets=[secret for _petition, secret in made],
        petitions=[petition["id"] for petition, _secret in made],
        petitioners=[(petition["trackingCode"], secret) for petition, secret in made],
    )
    for edge in data["agencies"]["edges"]:
        seeds.agency_codes.append(edge["node"]["code"])
        seeds.ids.append(edge["node"]["id"])
        seeds.cursors.append(edge["cursor"])
    seeds.field_codes = [row["code"] for row in data["fields"]]
    seeds.codes = [*seeds.agency_codes, *seeds.field_codes]
    seeds.codes += [row["code"] for row in data["provinces"]]
    for edge in data["petitions"]["edges"]:
        petition = edge["node"]
        seeds.cursors.append(edge["cursor"])
        seeds.ids.append(petition["id"])
        seeds.ids += [answer["id"] for answer in petition["answers"]]
        seeds.tracking_codes.append(petition["trackingCode"])
        seeds.versions.append(petition["version"])
        for event in petition["events"]["edges"]:
            seeds.ids.append(event["node"]["id"])
            seeds.cursors.append(event["cursor"])
    seeds.versions = sorted(set(seeds.versions))
    return seeds


def fuzz_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        read_rate=0,
        submissions_per_hour=1_000_000,
        secret_key="fuzz-key",
    )


OPEN_PETITIONS = 4
"""Petitions made in each of the statuses SUBMITTED, ASSIGNED (to BTC), IN_PROGRESS and
ANSWERED, for aimed actions (they move on as the fuzz's actions succeed)."""


def _open_petitions(workflow: Workflow) -> list[tuple[dict[str, Any], str]]:
    """Petitions in each open status, with their petitioners' secrets."""
    made: list[tuple[dict[str, Any], str]] = []
    for _ in range(OPEN_PETITIONS):
        submitted = workflow.submit()
        made += [(submitted["petition"], submitted["secret"])]
        made += [workflow.assigned(), workflow.in_progress(), workflow.answered()]
    return made


@contextmanager
def fuzz_target(backend: str, folder: Path) -> Iterator[FuzzTarget]:
    with fresh_database(backend, folder) as url:
        kek = fuzz_settings(url).key_encryption_key
        asyncio.run(load_demo(url, FUZZ_PETITIONS, FUZZ_SEED, key_encryption_key=kek))
        tokens = asyncio.run(make_tokens(url))
        with RunningServer(fuzz_settings(url)) as server:
            made = _open_petitions(Workflow(server, tokens))
            yield FuzzTarget(server, tokens, read_seeds(server, made))


def aims(seeds: Seeds) -> st.SearchStrategy[Aim]:
    return st.builds(
        Aim,
        st.sampled_from(seeds.petitions),
        st.sampled_from(seeds.petitioners),
        st.sampled_from(seeds.agency_codes),
        st.sampled_from(seeds.field_codes),
    )
