"""`pakn keys rotate|rekey`: agencies' answer-sealing keys and the transparency log's key,
and the check at start that they decrypt under the configured key encryption key.

No secret is ever taken as an argument (it would show in the process list): a previous
secret key, or a previous PAKN_KEY_ENCRYPTION_KEY, is read from a file.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.command import Commands, add_group
from app.cli.session import run_in_session
from app.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.domain.key_wrapping import KeyEncryptionKey

MAX_KEY_FILE_BYTES = 4096


def register(commands: Commands) -> None:
    keys = add_group(commands, "keys", "agencies' answer-sealing keys", run)
    rotate = keys.add_parser("rotate", help="retire agencies' keys and make new ones")
    which = rotate.add_mutually_exclusive_group(required=True)
    which.add_argument("--agency", help="the agency's code")
    which.add_argument("--all", action="store_true", help="every agency")
    which.add_argument(
        "--log",
        action="store_true",
        help="the transparency log's key (its origin stays; the next checkpoint is signed "
        "with the new key, which readers must be given: pakn verify reports a changed key)",
    )
    rekey = keys.add_parser(
        "rekey",
        help="re-encrypt every sealing key from a previous secret key to the current one",
    )
    rekey.add_argument(
        "--old-key-file",
        type=Path,
        action="append",
        default=[],
        help="a file holding the previous secret key (may be given more than once)",
    )
    rekey.add_argument(
        "--old-encryption-key-file",
        type=Path,
        action="append",
        default=[],
        help="a file holding a previous PAKN_KEY_ENCRYPTION_KEY (base64)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    kek = settings.key_encryption_key
    if args.keys_command == "rekey":
        old = _old_keys(args.old_key_file, args.old_encryption_key_file)
        if old is None:
            return 2
        return run_in_session(settings.database_url, partial(_rekey, old, kek))
    if args.log:
        return run_in_session(settings.database_url, partial(_rotate_log, kek, settings.public_url))
    return run_in_session(settings.database_url, partial(_rotate, args.agency, kek))


def prepare_or_refuse(settings: Settings) -> bool:
    """Migrate and seed the database with the settings' key encryption key; False (and a
    message naming `pakn keys rekey`) when its sealing keys do not decrypt under it."""
    from db.bootstrap import SchemaTooNew, prepare_database
    from db.keys import KeysNotOpening

    try:
        asyncio.run(
            prepare_database(settings.database_url, key_encryption_key=settings.key_encryption_key)
        )
    except (KeysNotOpening, SchemaTooNew) as refused:
        print(f"pakn: {refused}", file=sys.stderr)
        return False
    return True


def _read_secret(path: Path) -> str | None:
    try:
        with path.open("rb") as source:
            content = source.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as failed:
        print(f"pakn: cannot read {path}: {failed.strerror}", file=sys.stderr)
        return None
    text = content.decode("utf-8", "replace").strip()
    if not text or len(content) > MAX_KEY_FILE_BYTES:
        print(f"pakn: {path} holds no key (empty, or over 4 KiB)", file=sys.stderr)
        return None
    return text


def _old_keys(
    key_files: list[Path], encryption_key_files: list[Path]
) -> list[KeyEncryptionKey] | None:
    """The previous KEKs named by the files; None (after saying why) when one is unreadable."""
    from app.domain.key_wrapping import KeyEncryptionKey

    if not key_files and not encryption_key_files:
        print("pakn: give --old-key-file or --old-encryption-key-file", file=sys.stderr)
        return None
    old: list[KeyEncryptionKey] = []
    for path in key_files:
        secret = _read_secret(path)
        if secret is None:
            return None
        old.append(KeyEncryptionKey.derived_from(secret))
    for path in encryption_key_files:
        text = _read_secret(path)
        if text is None:
            return None
        try:
            old.append(KeyEncryptionKey.from_base64(text))
        except ValueError as problem:
            print(f"pakn: the key encryption key in {path} {problem}", file=sys.stderr)
            return None
    return old


async def _rekey(old: list[KeyEncryptionKey], new: KeyEncryptionKey, session: AsyncSession) -> int:
    """One transaction: every key re-encrypted, or (a key opening under none) none; the
    webhook endpoints' secrets with them."""
    from app.services import webhook_endpoints
    from db import keys, log_checkpoints

    done = await keys.rekey(session, old, new)
    if done.unopened:
        print(
            f"pakn: {len(done.unopened)} sealing key(s) decrypt under neither the old nor the "
            f"current key: {', '.join(done.unopened)}; nothing was changed",
            file=sys.stderr,
        )
        return 1
    print(
        f"pakn: re-encrypted {len(done.rekeyed)} sealing key(s); "
        f"{len(done.current)} already under the current key",
        file=sys.stderr,
    )
    log_keys, log_unopened = await log_checkpoints.rekey(session, old, new)
    if log_unopened:
        await session.rollback()
        print(
            f"pakn: {len(log_unopened)} transparency log key(s) decrypt under neither the old "
            f"nor the current key: {', '.join(log_unopened)}; nothing was changed",
            file=sys.stderr,
        )
        return 1
    if log_keys:
        print(f"pakn: re-encrypted {len(log_keys)} transparency log key(s)", file=sys.stderr)
    hooks = await webhook_endpoints.rekey(session, old, new)
    if hooks.rekeyed or hooks.unopened:
        print(
            f"pakn: re-encrypted {len(hooks.rekeyed)} webhook secret(s)"
            + (
                f"; {len(hooks.unopened)} decrypt under neither and will be disabled at their "
                f"next delivery (remove and add again): {', '.join(map(str, hooks.unopened))}"
                if hooks.unopened
                else ""
            ),
            file=sys.stderr,
        )
    if done.retired_unopened:
        print(
            f"pakn: {len(done.retired_unopened)} retired key(s) decrypt under neither and "
            f"are left as they are (they seal nothing more): {', '.join(done.retired_unopened)}",
            file=sys.stderr,
        )
    return 0


async def _rotate(code: str | None, kek: KeyEncryptionKey, session: AsyncSession) -> int:
    """Prints each new key's id on stdout; `code` None: every agency."""
    from sqlalchemy import select

    from app.domain.timezone import now
    from db import keys
    from db.models import Agency
    from db.queries.reference import agency_by_code

    if code is None:
        agencies = list(await session.scalars(select(Agency).order_by(Agency.code)))
    else:
        agency = await agency_by_code(session, code)
        if agency is None:
            print(f"pakn: no agency has the code {code!r}", file=sys.stderr)
            return 2
        agencies = [agency]
    moment = now()
    for agency in agencies:
        print((await keys.rotate(session, agency, moment, kek)).key_id)
    return 0


async def _rotate_log(kek: KeyEncryptionKey, public_url: str, session: AsyncSession) -> int:
    """Prints the log's new verifier key on stdout."""
    from app.domain.timezone import now
    from db import log_checkpoints

    print((await log_checkpoints.create_key(session, kek, public_url, now())).verifier_key)
    return 0
