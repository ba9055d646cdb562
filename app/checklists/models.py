"""Checklist template per checkpoint kind, its immutable versions and their items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import Base, TimestampMixin, utcnow

ANSWER_TYPES = {
    "pass_fail": ("合格/不合格/不适用", "Pass / fail / n.a."),
    "number": ("数值", "Number"),
    "text": ("文字", "Text"),
}

SEVERITIES = {
    "low": ("轻微", "Low"),
    "medium": ("一般", "Medium"),
    "high": ("严重", "High"),
    "critical": ("紧急", "Critical"),
}


class ChecklistTemplate(TimestampMixin, Base):
    """The checklist of one checkpoint kind at one property."""

    __tablename__ = "checklist_template"
    __table_args__ = (UniqueConstraint("property_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="template", order_by="ChecklistVersion.number"
    )

    @property
    def current_version(self) -> ChecklistVersion | None:
        """Return the newest published version."""
        return self.versions[-1] if self.versions else None


class ChecklistVersion(Base):
    """A published, never-edited version of a template; inspections point at one."""

    __tablename__ = "checklist_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    template: Mapped[ChecklistTemplate] = relationship(back_populates="versions")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="version", order_by="ChecklistItem.position"
    )


class ChecklistItem(Base):
    """One question of a checklist version."""

    __tablename__ = "checklist_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("checklist_version.id"), index=True)
    position: Mapped[int]
    # Stable across versions: an edited item keeps its key, so its history and open tickets follow.
    key: Mapped[str] = mapped_column(String(36), index=True)
    text_zh: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str | None] = mapped_column(String(300))
    answer_type: Mapped[str] = mapped_column(String(20), default="pass_fail")
    required: Mapped[bool] = mapped_column(default=True)
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(20))
    photo_required_on_fail: Mapped[bool] = mapped_column(default=True)
    # Its photos should show the checkpoint's own QR label; None: yes for fire equipment only.
    label_in_photo: Mapped[bool | None]
    severity: Mapped[str] = mapped_column(String(20), default="medium")
    category: Mapped[str] = mapped_column(String(40))

    version: Mapped[ChecklistVersion] = relationship(back_populates="items")
