"""The messages the plans sweep puts in the notification outbox (zh-CN first, then English).

The outbox has no per-person audience, so a reminder goes to PLAN_REMIND_AUDIENCE (the front
desk's dispatch group by default, 指挥调度中心) naming the assignee; the payload carries the
assignee's id so a per-person channel can pick it up later. A missed slot goes to supervisors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.auth.models import ROLES, User
from app.extensions import db
from app.notify.service import enqueue
from app.places.models import Checkpoint, Property
from app.plans.models import PlanVersion, Slot

NAMES_SHOWN = 10


def remind(slots: list[Slot], now: datetime) -> None:
    """Remind the assignee that these slots of one plan window are still pending."""
    head, prop, version = _context(slots)
    who_zh, who_en = _assignee(slots[0])
    closes = _local(slots[0].window_end, prop)
    subject = (
        f"巡查提醒：{version.name_zh} 还有 {len(slots)} 个点位未巡查，{closes} 截止 / "
        f"Patrol reminder: {len(slots)} checkpoints of {version.name_en or version.name_zh} "
        f"still pending, window closes {closes}"
    )
    body = f"负责人 Assignee: {who_zh} / {who_en}\n{head}"
    enqueue(
        prop.id,
        current_app.config["PLAN_REMIND_AUDIENCE"],
        subject,
        body,
        _payload("plan_reminder", slots, prop),
    )


def missed(slots: list[Slot], now: datetime) -> None:
    """Tell the supervisors that these slots of one plan window were missed."""
    head, prop, version = _context(slots)
    who_zh, who_en = _assignee(slots[0])
    window = f"{_local(slots[0].window_start, prop)}–{_local(slots[0].window_end, prop)}"
    subject = (
        f"漏巡：{version.name_zh} {window} 有 {len(slots)} 个点位未巡查 / "
        f"Missed patrol: {len(slots)} checkpoints of {version.name_en or version.name_zh} "
        f"({window})"
    )
    body = f"负责人 Assignee: {who_zh} / {who_en}\n{head}"
    enqueue(prop.id, "supervisor", subject, body, _payload("plan_missed", slots, prop))


def _context(slots: list[Slot]) -> tuple[str, Property, PlanVersion]:
    prop = db.session.get(Property, slots[0].property_id)
    version = db.session.get(PlanVersion, slots[0].plan_version_id)
    assert prop is not None and version is not None
    ids = [s.checkpoint_id for s in slots[:NAMES_SHOWN]]
    names = db.session.execute(
        select(Checkpoint.code, Checkpoint.name_zh).where(Checkpoint.id.in_(ids))
    ).all()
    lines = [f"- {name} ({code})" for code, name in names]
    if len(slots) > NAMES_SHOWN:
        lines.append(f"… 另有 {len(slots) - NAMES_SHOWN} 个 / and {len(slots) - NAMES_SHOWN} more")
    return "\n".join(lines), prop, version


def _assignee(slot: Slot) -> tuple[str, str]:
    if slot.assignee_id is not None:
        user = db.session.get(User, slot.assignee_id)
        if user is not None:
            return user.display_name, user.username
    zh, en = ROLES.get(slot.assignee_role or "", ("未指定", "nobody named"))
    return zh, en


def _local(moment: datetime, prop: Property) -> str:
    return moment.astimezone(ZoneInfo(prop.timezone)).strftime("%m-%d %H:%M")


def _payload(kind: str, slots: list[Slot], prop: Property) -> dict[str, Any]:
    first = slots[0]
    return {
        "kind": kind,
        "property_id": prop.id,
        "plan_id": first.plan_id,
        "plan_version_id": first.plan_version_id,
        "assignee_id": first.assignee_id,
        "assignee_role": first.assignee_role,
        "window_start": first.window_start.isoformat(),
        "window_end": first.window_end.isoformat(),
        "slot_ids": [s.id for s in slots],
        "checkpoint_ids": [s.checkpoint_id for s in slots],
    }
