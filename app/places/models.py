"""Company, property, zone, checkpoint, unit, department and routing rule (地点与部门)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import Base, TimestampMixin, utcnow

ZONE_KINDS = {
    "building": ("楼栋", "Building"),
    "grounds": ("园区", "Grounds"),
    "shop_street": ("商业街", "Shop street"),
    "car_park": ("地下车库", "Car park"),
}

UNIT_STATUSES = {
    "handed_over": ("收楼", "Handed over"),
    "renovating": ("装修", "Under renovation"),
    "not_taken": ("未收楼", "Not taken over"),
    "not_up_to_standard": ("未达到收楼标准", "Not up to hand-over standard"),
}


class Company(TimestampMixin, Base):
    """A property management company (物业公司)."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Property(TimestampMixin, Base):
    """A managed estate (项目/小区); local times are shown in its time zone."""

    __tablename__ = "property"
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    address: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(default=True)
    # SLA clocks (seed 003 §4.1.1, §4.5.5.1): answer within 1 hour, close within a week.
    sla_accept_minutes: Mapped[int] = mapped_column(default=60)
    sla_accept_urgent_minutes: Mapped[int] = mapped_column(default=15)
    sla_close_hours: Mapped[int] = mapped_column(default=7 * 24)
    sla_close_urgent_hours: Mapped[int] = mapped_column(default=24)
    # Construction hours for renovation (装修施工时间), local time, and the notice deadline.
    construction_start: Mapped[str] = mapped_column(String(5), default="08:00")
    construction_end: Mapped[str] = mapped_column(String(5), default="18:00")
    notice_deadline_days: Mapped[int] = mapped_column(default=3)

    company: Mapped[Company] = relationship()


class Zone(TimestampMixin, Base):
    """A part of a property (区域): a building, the grounds, the shop street, the car park."""

    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("property_id", "name_zh"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)


class Checkpoint(TimestampMixin, Base):
    """A physical spot with a QR label (点位)."""

    __tablename__ = "checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None] = mapped_column(Float)
    lng: Mapped[float | None] = mapped_column(Float)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # Set for a renovation unit's door label: the unit it checks.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Bumped whenever the label is re-issued; the old printed labels stop working.
    label_version: Mapped[int] = mapped_column(default=1)
    # When the current label version was printed by a reprint: scans of the version before it
    # made earlier (offline phones syncing late) still count.
    label_reprinted_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)

    # Every view of a checkpoint names its zone.
    zone: Mapped[Zone] = relationship(lazy="joined", innerjoin=True)


class RetiredCode(Base):
    """A label code that no longer opens its checkpoint (label lost, copied or re-issued)."""

    __tablename__ = "retired_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    label_version: Mapped[int]
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    checkpoint: Mapped[Checkpoint] = relationship()


class Unit(TimestampMixin, Base):
    """A flat in a building (户) and its hand-over status."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("zone_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    floor: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="not_taken")
    active: Mapped[bool] = mapped_column(default=True)
    owner_name: Mapped[str | None] = mapped_column(String(100))
    owner_phone: Mapped[str | None] = mapped_column(String(32))

    zone: Mapped[Zone] = relationship()


class UnitStatusChange(Base):
    """One change of a unit's hand-over status (收楼 / 装修 / 未收楼 / 未达到收楼标准)."""

    __tablename__ = "unit_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(String(500))


class Department(TimestampMixin, Base):
    """A responsible department of a property (责任部门)."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("property_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)


class RoutingRule(TimestampMixin, Base):
    """Which department handles a category of problem at a property (派单规则)."""

    __tablename__ = "routing_rule"
    __table_args__ = (UniqueConstraint("property_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)

    department: Mapped[Department] = relationship()


# Checkpoint kinds seen in the seeds (003 §4.3.5, §4.3.7); each has its own checklist template.
CHECKPOINT_KINDS = {
    "unit_door": ("单元防盗门", "Unit security door"),
    "stairwell": ("走廊/楼梯间", "Corridor / stairwell"),
    "low_voltage_box": ("弱电箱", "Low-voltage box"),
    "meter_box": ("仪表箱", "Meter box"),
    "mailbox": ("邮箱", "Mailboxes"),
    "water_meter": ("单元水表", "Unit water meters"),
    "fire_equipment": ("消防设施", "Fire equipment"),
    "ceiling": ("天花板", "Ceiling"),
    "elevator_lobby": ("电梯厅", "Elevator lobby"),
    "shop": ("商铺", "Shop"),
    "green_area": ("绿化区", "Green area"),
    "grounds_lighting": ("园区照明", "Grounds lighting"),
    "public_area": ("公共区域", "Public area"),
    "car_park": ("地下车库", "Car park"),
    "renovation_unit": ("装修单元", "Unit under renovation"),
}

# Problem categories: the complaint categories of seed 001 plus the finer inspection ones.
# A routing rule maps each to a department.
CATEGORIES = {
    "house": ("房屋管理类", "Building management"),
    "equipment": ("设备管理类", "Equipment management"),
    "safety": ("安全管理类", "Safety management"),
    "environment": ("环境卫生类", "Environment & sanitation"),
    "service": ("综合服务类", "General services"),
    "dispute": ("业户纠纷类", "Disputes between residents"),
    "developer": ("房产相关类", "Developer related"),
    "government": ("政府及法律法规类", "Government, laws & regulations"),
    "fire": ("消防", "Fire safety"),
    "cleaning": ("清洁", "Cleaning"),
    "greening": ("绿化", "Landscaping"),
    "order": ("秩序维护", "Security & order"),
    "shop": ("商铺经营", "Shop operation"),
    "renovation": ("装修管理", "Renovation"),
    "legacy": ("遗留工程", "Legacy construction defects"),
}
