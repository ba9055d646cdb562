"""One audit entry per set-up change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.common.models import Base, utcnow

ENTITIES = {
    "property": ("项目", "Property"),
    "zone": ("区域", "Zone"),
    "checkpoint": ("点位", "Checkpoint"),
    "unit": ("户", "Unit"),
    "department": ("部门", "Department"),
    "routing_rule": ("派单规则", "Routing rule"),
    "checklist": ("检查表", "Checklist"),
    "user": ("用户", "User"),
    "notification_channel": ("通知渠道", "Notification channel"),
    "shift": ("班次", "Shift"),
    "presence_setting": ("到场证明设置", "Presence settings"),
    "inspection": ("巡查记录", "Inspection"),
}
ACTIONS = {
    "create": ("新建", "Created"),
    "update": ("修改", "Changed"),
    "deactivate": ("停用", "Deactivated"),
    "reactivate": ("启用", "Reactivated"),
    "delete": ("删除", "Deleted"),
    "publish": ("发布新版本", "Published a version"),
    "reissue_code": ("换发标签编码", "Re-issued the label code"),
    "reset_password": ("重置密码", "Reset the password"),
    "import": ("批量导入", "Imported"),
    "reprint": ("重印标签", "Reprinted the label"),
    "accept": ("审核通过", "Accepted on review"),
    "reject": ("审核驳回", "Rejected on review"),
    "login_failed": ("登录失败", "Failed login"),
    "login_locked": ("登录被锁定", "Logins locked"),
    "login_refused": ("锁定期间拒绝登录", "Login refused while locked"),
}


class AuditEntry(Base):
    """Who changed which set-up object, when, and each field's old and new value."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    # None for company-wide objects (users); they are shown to admins of the same company.
    property_id: Mapped[int | None] = mapped_column(ForeignKey("property.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str | None] = mapped_column(String(300))
    changes: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()
