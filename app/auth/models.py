"""User, property grant, login session, API token and login throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.models import Base, TimestampMixin, utcnow
from app.places.models import Department, Property

ROLES = {
    "assistant": ("物业助理", "Property assistant"),
    "inspector": ("装修巡查员", "Renovation inspector"),
    "frontdesk": ("客服前台", "Front desk"),
    "staff": ("部门员工", "Department staff"),
    "supervisor": ("物业主管", "Supervisor"),
    "admin": ("管理员", "Administrator"),
}

property_grant = Table(
    "property_grant",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("property_id", ForeignKey("property.id", ondelete="CASCADE"), primary_key=True),
)


class User(TimestampMixin, Base):
    """A person who logs in; sees only the properties granted to them."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change or deactivation; sessions are ended through AuthSession rows.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]

    department: Mapped[Department | None] = relationship()
    properties: Mapped[list[Property]] = relationship(
        secondary=property_grant, order_by="Property.id"
    )

    @property
    def property_ids(self) -> list[int]:
        """Return the ids of the granted properties."""
        return [p.id for p in self.properties]


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class AuthSession(Base):
    """A browser login (会话); the cookie holds a random id of which only the SHA-256 is stored."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Recent failed logins of one username or client address, and its lock (登录限制)."""

    __tablename__ = "login_throttle"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # username | address
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    locked_until: Mapped[datetime | None]
    # Locks in a row; each lasts twice as long as the one before.
    locks: Mapped[int] = mapped_column(default=0)


class OfflineGrant(Base):
    """A phone's key to reopen a session for someone who logged in offline (离线登录).

    Issued at an online login, kept on the phone only encrypted under the person's password;
    only its SHA-256 is stored here. It dies at its expiry and with any change of the
    person's password or access (session_version).
    """

    __tablename__ = "offline_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
