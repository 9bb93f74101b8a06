"""Text that carries its folded form: `Phrase`s and `Template`s.

Petition titles and bodies are rendered from `Template`s whose literal pieces are folded
(`app.domain.text.fold`) once, at import. Rendering returns the text and its folded form together,
so the loader never folds a whole body per row: folding is the costliest step of building a
searchable petition, and a template joins pre-folded pieces with spaces instead. That is
exact because every placeholder is bounded by characters that fold to nothing (spaces,
punctuation), so words never run across a boundary.

Phrases and templates are normalised to NFC when they are made.
"""

from __future__ import annotations

from string import Formatter

from app.domain.text import fold, normalize

Phrase = tuple[str, str]
"""A piece of text and its folded form."""


def phrase(text: str) -> Phrase:
    text = normalize(text)
    return text, fold(text)


def phrases(texts: tuple[str, ...] | list[str]) -> tuple[Phrase, ...]:
    return tuple(phrase(t) for t in texts)


class Template:
    """A `str.format`-style template that renders text and folded text in one pass."""

    __slots__ = ("parts", "source")

    def __init__(self, source: str) -> None:
        self.source = normalize(source)
        self.parts: tuple[tuple[str, str, str | None], ...] = tuple(
            (literal, fold(literal), name)
            for literal, name, _spec, _conv in Formatter().parse(self.source)
        )
        self._check_boundaries()

    def _check_boundaries(self) -> None:
        for index, (literal, _folded, name) in enumerate(self.parts):
            if name is None:
                continue
            before = literal[-1:]
            after = self.parts[index + 1][0][:1] if index + 1 < len(self.parts) else ""
            for neighbour in (before, after):
                if neighbour and fold(neighbour):
                    raise ValueError(f"placeholder {name!r} touches a word in {self.source!r}")
            if index + 1 < len(self.parts) and not after and self.parts[index + 1][2]:
                raise ValueError(f"adjacent placeholders in {self.source!r}")

    def render(self, values: dict[str, Phrase]) -> Phrase:
        texts: list[str] = []
        folds: list[str] = []
        for literal, folded, name in self.parts:
            texts.append(literal)
            if folded:
                folds.append(folded)
            if name is not None:
                text, value_fold = values[name]
                texts.append(text)
                if value_fold:
                    folds.append(value_fold)
        return "".join(texts), " ".join(folds)


def templates(sources: tuple[str, ...]) -> tuple[Template, ...]:
    return tuple(Template(s) for s in sources)
