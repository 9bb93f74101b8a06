"""`pakn`: the command line, the other composition root.

`parser` builds the argument parser from the command groups, one module each (`serve`,
`database` for `pakn db`, `demo`, `tokens`, `audit`, `stats`, `backup`, `keys`, `schema`,
`export`); each sets the handler that `main` runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.cli.command import Handler
from app.cli.parser import build_parser
from app.settings import Settings, SettingsError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `pakn` command; its handler's return value is the exit code. The settings
    are read only once the arguments parse, so `--help` needs no environment, and not at
    all for a `standalone` command (`pakn verify`, `pakn witness`), which a journalist or a
    witness runs with no pakn of their own: reading them would make a secret key file."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    if getattr(args, "standalone", False):
        return int(handler(args, Settings()))
    try:
        settings = Settings.from_env()
    except SettingsError as refused:
        print(f"pakn: {refused}", file=sys.stderr)
        return 2
    return int(handler(args, settings))
