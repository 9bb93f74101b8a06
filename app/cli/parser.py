"""The `pakn` argument parser, composed from one module per command group.

Each group's module registers its subcommand and the handler that runs it. The modules
import what their commands need inside the handlers, not at the top: `pakn --help`, or a
mistyped option, then answers without loading SQLAlchemy, the schema or the web server,
and each command loads only its own dependencies.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.cli import (
    audit,
    backup,
    database,
    demo,
    export,
    keys,
    outbox,
    privacy,
    schema,
    serve,
    stats,
    tokens,
    verify,
    webhook,
    witness,
)
from app.cli.command import Commands

COMMAND_GROUPS: tuple[Callable[[Commands], None], ...] = (
    serve.register,
    database.register,
    demo.register,
    tokens.register,
    audit.register,
    stats.register,
    backup.register,
    privacy.register,
    keys.register,
    verify.register,
    witness.register,
    webhook.register,
    outbox.register,
    schema.register,
    export.register,
)
"""In the order `pakn --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pakn", description="The pakn petition record.")
    commands = root.add_subparsers(dest="command", required=True)
    for register in COMMAND_GROUPS:
        register(commands)
    return root
