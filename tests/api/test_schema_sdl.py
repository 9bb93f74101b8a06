"""The committed SDL is the contract: it must equal what the code builds."""

from __future__ import annotations

from graphql import parse, print_ast
from graphql.language import Node, Visitor, visit

from schema.build import SDL_PATH, sdl
from tests.support.cli import pakn


class _WithoutDescriptions(Visitor):
    def leave(self, node: Node, *_: object) -> Node | None:
        if getattr(node, "description", None) is None:
            return None
        fields = {key: getattr(node, key) for key in node.keys}
        return type(node)(**{**fields, "description": None})


def _contract_text(sdl_text: str) -> str:
    """The SDL without descriptions, as graphql-core prints it: one line per field."""
    return print_ast(visit(parse(sdl_text), _WithoutDescriptions()))


def test_committed_sdl_is_current() -> None:
    assert SDL_PATH.read_text() == sdl(), (
        "schema/schema.graphql is stale: run `pakn schema export > schema/schema.graphql`"
    )


def test_schema_export_command_prints_the_sdl() -> None:
    exported = pakn("schema", "export")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == SDL_PATH.read_text()


def test_contract_names_are_present() -> None:
    # Described arguments put a field's signature on several lines; compare without them.
    text = _contract_text(SDL_PATH.read_text())
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
