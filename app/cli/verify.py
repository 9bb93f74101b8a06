"""`pakn verify URL [--petition CODE] [--state FILE] [--key VKEY]`: check a pakn's
transparency log, and a petition's history and seals, from its public URL alone
(`app.services.public_verifier`). Exit 0 when every check passed, 1 otherwise."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.command import Commands
from app.settings import Settings


def register(commands: Commands) -> None:
    verify = commands.add_parser(
        "verify", help="check a pakn's transparency log from its public URL alone"
    )
    verify.add_argument("url", help="the pakn's public address, e.g. https://pakn.example.vn")
    verify.add_argument("--petition", help="also prove this petition's events and answers")
    verify.add_argument(
        "--state",
        type=Path,
        help="JSON file keeping the pinned log key and the last checkpoint seen "
        "(read, and rewritten when every check passed)",
    )
    verify.add_argument(
        "--key",
        help="the log's verifier key to pin (<name>+<key id>+<key>); else kept from"
        " --state, else taken on first use",
    )
    verify.add_argument(
        "--witness",
        action="append",
        default=[],
        help="require the checkpoint's cosignature by this witness (its verifier key); repeat "
        "to require several",
    )
    verify.set_defaults(handler=run, standalone=True)


def run(args: argparse.Namespace, _settings: Settings) -> int:
    from app.services.public_verifier import verify

    report = verify(
        args.url,
        petition=args.petition,
        state_path=args.state,
        key=args.key,
        witnesses=args.witness,
    )
    for line in report.lines:
        print(line)
    if report.failures:
        print(f"pakn verify: {len(report.failures)} check(s) FAILED")
        return 1
    print("pakn verify: every check passed")
    return 0
