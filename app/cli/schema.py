"""`pakn schema export`: the GraphQL schema as SDL on stdout."""

from __future__ import annotations

import argparse
import sys

from app.cli.command import Commands, add_group
from app.settings import Settings


def register(commands: Commands) -> None:
    schema = add_group(commands, "schema", "the GraphQL schema", run)
    schema.add_parser("export", help="print the SDL")


def run(_args: argparse.Namespace, _settings: Settings) -> int:
    from schema.build import sdl

    sys.stdout.write(sdl())
    return 0
