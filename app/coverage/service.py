"""Coverage figures: expected visit slots against what happened, grouped five ways.

Figures for a range of the property's local days (both ends included), counted from the
materialized slots (one aggregate over an index) and the visits outside any slot:

- expected: every slot whose window starts on one of the days (weekly and monthly slots count on
  the day their window starts); done = done_on_time + done_late; done_doubtful (visited, but the
  inspection's presence score is below the property's threshold) is not done;
- coverage % = done / (expected − excused); on-time % = done_on_time / (expected − excused):
  excused slots leave the denominator, pending ones stay in it (so today's figure is progress);
  None when nothing is left to count;
- extra: inspections outside every slot's window and grace (repeat scans inside a slot are not
  extra; inspections a supervisor rejected are nothing). Extras have no shift (they count under
  "no shift") and count for the person who scanned.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, case, func, literal_column, null, select, union_all
from sqlalchemy.sql.elements import Null

from app.auth.models import ROLES, User
from app.auth.service import get_property
from app.errors import Invalid
from app.extensions import db
from app.places.models import Checkpoint, Zone
from app.plans.models import SLOT_STATUSES, Shift, Slot, Visit

GROUPS = ("zone", "checkpoint", "assignee", "shift", "day")
COUNTS = ("expected", *SLOT_STATUSES, "extra")
MAX_DAYS = 366


def check_range(first: date, last: date) -> None:
    """Refuse a reversed or over-long range of days."""
    if last < first:
        raise Invalid("结束日期早于开始日期", "to is before from.", field="to")
    if (last - first).days >= MAX_DAYS:
        raise Invalid(
            f"范围不能超过 {MAX_DAYS} 天", f"The range is longer than {MAX_DAYS} days.", field="to"
        )


def slot_key(group_by: str) -> list[Any]:
    """Return the slot columns a grouping groups by."""
    keys: dict[str, list[Any]] = {
        "zone": [Slot.zone_id],
        "checkpoint": [Slot.checkpoint_id],
        "assignee": [Slot.assignee_id, Slot.assignee_role],
        "shift": [Slot.shift_id],
        "day": [Slot.local_day],
        "zone_day": [Slot.zone_id, Slot.local_day],  # the heatmap's cells
    }
    return keys[group_by]


def slot_counts_query(
    property_id: Any, first: Any, last: Any, group_by: str, zone_id: Any = None
) -> Select:
    """Build the aggregate over slots: per group, how many of each status (extra is 0)."""
    key = slot_key(group_by)
    if group_by == "assignee":  # a named person, else the role the slot was left to
        key = [Slot.assignee_id, case((Slot.assignee_id.is_(None), Slot.assignee_role))]
    sums = [
        func.sum(case((Slot.status == status, 1), else_=0)).label(status)
        for status in SLOT_STATUSES
    ]
    query = select(
        *key, func.count().label("expected"), *sums, literal_column("0").label("extra")
    ).where(Slot.property_id == property_id, Slot.local_day >= first, Slot.local_day <= last)
    if zone_id is not None:
        query = query.where(Slot.zone_id == zone_id)
    return query.group_by(*key)


def extra_counts_query(
    property_id: Any, first: Any, last: Any, group_by: str, zone_id: Any = None
) -> Select:
    """Build the count of visits outside any slot, grouped and shaped like the slot query."""
    keys: dict[str, list[Any]] = {
        "zone": [Visit.zone_id],
        "checkpoint": [Visit.checkpoint_id],
        "assignee": [Visit.user_id, null()],
        "shift": [null()],
        "day": [Visit.local_day],
        "zone_day": [Visit.zone_id, Visit.local_day],
    }
    key = keys[group_by]
    zeros: list[Any] = [literal_column("0").label(name) for name in COUNTS[:-1]]
    query = select(*key, *zeros, func.count().label("extra")).where(
        Visit.property_id == property_id,
        Visit.local_day >= first,
        Visit.local_day <= last,
        Visit.slot_id.is_(None),
        Visit.standing != "rejected",
    )
    if zone_id is not None:
        query = query.where(Visit.zone_id == zone_id)
    grouped = [k for k in key if not isinstance(k, Null)]
    return query.group_by(*grouped).having(func.count() > 0)


def counts_query(
    property_id: Any, first: Any, last: Any, group_by: str, zone_id: Any = None
) -> Any:
    """Build the one statement behind the figures: slot counts and extras, grouped alike."""
    return union_all(
        slot_counts_query(property_id, first, last, group_by, zone_id),
        extra_counts_query(property_id, first, last, group_by, zone_id),
    )


@functools.cache
def _prepared(group_by: str, zoned: bool) -> Any:
    """Build the counts statement of a grouping once, with bound parameters (hot path)."""
    zone: Any = bindparam("zone_id") if zoned else None
    args: tuple[Any, ...] = (
        bindparam("property_id"),
        bindparam("first"),
        bindparam("last"),
        group_by,
        zone,
    )
    return counts_query(*args)


def counts(
    property_id: int, first: date, last: date, group_by: str, zone_id: int | None = None
) -> dict[Any, dict[str, int]]:
    """Return {group key: {expected, pending, …, extra}} for a property and range."""
    width = 2 if group_by in ("assignee", "zone_day") else 1
    params = {"property_id": property_id, "first": first, "last": last, "zone_id": zone_id}
    if zone_id is None:
        del params["zone_id"]
    out: dict[Any, dict[str, int]] = {}
    for row in db.session.execute(_prepared(group_by, zone_id is not None), params):
        key = tuple(row[:width]) if width > 1 else row[0]
        totals = out.setdefault(key, dict.fromkeys(COUNTS, 0))
        for n, name in enumerate(COUNTS):
            totals[name] += int(row[width + n] or 0)
    return out


def figures(values: dict[str, int]) -> dict[str, Any]:
    """Add done, coverage % and on-time % to a group's counts."""
    done = values["done_on_time"] + values["done_late"]
    base = values["expected"] - values["excused"]
    return {
        **values,
        "done": done,
        "coverage_pct": round(100 * done / base, 1) if base else None,
        "on_time_pct": round(100 * values["done_on_time"] / base, 1) if base else None,
    }


