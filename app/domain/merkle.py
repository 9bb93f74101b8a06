"""The transparency log's Merkle tree (RFC 9162, section 2): hashes, proofs, verification.

The log stores, as C2SP tlog-tiles does, only the hashes of full subtrees of 256**l leaves
(its tiles' hashes); every hash a proof needs is folded from those. So a proof is made in
two steps, which keep the reads out of this module: `inclusion_ranges` and
`consistency_ranges` name the leaf ranges whose Merkle Tree Hashes form the proof, and
`range_hash` folds one range from the full subtrees `subtrees` lists, looked up with a
`Lookup` the caller fills from its tiles.

A subtree is `(height, index)`: the 2**height leaves from index * 2**height on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
EMPTY_ROOT = hashlib.sha256(b"").digest()

Subtree = tuple[int, int]
Lookup = Callable[[Subtree], bytes]


class ProofError(ValueError):
    """A proof that does not verify, or arguments no proof can have."""


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (RFC 9162's k), for size > 1."""
    return 1 << ((size - 1).bit_length() - 1)


def subtrees(start: int, end: int) -> list[Subtree]:
    """The full subtrees whose hashes fold, right to left, into MTH(D[start:end]), for a
    range the tree's own splits produce (start aligned to the largest power of two not
    above end - start, as every range in a proof is)."""
    if not 0 <= start < end:
        raise ValueError(f"no leaves in [{start}, {end})")
    found: list[Subtree] = []
    while True:
        size = end - start
        if size & (size - 1) == 0:
            height = size.bit_length() - 1
            if start % size:
                raise ValueError(f"[{start}, {end}) is not a range of the tree")
            found.append((height, start >> height))
            return found
        k = _split(size)
        if start % k:
            raise ValueError(f"[{start}, {end}) is not a range of the tree")
        found.append((k.bit_length() - 1, start // k))
        start += k


def range_hash(start: int, end: int, lookup: Lookup) -> bytes:
    """MTH(D[start:end]) from the full subtrees' hashes."""
    hashes = [lookup(subtree) for subtree in subtrees(start, end)]
    folded = hashes[-1]
    for left in reversed(hashes[:-1]):
        folded = node_hash(left, folded)
    return folded


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes are the inclusion proof of leaf `index` in a tree of `size`
    leaves, leaf side first (RFC 9162 PATH)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    found: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            found.append((start + k, end))
            end = start + k
        else:
            found.append((start, start + k))
            start += k
    found.reverse()
    return found


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The ranges whose hashes are the consistency proof from `old_size` to `new_size`
    (RFC 9162 PROOF and SUBPROOF), in proof order."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")
    found: list[tuple[int, int]] = []
    start, end, whole = 0, new_size, True
    while old_size != end:
        k = _split(end - start)
        if old_size - start <= k:
            found.append((start + k, end))
            end = start + k
        else:
            found.append((start, start + k))
            start += k
            whole = False
    if not whole:
        found.append((start, end))
    found.reverse()
    return found


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2; raises ProofError unless the proof leads to `root`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    if _root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"the inclusion proof of leaf {index} does not lead to the root")


def _root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    _check_hashes(proof)
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return r


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2; raises ProofError unless the tree of `new_size` leaves
    with `new_root` extends the tree of `old_size` leaves with `old_root`."""
    if not 0 < old_size <= new_size:
        raise ProofError(f"no tree of {old_size} leaves is a prefix of one of {new_size}")
    _check_hashes(proof)
    if old_size == new_size:
        if proof:
            raise ProofError("a proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("two different roots for the same tree size")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError(f"the consistency proof does not lead to the root of {old_size}")
    if sr != new_root:
        raise ProofError(f"the consistency proof does not lead to the root of {new_size}")


def _check_hashes(proof: Sequence[bytes]) -> None:
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError(f"a proof's hashes are {HASH_SIZE} bytes each")
