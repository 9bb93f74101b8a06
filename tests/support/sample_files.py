"""Real files for the attachment tests, made here rather than committed: a photo with GPS
coordinates and a camera serial in its EXIF, a PDF, office documents (a DOCX is a ZIP),
and the hostile ones: truncated, mislabelled, a zip bomb, a polyglot."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
BODY_SERIAL = 0xA431
SERIAL = "SN-4242-CAMERA"


def photo_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = image.getexif()
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 12.0)})
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = SERIAL
    exif[0x0112] = 6  # orientation: turned 90 degrees
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 128, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", "<w:document>Đơn kiến nghị</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A DOCX of some 50 KB that would unpack to 50 MB."""
    return docx({"word/media/zeros.bin": bytes(50 * 1024 * 1024)})


def polyglot() -> bytes:
    """A PDF with a ZIP archive appended: both at once."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "hidden")
    return pdf() + out.getvalue()
