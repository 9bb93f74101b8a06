"""Entity tags and `If-None-Match` (RFC 9110, 8.8.3 and 13.1.2), for cacheable GETs.

A strong tag, `"<hex>"`, names exact bytes: a GraphQL GET's body (`app.web.compression`
gives each content encoding its own). A weak tag, `W/"<hex>"`, says two responses mean
the same, not that their bytes are equal: the right promise for a body that is made anew
on every request (an export, which a proxy may also compress). `If-None-Match` compares
weakly: `W/"x"` matches `"x"`, and `*` matches any current representation. A matching GET
or HEAD is answered 304.

The header is read with limits (`MAX_IF_NONE_MATCH_BYTES`, `MAX_IF_NONE_MATCH_TAGS`);
past them, or when it is not a list of entity tags, `IfNoneMatchError` says so and the
caller refuses the request with BAD_REQUEST rather than guessing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_IF_NONE_MATCH_BYTES = 2048
MAX_IF_NONE_MATCH_TAGS = 32
_LIST_ITEM = re.compile(r'[ \t]*(?:((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")[ \t]*)?(,|\Z)')
"""One element of `#entity-tag` and the comma after it (empty elements are allowed)."""


class IfNoneMatchError(ValueError):
    """An `If-None-Match` header that is too long or not a list of entity tags."""


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def weak_etag(parts: Iterable[str]) -> str:
    """A weak entity tag that changes whenever one of `parts` does."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def if_none_match(header: str | None, etag: str) -> bool:
    """Whether `If-None-Match: <header>` matches `etag` (weak comparison); False when the
    header is absent. Raises IfNoneMatchError for a header past the limits or malformed."""
    if header is None:
        return False
    if len(header) > MAX_IF_NONE_MATCH_BYTES:
        raise IfNoneMatchError(f"If-None-Match is longer than {MAX_IF_NONE_MATCH_BYTES} bytes.")
    value = header.strip(" \t")
    if value == "*":
        return True
    tags: list[str] = []
    position = 0
    while True:
        item = _LIST_ITEM.match(value, position)
        if item is None:
            raise IfNoneMatchError('If-None-Match takes "*" or entity tags such as W/"abc".')
        if item.group(1):
            tags.append(item.group(1))
            if len(tags) > MAX_IF_NONE_MATCH_TAGS:
                raise IfNoneMatchError(
                    f"If-None-Match lists more than {MAX_IF_NONE_MATCH_TAGS} entity tags."
                )
        if not item.group(2):  # the end of the header
            break
        position = item.end()
    wanted = _opaque(etag)
    return any(_opaque(tag) == wanted for tag in tags)
