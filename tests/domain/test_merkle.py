"""pakn's Merkle tree (`app.domain.merkle`, folded from tile hashes by `app.domain.tiles`)
against the RFC's own definitions (`rfc9162.py` beside this file) and the published test
vectors of transparency-dev/merkle (`data/rfc6962_vectors.json`), and every corruption
of a good proof that transparency-dev's tests try refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain import merkle, tiles
from app.domain.merkle import ProofError, Subtree

from . import rfc9162

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6962_vectors.json").read_text())
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _entries(n: int) -> list[bytes]:
    return [f"sự kiện {i}".encode() for i in range(n)]


def tile_store(entries: list[bytes]) -> Callable[[Subtree], bytes]:
    """What the log stores, the hashes of tiles at every level, and a lookup that folds a
    subtree from them as the log does."""
    levels = [[merkle.leaf_hash(e) for e in entries]]
    while len(levels[-1]) >= tiles.TILE_WIDTH:
        below = levels[-1]
        levels.append(
            [
                tiles.fold(below[i : i + tiles.TILE_WIDTH])
                for i in range(0, len(below) - tiles.TILE_WIDTH + 1, tiles.TILE_WIDTH)
            ]
        )

    def lookup(subtree: Subtree) -> bytes:
        run = tiles.run_of(subtree)
        hashes = levels[run.level][run.start : run.start + run.count]
        assert len(hashes) == run.count, f"{subtree} is not a full subtree of the tree"
        return tiles.fold(hashes)

    return lookup


def inclusion(index: int, size: int, lookup: Callable[[Subtree], bytes]) -> list[bytes]:
    return [merkle.range_hash(a, b, lookup) for a, b in merkle.inclusion_ranges(index, size)]


def consistency(old: int, new: int, lookup: Callable[[Subtree], bytes]) -> list[bytes]:
    return [merkle.range_hash(a, b, lookup) for a, b in merkle.consistency_ranges(old, new)]


def test_the_published_roots_and_proofs() -> None:
    entries = [bytes.fromhex(e) for e in VECTORS["leaves"]]
    lookup = tile_store(entries)
    roots = [bytes.fromhex(r) for r in VECTORS["roots"]]
    for size, root in enumerate(roots, start=1):
        assert merkle.range_hash(0, size, lookup) == root
    for case in VECTORS["inclusion"]:
        expected = [bytes.fromhex(h) for h in case["proof"]]
        index, size = case["index"], case["size"]
        assert inclusion(index, size, lookup) == expected
        leaf = merkle.leaf_hash(entries[index])
        merkle.verify_inclusion(index, size, leaf, expected, roots[size - 1])
    for case in VECTORS["consistency"]:
        expected = [bytes.fromhex(h) for h in case["proof"]]
        old, new = case["old"], case["new"]
        assert consistency(old, new, lookup) == expected
        merkle.verify_consistency(old, new, roots[old - 1], roots[new - 1], expected)


def test_every_proof_of_small_trees_is_the_rfcs() -> None:
    entries = _entries(70)
    lookup = tile_store(entries)
    for size in range(1, len(entries) + 1):
        root = rfc9162.mth(entries[:size])
        assert merkle.range_hash(0, size, lookup) == root
        for index in range(size):
            made = inclusion(index, size, lookup)
            assert made == rfc9162.path(index, entries[:size]), (index, size)
            merkle.verify_inclusion(index, size, merkle.leaf_hash(entries[index]), made, root)
        if size <= 40:
            for old in range(1, size + 1):
                made = consistency(old, size, lookup)
                assert made == rfc9162.proof(old, entries[:size]), (old, size)
                old_root = rfc9162.mth(entries[:old])
                merkle.verify_consistency(old, size, old_root, root, made)


@pytest.mark.parametrize("size", [255, 256, 257, 511, 512, 513, 700])
def test_proofs_across_tiles_are_the_rfcs(size: int) -> None:
    entries = _entries(size)
    lookup = tile_store(entries)
    root = rfc9162.mth(entries)
    assert merkle.range_hash(0, size, lookup) == root
    for index in sorted({0, 1, 127, 255, 256, 300, size // 2, size - 2, size - 1}):
        if index < size:
            assert inclusion(index, size, lookup) == rfc9162.path(index, entries)
    for old in sorted({1, 3, 128, 255, 256, 257, 500, size - 1, size}):
        if old <= size:
            made = consistency(old, size, lookup)
            assert made == rfc9162.proof(old, entries)
            merkle.verify_consistency(old, size, rfc9162.mth(entries[:old]), root, made)


def _flipped(proof: list[bytes], i: int, bit: int) -> list[bytes]:
    wrong = list(proof)
    wrong[i] = bytes([wrong[i][0] ^ bit]) + wrong[i][1:]
    return wrong


def test_every_corruption_of_an_inclusion_proof_is_refused() -> None:
    entries = [bytes.fromhex(e) for e in VECTORS["leaves"]]
    roots = [bytes.fromhex(r) for r in VECTORS["roots"]]
    for case in VECTORS["inclusion"]:
        proof = [bytes.fromhex(h) for h in case["proof"]]
        index, size = case["index"], case["size"]
        root, leaf = roots[size - 1], merkle.leaf_hash(entries[index])
        probes = [
            (index - 1, size, root, leaf, proof),
            (index + 1, size, root, leaf, proof),
            (index ^ 2, size, root, leaf, proof),
            (index, size * 2, root, leaf, proof),
            (index, size // 2, root, leaf, proof),
            (index, size, root, b"WrongLeaf", proof),
            (index, size, merkle.EMPTY_ROOT, leaf, proof),
            (index, size, SOME_HASH, leaf, proof),
            (index, size, root, leaf, [*proof, b""]),
            (index, size, root, leaf, [*proof, root]),
            (index, size, root, leaf, [b"", *proof]),
            (index, size, root, leaf, [root, *proof]),
        ]
        probes += [(index, size, root, leaf, _flipped(proof, i, 8)) for i in range(len(proof))]
        if proof:
            probes.append((index, size, root, leaf, proof[:-1]))
        if len(proof) > 1:
            probes.append((index, size, root, leaf, [proof[0], SOME_HASH, *proof[1:]]))
        for i, n, r, lf, p in probes:
            with pytest.raises(ProofError):
                merkle.verify_inclusion(i, n, lf, p, r)


def test_every_corruption_of_a_consistency_proof_is_refused() -> None:
    roots = [bytes.fromhex(r) for r in VECTORS["roots"]]
    for case in VECTORS["consistency"]:
        proof = [bytes.fromhex(h) for h in case["proof"]]
        if not proof:
            continue
        old, new = case["old"], case["new"]
        r1, r2 = roots[old - 1], roots[new - 1]
        probes = [
            (old - 1, new, r1, r2, proof),
            (old + 1, new, r1, r2, proof),
            (old ^ 2, new, r1, r2, proof),
            (old, new * 2, r1, r2, proof),
            (old, new // 2, r1, r2, proof),
            (old, new, b"WrongRoot", r2, proof),
            (old, new, r1, b"WrongRoot", proof),
            (old, new, r2, r1, proof),
            (old, new, r1, r2, []),
            (old, new, r1, r2, [*proof, b""]),
            (old, new, r1, r2, [*proof, r1]),
            (old, new, r1, r2, [*proof, r2]),
            (old, new, r1, r2, [b"", *proof]),
            (old, new, r1, r2, [r1, *proof]),
            (old, new, r1, r2, [r2, *proof]),
            (old, new, r1, r2, [proof[0], *proof]),
            (old, new, r1, r2, proof[:-1]),
        ]
        probes += [(old, new, r1, r2, _flipped(proof, i, 16)) for i in range(len(proof))]
        for probe in probes:
            with pytest.raises(ProofError):
                merkle.verify_consistency(*probe)


def test_equal_sizes_need_equal_roots_and_an_empty_proof() -> None:
    root = bytes.fromhex(VECTORS["roots"][2])
    merkle.verify_consistency(3, 3, root, root, [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(3, 3, root, SOME_HASH, [])
    with pytest.raises(ProofError):
        merkle.verify_consistency(3, 3, root, root, [root])
    with pytest.raises(ProofError):
        merkle.verify_consistency(0, 3, merkle.EMPTY_ROOT, root, [])


def test_ranges_outside_the_tree_are_refused() -> None:
    for index, size in [(-1, 3), (3, 3), (0, 0)]:
        with pytest.raises(ValueError):
            merkle.inclusion_ranges(index, size)
    for old, new in [(0, 3), (4, 3)]:
        with pytest.raises(ValueError):
            merkle.consistency_ranges(old, new)
    with pytest.raises(ValueError):
        merkle.subtrees(1, 4)
