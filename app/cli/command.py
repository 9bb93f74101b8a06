"""What every command module shares: the handler's signature and the way groups register.

Each command module has a `register(commands)` that adds its subcommand to the root
parser's `commands` and sets `handler`, which `main` then calls with the parsed arguments
and the settings. A handler's return value is the process's exit code: 0 done; 1 the
answer is no (a broken event chain, a rollup that is off, no such active token); 2 the
command cannot do what it was asked (an option missing, an unknown code), as argparse
exits on an option it cannot parse.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

from app.settings import Settings

Handler: TypeAlias = Callable[[argparse.Namespace, Settings], int]

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The root parser's subcommands, which every `register` adds to. A string: argparse's
action class is generic only to a type checker, not at run time."""


def add_group(commands: Commands, name: str, help_text: str, handler: Handler) -> Commands:
    """Add `pakn NAME`, a command made of subcommands (`pakn db upgrade`, `pakn db seed`),
    and return the subcommands to add to. `handler` runs them all and tells them apart by
    `args.NAME_command`; one of them is required."""
    group = commands.add_parser(name, help=help_text)
    group.set_defaults(handler=handler)
    return group.add_subparsers(dest=f"{name}_command", required=True)
