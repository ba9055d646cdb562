"""Checkpoints and units as import sheets: columns, how a row is checked, applied, exported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.auth import service as auth_service
from app.common.schemas import SEES_CONTACTS, mask_phone
from app.extensions import db
from app.imports.checks import Plan, Row, plan_for
from app.imports.sheets import Column
from app.places import service as places
from app.places.models import (
    CHECKPOINT_KINDS,
    UNIT_STATUSES,
    Checkpoint,
    Property,
    RetiredCode,
    Unit,
    Zone,
)

CODE = r"[A-Za-z0-9-]{3,16}"
PHONE = r"\+?[0-9 -]{5,20}"
USERNAME = r"[A-Za-z0-9_.-]{2,64}"
ACTIVE = Column("active", "启用", "active")


def _yes(value: bool) -> str:
    return "是" if value else "否"


class Context:
    """What the rows of one import are checked against (one property's lookups)."""

    def __init__(self, prop: Property) -> None:
        self.prop = prop
        self.zones = {
            z.name_zh: z
            for z in db.session.scalars(select(Zone).where(Zone.property_id == prop.id))
        }
        self.seen: dict[Any, int] = {}

    def zone(self, row: Row, name: str, building: bool = False) -> Zone | None:
        """Find an active zone of the property by its Chinese name."""
        text = row.text(name, 100, required=True)
        zone = self.zones.get(text or "")
        if text and zone is None:
            row.problem(name, "本项目没有该区域", "No zone of this property has this name.")
        elif zone is not None and not zone.active:
            row.problem(name, "该区域已停用", "This zone is deactivated.")
        elif zone is not None and building and zone.kind != "building":
            row.problem(name, "户只能属于楼栋", "A unit belongs to a building zone.")
        else:
            return zone
        return None

    def once(self, row: Row, name: str, key: Any) -> bool:
        """Tell whether this key is new in the sheet; a repeat is a problem naming the first row."""
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            row.problem(name, f"与第 {first} 行重复", f"Same as row {first}.")
            return False
        return True


# --- checkpoints ---


class Checkpoints:
    """Checkpoints, matched by code, or by zone and Chinese name when the code is empty."""

    entity = "checkpoint"
    writers = frozenset({"admin"})
    columns = (
        Column("code", "编码", "code"),
        Column("zone", "区域", "zone", True),
        Column("kind", "类型", "kind", True),
        Column("name_zh", "名称", "name_zh", True),
        Column("name_en", "英文名称", "name_en"),
        Column("location", "位置", "location"),
        ACTIVE,
    )

    def __init__(self, prop: Property) -> None:
        self.ctx = Context(prop)
        rows = db.session.scalars(select(Checkpoint).where(Checkpoint.property_id == prop.id))
        self.existing = list(rows)
        self.by_code = {c.code: c for c in self.existing}
        self.by_name = {(c.zone_id, c.name_zh): c for c in reversed(self.existing)}

    def check(self, row: Row) -> Plan | None:
        """Check one row and say what committing it would do."""
        zone = self.ctx.zone(row, "zone")
        values = {
            "kind": row.choice("kind", CHECKPOINT_KINDS, required=True),
            "name_zh": row.text("name_zh", 200, required=True),
            "name_en": row.text("name_en", 200),
            "location": row.text("location", 300),
            "active": row.boolean("active"),
        }
        code = row.pattern(
            "code", CODE, "编码应为 3–16 位字母、数字或 -", "3–16 letters, digits, -"
        )
        code = code.upper() if code else None
        if row.problems or zone is None:
            return None
        values["zone_id"] = zone.id
        target = self._target(row, code, zone)
        if row.problems:
            return None
        key = code or f"{zone.name_zh} {values['name_zh']}"
        if target is None:
            values["code"] = code
        return plan_for(row, key, target, values)

    def _target(self, row: Row, code: str | None, zone: Zone) -> Checkpoint | None:
        name = row.cells["name_zh"]
        if code:
            if not self.ctx.once(row, "code", ("code", code)):
                return None
            target = self.by_code.get(code)
            if target is None and self._taken(code):
                row.problem(
                    "code",
                    "该编码已被其他项目使用或已作废",
                    "This code is used elsewhere or belonged to a replaced label.",
                )
            return target
        if not self.ctx.once(row, "name_zh", ("name", zone.id, name)):
            return None
        return self.by_name.get((zone.id, name))

    def _taken(self, code: str) -> bool:
        used = select(Checkpoint.id).where(Checkpoint.code == code)
        retired = select(RetiredCode.id).where(RetiredCode.code == code)
        return db.session.scalar(used.union_all(retired).limit(1)) is not None

    def apply(self, plan: Plan) -> None:
        """Create or update the checkpoint of a checked row."""
        if plan.action == "create":
            places.create_checkpoint(dict(plan.values))
        elif plan.action == "update":
            places.update_checkpoint(plan.target, dict(plan.values))

    def export(self) -> list[list[Any]]:
        """Return the property's checkpoints as sheet rows."""
        zones = {z.id: z.name_zh for z in self.ctx.zones.values()}
        return [
            [
                c.code,
                zones.get(c.zone_id, ""),
                c.kind,
                c.name_zh,
                c.name_en,
                c.location,
                _yes(c.active),
            ]
            for c in sorted(self.existing, key=lambda c: (c.zone_id, c.id))
        ]

    def notes(self) -> list[tuple[str, str]]:
        """Return the allowed values shown on the template's notes sheet."""
        return [
            ("编码 code", "留空则自动生成；填写则按编码更新 / empty: generated; given: matched"),
            ("区域 zone", "、".join(self.ctx.zones)),
            ("类型 kind", "; ".join(f"{k} {zh}" for k, (zh, _) in CHECKPOINT_KINDS.items())),
            ("启用 active", "是/否 yes/no（空=是 empty = yes）"),
        ]


# --- units ---


class Units:
    """Units, matched by building and number."""

    entity = "unit"
    writers = frozenset({"admin", "supervisor"})
    columns = (
        Column("building", "楼栋", "building", True),
        Column("floor", "楼层", "floor", True),
        Column("number", "房号", "number", True),
        Column("status", "状态", "status"),
        Column("owner_name", "业主", "owner_name"),
        Column("owner_phone", "业主电话", "owner_phone"),
        ACTIVE,
    )

    def __init__(self, prop: Property) -> None:
        self.ctx = Context(prop)
        self.existing = list(db.session.scalars(select(Unit).where(Unit.property_id == prop.id)))
        self.by_key = {(u.zone_id, u.number): u for u in self.existing}

    def check(self, row: Row) -> Plan | None:
        """Check one row and say what committing it would do."""
        zone = self.ctx.zone(row, "building", building=True)
        values: dict[str, Any] = {
            "floor": row.integer("floor", -10, 200, required=True),
            "number": row.text("number", 20, required=True),
            "owner_name": row.text("owner_name", 100),
            "active": row.boolean("active"),
        }
        status = row.choice("status", UNIT_STATUSES)
        if zone is None or row.problems:
            return None
        target = None
        if self.ctx.once(row, "number", (zone.id, values["number"])):
            target = self.by_key.get((zone.id, values["number"]))
        values["owner_phone"] = self._phone(row, target)
        if row.problems:
            return None
        values["zone_id"] = zone.id
        if status or target is None:
            values["status"] = status or "not_taken"
        return plan_for(row, f"{zone.name_zh} {values['number']}", target, values)

    def _phone(self, row: Row, target: Unit | None) -> str | None:
        phone = row.cells.get("owner_phone", "")
        # An export masks phones for those who may not see them; re-importing it keeps them.
        if "*" in phone and target is not None and mask_phone(target.owner_phone) == phone:
            return target.owner_phone
        return row.pattern("owner_phone", PHONE, "电话号码格式不对", "Not a phone number.")

    def apply(self, plan: Plan) -> None:
        """Create or update the unit of a checked row."""
        if plan.action == "create":
            places.create_unit(dict(plan.values))
        elif plan.action == "update":
            places.update_unit(plan.target, dict(plan.values))

    def export(self) -> list[list[Any]]:
        """Return the property's units as sheet rows (phones masked unless the caller sees them)."""
        zones = {z.id: z.name_zh for z in self.ctx.zones.values()}
        full = auth_service.current_user().role in SEES_CONTACTS
        return [
            [
                zones.get(u.zone_id, ""),
                u.floor,
                u.number,
                u.status,
                u.owner_name,
                u.owner_phone if full else mask_phone(u.owner_phone),
                _yes(u.active),
            ]
            for u in sorted(self.existing, key=lambda u: (u.zone_id, u.floor, u.number))
        ]

    def notes(self) -> list[tuple[str, str]]:
        """Return the allowed values shown on the template's notes sheet."""
        buildings = [z.name_zh for z in self.ctx.zones.values() if z.kind == "building"]
        return [
            ("楼栋 building", "、".join(buildings)),
            ("状态 status", "; ".join(f"{k} {zh}" for k, (zh, _) in UNIT_STATUSES.items())),
            ("启用 active", "是/否 yes/no（空=是 empty = yes）"),
        ]
