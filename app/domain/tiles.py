"""C2SP tlog-tiles addressing: which stored hashes make up a subtree, the tiles' paths
(`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`) and their widths at a tree size.

A level-`l` tile holds the hashes of the full subtrees of 256**l leaves, 256 of them when
full; a subtree of any other height is folded from a run of one tile's hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.domain.merkle import TILE_HEIGHT, TILE_WIDTH, Subtree, node_hash

MAX_LEVEL = 63
ENTRIES = "entries"
_INDEX = re.compile(r"(?:x[0-9]{3}/){0,6}[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_LEVEL = re.compile(r"0|[1-9][0-9]?")


@dataclass(frozen=True)
class Run:
    """The stored hashes a subtree is folded from: `count` of them (a power of two) at
    tile `level`, from hash number `start` of that level on."""

    level: int
    start: int
    count: int

    @property
    def tile(self) -> int:
        return self.start // TILE_WIDTH


def run_of(subtree: Subtree) -> Run:
    height, index = subtree
    level, within = divmod(height, TILE_HEIGHT)
    return Run(level, index << within, 1 << within)


def fold(hashes: list[bytes]) -> bytes:
    """The Merkle Tree Hash over a power-of-two run of subtree hashes."""
    if not hashes or len(hashes) & (len(hashes) - 1):
        raise ValueError("a run is a power of two of hashes")
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def completed(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The (level, position) of the stored hashes, level 1 and up, whose subtrees a tree
    growing from `old_size` to `new_size` leaves completes, lower levels first."""
    found: list[tuple[int, int]] = []
    level = 1
    while new_size >= TILE_WIDTH**level:
        span = TILE_WIDTH**level
        found += [(level, p) for p in range(old_size // span, new_size // span)]
        level += 1
    return found


def width_at(level: int, tree_size: int, tile: int) -> int:
    """How many hashes tile `tile` of `level` holds in a tree of `tree_size` (0: none)."""
    stored = tree_size // TILE_WIDTH**level
    return max(0, min(TILE_WIDTH, stored - tile * TILE_WIDTH))


@dataclass(frozen=True)
class TilePath:
    level: int | None
    """None for an entry bundle."""
    index: int
    width: int
    """TILE_WIDTH for a full tile."""

    def __str__(self) -> str:
        kind = ENTRIES if self.level is None else str(self.level)
        suffix = "" if self.width == TILE_WIDTH else f".p/{self.width}"
        return f"tile/{kind}/{_encode(self.index)}{suffix}"


def _encode(index: int) -> str:
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def parse(path: str) -> TilePath | None:
    """A path below `tile/` (`<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`) as the
    specification spells it, or None (leading zeros, a level above 63, a width outside
    1-255 and anything else malformed)."""
    kind, _, rest = path.partition("/")
    if kind == ENTRIES:
        level = None
    elif _LEVEL.fullmatch(kind) and int(kind) <= MAX_LEVEL:
        level = int(kind)
    else:
        return None
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, _, given = rest.partition(".p/")
        if not _WIDTH.fullmatch(given) or int(given) >= TILE_WIDTH:
            return None
        width = int(given)
    if not _INDEX.fullmatch(rest):
        return None
    index = int(rest.replace("x", "").replace("/", ""))
    if _encode(index) != rest:
        return None
    return TilePath(level, index, width)
