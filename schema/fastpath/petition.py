"""The compiled `petition(trackingCode)`: one statement for the petition with the selected
columns and its to-one relations joined, one for its page of public events (both in
`db.queries.compiled`), and the response written from the rows, as the general path would
write it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLObjectType, GraphQLSchema, get_named_type
from graphql.execution.values import get_argument_values

from app.domain.visibility import public_text
from db.queries.compiled import PetitionByCodeQuery, PublicEventPageQuery, RowLayout
from resolvers.context import Context
from resolvers.history import cursor_for_event_id, parse_event_cursor
from resolvers.pagination import MAX_PAGE, connection, page_args
from schema.fastpath.connections import ConnectionShape, connection_parts
from schema.fastpath.objects import NotCompilable, ObjectCompiler, Source, Writer


@dataclass
class EventsField:
    """A petition's `events` connection as selected: its field, arguments and writers."""

    node: FieldNode
    field_def: Any
    shape: ConnectionShape
    query: PublicEventPageQuery
    """Reads each event's selected columns, its id first (`ObjectCompiler.event`)."""
    note: int | None
    """The position of the note in an event's row, when it is selected."""

    async def page(self, ctx: Context, petition_id: int, private: bool, variables: Any) -> Any:
        """The events connection as `resolvers.history.event_connection` gives it to an
        anonymous client: public events only, oldest first, a private petition's notes
        withheld."""
        raw = get_argument_values(self.field_def, self.node, variables)
        args = page_args(raw.get("first"), raw.get("after"), default=MAX_PAGE)
        after_id = parse_event_cursor(args.after) if args.after else None
        # one more than the page tells whether more lie beyond it
        events: list[Any] = await self.query.fetch(
            ctx.session, petition_id, limit=args.limit + 1, after_id=after_id
        )
        if private and self.note is not None:
            events = [_withhold_note(row, self.note) for row in events]
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
    query: PetitionByCodeQuery
    private: int
    """The position of the petition's `is_private` in its row."""

    async def run(self, ctx: Context, _compiled: Any, variables: Any) -> Any:
        raw = get_argument_values(self.field_def, self.field_node, variables)
        row = await self.query.fetch(ctx.session, raw["trackingCode"])
        if row is None:
            return None
        extra = None
        if self.events is not None:
            # the petition's row ends with its id
            extra = await self.events.page(ctx, row[-1], row[self.private], variables)
        return self.write(Source(row, ctx.now, extra))


def _withhold_note(row: Any, note: int) -> tuple[Any, ...]:
    values = list(row)
    values[note] = public_text(values[note], True)
    return tuple(values)


async def _no_counter() -> int:
    raise AssertionError("events' totalCount keeps the general path")


def compile_petition(
    objects: ObjectCompiler, gql: GraphQLSchema, field_node: FieldNode
) -> CompiledPetition:
    field_def = gql.query_type.fields["petition"]  # type: ignore[union-attr]
    petition_type = get_named_type(field_def.type)
    assert isinstance(petition_type, GraphQLObjectType)
    layout = RowLayout()
    found: list[EventsField] = []

    def events(node: FieldNode) -> Writer:
        if found:
            raise NotCompilable("events selected twice")
        connection_type = get_named_type(petition_type.fields["events"].type)
        assert isinstance(connection_type, GraphQLObjectType)
        event_layout = RowLayout()
        event_layout.position("PetitionEvent", "id")  # first: the cursor reads row[0]
        shape = connection_parts(
            gql, connection_type, node, lambda selection: objects.event(selection, event_layout)
        )
        if shape.counts:
            raise NotCompilable("events' totalCount")
        attributes = event_layout.attributes("PetitionEvent")
        query = PublicEventPageQuery(attributes)
        note = attributes.index("note") if "note" in attributes else None
        field = EventsField(node, petition_type.fields["events"], shape, query, note)
        found.append(field)
        return field.write

    write = objects.petition(field_node.selection_set, layout, {"events": events})
    private = layout.position("Petition", "is_private")
    query = PetitionByCodeQuery(layout)
    return CompiledPetition(
        field_node, field_def, write, found[0] if found else None, query, private
    )
