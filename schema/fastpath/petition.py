"""The compiled `petition(trackingCode)`: one statement for the petition with the selected
columns and its to-one relations joined, one for its page of public events, and the
response written from the rows, as the general path would write it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql import FieldNode, GraphQLObjectType, GraphQLSchema, get_named_type
from graphql.execution.values import get_argument_values
from sqlalchemy import Integer, bindparam, select

from db.models import Petition, PetitionEvent
from resolvers.context import Context
from resolvers.history import cursor_for_event_id, parse_event_cursor
from resolvers.pagination import MAX_PAGE, connection, page_args
from schema.fastpath.connections import ConnectionShape, connection_parts
from schema.fastpath.objects import NotCompilable, ObjectCompiler, Reads, Source, Writer
from schema.fastpath.petitions import joins, petition_columns, selected_columns

CODE = bindparam("tracking_code")


@dataclass
class EventsField:
    """A petition's `events` connection as selected: its field, arguments and writers."""

    node: FieldNode
    field_def: Any
    shape: ConnectionShape
    attributes: list[str]
    """What each event's row holds, in order, its id first (`ObjectCompiler.event`)."""

    @cached_property
    def statements(self) -> tuple[Any, Any]:
        """The page's statement without and with a cursor: `resolvers.history`'s for one
        petition (`db.queries.events.pages_by_petition`), public events only, reading
        just the selected columns."""
        first = (
            select(*(getattr(PetitionEvent, name) for name in self.attributes))
            .where(
                PetitionEvent.petition_id == bindparam("petition_id"),
                PetitionEvent.is_public.is_(True),
            )
            .order_by(PetitionEvent.id)
            .limit(bindparam("limit", type_=Integer))
        )
        return first, first.where(PetitionEvent.id > bindparam("after_id"))

    async def page(self, ctx: Context, petition_id: int, variables: Any) -> Any:
        """The events connection as `resolvers.history.event_connection` gives it to an
        anonymous client: public events only, oldest first."""
        raw = get_argument_values(self.field_def, self.node, variables)
        args = page_args(raw.get("first"), raw.get("after"), default=MAX_PAGE)
        after_id = parse_event_cursor(args.after) if args.after else None
        values = {"petition_id": petition_id, "limit": args.limit + 1, "after_id": after_id}
        statement = self.statements[after_id is not None]
        events = list(await ctx.session.execute(statement, values))
        return connection(
            events[: args.limit],
            lambda row: cursor_for_event_id(row[0]),
            args=args,
            has_more=len(events) > args.limit,
            counter=_no_counter,
            edge_cursors=self.shape.edge_cursors,
        )

    def write(self, source: Source) -> dict[str, Any]:
        found = source.extra
        return {key: part(found, source.now, None) for key, part in self.shape.parts}


@dataclass(frozen=True)
class CompiledPetition:
    field_node: FieldNode
    field_def: Any
    write: Writer
    events: EventsField | None
    statement: Any

    async def run(self, ctx: Context, _compiled: Any, variables: Any) -> Any:
        raw = get_argument_values(self.field_def, self.field_node, variables)
        code = raw["trackingCode"].strip().upper()
        rows = (await ctx.session.execute(self.statement, {"tracking_code": code})).all()
        if not rows:
            return None
        row = rows[0]
        extra = None
        if self.events is not None:
            extra = await self.events.page(ctx, row[-1], variables)
        return self.write(Source(row, ctx.now, extra))


async def _no_counter() -> int:
    raise AssertionError("events' totalCount keeps the general path")


def compile_petition(
    objects: ObjectCompiler, gql: GraphQLSchema, field_node: FieldNode
) -> CompiledPetition:
    field_def = gql.query_type.fields["petition"]  # type: ignore[union-attr]
    petition_type = get_named_type(field_def.type)
    assert isinstance(petition_type, GraphQLObjectType)
    reads = Reads()
    found: list[EventsField] = []

    def events(node: FieldNode) -> Writer:
        if found:
            raise NotCompilable("events selected twice")
        connection_type = get_named_type(petition_type.fields["events"].type)
        assert isinstance(connection_type, GraphQLObjectType)
        event_reads = Reads()
        event_reads.column("PetitionEvent", "id")  # first: the cursor reads row[0]
        shape = connection_parts(
            gql, connection_type, node, lambda selection: objects.event(selection, event_reads)
        )
        if shape.counts:
            raise NotCompilable("events' totalCount")
        attributes = [attribute for _type, attribute in event_reads.columns]
        field = EventsField(node, petition_type.fields["events"], shape, attributes)
        found.append(field)
        return field.write

    write = objects.petition(field_node.selection_set, reads, {"events": events})
    cut = (
        select(
            *(getattr(Petition, name) for name in dict.fromkeys([*petition_columns(reads), "id"]))
        )
        .where(Petition.tracking_code == CODE)
        .subquery("page")
    )
    statement = select(*selected_columns(reads, cut.c), cut.c.id).select_from(cut)
    for table, on in joins(reads, cut.c):
        statement = statement.outerjoin(table, on)
    return CompiledPetition(field_node, field_def, write, found[0] if found else None, statement)
