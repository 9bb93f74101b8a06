"""The transparency log's tree checked in one pass over its leaves (`pakn audit verify`).

`TreeWalk` takes the leaf hashes in order and keeps what the tree is at each size: the
compact range (the roots of its full subtrees, largest first), so the root at any size is
a fold of a few hashes; and, per tile level, the hashes waiting to fill a subtree of
256**level leaves. As each subtree fills it is compared with the stored hash, and as the
tree reaches a checkpoint's size, the checkpoint's root with the tree's. Reading every
leaf once, whatever the number of checkpoints kept, the walk costs the log's size.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.domain import merkle, tiles

LOOKUP_BATCH = 1000

_CHECKPOINTS = sa.text(
    "SELECT tree_size, root FROM log_checkpoints WHERE tree_size > :after"
    " ORDER BY tree_size LIMIT :batch"
)
_HASHES = sa.text(
    "SELECT position, hash FROM log_hashes WHERE level = :level AND position >= :first"
    " ORDER BY position LIMIT :batch"
)


class TreeWalk:
    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.size = 0
        self.range: list[tuple[int, bytes]] = []
        self.waiting: dict[int, list[bytes]] = {}
        self.stored: dict[tuple[int, int], bytes] = {}
        self.checkpoints: list[Any] = []
        self.checkpoints_after = 0

    def add(self, leaf_hash: bytes) -> str | None:
        """Take the next leaf; the first problem it shows, or None."""
        self.size += 1
        height, node = 0, leaf_hash
        while self.range and self.range[-1][0] == height:
            node = merkle.node_hash(self.range.pop()[1], node)
            height += 1
        self.range.append((height, node))
        problem = self._subtrees(leaf_hash)
        if problem is not None:
            return problem
        checkpoint = self._next_checkpoint()
        while checkpoint is not None and checkpoint.tree_size == self.size:
            if bytes(checkpoint.root) != self.root():
                return f"checkpoint {self.size}: the tree at that size no longer has its root"
            self.checkpoints.pop(0)
            checkpoint = self._next_checkpoint()
        return None

    def finish(self) -> str | None:
        """After the last leaf: what the tree should hold beyond it."""
        checkpoint = self._next_checkpoint()
        if checkpoint is not None:
            return (
                f"checkpoint {checkpoint.tree_size} names more leaves than the log holds "
                f"({self.size})"
            )
        expected = len(tiles.completed(0, self.size))
        stored = self.connection.execute(sa.text("SELECT COUNT(*) FROM log_hashes")).scalar_one()
        if int(stored) != expected:
            return f"{stored} subtree hashes are stored, where the tree has {expected}"
        return None

    def root(self) -> bytes:
        if not self.range:
            return merkle.EMPTY_ROOT
        node = self.range[-1][1]
        for _height, left in reversed(self.range[:-1]):
            node = merkle.node_hash(left, node)
        return node

    def _subtrees(self, leaf_hash: bytes) -> str | None:
        level, node = 0, leaf_hash
        while True:
            waiting = self.waiting.setdefault(level, [])
            waiting.append(node)
            if len(waiting) < tiles.TILE_WIDTH:
                return None
            node = tiles.fold(waiting)
            waiting.clear()
            level += 1
            position = self.size // tiles.TILE_WIDTH**level - 1
            if self._stored(level, position) != node:
                return f"the stored hash of subtree {level}/{position} is not its leaves'"

    def _stored(self, level: int, position: int) -> bytes | None:
        key = (level, position)
        if key not in self.stored:
            self.stored = {
                (level, int(p)): bytes(h)
                for p, h in self.connection.execute(
                    _HASHES, {"level": level, "first": position, "batch": LOOKUP_BATCH}
                )
            }
        return self.stored.get(key)

    def _next_checkpoint(self) -> Any | None:
        if not self.checkpoints:
            self.checkpoints = list(
                self.connection.execute(
                    _CHECKPOINTS, {"after": self.checkpoints_after, "batch": LOOKUP_BATCH}
                )
            )
            if self.checkpoints:
                self.checkpoints_after = int(self.checkpoints[-1].tree_size)
        return self.checkpoints[0] if self.checkpoints else None
