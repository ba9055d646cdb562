"""Rules for proof of presence: label signatures, phone clocks, the score, review decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm.attributes import set_committed_value

from app.audit.service import diff, record, snapshot
from app.auth.service import current_user, get_property, scoped
from app.checklists.models import ChecklistItem
from app.common.models import assign, utcnow
from app.errors import AppError, Conflict, Invalid
from app.extensions import db
from app.inspections.models import Inspection
from app.photos.models import Photo
from app.places.models import Checkpoint
from app.plans.matching import STANDING, set_standing
from app.presence import checks, signing
from app.presence import photos as photo_checks
from app.presence.models import PhotoPrint, Presence, PresenceSetting, Review

# A phone clock this close to the server's is left alone (request latency, not a wrong clock).
CLOCK_TOLERANCE = timedelta(seconds=2)
# Photos of these checkpoint kinds should show the label unless the item says otherwise.
LABEL_IN_PHOTO_KINDS = frozenset({"fire_equipment"})
LABEL_BONUS = 20
REVIEW_ROLES = frozenset({"supervisor", "admin"})


class LabelRefused(AppError):
    """A signed label that is forged (403) or of a retired printing (410)."""

    status = 403
    code = "label_invalid"


class LabelRetired(LabelRefused):
    """A label of an older printing: every copy of it stopped working when it was reprinted."""

    status = 410
    code = "label_retired"


REPORT_ZH = "请将此标签报告给主管或管理员更换。"
REPORT_EN = "Please report this label to your supervisor or admin for replacement."


# --- at submit: the phone's clock and the label it scanned ---


@dataclass(frozen=True)
class Clock:
    """The phone's times as sent and as corrected by its clock offset at sync time."""

    offset_s: float | None
    scanned_at: datetime
    submitted_at: datetime | None
    device_scanned_at: datetime
    device_submitted_at: datetime | None
    device_now: datetime | None


def read_clock(data: dict[str, Any], now: datetime | None = None) -> Clock:
    """Correct the phone's scan and submit times by how far its clock was off when it synced."""
    now = now or utcnow()
    device_now = data.get("device_now")
    scanned, submitted = data["scanned_at"], data.get("submitted_at")
    offset = (now - device_now) if device_now is not None else None
    shift = offset if offset is not None and abs(offset) > CLOCK_TOLERANCE else timedelta(0)
    return Clock(
        offset_s=offset.total_seconds() if offset is not None else None,
        scanned_at=scanned + shift,
        submitted_at=submitted + shift if submitted is not None else None,
        device_scanned_at=scanned,
        device_submitted_at=submitted,
        device_now=device_now,
    )


def check_label(
    code: str,
    data: dict[str, Any],
    label_version: int,
    reprinted_at: datetime | None = None,
    scanned_at: datetime | None = None,
) -> bool:
    """Verify the scanned label's signature; True when signed, False when the code was typed.

    The print before a reprint still counts for a scan made before the reprint (a phone that
    was offline then), never for one made after it.
    """
    signature, version = data.get("label_sig"), data.get("label_version")
    if not signature:
        return False
    if version is None:
        raise Invalid(
            "缺少标签版本", "label_version is required with label_sig.", field="label_version"
        )
    if not signing.verify(code, version, signature):
        raise LabelRefused(
            "此标签的签名不正确，不能用于巡查。" + REPORT_ZH,
            "This label's signature is not valid; it cannot be used for patrols. " + REPORT_EN,
            field="label_sig",
        )
    scanned_before_reprint = (
        version == label_version - 1
        and reprinted_at is not None
        and scanned_at is not None
        and scanned_at < reprinted_at
    )
    if version != label_version and not scanned_before_reprint:
        raise LabelRetired(
            "此标签已换发新版本，旧标签已作废。" + REPORT_ZH,
            "This label was reprinted; this old copy no longer works. " + REPORT_EN,
            field="label_version",
        )
    return True


