"""Exports as Excel (.xlsx, Chinese headers) and PDF: the coverage report and the patrol record
form (区域管理员巡查记录表), each titled with the property's name and the period."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.common.fields import without_control_characters
from app.labels.service import label_font

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Sheet:
    """One table of an export: a title, headers and rows of plain values."""

    def __init__(self, name: str, headers: Sequence[str], rows: list[list[Any]]) -> None:
        self.name = name
        self.headers = list(headers)
        self.rows = rows


def download(heading: str, sheets: list[Sheet], name: str, ext: str) -> Response:
    """Answer with the sheets as an .xlsx or .pdf attachment under an ASCII file name."""
    if ext == "xlsx":
        body, mimetype = to_xlsx(heading, sheets), XLSX_MIMETYPE
    else:
        body, mimetype = to_pdf(heading, sheets), "application/pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, mimetype=mimetype, headers=headers)


def title(kind: str, property_name: str, first: date, last: date) -> str:
    """Return an export's heading: property, what it is, and the period."""
    return f"{property_name} {kind}（{first.isoformat()} 至 {last.isoformat()}）"


def to_xlsx(heading: str, sheets: list[Sheet]) -> bytes:
    """Write the sheets into one workbook, each under the heading."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        ws.append([_cell(heading)])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([_cell(header) for header in sheet.headers])
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for row in sheet.rows:
            ws.append([_cell(value) for value in row])
        for n, header in enumerate(sheet.headers, start=1):
            longest = max([len(str(header))] + [len(str(r[n - 1] or "")) for r in sheet.rows[:500]])
            ws.column_dimensions[get_column_letter(n)].width = min(60, 4 + 1.6 * longest)
        ws.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    # Names stored before control characters were refused may hold them; openpyxl refuses them.
    return value.isoformat() if isinstance(value, date) else without_control_characters(value)


def to_pdf(heading: str, sheets: list[Sheet]) -> bytes:
    """Render the sheets as tables on landscape A4 pages with a Chinese font."""
    font = label_font()
    text = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    big = ParagraphStyle("title", fontName=font, fontSize=14, leading=18)
    mid = ParagraphStyle("section", fontName=font, fontSize=11, leading=15)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=heading,
    )
    story: list[Any] = [Paragraph(heading, big), Spacer(1, 4 * mm)]
    for sheet in sheets:
        story += [Paragraph(sheet.name, mid), Spacer(1, 2 * mm)]
        data = [[Paragraph(str(h), text) for h in sheet.headers]]
        data += [[Paragraph(_pdf_text(v), text) for v in row] for row in sheet.rows]
        table = Table(data, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [table, Spacer(1, 6 * mm)]
    doc.build(story)
    return out.getvalue()


def _pdf_text(value: Any) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )
