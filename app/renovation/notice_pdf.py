"""The printable rectification notice (整改通知书) as a one-page A4 PDF in Chinese."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from app.labels.service import label_font
from app.places.models import Property
from app.renovation.models import Notice
from app.tickets.models import Ticket

WIDTH, HEIGHT = A4


def render_notice(ticket: Ticket, notice: Notice, prop: Property) -> bytes:
    """Render one rectification notice."""
    font = label_font()
    tz = ZoneInfo(prop.timezone)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4)
    pdf.setTitle(f"整改通知书 {ticket.number}")
    pdf.setFont(font, 20)
    pdf.drawCentredString(WIDTH / 2, HEIGHT - 30 * mm, "装修整改通知书")
    pdf.setFont(font, 10)
    pdf.drawCentredString(WIDTH / 2, HEIGHT - 37 * mm, f"{prop.name}  编号：{ticket.number}")
    unit = notice.unit
    permit = notice.permit
    lines = [
        ("房号", f"{unit.zone.name_zh} {unit.number}"),
        ("业主", (permit.owner_name if permit else unit.owner_name) or "—"),
        ("施工单位", permit.contractor if permit else "未办理装修申请"),
        ("违规情况", ticket.description or ticket.title),
        ("违反规定", notice.rule),
        ("整改期限", notice.deadline.astimezone(tz).strftime("%Y年%m月%d日 %H:%M 前")),
    ]
    y = HEIGHT - 55 * mm
    for label, text in lines:
        pdf.setFont(font, 12)
        pdf.drawString(25 * mm, y, f"{label}：")
        y = _wrapped(pdf, font, text, 50 * mm, y, WIDTH - 75 * mm)
        y -= 6 * mm
    pdf.setFont(font, 11)
    for sentence in (
        "请于上述期限内完成整改。逾期未整改的，物业服务中心将按《装修管理规定》扣除装修保证金，",
        "并将有关材料报送业主委员会、居委会及房地产主管部门处理。",
    ):
        pdf.drawString(25 * mm, y, sentence)
        y -= 7 * mm
    issued = ticket.created_at.astimezone(tz).strftime("%Y年%m月%d日")
    pdf.drawRightString(WIDTH - 25 * mm, 40 * mm, f"{prop.name} 物业服务中心")
    pdf.drawRightString(WIDTH - 25 * mm, 33 * mm, issued)
    pdf.drawString(25 * mm, 33 * mm, "签收人：____________")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _wrapped(pdf: canvas.Canvas, font: str, text: str, x: float, y: float, width: float) -> float:
    """Draw text wrapped by character (Chinese has no spaces); return the next baseline."""
    line = ""
    for char in text.replace("\n", " "):
        if pdf.stringWidth(line + char, font, 12) > width:
            pdf.drawString(x, y, line)
            y -= 6 * mm
            line = ""
        line += char
    if line:
        pdf.drawString(x, y, line)
    return y
