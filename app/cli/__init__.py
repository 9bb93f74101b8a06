"""`pakn`: the command line, the other composition root."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from app.settings import Settings

DEFAULT_DEMO_PETITIONS = 2000


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from app.web.serving import serve
    from db.bootstrap import prepare_database
    from db.engine import is_sqlite

    if args.workers > 1 and is_sqlite(settings.database_url):
        print("pakn: SQLite serves one worker; use PostgreSQL for --workers > 1", file=sys.stderr)
        return 2
    asyncio.run(prepare_database(settings.database_url))
    if args.demo:
        asyncio.run(_demo_once(settings.database_url, DEFAULT_DEMO_PETITIONS))
    print(f"pakn: GraphiQL at http://{args.host}:{args.port}/graphql", file=sys.stderr)
    serve(args.host, args.port, args.workers)
    return 0


async def _demo_once(database_url: str, petitions: int) -> None:
    from app.demo import count_petitions, load_demo
    from db.engine import create_engine

    engine = create_engine(database_url)
    try:
        if await count_petitions(engine) == 0:
            added = await load_demo(engine, petitions)
            print(f"pakn: added {added} demo petitions", file=sys.stderr)
    finally:
        await engine.dispose()


async def _demo(database_url: str, petitions: int, seed: int) -> None:
    from app.demo import load_demo
    from db.bootstrap import prepare_database
    from db.engine import create_engine

    await prepare_database(database_url)
    engine = create_engine(database_url)
    started = time.perf_counter()
    try:
        added = await load_demo(engine, petitions, seed)
    finally:
        await engine.dispose()
    elapsed = time.perf_counter() - started
    print(f"pakn: added {added} demo petitions in {elapsed:.1f} s", file=sys.stderr)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from db.bootstrap import seed
    from db.migrate import upgrade

    if args.db_command == "upgrade":
        upgrade(settings.database_url)
    else:
        upgrade(settings.database_url)
        asyncio.run(seed(settings.database_url))
    return 0


async def _with_session(database_url: str, work: Any) -> Any:
    from db.engine import create_engine, session_factory

    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from app.domain.timezone import now
    from app.domain.vocabulary import ActorRole
    from db import tokens
    from db.models import Agency

    async def create(session: Any) -> int:
        role = ActorRole(args.role)
        agency_id = None
        if role is ActorRole.AGENCY_OFFICER:
            if not args.agency:
                print("pakn: an AGENCY_OFFICER token needs --agency CODE", file=sys.stderr)
                return 2
            agency_id = await session.scalar(
                select(Agency.id).where(Agency.code == args.agency.upper())
            )
            if agency_id is None:
                print(f"pakn: no agency has the code {args.agency!r}", file=sys.stderr)
                return 2
        elif args.agency:
            print("pakn: --agency goes only with --role AGENCY_OFFICER", file=sys.stderr)
            return 2
        row, token = await tokens.create(session, role.value, agency_id, args.label, now())
        print(token)
        print(f"pakn: token {row.id} created; it is shown only this once", file=sys.stderr)
        return 0

    async def listing(session: Any) -> int:
        codes = dict((await session.execute(select(Agency.id, Agency.code))).all())
        for row in await tokens.list_all(session):
            state = f"revoked {row.revoked_at.isoformat()}" if row.revoked_at else "active"
            agency = codes.get(row.agency_id, "-")
            print(f"{row.id}\t{row.role}\t{agency}\t{state}\t{row.label or ''}")
        return 0

    async def revoke(session: Any) -> int:
        if await tokens.revoke(session, args.id, now()):
            print(f"pakn: token {args.id} revoked", file=sys.stderr)
            return 0
        print(f"pakn: no active token {args.id}", file=sys.stderr)
        return 1

    from db.migrate import upgrade

    upgrade(settings.database_url)
    work = {"create": create, "list": listing, "revoke": revoke}[args.token_command]
    return int(asyncio.run(_with_session(settings.database_url, work)))


def _audit(_args: argparse.Namespace, settings: Settings) -> int:
    from db import event_log

    count, broken = asyncio.run(_with_session(settings.database_url, event_log.verify))
    if broken is None:
        print(f"pakn: the event chain is intact ({count} events)")
        return 0
    print(f"pakn: the event chain is broken at event {broken.event_id}: {broken.reason}")
    return 1


def _keys(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from app.domain.timezone import now
    from db import keys
    from db.models import Agency

    async def rotate(session: Any) -> int:
        agency = await session.scalar(select(Agency).where(Agency.code == args.agency.upper()))
        if agency is None:
            print(f"pakn: no agency has the code {args.agency!r}", file=sys.stderr)
            return 2
        key = await keys.rotate(session, agency, now())
        print(key.key_id)
        return 0

    return int(asyncio.run(_with_session(settings.database_url, rotate)))


class _Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a final line otherwise."""

    WIDTH = 30

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.perf_counter()
        self.drawn = 0.0

    def _line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = min(self.WIDTH, int(share * self.WIDTH))
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        return (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%} "
            f"{self.done:,}/{self.total:,} rows, {self.done / elapsed:,.0f} rows/s"
        )

    def add(self, rows: int) -> None:
        self.done += rows
        moment = time.perf_counter()
        if self.live and moment - self.drawn >= 0.1:
            self.drawn = moment
            self.stream.write("\r" + self._line())
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write(("\r" if self.live else "") + self._line() + "\n")
        self.stream.flush()


