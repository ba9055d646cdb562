"""The front desk's record forms as the seeds name them.

《客户反映情况记录表》: every resident report, through 受理 → 处理 → 跟踪 → 回访.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.service import get_property
from app.coverage.export import Sheet, title
from app.coverage.service import check_range
from app.extensions import db
from app.places.models import CATEGORIES, Unit
from app.tickets.models import TICKET_STATUSES, Ticket, TicketEvent

REPORTS_FORM = "客户反映情况记录表"
REPORT_HEADERS = (
    "序号",
    "单号",
    "受理时间",
    "反映人",
    "联系电话",
    "房号/位置",
    "反映内容",
    "类别",
    "受理人",
    "派往部门",
    "处理人",
    "处理结果",
    "完成时间",
    "跟踪情况",
    "回访时间",
    "回访结果",
    "满意度（1–5）",
    "状态",
)


def customer_reports(args: dict[str, Any]) -> tuple[str, list[Sheet]]:
    """Return the heading and the one sheet of every resident report received in the range."""
    first, last = args["from_"], args["to"]
    check_range(first, last)
    prop = get_property(args["property_id"])
    tz = ZoneInfo(prop.timezone)
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    tickets = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.property_id == prop.id,
            Ticket.kind == "complaint",
            Ticket.created_at >= start,
            Ticket.created_at < end,
        )
        .options(selectinload(Ticket.events).selectinload(TicketEvent.actor))
        .order_by(Ticket.created_at, Ticket.id)
    ).all()
    rows = [_report_row(n, t, tz) for n, t in enumerate(tickets, start=1)]
    return title(REPORTS_FORM, prop.name, first, last), [Sheet(REPORTS_FORM, REPORT_HEADERS, rows)]


def _report_row(n: int, t: Ticket, tz: ZoneInfo) -> list[Any]:
    created = next((e for e in t.events if e.action == "create"), None)
    resolved = next((e for e in reversed(t.events) if e.action == "resolve"), None)
    follow_up = [e.note for e in t.events if e.action in ("comment", "delay", "reopen") and e.note]
    return [
        n,
        t.number,
        _local(t.created_at, tz),
        t.reporter_name or "",
        t.reporter_phone or "",
        t.location_text or _unit_number(t),
        t.description or t.title,
        CATEGORIES.get(t.category, (t.category,))[0],
        created.actor.display_name if created and created.actor else "",
        t.department.name_zh if t.department else "客服前台",
        t.assignee.display_name if t.assignee else "",
        resolved.note if resolved and resolved.note else "",
        _local(t.resolved_at, tz),
        "；".join(follow_up),
        _local(t.callback_at, tz),
        _callback(t),
        t.callback_rating or "",
        TICKET_STATUSES[t.status][0],
    ]


def _unit_number(t: Ticket) -> str:
    unit = db.session.get(Unit, t.unit_id) if t.unit_id else None
    return f"{unit.zone.name_zh} {unit.number}" if unit else ""


def _callback(t: Ticket) -> str:
    if t.callback_at is None:
        return ""
    verdict = "满意" if t.callback_satisfied else "不满意"
    return f"{verdict}：{t.callback_note}" if t.callback_note else verdict


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def filename(prop_code: str, first: date, last: date, ext: str) -> str:
    """Return an ASCII file name for the form."""
    return f"customer-reports-{prop_code}-{first:%Y%m%d}-{last:%Y%m%d}.{ext}"
