"""Read a label PDF back as a person and a phone would: its text, and its pixels at 300 dpi."""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp

DPI = 300


@dataclass(frozen=True)
class Scan:
    """One QR code found on a rendered page."""

    text: str
    ec_level: str
    side_mm: float


def scan_pages(pdf: bytes) -> list[list[Scan]]:
    """Render every page at 300 dpi and decode every QR code on it with zxing-cpp."""
    pages: list[list[Scan]] = []
    with pdfium.PdfDocument(pdf) as doc:
        for index in range(len(doc)):
            page = doc[index]
            bitmap = page.render(scale=DPI / 72, grayscale=True)
            found = zxingcpp.read_barcodes(bitmap.to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)
            pages.append([Scan(b.text, b.ec_level, _side_mm(b)) for b in found])
            bitmap.close()
            page.close()
    return pages


def _side_mm(barcode: zxingcpp.Barcode) -> float:
    top_left, top_right = barcode.position.top_left, barcode.position.top_right
    return ((top_right.x - top_left.x) ** 2 + (top_right.y - top_left.y) ** 2) ** 0.5 / DPI * 25.4


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Return each page's width and height in millimetres."""
    with pdfium.PdfDocument(pdf) as doc:
        sizes = []
        for index in range(len(doc)):
            page = doc[index]
            width, height = page.get_size()
            sizes.append((round(width / 72 * 25.4), round(height / 72 * 25.4)))
            page.close()
        return sizes


def text_of(pdf: bytes) -> str:
    """Extract the text of every page, as a copy-paste from a PDF viewer would give it."""
    with pdfium.PdfDocument(pdf) as doc:
        parts = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts)
