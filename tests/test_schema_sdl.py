"""The committed SDL is the contract: it must equal what the code builds."""

from __future__ import annotations

import subprocess
import sys

from schema.build import SDL_PATH, sdl


def test_committed_sdl_is_current() -> None:
    assert SDL_PATH.read_text() == sdl(), (
        "schema/schema.graphql is stale: run `pakn schema export > schema/schema.graphql`"
    )


def test_schema_export_command_prints_the_sdl() -> None:
    output = subprocess.run(
        [sys.executable, "-m", "app.cli", "schema", "export"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert output == SDL_PATH.read_text()


def test_contract_names_are_present() -> None:
    text = SDL_PATH.read_text()
    for name in (
        "interface Node",
        "node(id: ID!): Node",
        "petition(trackingCode: String!): Petition",
        "enum AgencyKind",
        "type PetitionEventConnection",
        "input PetitionFilter",
        "enum PetitionOrderField",
    ):
        assert name in text
