"""Uploaded files made attachments: checked within the limits, their type read from their
bytes, images re-encoded without their metadata, hashed, then stored (`db.blobs`).

An upload arrives as a temporary file (Starlette spools a multipart part to disk past
1 MiB), so checking it reads a chunk at a time. `prepare` does all the work that needs no
database, in a worker thread (decoding a photo takes a while): a refused file is refused
before anything is written. `attach` then stores them in the caller's transaction.

Re-encoding an image is what strips its metadata: the EXIF block (GPS position, camera
serial number, time), XMP and comments are not carried over; the picture is first turned
upright by its EXIF orientation, the one tag that changes what it shows.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from PIL import Image, ImageOps
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain import attachments as rules
from app.domain.attachments import MediaType, Refusal
from app.services.outcome import UserErrors, problem
from db import blobs
from db.models import Attachment

FIELD = "attachments"
SPOOL = 1024 * 1024
DECODING = threading.BoundedSemaphore(1)
"""One picture decoded at a time in a process: a 40-megapixel picture takes some 350 MB
while it is re-encoded, and a request may carry several."""


class Upload(Protocol):
    """What a multipart part gives (Starlette's UploadFile)."""

    filename: str | None
    file: BinaryIO


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_count: int
    max_total: int
    types: frozenset[MediaType]


@dataclass
class Prepared:
    sha256: str
    size: int
    media_type: MediaType
    filename: str
    content: BinaryIO


def _size(file: BinaryIO) -> int:
    file.seek(0, 2)
    return file.tell()


def _digest(file: BinaryIO) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(blobs.CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _reencoded(file: BinaryIO, media_type: MediaType) -> BinaryIO:
    """The picture alone, upright, in its own format; raises Refusal-worthy errors."""
    file.seek(0)
    with Image.open(file) as image:
        if image.width * image.height > rules.MAX_IMAGE_PIXELS:
            raise _Refused(Refusal("IMAGE_TOO_LARGE", "The picture has more than 40 megapixels."))
        picture = ImageOps.exif_transpose(image)
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL)
        if media_type is MediaType.JPEG:
            if picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            picture.save(out, format="JPEG", quality=90, optimize=True)
        else:
            picture.save(out, format="PNG", optimize=True)
    return out


class _Refused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.code)
        self.refusal = refusal


def _one(upload: Upload, limits: UploadLimits) -> Prepared:
    file = upload.file
    size = _size(file)
    if size == 0:
        raise _Refused(Refusal("EMPTY_FILE", "The file is empty."))
    if size > limits.max_bytes:
        raise _Refused(
            Refusal("FILE_TOO_LARGE", f"A file may hold at most {limits.max_bytes} bytes.")
        )
    file.seek(0)
    media_type = rules.sniff(file.read(rules.SNIFF_BYTES))
    if media_type is None or media_type not in limits.types:
        allowed = ", ".join(sorted(kind.name for kind in limits.types))
        raise _Refused(
            Refusal(
                "UNSUPPORTED_FILE_TYPE",
                f"By its contents, the file is none of the types taken: {allowed}.",
            )
        )
    file.seek(max(0, size - rules.TAIL_BYTES))
    found = rules.polyglot_problem(file.read(), media_type)
    if found is None and media_type in rules.ARCHIVES:
        file.seek(0)
        found = rules.archive_problem(file, size, media_type)
    if found is not None:
        raise _Refused(found)
    content = file
    if media_type in rules.IMAGES:
        with DECODING:
            try:
                content = _reencoded(file, media_type)
            except _Refused:
                raise
            except Exception:  # a damaged picture may fail anywhere in Pillow's decoders
                raise _Refused(
                    Refusal("INVALID_FILE", "The file is not a readable picture of its type.")
                ) from None
        size = _size(content)
    return Prepared(
        sha256=_digest(content),
        size=size,
        media_type=media_type,
        filename=rules.fit_filename(upload.filename, media_type),
        content=content,
    )


def prepare(uploads: Sequence[Upload], limits: UploadLimits) -> list[Prepared]:
    """Every upload checked and made ready to store, or UserErrors naming each refused
    one by its position (["input", "attachments", "2"])."""
    strays = [
        problem("INVALID_FILE", "Send a file here (a multipart upload).", FIELD, str(i))
        for i, upload in enumerate(uploads)
        if not (hasattr(upload, "file") and hasattr(upload, "filename"))
    ]
    if strays:
        raise UserErrors(*strays)
    if len(uploads) > limits.max_count:
        raise UserErrors(
            problem("TOO_MANY_FILES", f"At most {limits.max_count} files may be attached.", FIELD)
        )
    total = sum(_size(upload.file) for upload in uploads)
    if total > limits.max_total:
        raise UserErrors(
            problem(
                "UPLOADS_TOO_LARGE",
                f"The files together may hold at most {limits.max_total} bytes.",
                FIELD,
            )
        )
    prepared, problems = [], []
    for position, upload in enumerate(uploads):
        try:
            prepared.append(_one(upload, limits))
        except _Refused as refused:
            code, message = refused.refusal.code, refused.refusal.message
            problems.append(problem(code, message, FIELD, str(position)))
    if problems:
        raise UserErrors(*problems)
    return prepared


async def attach(
    session: AsyncSession,
    petition_id: int,
    files: Sequence[Prepared],
    now: datetime,
    *,
    answer_id: int | None = None,
    public: bool = False,
) -> None:
    """Store `files` and attach them, in the caller's transaction."""
    for position, file in enumerate(files):
        await blobs.save(session, file.sha256, file.size, file.content, now)
        session.add(
            Attachment(
                petition_id=petition_id,
                answer_id=answer_id,
                position=position,
                sha256=file.sha256,
                filename=file.filename,
                media_type=file.media_type.value,
                size=file.size,
                is_public=public,
                created_at=now,
            )
        )
    await session.flush()


GRANT_SECONDS = 600


GRANT = re.compile(r"([0-9]{1,10})\.([0-9]{1,11})\.([0-9a-f]{32})")


def _grant_mac(secret_key: str, attachment_id: int, sha256: str, expires: int) -> str:
    message = f"file:{attachment_id}:{sha256}:{expires}".encode()
    return hmac.new(secret_key.encode(), message, "sha256").hexdigest()[:32]


def grant(secret_key: str, attachment_id: int, sha256: str, now: datetime) -> str:
    """A token that lets its bearer download one attachment (its bytes, under its own
    name) for `GRANT_SECONDS`: given in a private attachment's url to a reader who may
    see it (never a credential itself)."""
    expires = int(now.timestamp()) + GRANT_SECONDS
    return f"{attachment_id}.{expires}.{_grant_mac(secret_key, attachment_id, sha256, expires)}"


def granted(secret_key: str, sha256: str, token: str, now: datetime) -> int | None:
    """The attachment `token` grants, if it is one of this server's for `sha256` and has
    not expired."""
    found = GRANT.fullmatch(token)
    if found is None:
        return None
    attachment_id, expires, mac = int(found[1]), int(found[2]), found[3]
    if expires <= now.timestamp():
        return None
    expected = _grant_mac(secret_key, attachment_id, sha256, expires)
    return attachment_id if hmac.compare_digest(mac, expected) else None
