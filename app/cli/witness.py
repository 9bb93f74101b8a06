"""`pakn witness serve --key FILE --state FILE --port N --log-key VKEY [--name NAME]`: a
C2SP tlog-witness for pakn logs (`app.services.witness_server`), run by a newsroom or a
university. It prints its verifier key, for the log's operator (PAKN_WITNESSES) and for
readers (`pakn verify --witness`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.command import Commands, add_group
from app.settings import Settings


def register(commands: Commands) -> None:
    witness = add_group(commands, "witness", "run a transparency log witness", run)
    serve = witness.add_parser("serve", help="answer add-checkpoint with cosignatures")
    serve.set_defaults(standalone=True)
    serve.add_argument("--key", type=Path, required=True, help="the witness's key file")
    serve.add_argument(
        "--name", help="the witness's name, to make a new key file (e.g. witness.example.edu.vn)"
    )
    serve.add_argument(
        "--state", type=Path, required=True, help="where the last checkpoints cosigned are kept"
    )
    serve.add_argument(
        "--log-key",
        action="append",
        required=True,
        help="a log's verifier key (<origin>+<key id>+<key>); repeat for more logs or keys",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)


def run(args: argparse.Namespace, _settings: Settings) -> int:
    import uvicorn

    from app.domain.signed_note import ED25519, NoteError, Verifier
    from app.services.witness_server import (
        KeyFileError,
        WitnessKeeper,
        WitnessState,
        load_or_create_key,
    )
    from app.web.witness_app import witness_app

    try:
        signer = load_or_create_key(args.key, args.name)
        log_keys = [Verifier.parse(key) for key in args.log_key]
        state = WitnessState(args.state)
    except (KeyFileError, NoteError, ValueError, OSError) as refused:
        print(f"pakn: {refused}", file=sys.stderr)
        return 2
    if any(key.kind != ED25519 for key in log_keys):
        print("pakn: --log-key takes a log's Ed25519 note key (type 0x01)", file=sys.stderr)
        return 2
    print(f"pakn witness: {signer.verifier}", flush=True)
    app = witness_app(WitnessKeeper(signer, log_keys, state))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
