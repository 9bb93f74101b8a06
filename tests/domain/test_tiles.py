"""C2SP tlog-tiles addressing (`app.domain.tiles`): the paths as the specification spells
them, its worked example of a tree's tiles, and malformed paths refused."""

from __future__ import annotations

import pytest

from app.domain import tiles
from app.domain.tiles import TilePath


@pytest.mark.parametrize(
    ("path", "level", "index", "width"),
    [
        ("0/000", 0, 0, 256),
        ("0/x001/x234/067", 0, 1234067, 256),
        ("2/001.p/17", 2, 1, 17),
        ("entries/x001/000", None, 1000, 256),
        ("entries/255.p/255", None, 255, 255),
        ("63/999", 63, 999, 256),
    ],
)
def test_paths_parse_and_spell_back(path: str, level: int | None, index: int, width: int) -> None:
    parsed = tiles.parse(path)
    assert parsed == TilePath(level, index, width)
    assert str(parsed) == f"tile/{path}"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "0",
        "0/",
        "0/1",
        "0/0000",
        "0/x000/001",
        "0/001/002",
        "00/000",
        "01/000",
        "64/000",
        "-1/000",
        "0/000.p/0",
        "0/000.p/256",
        "0/000.p/01",
        "0/000.p/",
        "0/000.p/1/2",
        "entry/000",
        "0/x001/x002/x003/x004/x005/x006/x007/008",
        "0/٠٠٠",
        "1٠/000",
        "0/000.p/1\n",
        "0/000\n",
        "0/000/",
    ],
)
def test_malformed_paths_are_refused(path: str) -> None:
    assert tiles.parse(path) is None


def test_the_specifications_example_tree_of_70000() -> None:
    """'a tree of size 70,000 will be represented by 273 full level 0 tiles, one partial
    level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of width 17,
    and one partial level 2 tile of width 1.'"""
    size = 70_000
    assert [tiles.width_at(0, size, n) for n in (0, 272, 273, 274)] == [256, 256, 112, 0]
    assert [tiles.width_at(1, size, n) for n in (0, 1, 2)] == [256, 17, 0]
    assert [tiles.width_at(2, size, n) for n in (0, 1)] == [1, 0]
    assert tiles.width_at(3, size, 0) == 0
    assert [tiles.width_at(0, 256, 0), tiles.width_at(1, 256, 0)] == [256, 1]


def test_a_subtree_is_a_run_of_one_tile() -> None:
    assert tiles.run_of((0, 5)) == tiles.Run(0, 5, 1)
    assert tiles.run_of((3, 5)) == tiles.Run(0, 40, 8)
    assert tiles.run_of((8, 5)) == tiles.Run(1, 5, 1)
    run = tiles.run_of((15, 3))
    assert run == tiles.Run(1, 384, 128) and run.tile == 1
    with pytest.raises(ValueError):
        tiles.fold([b"x" * 32] * 3)


def test_growing_completes_the_subtrees_it_fills() -> None:
    assert tiles.completed(0, 255) == []
    assert tiles.completed(255, 256) == [(1, 0)]
    assert tiles.completed(256, 600) == [(1, 1)]
    assert tiles.completed(65_535, 65_536) == [(1, 255), (2, 0)]
    assert tiles.completed(0, 70_000)[-2:] == [(1, 272), (2, 0)]
