"""The contents of the exports: the coverage report and the patrol record form."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.auth.service import get_property
from app.checklists.models import ChecklistItem
from app.coverage import service, tickets
from app.coverage.export import Sheet, title
from app.errors import Invalid
from app.extensions import db
from app.inspections.models import Inspection, ItemResult
from app.places.models import Checkpoint, Zone
from app.plans.models import SLOT_STATUSES, Slot, Visit

GROUP_NAMES = {
    "zone": "区域",
    "checkpoint": "点位",
    "assignee": "负责人",
    "shift": "班次",
    "day": "日期",
}
MAX_RECORD_ROWS = 20000
CHUNK = 500


def coverage_report(args: dict[str, Any]) -> tuple[str, list[Sheet]]:
    """Return the heading and sheets of the coverage report (figures, misses, ticket SLA)."""
    figures = service.coverage(args)
    loaded = (
        selectinload(Slot.checkpoint),
        selectinload(Slot.plan_version),
        selectinload(Slot.assignee),
    )
    query = service.missed_slots(args).options(*loaded).limit(MAX_RECORD_ROWS)
    missed = list(db.session.scalars(query))
    sla = tickets.ticket_figures(args)
    heading = title(
        "巡查覆盖率报表 Coverage report", figures["property_name"], args["from_"], args["to"]
    )
    group = GROUP_NAMES[figures["group_by"]]
    headers = [
        group,
        "应巡",
        "按时",
        "迟到",
        "存疑",
        "漏巡",
        "豁免",
        "待巡",
        "计划外",
        "覆盖率%",
        "按时率%",
    ]
    names = (
        "expected",
        "done_on_time",
        "done_late",
        "done_doubtful",
        "missed",
        "excused",
        "pending",
        "extra",
    )
    rows = [
        [r["label_zh"], *(r[n] for n in names), r["coverage_pct"], r["on_time_pct"]]
        for r in [*figures["rows"], {**figures["total"], "label_zh": "合计 Total"}]
    ]
    return heading, [
        Sheet("覆盖率 Coverage", headers, rows),
        Sheet(
            "漏巡 Missed",
            ["日期", "时段", "区域", "点位", "编号", "计划", "负责人"],
            _missed(missed, ZoneInfo(get_property(args["property_id"]).timezone)),
        ),
        Sheet(
            "工单 Tickets",
            [
                "部门",
                "新开",
                "关闭",
                "按时关闭",
                "按时关闭率%",
                "受理中位数(分钟)",
                "关闭中位数(小时)",
            ],
            _sla_rows(sla),
        ),
    ]


def _missed(slots: list[Slot], tz: ZoneInfo) -> list[list[Any]]:
    rows = []
    for slot in slots:
        window = f"{slot.window_start.astimezone(tz):%H:%M}–{slot.window_end.astimezone(tz):%H:%M}"
        who = slot.assignee.display_name if slot.assignee else slot.assignee_role or ""
        rows.append(
            [
                slot.local_day,
                window,
                slot.checkpoint.zone.name_zh,
                slot.checkpoint.name_zh,
                slot.checkpoint.code,
                slot.plan_version.name_zh,
                who,
            ]
        )
    return rows


def _sla_rows(sla: dict[str, Any]) -> list[list[Any]]:
    names = (
        "opened",
        "closed",
        "closed_on_time",
        "on_time_close_pct",
        "median_accept_minutes",
        "median_close_hours",
    )
    rows = [[d["name_zh"], *(d[n] for n in names)] for d in sla["departments"]]
    rows.append(["合计 Total", *(sla[n] for n in names)])
    return rows


RECORD_HEADERS = ["日期", "时间", "区域", "点位", "编号", "巡查人", "结果", "问题描述", "计划"]
VISIT_KINDS = {
    "done_on_time": "按时",
    "done_late": "迟到",
    "repeat": "重复巡查",
    "extra": "计划外",
}


def patrol_record(args: dict[str, Any]) -> tuple[str, list[Sheet]]:
    """Return the patrol record form (区域管理员巡查记录表): one row per inspection."""
    prop = get_property(args["property_id"])
    first, last = args["from_"], args["to"]
    service.check_range(first, last)
    start, end = tickets.bounds(prop, first, last)
    query = (
        select(Inspection, Checkpoint, Zone, User, Visit.slot_id, Slot.inspection_id, Slot.status)
        .join(Checkpoint, Checkpoint.id == Inspection.checkpoint_id)
        .join(Zone, Zone.id == Checkpoint.zone_id)
        .join(User, User.id == Inspection.user_id)
        .outerjoin(Visit, Visit.inspection_id == Inspection.id)
        .outerjoin(Slot, Slot.id == Visit.slot_id)
        .where(
            Inspection.property_id == prop.id,
            Inspection.scanned_at >= start,
            Inspection.scanned_at < end,
        )
        .order_by(Inspection.scanned_at, Inspection.id)
    )
    if args.get("zone_id") is not None:
        query = query.where(Checkpoint.zone_id == args["zone_id"])
    found = db.session.execute(query.limit(MAX_RECORD_ROWS + 1)).all()
    if len(found) > MAX_RECORD_ROWS:
        raise Invalid(
            f"记录超过 {MAX_RECORD_ROWS} 条，请缩小日期范围或选择区域",
            f"More than {MAX_RECORD_ROWS} records: choose fewer days or one zone.",
            field="to",
        )
    problems = _problems([row[0].id for row in found if row[0].failed_count])
    tz = ZoneInfo(prop.timezone)
    rows = [_record_row(row, problems, tz) for row in found]
    heading = title("区域管理员巡查记录表 Patrol record", prop.name, first, last)
    return heading, [Sheet("巡查记录 Patrol record", RECORD_HEADERS, rows)]


def _record_row(row: Any, problems: dict[int, list[str]], tz: ZoneInfo) -> list[Any]:
    inspection, checkpoint, zone, user, slot_id, slot_inspection, slot_status = row
    local = inspection.scanned_at.astimezone(tz)
    if slot_id is None:
        kind = "extra"
    else:
        kind = slot_status if slot_inspection == inspection.id else "repeat"
    failed = inspection.failed_count
    result = f"不合格 {failed} 项" if failed else "合格"
    return [
        local.date(),
        f"{local:%H:%M}",
        zone.name_zh,
        checkpoint.name_zh,
        checkpoint.code,
        user.display_name,
        result,
        "\n".join(problems.get(inspection.id, [])),
        VISIT_KINDS.get(kind) or SLOT_STATUSES[kind][0],
    ]


def _problems(inspection_ids: list[int]) -> dict[int, list[str]]:
    """Return the failed item texts (and notes) of each inspection."""
    out: dict[int, list[str]] = {}
    for n in range(0, len(inspection_ids), CHUNK):
        rows = db.session.execute(
            select(ItemResult.inspection_id, ChecklistItem.text_zh, ItemResult.note)
            .join(ChecklistItem, ChecklistItem.id == ItemResult.item_id)
            .where(
                ItemResult.inspection_id.in_(inspection_ids[n : n + CHUNK]),
                ItemResult.outcome == "fail",
            )
            .order_by(ItemResult.id)
        )
        for inspection_id, text, note in rows:
            out.setdefault(inspection_id, []).append(f"{text}（{note}）" if note else text)
    return out


def filename(kind: str, prop_code: str, first: date, last: date, ext: str) -> str:
    """Return an ASCII file name for a download."""
    return f"{kind}-{prop_code}-{first:%Y%m%d}-{last:%Y%m%d}.{ext}"
