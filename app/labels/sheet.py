"""Draw QR labels on A4 pages: a grid of cut-out labels, each a QR code and its names."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_Q
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

COLUMNS, ROWS = 3, 3
LABELS_PER_PAGE = COLUMNS * ROWS
MARGIN = 10 * mm
CELL_W = (A4[0] - 2 * MARGIN) / COLUMNS  # 63.3 mm
CELL_H = (A4[1] - 2 * MARGIN) / ROWS  # 92.3 mm
# The symbol without its quiet zone: 42 mm scans from 30-50 cm with a phone camera.
QR_SIDE = 42 * mm
QUIET_MODULES = 4
CELL_PAD = 3 * mm
CODE_FONT = "Courier-Bold"


@dataclass(frozen=True)
class Label:
    """What one printed label shows."""

    url: str
    code: str
    name_zh: str
    name_en: str
    zone: str
    version: int = 1


class FontError(Exception):
    """The configured font cannot be embedded (missing, or CFF outlines)."""


@lru_cache(maxsize=8)
def register_font(path: str) -> str:
    """Embed a TrueType font (first face of a .ttc) once and return its reportlab name."""
    name = f"PatrolCJK{len(pdfmetrics.getRegisteredFontNames())}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    except (OSError, TTFError) as exc:
        raise FontError(f"{path}: {exc}") from exc
    return name


def qr_matrix(data: str) -> list[list[bool]]:
    """Encode data as a QR matrix (error correction Q, no quiet zone)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def render(labels: Sequence[Label], font: str, title: str) -> bytes:
    """Lay the labels out in a grid on as many A4 pages as needed and return the PDF."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Patrol 巡查")
    canvas.setCreator("Patrol")
    pages = max(1, -(-len(labels) // LABELS_PER_PAGE))
    for number in range(pages):
        batch = labels[number * LABELS_PER_PAGE : (number + 1) * LABELS_PER_PAGE]
        for index, label in enumerate(batch):
            col, row = index % COLUMNS, index // COLUMNS
            x = MARGIN + col * CELL_W
            y = A4[1] - MARGIN - (row + 1) * CELL_H
            _draw_label(canvas, label, x, y, font)
        _draw_cut_lines(canvas, -(-len(batch) // COLUMNS))
        _draw_footer(
            canvas, font, f"{title} · 第 {number + 1}/{pages} 页 Page {number + 1}/{pages}"
        )
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_label(canvas: Canvas, label: Label, x: float, y: float, font: str) -> None:
    matrix = qr_matrix(label.url)
    module = QR_SIDE / len(matrix)
    block = QR_SIDE + 2 * QUIET_MODULES * module
    left = x + (CELL_W - QR_SIDE) / 2
    bottom = y + CELL_H - CELL_PAD - block + QUIET_MODULES * module
    _draw_qr(canvas, matrix, left, bottom, module)
    centre, width = x + CELL_W / 2, CELL_W - 2 * CELL_PAD
    cursor = bottom - QUIET_MODULES * module
    # Chinese name large, then English name and zone small; the code sits at the bottom.
    for text, size, max_lines in (
        (label.name_zh, 12, 2),
        (label.name_en, 8, 2),
        (label.zone, 8, 1),
    ):
        canvas.setFont(font, size)
        for line in wrap(text, font, size, width, max_lines):
            cursor -= size * 1.25
            canvas.drawCentredString(centre, cursor, line)
    version = f"  v{label.version}" if label.version > 1 else ""
    canvas.setFont(CODE_FONT, 13)
    canvas.drawCentredString(centre, y + CELL_PAD + 1 * mm, label.code + version)


def _draw_qr(
    canvas: Canvas, matrix: list[list[bool]], left: float, bottom: float, m: float
) -> None:
    """Fill the dark modules as one path of horizontal runs (no seams between modules)."""
    size = len(matrix)
    # In module units the path is whole numbers: a short PDF stream, written much faster
    # than reportlab's float formatting of each rectangle.
    runs = " ".join(
        f"{start} {size - r - 1} {length} 1 re"
        for r, row in enumerate(matrix)
        for start, length in _runs(row)
    )
    canvas.saveState()
    canvas.transform(m, 0, 0, m, left, bottom)
    canvas.setFillGray(0)
    canvas.addLiteral(runs + " f")
    canvas.restoreState()


def _runs(row: list[bool]) -> Iterator[tuple[int, int]]:
    start = None
    for col, dark in enumerate([*row, False]):
        if dark and start is None:
            start = col
        elif not dark and start is not None:
            yield start, col - start
            start = None


def _draw_cut_lines(canvas: Canvas, rows: int) -> None:
    """Draw dashed grey lines around the used rows of cells to cut along."""
    canvas.saveState()
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    top, bottom = A4[1] - MARGIN, A4[1] - MARGIN - rows * CELL_H
    for col in range(COLUMNS + 1):
        x = MARGIN + col * CELL_W
        canvas.line(x, bottom, x, top)
    for row in range(rows + 1):
        y = top - row * CELL_H
        canvas.line(MARGIN, y, A4[0] - MARGIN, y)
    canvas.restoreState()


def _draw_footer(canvas: Canvas, font: str, text: str) -> None:
    canvas.setFont(font, 7)
    canvas.setFillGray(0.4)
    canvas.drawCentredString(
        A4[0] / 2, MARGIN / 2, text + " · 沿虚线剪下 Cut along the dashed lines"
    )
    canvas.setFillGray(0)


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Break text into at most max_lines lines that fit the width; CJK breaks between chars."""
    lines: list[str] = []
    line = ""
    for char in text.strip():
        if pdfmetrics.stringWidth(line + char, font, size) <= width:
            line += char
            continue
        space = line.rfind(" ")
        rest = line[space + 1 :] + char
        if char != " " and space > 0 and pdfmetrics.stringWidth(rest, font, size) <= width:
            lines.append(line[:space])
            line = rest
        else:
            lines.append(line)
            line = char.strip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines
