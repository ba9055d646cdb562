"""Strip a baseline JPEG's metadata without decoding it: the phone's copy is served as sent.

The phone already shrinks, turns upright and re-encodes its photos (web/src/photos.js); decoding
and encoding that copy again costs the server most of its work and only loses quality. What
must not travel on (EXIF with GPS, XMP, IPTC, comments, an embedded JFIF thumbnail) lives in
marker segments before the image data, so dropping those segments is enough.
"""

from __future__ import annotations

import struct

SOI, EOI, SOS = b"\xff\xd8", b"\xff\xd9", 0xDA
# Start-of-frame markers: only baseline and extended sequential Huffman pass through.
SEQUENTIAL = {0xC0, 0xC1}
OTHER_FRAMES = {0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Kept: tables, frame, restart interval, JFIF (without a thumbnail), ICC, Adobe (colour transform).
TABLES = {0xC4, 0xCC, 0xDB, 0xDD, *SEQUENTIAL}
ICC_TAG = b"ICC_PROFILE\x00"


def strip_metadata(data: bytes, max_icc_bytes: int) -> bytes | None:
    """Return the JPEG with only what decoding needs, or None when it must be re-encoded.

    None for anything unusual (progressive or arithmetic coding, an oversized profile, bytes
    that do not parse): the caller then takes the decoding path, which handles every case.
    """
    if not data.startswith(SOI):
        return None
    out, icc_bytes, at = [SOI], 0, 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == SOS:
            end = data.find(EOI, at)  # entropy-coded data escapes 0xFF: the first EOI ends it
            if end < 0:
                return None
            out.append(data[at : end + 2])  # anything after EOI (an MPO's frames) is dropped
            return b"".join(out)
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segment = data[at : at + 2 + length]
        if length < 2 or len(segment) < 2 + length or marker in OTHER_FRAMES:
            return None
        keep = _keep(marker, segment)
        if keep is None:
            return None
        if keep:
            if marker == 0xE2:
                icc_bytes += length - 16
                if icc_bytes > max_icc_bytes:
                    return None
            out.append(segment)
        at += 2 + length
    return None


def _keep(marker: int, segment: bytes) -> bool | None:
    """Tell whether a segment stays (True), goes (False) or rules the shortcut out (None)."""
    if marker in TABLES or marker == 0xEE:  # Adobe APP14: how the colours were transformed
        return True
    if marker == 0xE0:  # JFIF stays only without a thumbnail of the old picture
        return segment[4:9] == b"JFIF\x00" and len(segment) >= 18 and segment[16:18] == b"\0\0"
    if marker == 0xE2:
        return segment[4:16] == ICC_TAG
    if 0xE1 <= marker <= 0xEF or marker == 0xFE:  # EXIF, XMP, IPTC, comments …
        return False
    return None  # a marker this shortcut does not know: decode and re-encode instead
