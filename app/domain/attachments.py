"""What an attachment may be: its type decided by its bytes, never by its name or the
type its sender declared, within the types a deployment takes; a name fit to show and to
download under; and the checks that catch a file built to be two things at once.

Why by the bytes: a PDF renamed photo.jpg, or an executable sent as `image/jpeg`, must
not pass for an image. `filetype` reads a file's first bytes (its magic numbers) as
libmagic does, with no system library. An office document (DOCX, XLSX) is a ZIP: its
central directory is read (never its contents unpacked) so that one that would unpack to
far more than it weighs, a "zip bomb", is refused.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

import filetype


class MediaType(StrEnum):
    JPEG = "image/jpeg"
    PNG = "image/png"
    PDF = "application/pdf"
    DOC = "application/msword"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    XLS = "application/vnd.ms-excel"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


EXTENSIONS = {
    MediaType.JPEG: "jpg",
    MediaType.PNG: "png",
    MediaType.PDF: "pdf",
    MediaType.DOC: "doc",
    MediaType.DOCX: "docx",
    MediaType.XLS: "xls",
    MediaType.XLSX: "xlsx",
}
BY_NAME = {kind.name: kind for kind in MediaType}
"""PAKN_UPLOAD_TYPES names them so: JPEG, PNG, PDF, DOC, DOCX, XLS, XLSX."""
IMAGES = frozenset({MediaType.JPEG, MediaType.PNG})
ARCHIVES = frozenset({MediaType.DOCX, MediaType.XLSX})
SNIFF_BYTES = 8192
"""How much of a file's beginning its type is read from."""
TAIL_BYTES = 65536
MAX_FILENAME = 200
MAX_UNPACKED_RATIO = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 5000
MAX_IMAGE_PIXELS = 40_000_000
"""Pixels of an image (a 40-megapixel photo); a larger one is refused before it is
decoded, as a picture that unpacks to gigabytes of memory would be."""


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def sniff(head: bytes) -> MediaType | None:
    """The type of a file that begins with `head` (at least its first `SNIFF_BYTES`)."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    by_extension = {extension: media for media, extension in EXTENSIONS.items()}
    return by_extension.get(kind.extension)


def fit_filename(name: str | None, media_type: MediaType) -> str:
    """The sender's file name, fit to show and to download under: NFC, no path, no
    control or quoting characters, at most `MAX_FILENAME` characters, and the extension
    of its real type (a PDF sent as photo.jpg is photo.jpg.pdf)."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = re.sub(r'["<>:|?*;]+', "_", text).strip(" .")
    extension = EXTENSIONS[media_type]
    if not text.lower().endswith(f".{extension}") and not (
        extension == "jpg" and text.lower().endswith(".jpeg")
    ):
        text = f"{text or 'attachment'}.{extension}"
    if len(text) > MAX_FILENAME:
        stem, _, suffix = text.rpartition(".")
        text = f"{stem[: MAX_FILENAME - len(suffix) - 1]}.{suffix}"
    return text


def archive_problem(file: BinaryIO, size: int, media_type: MediaType) -> Refusal | None:
    """Why an office document (a ZIP) is refused: not a readable archive of its kind, or
    one that would unpack to far more than it weighs. Reads its directory only."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return Refusal("INVALID_FILE", "The file is not a readable document of its type.")
    names = {member.filename for member in members}
    part = "word/" if media_type is MediaType.DOCX else "xl/"
    if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
        return Refusal("INVALID_FILE", "The file is not a readable document of its type.")
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > MAX_ARCHIVE_MEMBERS
        or unpacked > MAX_UNPACKED_BYTES
        or unpacked > MAX_UNPACKED_RATIO * max(size, 1)
    ):
        return Refusal("SUSPICIOUS_FILE", "The document would unpack to far more than it weighs.")
    return None


def polyglot_problem(tail: bytes, media_type: MediaType) -> Refusal | None:
    """A file that is not a ZIP but ends like one (a PDF or an old office file with an
    archive appended) is two files at once: refused."""
    if media_type not in ARCHIVES and b"PK\x05\x06" in tail:
        return Refusal("SUSPICIOUS_FILE", "The file holds another file appended to it.")
    return None
