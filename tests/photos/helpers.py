"""Images made for the photo tests, and small helpers to upload and inspect them."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from functools import cache
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from PIL import ExifTags, Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, stream_encode_multipart

from app.extensions import db
from app.photos.models import Photo

CORPUS = Path(__file__).parent / "corpus"
RED = (255, 0, 0)
BLUE = (0, 0, 255)

# The stored pixels that an EXIF orientation turns into the upright picture (its inverse).
_UNDO = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def corpus(name: str) -> bytes:
    """Return the bytes of a corpus file."""
    return (CORPUS / name).read_bytes()


def post_photo(
    client: FlaskClient,
    content: bytes,
    filename: str = "photo.jpg",
    client_uuid: str | None = None,
    **form: Any,
) -> TestResponse:
    """Upload bytes as the multipart file part of POST /api/v1/photos."""
    fields = {"file": FileStorage(io.BytesIO(content), filename), **form}
    fields["client_uuid"] = client_uuid or str(uuid.uuid4())
    # Encoded in memory: the test client's own encoder leaves a temp file open above 500 KB.
    body, length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(
        "/api/v1/photos",
        data=body.read(length),
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def photo_count() -> int:
    """Count photo rows."""
    return db.session.scalar(select(func.count()).select_from(Photo)) or 0


def stored_files(root: Path) -> list[Path]:
    """List the files under the photo storage folder."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def exif_block(orientation: int = 1, taken: str | None = None, offset: str | None = None):
    """Build EXIF with an orientation and optionally DateTimeOriginal / OffsetTimeOriginal."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PatrolPhone"
    exif[ExifTags.Base.BodySerialNumber] = "SN-123456"
    ifd = exif.get_ifd(ExifTags.IFD.Exif)
    if taken:
        ifd[ExifTags.Base.DateTimeOriginal] = taken
    if offset:
        ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    return exif


def encode(img: Image.Image, fmt: str = "JPEG", **params: Any) -> bytes:
    """Encode an image to bytes."""
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def upright_marked(size: tuple[int, int]) -> Image.Image:
    """Make a blue picture with a red block in its top-left corner."""
    img = Image.new("RGB", size, BLUE)
    w, h = size
    img.paste(RED, (0, 0, w // 4, h // 4))
    return img


def marked_with_orientation(size: tuple[int, int], orientation: int, fmt: str = "JPEG") -> bytes:
    """Encode upright_marked(size) stored sideways, with the EXIF orientation that rights it."""
    stored = upright_marked(size)
    if orientation in _UNDO:
        stored = stored.transpose(_UNDO[orientation])
    return encode(stored, fmt, exif=exif_block(orientation))


def is_red(pixel: tuple[int, ...]) -> bool:
    """Tell whether a decoded pixel is (JPEG-noisy) red."""
    r, g, b = pixel[:3]
    return r > 180 and g < 80 and b < 80


@cache
def twelve_mp_jpeg() -> bytes:
    """Make a 4000×3000 JPEG with texture, taken 2024-05-06 08:30:00 (no offset in EXIF)."""
    noise = Image.effect_noise((500, 375), 64).resize((4000, 3000), Image.Resampling.BILINEAR)
    gradient = Image.linear_gradient("L").resize((4000, 3000))
    img = Image.merge("RGB", (noise, gradient, gradient.transpose(Image.Transpose.ROTATE_180)))
    return encode(img, quality=90, exif=exif_block(taken="2024:05:06 08:30:00"))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@cache
def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """Make a small, valid 1-bit PNG whose pixels would fill width × height bytes in memory."""
    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits, all zero
    squeeze = zlib.compressobj(9)
    block = row * 1000
    parts = [squeeze.compress(block) for _ in range(height // 1000)]
    parts.append(squeeze.compress(row * (height % 1000)))
    parts.append(squeeze.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_markers(data: bytes) -> list[int]:
    """List the marker codes of a JPEG's header segments (up to the start of scan)."""
    markers = []
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
    return markers