# --- at submit: the evidence and the score ---


def assess(
    inspection: Inspection,
    data: dict[str, Any],
    clock: Clock,
    label_scanned: bool,
    answered: Sequence[tuple[ChecklistItem, list[Photo]]],
) -> Presence:
    """Record the evidence of a just-flushed inspection and score it (100 = surely there)."""
    cfg = checks.settings_for(inspection.property_id)
    photos = [p for _, ps in answered for p in ps]
    reasons = [] if label_scanned else [checks.reason("code_typed")]
    matches = photo_checks.find_matches(photos, inspection.property_id, inspection.id)
    for match in matches:
        code = "photo_identical" if match["identical"] else "photo_reused"
        reasons.append({**checks.reason(code), **match})
    fresh = checks.photo_fresh(
        _photo_moments(photos), clock.device_scanned_at, clock.device_submitted_at
    )
    if fresh is False:
        reasons.append(checks.reason("photo_not_fresh"))
    label_seen, label_reasons = _label_in_photo(inspection.checkpoint, answered)
    scan_to_submit = (
        (clock.device_submitted_at - clock.device_scanned_at).total_seconds()
        if clock.device_submitted_at is not None
        else None
    )
    reasons += [
        *label_reasons,
        *checks.quick_submit(scan_to_submit, len(answered), cfg),
        *checks.around(inspection, cfg),
        *checks.shared_device(inspection, data.get("device_id")),
    ]
    score = 100 - sum(r["penalty"] for r in reasons) + (LABEL_BONUS if label_seen else 0)
    score = max(0, min(100, score))
    presence = Presence(
        inspection_id=inspection.id,
        property_id=inspection.property_id,
        user_id=inspection.user_id,
        scanned_at=inspection.scanned_at,
        label_scanned=label_scanned,
        label_version=data.get("label_version") if label_scanned else None,
        device_scanned_at=clock.device_scanned_at,
        device_submitted_at=clock.device_submitted_at,
        device_now=clock.device_now,
        clock_offset_s=clock.offset_s,
        scan_to_submit_s=scan_to_submit,
        app_version=data.get("app_version"),
        device_id=data.get("device_id"),
        photos_fresh=fresh,
        label_in_photo=label_seen,
        score=score,
        status="ok" if score >= cfg.threshold else "doubtful",
        reasons=reasons,
        photo_matches=matches,
    )
    db.session.add(presence)
    db.session.flush()
    set_committed_value(inspection, "presence", presence)  # the response needs no reload
    return presence


def standing(presence: Presence) -> str:
    """Return how the inspection counts for coverage: ok, doubtful or rejected."""
    return STANDING[presence.status]


def _photo_moments(photos: Sequence[Photo]) -> list[datetime | None]:
    """Return each photo's capture time: the phone's file time, else EXIF (phone clock both)."""
    if not photos:
        return []
    files = dict(
        db.session.execute(
            select(PhotoPrint.photo_id, PhotoPrint.file_modified_at).where(
                PhotoPrint.photo_id.in_([p.id for p in photos])
            )
        ).all()
    )
    return [files.get(p.id) or p.taken_at for p in photos]


def wants_label(item: ChecklistItem, checkpoint: Checkpoint) -> bool:
    """Tell whether this item's photos should show the checkpoint's label."""
    if item.label_in_photo is not None:
        return item.label_in_photo
    return checkpoint.kind in LABEL_IN_PHOTO_KINDS


def _label_in_photo(
    checkpoint: Checkpoint, answered: Sequence[tuple[ChecklistItem, list[Photo]]]
) -> tuple[bool | None, list[dict[str, Any]]]:
    """Look for the checkpoint's own label in the photos: seen, another label, or missing."""
    photos = [p for _, ps in answered for p in ps]
    codes = photo_checks.codes_in(photos) if photos else set()
    if checkpoint.code in codes:
        return True, []
    if codes:
        return False, [checks.reason("other_label_in_photo", codes=sorted(codes))]
    asked = [p for item, ps in answered if wants_label(item, checkpoint) for p in ps]
    if asked:
        return False, [checks.reason("label_not_in_photo")]
    return None, []


# --- review (supervisors) ---


def review_queue(args: dict[str, Any]) -> Select:
    """Select the caller's flagged inspections (doubtful, or by status), newest scan first."""
    query = scoped(Inspection).join(Presence, Presence.inspection_id == Inspection.id)
    query = query.where(Presence.status == args.get("status", "doubtful"))
    if args.get("property_id") is not None:
        query = query.where(Inspection.property_id == args["property_id"])
    if args.get("user_id") is not None:
        query = query.where(Inspection.user_id == args["user_id"])
    return query.order_by(Inspection.scanned_at.desc(), Inspection.id.desc())


def decide(inspection: Inspection, decision: str, note: str | None) -> Review:
    """Accept or reject a flagged inspection; the decision is kept for good and moves coverage."""
    presence = inspection.presence
    if presence is None:
        raise Conflict("该记录没有到场证明", "This inspection has no presence record.")
    if decision == "reject" and not (note or "").strip():
        raise Invalid("驳回时请填写原因", "A note is required to reject.", field="note")
    review = Review(
        inspection_id=inspection.id,
        property_id=inspection.property_id,
        subject_user_id=inspection.user_id,
        reviewer_id=current_user().id,
        decision=decision,
        note=note,
        score=presence.score,
        previous_status=presence.status,
    )
    db.session.add(review)
    presence.status = "accepted" if decision == "accept" else "rejected"
    db.session.flush()
    set_standing(inspection.id, standing(presence))
    record(
        "inspection",
        inspection.id,
        decision,
        {"presence_status": [review.previous_status, presence.status], "note": [None, note]},
        property_id=inspection.property_id,
        summary=f"{inspection.checkpoint.name_zh} · {presence.score}",
    )
    return review


def reviews_of(inspection: Inspection) -> list[Review]:
    """Return the review decisions on an inspection, oldest first (the audit trail)."""
    return list(
        db.session.scalars(
            select(Review).where(Review.inspection_id == inspection.id).order_by(Review.id)
        )
    )


def record_notes(args: dict[str, Any]) -> Select:
    """Select the rejections on people's records in the caller's properties, newest first."""
    query = scoped(Review).where(Review.decision == "reject")
    if args.get("user_id") is not None:
        query = query.where(Review.subject_user_id == args["user_id"])
    return query.order_by(Review.decided_at.desc(), Review.id.desc())


def matched_photos(presence: Presence) -> list[Photo]:
    """Return the earlier photos this inspection's photos copy (for side-by-side review)."""
    ids = [m["earlier_photo_id"] for m in presence.photo_matches or []]
    if not ids:
        return []
    return list(db.session.scalars(select(Photo).where(Photo.id.in_(ids)).order_by(Photo.id)))


# --- settings ---


def get_settings(property_id: int) -> PresenceSetting:
    """Return a granted property's settings (the defaults, not stored, when never set)."""
    prop = get_property(property_id)
    stored = db.session.get(PresenceSetting, prop.id)
    if stored is not None:
        return stored
    return _defaults(prop.id)


def update_settings(property_id: int, data: dict[str, Any]) -> PresenceSetting:
    """Change a property's threshold or walking estimates (later inspections use them)."""
    prop = get_property(property_id)
    stored = db.session.get(PresenceSetting, prop.id)
    if stored is None:
        stored = _defaults(prop.id)
        db.session.add(stored)
    before = snapshot(stored, data.keys())
    assign(stored, data)
    stored.updated_by_id = current_user().id
    db.session.flush()
    record("presence_setting", prop.id, "update", diff(before, stored), property_id=prop.id)
    return stored


def _defaults(property_id: int) -> PresenceSetting:
    return PresenceSetting(property_id=property_id, **asdict(checks.DEFAULTS))
