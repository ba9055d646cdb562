"""A stored photo: what was uploaded, and the display and thumbnail copies that are served."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.common.models import Base, utcnow


class Photo(Base):
    """An uploaded image; only its re-encoded copies (no GPS, no personal EXIF) are served."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Generated on the phone, so a retried upload finds the photo it already sent.
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_type: Mapped[str] = mapped_column(String(40))
    original_bytes: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    taken_at: Mapped[datetime | None]
    display_key: Mapped[str] = mapped_column(String(200))
    display_width: Mapped[int]
    display_height: Mapped[int]
    display_bytes: Mapped[int]
    thumb_key: Mapped[str] = mapped_column(String(200))
    thumb_bytes: Mapped[int]
