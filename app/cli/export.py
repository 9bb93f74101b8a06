"""`pakn export petitions`: the open-data export of GET /export/petitions.<format>, to a file.

The command's filter options are turned into the HTTP export's query parameters and read
by the same parser, so a file and a download with the same filter hold the same rows and
describe themselves with the same query.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import BinaryIO

from app.cli.command import Commands, add_group
from app.cli.progress import ProgressBar
from app.settings import Settings

DESCRIPTOR_SUFFIX = ".datapackage.json"
"""`pakn export petitions --output FILE` describes FILE in FILE.datapackage.json: one
descriptor per file, so exports that share a folder do not overwrite each other's."""

FILTER_PARAMETERS = (
    ("status", "statuses"),
    ("agency", "agencyCodes"),
    ("field", "fieldCodes"),
    ("province", "provinceCodes"),
    ("channel", "channel"),
    ("kind", "kind"),
    ("submitted_from", "submittedFrom"),
    ("submitted_to", "submittedTo"),
    ("search", "search"),
)
"""Each filter option (its `dest`) and the query parameter it becomes; `--overdue`, a
yes/no, is turned into one separately."""


def register(commands: Commands) -> None:
    export = add_group(commands, "export", "open-data exports to a file", run)
    petitions = export.add_parser(
        "petitions",
        help="the public petition record, as GET /export/petitions.<format>",
        description="Filters take the values of the GraphQL PetitionFilter; list options "
        "may be repeated or comma-separated.",
    )
    petitions.add_argument("--format", choices=["csv", "ndjson"], default="csv")
    petitions.add_argument(
        "--output",
        required=True,
        help=f"the file to write; its Data Package descriptor goes beside it as "
        f"FILE{DESCRIPTOR_SUFFIX}",
    )
    petitions.add_argument(
        "--bom",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="start a CSV with a UTF-8 byte-order mark, which Excel needs (default: yes)",
    )
    petitions.add_argument("--status", action="append", help="e.g. IN_PROGRESS,ESCALATED")
    petitions.add_argument("--agency", action="append", help="agency code(s)")
    petitions.add_argument("--field", action="append", help="field code(s)")
    petitions.add_argument("--province", action="append", help="province code(s)")
    petitions.add_argument("--channel", help="CITIZEN or BUSINESS")
    petitions.add_argument("--kind", help="REFLECTION or RECOMMENDATION")
    petitions.add_argument(
        "--from", dest="submitted_from", help="submitted at or after (ISO 8601 with offset)"
    )
    petitions.add_argument(
        "--to", dest="submitted_to", help="submitted before (ISO 8601 with offset)"
    )
    petitions.add_argument("--overdue", action=argparse.BooleanOptionalAction, default=None)
    petitions.add_argument(
        "--search", help="words of the title or body (whole words; thu* for words it starts)"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_export_petitions(args, settings.database_url))


def _query_parameters(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The command's filter options as the HTTP export's query parameters."""
    params: list[tuple[str, str]] = []
    for option, parameter in FILTER_PARAMETERS:
        value = getattr(args, option)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                params.append((parameter, item))
    if args.overdue is not None:
        params.append(("overdue", "true" if args.overdue else "false"))
    return params


async def _export_petitions(args: argparse.Namespace, database_url: str) -> int:
    from app.domain.timezone import now
    from app.services.datapackage import descriptor_json, file_package, with_checkpoint
    from app.services.export import (
        ExportFormat,
        canonical_params,
        code_lookup,
        petition_export,
        query_string,
    )
    from app.services.filters import FilterError, args_from_params, criteria_from_args
    from db.engine import open_engine
    from db.queries import export as export_queries
    from db.queries import log as log_queries

    fmt = ExportFormat(args.format)
    async with open_engine(database_url) as engine:
        moment = now()
        try:
            filter_args = args_from_params(_query_parameters(args))
            flt = await criteria_from_args(filter_args, code_lookup(engine), moment)
        except FilterError as error:
            print(f"pakn: {error.code}: {error.message}", file=sys.stderr)
            return 2
        checkpoint = await log_queries.latest_signed(engine)
        progress = ProgressBar(await export_queries.count(engine, flt))
        chunks = petition_export(engine, flt, fmt, moment, bom=args.bom, on_rows=progress.add)
        # Blocking writes are fine: nothing else runs on this loop.
        with _replacing(args.output) as out:
            async for chunk in chunks:
                out.write(chunk)
        package = file_package(
            os.path.basename(args.output),
            fmt,
            query_string(canonical_params(filter_args)).removeprefix("?"),
            moment,
        )
        with_checkpoint(package, checkpoint)
        with _replacing(args.output + DESCRIPTOR_SUFFIX) as out:
            out.write(descriptor_json(package))
        progress.finish()
    return 0


PRIVATE_FILE = 0o600


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[BinaryIO]:
    """A file written beside `path` and renamed to it at the end: a failed export leaves
    no truncated file behind. Readable by its owner alone (0600): an export may be of a
    database the public does not see in full, and sharing it is its owner's decision."""
    partial = f"{path}.part"
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(descriptor, "wb") as out:
            yield out
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise
