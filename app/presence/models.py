"""Presence evidence of an inspection, photo fingerprints, per-property settings, reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, SmallInteger, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.common.models import Base, utcnow

# What became of an inspection's presence: its score decided ok/doubtful; a supervisor's review
# turns it into accepted or rejected.
STATUSES = {
    "ok": ("可信", "Trusted"),
    "doubtful": ("存疑", "Doubtful"),
    "accepted": ("已确认", "Accepted"),
    "rejected": ("已驳回", "Rejected"),
}
DECISIONS = {"accept": ("确认", "Accept"), "reject": ("驳回", "Reject")}


class PresenceSetting(Base):
    """A property's presence threshold and walking-distance estimates (defaults when absent)."""

    __tablename__ = "presence_setting"

    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"), primary_key=True)
    # An inspection scoring below this counts as "done, doubtful" in coverage.
    threshold: Mapped[int] = mapped_column(default=60)
    walk_speed_mps: Mapped[float] = mapped_column(Float, default=1.2)
    # Walking estimates: another spot of the same zone, one floor up or down, another zone.
    same_zone_m: Mapped[float] = mapped_column(Float, default=30.0)
    floor_m: Mapped[float] = mapped_column(Float, default=12.0)
    other_zone_m: Mapped[float] = mapped_column(Float, default=120.0)
    # Fewer seconds than this per answered item between scan and submit is implausible.
    min_seconds_per_item: Mapped[float] = mapped_column(Float, default=1.5)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Presence(Base):
    """The evidence that someone stood at the checkpoint, its score and the reasons it fell."""

    __tablename__ = "presence"
    __table_args__ = (
        Index("ix_presence_property_status", "property_id", "status"),
        Index("ix_presence_device_scanned", "device_id", "scanned_at"),
    )

    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), primary_key=True
    )
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # The server-corrected scan time (a copy of the inspection's, for the device index).
    scanned_at: Mapped[datetime]
    # True when the phone sent a valid label signature; False: the code was typed.
    label_scanned: Mapped[bool] = mapped_column(default=False)
    label_version: Mapped[int | None]
    device_scanned_at: Mapped[datetime | None]
    device_submitted_at: Mapped[datetime | None]
    device_now: Mapped[datetime | None]
    # Server clock minus phone clock at sync time, in seconds (added to the phone's times).
    clock_offset_s: Mapped[float | None] = mapped_column(Float)
    scan_to_submit_s: Mapped[float | None] = mapped_column(Float)
    app_version: Mapped[str | None] = mapped_column(String(40))
    device_id: Mapped[str | None] = mapped_column(String(64))
    # None: no photo; True: every photo was taken during this inspection.
    photos_fresh: Mapped[bool | None]
    # None: not asked for; True: the checkpoint's own label was decoded in a photo.
    label_in_photo: Mapped[bool | None]
    score: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="ok")
    # [{code, zh, en, penalty, ...details}] — each a reason the score fell.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    # [{photo_id, earlier_photo_id, earlier_inspection_id, distance, identical}]
    photo_matches: Mapped[list] = mapped_column(JSON, default=list)
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhotoPrint(Base):
    """A photo's perceptual hash and the QR codes found in it (computed at upload)."""

    __tablename__ = "photo_print"

    photo_id: Mapped[int] = mapped_column(
        ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True
    )
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    # 64-bit difference hash of the display image, stored signed to fit a BIGINT.
    dhash: Mapped[int] = mapped_column(BigInteger)
    qr_texts: Mapped[list] = mapped_column(JSON, default=list)
    # The file's own timestamp as the phone reported it (phone clock), when sent.
    file_modified_at: Mapped[datetime | None]


class PhotoBand(Base):
    """One 8-bit band of a photo's hash: near-duplicates share at least one band (prefilter)."""

    __tablename__ = "photo_band"
    __table_args__ = (Index("ix_photo_band_lookup", "property_id", "band", "value"),)

    photo_id: Mapped[int] = mapped_column(
        ForeignKey("photo.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))


class Review(Base):
    """A supervisor's decision on a flagged inspection; never changed (the audit record)."""

    __tablename__ = "presence_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    property_id: Mapped[int] = mapped_column(ForeignKey("property.id"))
    # Whose inspection it was: a rejection is a note on this person's record.
    subject_user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(1000))
    score: Mapped[int]
    previous_status: Mapped[str] = mapped_column(String(10))

    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    subject_user: Mapped[User] = relationship(foreign_keys=[subject_user_id])


@event.listens_for(Review, "before_update")
@event.listens_for(Review, "before_delete")
def _immutable(*_: object) -> None:
    raise RuntimeError("A presence review is an audit record and cannot be changed.")