def coverage(args: dict[str, Any]) -> dict[str, Any]:
    """Return the coverage rows of a property and range, grouped as asked, with a total."""
    prop = get_property(args["property_id"])
    first, last, group_by = args["from_"], args["to"], args["group_by"]
    check_range(first, last)
    grouped = counts(prop.id, first, last, group_by, args.get("zone_id"))
    labels = _labels(group_by, list(grouped))
    rows = [
        {"key": _key_out(key), **labels.get(key, _unknown()), **figures(values)}
        for key, values in grouped.items()
    ]
    rows.sort(key=lambda r: (r["label_zh"] is None, _sort_key(group_by, r)))
    total = {name: sum(r[name] for r in rows) for name in COUNTS}
    return {
        "property_id": prop.id,
        "property_name": prop.name,
        "from": first,
        "to": last,
        "group_by": group_by,
        "rows": rows,
        "total": figures(total),
    }


def grid(args: dict[str, Any]) -> dict[str, Any]:
    """Return the zone × day figures of a property and range (the heatmap), with zone totals."""
    prop = get_property(args["property_id"])
    first, last = args["from_"], args["to"]
    check_range(first, last)
    cells = counts(prop.id, first, last, "zone_day", args.get("zone_id"))
    by_zone: dict[Any, dict[str, int]] = {}
    for (zone_id, _day), values in cells.items():
        totals = by_zone.setdefault(zone_id, dict.fromkeys(COUNTS, 0))
        for name in COUNTS:
            totals[name] += values[name]
    labels = _labels("zone", list(by_zone))
    zones = [
        {"key": key, **labels.get(key, _unknown()), **figures(values)}
        for key, values in by_zone.items()
    ]
    zones.sort(key=lambda r: (r["key"] is None, r["label_zh"] or ""))
    return {
        "property_id": prop.id,
        "property_name": prop.name,
        "from": first,
        "to": last,
        "days": [first + timedelta(days=n) for n in range((last - first).days + 1)],
        "zones": zones,
        "cells": [
            {"zone_id": zone_id, "day": day, **figures(values)}
            for (zone_id, day), values in sorted(
                cells.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])
            )
        ],
    }


def _sort_key(group_by: str, row: dict[str, Any]) -> Any:
    return str(row["key"]) if group_by == "day" else (row["label_zh"] or "")


def _key_out(key: Any) -> Any:
    if isinstance(key, tuple):  # assignee: the user, or the role when nobody is named
        return key[0] if key[0] is not None else f"role:{key[1]}" if key[1] else None
    return key.isoformat() if isinstance(key, date) else key


def _unknown() -> dict[str, Any]:
    return {"label_zh": "未指定", "label_en": "None"}


def _labels(group_by: str, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """Return the Chinese and English name of each group key."""
    if group_by == "day":
        return {k: {"label_zh": k.isoformat(), "label_en": k.isoformat()} for k in keys}
    if group_by == "assignee":
        return _assignee_labels(keys)
    model: Any
    model, zh, en = {
        "zone": (Zone, Zone.name_zh, Zone.name_en),
        "checkpoint": (Checkpoint, Checkpoint.name_zh, Checkpoint.name_en),
        "shift": (Shift, Shift.name_zh, Shift.name_en),
    }[group_by]
    ids = [k for k in keys if k is not None]
    rows = db.session.execute(select(model.id, zh, en).where(model.id.in_(ids)))
    labels = {row[0]: {"label_zh": row[1], "label_en": row[2] or row[1]} for row in rows}
    if group_by == "shift":
        labels[None] = {"label_zh": "班次外", "label_en": "No shift"}
    return labels


def _assignee_labels(keys: list[tuple]) -> dict[Any, dict[str, Any]]:
    ids = [k[0] for k in keys if k[0] is not None]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    labels: dict[Any, dict[str, Any]] = {}
    for key in keys:
        user_id, role = key
        if user_id in users:
            user = users[user_id]
            labels[key] = {"label_zh": user.display_name, "label_en": user.username}
        elif role in ROLES:
            zh, en = ROLES[role]
            labels[key] = {"label_zh": f"{zh}（角色）", "label_en": f"{en} (role)"}
    return labels


def missed_slots(args: dict[str, Any]) -> Select:
    """Select the missed slots of a property and range, oldest window first."""
    prop = get_property(args["property_id"])
    check_range(args["from_"], args["to"])
    query = select(Slot).where(
        Slot.property_id == prop.id,
        Slot.status == "missed",
        Slot.local_day >= args["from_"],
        Slot.local_day <= args["to"],
    )
    if args.get("zone_id") is not None:
        query = query.where(Slot.zone_id == args["zone_id"])
    return query.order_by(Slot.window_start, Slot.id)
