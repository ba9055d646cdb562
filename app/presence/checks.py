"""Pace and pattern checks: each returns the reasons an inspection's score falls, if any.

Every query is bounded by an index to the person's neighbouring inspections (user, scan time),
the device's recent ones (device, scan time) or one instant: never a scan of all history.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, union_all

from app.extensions import db
from app.inspections.models import Inspection
from app.places.models import Checkpoint
from app.presence.models import Presence, PresenceSetting

# Penalties (out of 100) and the Chinese and English reason shown to supervisors.
REASONS: dict[str, tuple[int, str, str]] = {
    "code_typed": (30, "未扫描标签（手动输入编号）", "label not scanned (code typed)"),
    "photo_identical": (60, "照片与此前的照片完全相同", "photo identical to an earlier photo"),
    "photo_reused": (50, "照片与此前的照片几乎相同（疑似重复使用）", "photo reused (near copy)"),
    "photo_not_fresh": (25, "照片不是本次巡查时拍摄", "photo not taken during this inspection"),
    "label_not_in_photo": (15, "照片中未见本点位标签", "checkpoint's label not seen in photo"),
    "other_label_in_photo": (
        40,
        "照片中是其他点位的标签",
        "photo shows another checkpoint's label",
    ),
    "too_fast": (
        45,
        "与上一点位间隔短于步行所需时间",
        "faster than walking from the last checkpoint",
    ),
    "quick_submit": (25, "扫码到提交时间过短", "too little time between scan and submit"),
    "same_timestamp": (30, "与其他记录扫码时间完全相同（批量提交）", "same scan time as others"),
    "repeat_scan": (20, "短时间内重复扫描同一点位", "same checkpoint scanned again soon"),
    "shared_device": (35, "同一设备本班次被其他账号使用", "device used by another account"),
}
REPEAT_WINDOW = timedelta(minutes=30)
SHIFT_WINDOW = timedelta(hours=12)
# Scans read on each side of a new one: its neighbours, and enough to see a repeat or a batch.
NEARBY_LIMIT = 25
_FLOOR = re.compile(r"(?<![\d.])(-?\d{1,3})\s*(?:楼|层|F\b|/F)", re.IGNORECASE)


@dataclass(frozen=True)
class Defaults:
    """The settings of a property that never changed them."""

    threshold: int = 60
    walk_speed_mps: float = 1.2
    same_zone_m: float = 30.0
    floor_m: float = 12.0
    other_zone_m: float = 120.0
    min_seconds_per_item: float = 1.5


DEFAULTS = Defaults()
Settings = PresenceSetting | Defaults


def reason(code: str, **details: Any) -> dict[str, Any]:
    """Build one reason entry with its penalty and texts."""
    penalty, zh, en = REASONS[code]
    return {"code": code, "penalty": penalty, "zh": zh, "en": en, **details}


def settings_for(property_id: int) -> Settings:
    """Return the property's presence settings, or the defaults."""
    return db.session.get(PresenceSetting, property_id) or DEFAULTS


def floor_of(checkpoint: Any) -> int | None:
    """Guess a checkpoint's floor from its names or location ("5楼", "3层", "12F")."""
    for text in (checkpoint.name_zh, checkpoint.location or "", checkpoint.name_en or ""):
        match = _FLOOR.search(text)
        if match:
            return int(match.group(1))
    return None


def walk_metres(a: Any, b: Any, cfg: Settings) -> float:
    """Estimate the walking distance between two checkpoints."""
    if None not in (a.lat, a.lng, b.lat, b.lng):
        return _haversine(a.lat, a.lng, b.lat, b.lng)
    if a.zone_id != b.zone_id:
        return cfg.other_zone_m
    fa, fb = floor_of(a), floor_of(b)
    floors = abs(fa - fb) if fa is not None and fb is not None else 0
    return cfg.same_zone_m + floors * cfg.floor_m


