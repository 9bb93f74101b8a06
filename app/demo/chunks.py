"""One chunk of a load: its petitions' stories told in id order, their events chained."""

from __future__ import annotations

from app.demo.agencies import AgencyDirectory
from app.demo.compose import Composer
from app.demo.draw import Draw
from app.demo.event_chain import chain_events
from app.demo.history import History
from app.demo.ledger import Ledger
from app.demo.moment_text import moment_formats
from app.demo.rows import ChunkRows
from app.demo.schedule import daily_totals, working_calendar
from app.demo.spec import CHUNK, LoadSpec, Position
from app.demo.steps import Steps
from app.demo.story import Story
from app.demo.timeline import Timeline


def build_chunk(spec: LoadSpec, index: int, start: Position) -> ChunkRows:
    """The rows of chunk `index` (petitions `index * CHUNK` onwards), starting at `start`."""
    calendar = working_calendar(spec.now)
    draw = Draw(f"pakn-demo:{spec.seed}:chunk:{index}")
    timeline = Timeline(calendar, daily_totals(spec.seed, spec.total, spec.now), draw)
    ledger = Ledger(start)
    agencies = AgencyDirectory(spec.agency_ids)
    composer = Composer(draw, calendar)
    steps = Steps(spec, draw, timeline, ledger, agencies, composer)
    history = History(draw, timeline, steps)
    story = Story(spec.field_ids, draw, timeline, agencies, composer, history, ledger)
    first = index * CHUNK
    stop = min(spec.total, first + CHUNK)
    for ordinal in range(first, stop):
        story.tell(ordinal, start.petition + ordinal - first)
    events, head = chain_events(ledger.events, start.chain_head, moment_formats(spec.now).chain)
    tables = {
        "petitions": ledger.petitions,
        "petitioner_contacts": ledger.contacts,
        "assignments": ledger.assignments,
        "answers": ledger.answers,
        "ratings": ledger.ratings,
        "petition_events": events,
    }
    end = Position(
        start.petition + (stop - first),
        ledger.next_assignment,
        ledger.next_answer,
        ledger.next_event,
        head,
    )
    return ChunkRows(tables, end)
