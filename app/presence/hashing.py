"""Photo fingerprints: a 64-bit difference hash, its bands, and the QR codes in the picture."""

from __future__ import annotations

from PIL import Image

try:
    import zxingcpp
except ImportError:  # pragma: no cover - a declared dependency; hashing still works without it
    zxingcpp = None  # type: ignore[assignment]

BANDS = 8  # eight 8-bit bands: two hashes within distance 7 share at least one band
BAND_BITS = 64 // BANDS
# Hashes this close are the same picture (re-compressed, resized, slightly cropped or tinted).
MAX_DISTANCE = 6


def fingerprint(img: Image.Image) -> tuple[int, list[str]]:
    """Return an image's difference hash and the QR codes in it, from one grey copy."""
    grey = img.convert("L")
    return dhash(grey), qr_texts(grey)


def dhash(img: Image.Image) -> int:
    """Return the 64-bit difference hash of an image (left-to-right brightness gradients)."""
    small = (img if img.mode == "L" else img.convert("L")).resize((9, 8), Image.Resampling.BOX)
    px = small.tobytes()
    bits = 0
    for row in range(8):
        base = row * 9
        for col in range(8):
            bits = (bits << 1) | (px[base + col] > px[base + col + 1])
    return bits


def to_signed(value: int) -> int:
    """Map an unsigned 64-bit hash onto a signed BIGINT."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    """Map a stored signed BIGINT back onto the unsigned hash."""
    return value + (1 << 64) if value < 0 else value


def bands(value: int) -> list[int]:
    """Split an unsigned hash into its 8-bit bands, most significant first."""
    mask = (1 << BAND_BITS) - 1
    return [(value >> (64 - BAND_BITS * (n + 1))) & mask for n in range(BANDS)]


def distance(a: int, b: int) -> int:
    """Return the Hamming distance of two unsigned hashes."""
    return (a ^ b).bit_count()


def qr_texts(img: Image.Image) -> list[str]:
    """Decode every QR code visible in the image (an independent decoder: zxing-cpp)."""
    if zxingcpp is None:  # pragma: no cover
        return []
    grey = img if img.mode == "L" else img.convert("L")
    # Printed labels are dark on light: skipping the inverted pass halves the time on a miss.
    found = zxingcpp.read_barcodes(
        grey, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode), try_invert=False
    )
    return sorted({code.text for code in found if code.valid and code.text})[:8]