_EXPORT_FILTERS = (
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


def _export_params(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The command's filter options as the HTTP export's query parameters."""
    params: list[tuple[str, str]] = []
    for option, parameter in _EXPORT_FILTERS:
        value = getattr(args, option)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                params.append((parameter, item))
    if args.overdue is not None:
        params.append(("overdue", "true" if args.overdue else "false"))
    return params


DESCRIPTOR_SUFFIX = ".datapackage.json"
"""`pakn export petitions --output FILE` describes FILE in FILE.datapackage.json: one
descriptor per file, so exports that share a folder do not overwrite each other's."""


@contextlib.contextmanager
def _replacing(path: str) -> Iterator[BinaryIO]:
    """A file written beside `path` and renamed to it at the end: a failed export leaves
    no truncated file behind."""
    partial = f"{path}.part"
    try:
        with open(partial, "wb") as out:
            yield out
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise


async def _export_petitions(args: argparse.Namespace, database_url: str) -> int:
    from app.domain.timezone import now
    from app.services.datapackage import descriptor_json, file_package
    from app.services.export import (
        ExportFormat,
        canonical_params,
        code_lookup,
        petition_export,
        query_string,
    )
    from app.services.filters import FilterError, args_from_params, criteria_from_args
    from db.engine import create_engine
    from db.queries import export as export_queries

    engine = create_engine(database_url)
    fmt = ExportFormat(args.format)
    try:
        moment = now()
        try:
            filter_args = args_from_params(_export_params(args))
            flt = await criteria_from_args(filter_args, code_lookup(engine), moment)
        except FilterError as error:
            print(f"pakn: {error.code}: {error.message}", file=sys.stderr)
            return 2
        progress = _Progress(await export_queries.count(engine, flt))
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
        with _replacing(args.output + DESCRIPTOR_SUFFIX) as out:
            out.write(descriptor_json(package))
        progress.finish()
    finally:
        await engine.dispose()
    return 0


def _export_parser(commands: Any) -> None:
    export = commands.add_parser("export", help="open-data exports to a file")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    petitions = export_commands.add_parser(
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
    petitions.set_defaults(handler=lambda a, s: asyncio.run(_export_petitions(a, s.database_url)))


def _schema_export(_args: argparse.Namespace, _settings: Settings) -> int:
    from schema.build import sdl

    sys.stdout.write(sdl())
    return 0


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    from db import rollup
    from db.engine import create_engine

    async def run() -> list[rollup.Difference]:
        engine = create_engine(settings.database_url)
        try:
            if args.stats_command == "rebuild":
                async with engine.begin() as conn:
                    await rollup.rebuild(conn)
            async with engine.begin() as conn:
                return await rollup.differences(conn)
        finally:
            await engine.dispose()

    wrong = asyncio.run(run())
    for (table, row), stored, computed in wrong[:20]:
        print(f"pakn: {table} {row}: stored {stored}, computed {computed}")
    if wrong:
        print(f"pakn: the statistics rollup is off in {len(wrong)} rows; `pakn stats rebuild`")
        return 1
    print("pakn: the statistics rollup matches the petitions")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="pakn", description="The pakn petition record.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, load reference data and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--demo", action="store_true", help=f"add {DEFAULT_DEMO_PETITIONS} demo petitions once"
    )
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database schema and reference data")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations")
    db_commands.add_parser("seed", help="load reference agencies and fields (idempotent)")
    db.set_defaults(handler=_db)

    demo = commands.add_parser("demo", help="add deterministic demo petitions")
    demo.add_argument("--petitions", type=int, default=DEFAULT_DEMO_PETITIONS)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(
        handler=lambda a, s: asyncio.run(_demo(s.database_url, a.petitions, a.seed)) or 0
    )

    token = commands.add_parser("token", help="officers' bearer tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="print a new token (shown once)")
    create.add_argument("--role", required=True, choices=["COORDINATOR", "AGENCY_OFFICER", "ADMIN"])
    create.add_argument("--agency", help="agency code, for AGENCY_OFFICER")
    create.add_argument("--label")
    token_commands.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = token_commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    token.set_defaults(handler=_token)

    audit = commands.add_parser("audit", help="check the event log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="report the first broken link of the hash chain")
    audit.set_defaults(handler=_audit)

    stats = commands.add_parser("stats", help="the statistics rollup")
    stats_commands = stats.add_subparsers(dest="stats_command", required=True)
    stats_commands.add_parser("verify", help="compare the rollup with the petitions")
    stats_commands.add_parser("rebuild", help="recompute the rollup from the petitions")
    stats.set_defaults(handler=_stats)

    key = commands.add_parser("keys", help="agencies' answer-sealing keys")
    key_commands = key.add_subparsers(dest="keys_command", required=True)
    rotate = key_commands.add_parser("rotate", help="retire an agency's key and make a new one")
    rotate.add_argument("--agency", required=True)
    key.set_defaults(handler=_keys)

    schema = commands.add_parser("schema", help="the GraphQL schema")
    schema_commands = schema.add_subparsers(dest="schema_command", required=True)
    schema_commands.add_parser("export", help="print the SDL")
    schema.set_defaults(handler=_schema_export)

    _export_parser(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.handler(args, Settings.from_env()))


if __name__ == "__main__":
    sys.exit(main())
