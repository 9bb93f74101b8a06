"""Composing text from the wording: a petition's title and body, each with its folded
(searchable) form, and the body of an answer."""

from __future__ import annotations

from app.demo.draw import Draw
from app.demo.enum_values import BUSINESS, CITIZEN, REFLECTION
from app.demo.schedule import WorkingCalendar
from app.demo.state import PetitionState
from app.demo.wording.bodies import (
    BUSINESS_INTROS,
    BUSINESS_ROLES,
    CITIZEN_INTROS,
    CITIZEN_ROLES,
    CLOSINGS,
    ELABORATIONS,
    IMPACTS,
    PROBLEMS,
    REQUESTS,
    SALUTATIONS,
)
from app.demo.wording.fields import FIELD_TEXTS
from app.demo.wording.record import ANSWER_CLOSINGS, ANSWER_OPENINGS, ANSWER_SUBSTANCES
from app.demo.wording.template import Phrase, phrase
from app.demo.wording.titles import TITLES
from app.domain.text import normalize

Paragraph = list[Phrase]
"""Sentences, joined by spaces."""

MAX_BODY = 10_000
_SOMEWHERE = phrase("địa phương")
_NUMBERS = tuple(phrase(str(n)) for n in range(100))
_YEARS = {year: phrase(str(year)) for year in range(1990, 2200)}
_WE = {
    CITIZEN: (phrase("tôi"), phrase("Tôi")),
    BUSINESS: (phrase("chúng tôi"), phrase("Chúng tôi")),
}


def _paragraphs_text(paragraphs: list[Paragraph]) -> str:
    return "\n\n".join(" ".join(text for text, _folded in paragraph) for paragraph in paragraphs)


class Composer:
    __slots__ = ("calendar", "draw")

    def __init__(self, draw: Draw, calendar: WorkingCalendar) -> None:
        self.draw = draw
        self.calendar = calendar

    def values(self, petition: PetitionState) -> dict[str, Phrase]:
        """What the title and body of `petition` fill their placeholders with; fixes the
        petition's topic on the way."""
        draw = self.draw
        field = FIELD_TEXTS[petition.field_code]
        petition.topic = draw.pick(field.topics)
        we, we_capitalised = _WE[petition.channel]
        roles = BUSINESS_ROLES if petition.channel == BUSINESS else CITIZEN_ROLES
        day = self.calendar.days[petition.day - draw.between(5, 45)]
        return {
            "topic": petition.topic,
            "procedure": draw.pick(field.procedures),
            "idea": draw.pick(field.ideas),
            "office": draw.pick(field.offices),
            "place": petition.province.place if petition.province else _SOMEWHERE,
            "who": draw.pick(roles),
            "we": we,
            "We": we_capitalised,
            "day": _NUMBERS[day.day],
            "month": _NUMBERS[day.month],
            "year": _YEARS[day.year],
            "number": _NUMBERS[draw.between(5, 45)],
            "few": _NUMBERS[draw.between(2, 6)],
        }

    def title(self, petition: PetitionState, values: dict[str, Phrase]) -> Phrase:
        return self.draw.pick(TITLES[(petition.subject, petition.kind)]).render(values)

    def body(self, petition: PetitionState, values: dict[str, Phrase]) -> Phrase:
        """Salutation, who is writing and what happened, impact and request, closing; a
        few long petitions elaborate in between."""
        draw = self.draw
        opening: list[Paragraph] = []
        if draw.chance(0.35):
            opening.append([draw.pick(SALUTATIONS).render(values)])
        intro = draw.pick(BUSINESS_INTROS if petition.channel == BUSINESS else CITIZEN_INTROS)
        problems = PROBLEMS[petition.subject]
        first = draw.between(0, len(problems) - 1)
        account = [intro.render(values), problems[first].render(values)]
        if draw.chance(0.2):
            account.append(problems[(first + 1) % len(problems)].render(values))
        opening.append(account)
        ending = [[draw.pick(REQUESTS[petition.kind]).render(values)]]
        if draw.chance(0.35):
            ending[0].insert(0, draw.pick(IMPACTS).render(values))
        if draw.chance(0.6):
            ending.append([draw.pick(CLOSINGS).render(values)])
        paragraphs = opening + ending
        if draw.chance(0.015):
            room = MAX_BODY - len(_paragraphs_text(paragraphs)) - 2
            paragraphs = opening + self._elaboration(values, room) + ending
        folded = " ".join(piece for paragraph in paragraphs for _text, piece in paragraph if piece)
        return _paragraphs_text(paragraphs), folded

    def _elaboration(self, values: dict[str, Phrase], room: int) -> list[Paragraph]:
        """Extra paragraphs for the few long petitions, within `room` characters."""
        target = min(room, self.draw.between(1_000, 9_500))
        paragraphs: list[Paragraph] = []
        length = 0
        while True:
            paragraph = [self.draw.pick(ELABORATIONS).render(values) for _ in range(3)]
            size = sum(len(text) + 1 for text, _folded in paragraph) + 1
            if length + size > target:
                return paragraphs
            length += size
            paragraphs.append(paragraph)

    def answer_body(self, petition: PetitionState, agency_name: str) -> str:
        """An opening that names the petition's topic, the substance and a closing."""
        draw = self.draw
        values = {
            "agency": agency_name,
            "kind": "phản ánh" if petition.kind == REFLECTION else "kiến nghị",
            "addressee": "Quý doanh nghiệp" if petition.channel == BUSINESS else "ông/bà",
            "topic": petition.topic[0],
            "number": draw.between(10, 180),
            "year": self.calendar.years[petition.day] - draw.between(0, 4),
            "days": draw.between(5, 15),
        }
        parts = (
            draw.pick(ANSWER_OPENINGS),
            draw.pick(ANSWER_SUBSTANCES),
            draw.pick(ANSWER_CLOSINGS),
        )
        return normalize("\n\n".join(part.format(**values) for part in parts))