def _haversine(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def around(inspection: Inspection, cfg: Settings) -> list[dict[str, Any]]:
    """Run the pace, same-timestamp and repeat checks on one read of the person's nearby scans."""
    nearby = _nearby(inspection)
    return [
        *pace(inspection, nearby, cfg),
        *same_timestamp(inspection, nearby),
        *repeat_scan(inspection, nearby),
    ]


def _nearby(inspection: Inspection) -> list[Any]:
    """Return the person's scans closest before and after this one within the repeat window.

    One statement of two indexed range reads (user, scan time), each bounded: the window also
    bounds the pace check, as no walk the estimates allow takes 30 minutes.
    """
    columns = (
        Inspection.id,
        Inspection.checkpoint_id,
        Inspection.scanned_at,
        Checkpoint.zone_id,
        Checkpoint.lat,
        Checkpoint.lng,
        Checkpoint.name_zh,
        Checkpoint.name_en,
        Checkpoint.location,
    )
    moment, mine = inspection.scanned_at, Inspection.user_id == inspection.user_id
    before = (
        select(*columns)
        .join(Checkpoint, Checkpoint.id == Inspection.checkpoint_id)
        .where(
            mine, Inspection.scanned_at <= moment, Inspection.scanned_at >= moment - REPEAT_WINDOW
        )
        .where(Inspection.id != inspection.id)
        .order_by(Inspection.scanned_at.desc())
        .limit(NEARBY_LIMIT)
        .subquery()
    )
    after = (
        select(*columns)
        .join(Checkpoint, Checkpoint.id == Inspection.checkpoint_id)
        .where(
            mine, Inspection.scanned_at > moment, Inspection.scanned_at <= moment + REPEAT_WINDOW
        )
        .order_by(Inspection.scanned_at)
        .limit(NEARBY_LIMIT)
        .subquery()
    )
    rows = db.session.execute(union_all(select(before), select(after)))
    return sorted(rows, key=lambda r: (r.scanned_at, r.id))


def pace(inspection: Inspection, nearby: list[Any], cfg: Settings) -> list[dict[str, Any]]:
    """Flag a scan too soon after (or before) the same person's neighbouring scan elsewhere."""
    moment = inspection.scanned_at
    before = [r for r in nearby if r.scanned_at <= moment]
    after = [r for r in nearby if r.scanned_at > moment]
    for neighbour in [*before[-1:], *after[:1]]:
        if neighbour.checkpoint_id == inspection.checkpoint_id:
            continue
        seconds = abs((moment - neighbour.scanned_at).total_seconds())
        metres = walk_metres(neighbour, inspection.checkpoint, cfg)
        needed = metres / cfg.walk_speed_mps
        if seconds < needed:
            return [
                reason(
                    "too_fast",
                    other_inspection_id=neighbour.id,
                    seconds=round(seconds, 1),
                    needed_seconds=round(needed, 1),
                )
            ]
    return []


def quick_submit(seconds: float | None, answered: int, cfg: Settings) -> list[dict[str, Any]]:
    """Flag a checklist answered faster than its items can be looked at."""
    if seconds is None:
        return []
    needed = max(3.0, answered * cfg.min_seconds_per_item)
    if seconds < needed:
        return [reason("quick_submit", seconds=round(seconds, 1), needed_seconds=needed)]
    return []


def same_timestamp(inspection: Inspection, nearby: list[Any]) -> list[dict[str, Any]]:
    """Flag a scan time shared exactly with the person's scans elsewhere (a batch of fakes)."""
    count = sum(
        1
        for r in nearby
        if r.scanned_at == inspection.scanned_at and r.checkpoint_id != inspection.checkpoint_id
    )
    return [reason("same_timestamp", count=count)] if count else []


def repeat_scan(inspection: Inspection, nearby: list[Any]) -> list[dict[str, Any]]:
    """Flag the same checkpoint scanned again by the same person within half an hour."""
    count = sum(1 for r in nearby if r.checkpoint_id == inspection.checkpoint_id)
    return [reason("repeat_scan", count=count)] if count else []


def shared_device(inspection: Inspection, device_id: str | None) -> list[dict[str, Any]]:
    """Flag a device that another account used within the same shift (12 hours either side)."""
    if not device_id:
        return []
    other = db.session.scalar(
        select(Presence.user_id)
        .where(
            Presence.device_id == device_id,
            Presence.scanned_at >= inspection.scanned_at - SHIFT_WINDOW,
            Presence.scanned_at <= inspection.scanned_at + SHIFT_WINDOW,
            Presence.user_id != inspection.user_id,
        )
        .limit(1)
    )
    return [reason("shared_device", other_user_id=other)] if other is not None else []


def photo_fresh(
    moments: list[datetime | None], scanned: datetime, submitted: datetime | None
) -> bool | None:
    """Tell whether every photo was taken between scan and submit (phone clock, 2 min slack)."""
    known = [m for m in moments if m is not None]
    if not known:
        return None
    slack = timedelta(minutes=2)
    last = (submitted or scanned + timedelta(hours=2)) + slack
    return all(scanned - slack <= m <= last for m in known)
