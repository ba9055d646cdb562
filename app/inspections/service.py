"""Rules for inspections: check against the checklist the phone used, store once, raise tickets."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select

from app.auth.models import User
from app.auth.service import current_user, granted_property_ids, scoped
from app.checklists.models import ChecklistItem, ChecklistVersion
from app.checklists.service import resolve_code, template_for_kind
from app.common.fields import has_control_characters
from app.common.models import utcnow
from app.errors import AppError, Conflict, Invalid
from app.extensions import db
from app.inspections.models import Inspection, ItemResult, result_photo
from app.photos.models import Photo
from app.photos.service import get_owned_photos
from app.places.models import Checkpoint, RetiredCode
from app.plans.service import on_inspection_stored
from app.presence import service as presence
from app.renovation.service import notice_for_failure, reinspect
from app.tickets.service import raise_for_failure

# A phone clock a little ahead is normal; a day ahead is a broken clock or a forged time.
MAX_CLOCK_AHEAD = timedelta(days=1)


def find_submission(client_uuid: str) -> Inspection | None:
    """Return the inspection stored under a phone's client UUID, if any."""
    return db.session.scalar(select(Inspection).where(Inspection.client_uuid == client_uuid))


def replayed(data: dict[str, Any]) -> Inspection | None:
    """Return the caller's earlier submission with this UUID and the same content.

    Another user's UUID, or the same UUID with different answers, is a conflict: the phone
    must tell its user rather than believe the stored record is what they sent.
    """
    inspection = find_submission(str(data["client_uuid"]))
    if inspection is None:
        return None
    if inspection.user_id != current_user().id:
        raise Conflict(
            "该记录编号已被其他用户使用",
            "This client_uuid belongs to another user.",
            field="client_uuid",
        )
    if fingerprint(data) != stored_fingerprint(inspection):
        raise Conflict(
            f"该记录编号已用于另一条巡查记录（编号 {inspection.id}），内容不同，未保存",
            f"This client_uuid already stored inspection {inspection.id} with different "
            "answers; this one was not saved.",
            field="client_uuid",
            inspection_id=inspection.id,
        )
    return inspection


def fingerprint(data: dict[str, Any]) -> tuple:
    """Return what a submission says: checkpoint and answers, not the times of its sending.

    A phone resends the same record with a new device clock, submit time or app version;
    only the code scanned and the answers (item, outcome, value, note, photos) must match.
    """
    return (
        checkpoint_code(data),
        tuple(
            sorted(
                _answer_print(
                    r["item_id"], r["outcome"], r.get("value"), r.get("note"), r["photo_ids"]
                )
                for r in data["results"]
            )
        ),
    )


def stored_fingerprint(inspection: Inspection) -> tuple:
    """Return the fingerprint of a stored inspection, comparable with fingerprint()."""
    return (
        inspection.code,
        tuple(
            sorted(
                _answer_print(
                    r.item_id,
                    r.outcome,
                    r.value_number if r.value_number is not None else r.value_text,
                    r.note,
                    [p.id for p in r.photos],
                )
                for r in inspection.results
            )
        ),
    )


def _answer_print(
    item_id: int, outcome: str, value: Any, note: str | None, photo_ids: list[int]
) -> tuple:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
    return (item_id, outcome, repr(value), (note or "").strip(), tuple(sorted(photo_ids)))


def submit(data: dict[str, Any]) -> Inspection:
    """Store a new inspection with its results and raise a ticket for every failed item."""
    user = current_user()
    # Offline phones sync late: their times are corrected by their clock's offset at sync.
    clock = presence.read_clock(data)
    if clock.scanned_at > utcnow() + MAX_CLOCK_AHEAD:
        raise Invalid("扫码时间晚于当前时间", "scanned_at is in the future.", field="scanned_at")
    checkpoint, label_version = _resolve_checkpoint(data["checkpoint_code"], clock.scanned_at)
    current_label = checkpoint.code == checkpoint_code(data)
    label_scanned = presence.check_label(
        checkpoint_code(data),
        data,
        label_version,
        checkpoint.label_reprinted_at if current_label else None,
        clock.scanned_at,
    )
    if label_scanned:
        label_version = data["label_version"]  # the print that was scanned
    version = _version_used(checkpoint, data)
    checked = _check_results(version, data["results"], user, checkpoint.property_id)
    inspection = Inspection(
        client_uuid=str(data["client_uuid"]),
        property_id=checkpoint.property_id,
        checkpoint=checkpoint,
        checklist_version_id=version.id,
        user_id=user.id,
        code=checkpoint_code(data),
        label_version=label_version,
        scanned_at=clock.scanned_at,
        submitted_at=clock.submitted_at,
        lat=data.get("lat"),
        lng=data.get("lng"),
        accuracy=data.get("accuracy"),
        note=data.get("note"),
        failed_count=sum(1 for r, _, _ in checked if r["outcome"] == "fail"),
        results=[],  # loaded from the start, so the response needs no reload
    )
    db.session.add(inspection)
    # Flush now: a concurrent duplicate fails here on client_uuid, before any ticket number.
    db.session.flush()
    for raw, item, photos in checked:
        result = _store_result(inspection, raw, item, photos)
        if result.outcome == "fail":
            notice_for_failure(raise_for_failure(inspection, result, user), inspection, result)
    db.session.flush()
    answered = [(item, photos) for _, item, photos in checked]
    proof = presence.assess(inspection, data, clock, label_scanned, answered)
    reinspect(inspection)
    # Coverage: this visit fulfils its plan slots, even late ("doubtful" when its score is low).
    on_inspection_stored(inspection, standing=presence.standing(proof))
    return inspection


def checkpoint_code(data: dict[str, Any]) -> str:
    """Return the scanned or typed checkpoint code, normalised."""
    return str(data["checkpoint_code"]).strip().upper()


def _resolve_checkpoint(code: str, scanned_at: datetime) -> tuple[Checkpoint, int]:
    """Find the scanned checkpoint; a label retired after this scan still counts (offline)."""
    try:
        checkpoint = resolve_code(code)
    except AppError as exc:
        retired = db.session.scalar(
            select(RetiredCode).where(RetiredCode.code == code.strip().upper())
        )
        if (
            retired is not None
            and retired.checkpoint.property_id in granted_property_ids()
            and scanned_at < retired.retired_at
            and retired.checkpoint.active
        ):
            return retired.checkpoint, retired.label_version
        exc.errors = {"checkpoint_code": [exc.message_en]}
        raise
    return checkpoint, checkpoint.label_version


def _version_used(checkpoint: Checkpoint, data: dict[str, Any]) -> ChecklistVersion:
    """Return the checklist version the phone answered: named, or that of its first item."""
    template = template_for_kind(checkpoint.property_id, checkpoint.kind)
    field, version = "checklist_version_id", None
    if data.get("checklist_version_id") is not None:
        version = db.session.get(ChecklistVersion, data["checklist_version_id"])
    else:
        field = "results.0.item_id"
        item = db.session.get(ChecklistItem, data["results"][0]["item_id"])
        version = item.version if item else None
    if template is None or version is None or version.template_id != template.id:
        raise Invalid(
            "该检查项不属于此点位的检查表",
            "Not a version of this checkpoint's checklist.",
            field=field,
        )
    return version


def _check_results(
    version: ChecklistVersion, results: list[dict[str, Any]], user: User, property_id: int
) -> list[tuple[dict[str, Any], ChecklistItem, list[Photo]]]:
    """Validate every answer against its item; collect all problems before refusing."""
    items = {i.id: i for i in version.items}
    errors: dict[str, list[str]] = {}
    checked, seen = [], set()
    photo_ids: set[int] = set()
    for n, raw in enumerate(results):
        item = items.get(raw["item_id"])
        if item is None or item.id in seen:
            why = "Not an item of this checklist." if item is None else "Answered twice."
            errors[f"results.{n}.item_id"] = [why]
            continue
        seen.add(item.id)
        problems = _answer_problems(item, raw)
        if raw["outcome"] == "fail" and item.photo_required_on_fail and not raw["photo_ids"]:
            problems["photo_ids"] = "A photo is required when this item fails."
        errors.update({f"results.{n}.{k}": [v] for k, v in problems.items()})
        shared = photo_ids.intersection(raw["photo_ids"]) or _repeated(raw["photo_ids"])
        if shared:  # one photo is the proof of one answer; result_photo refuses it twice
            errors[f"results.{n}.photo_ids"] = [f"Photo {min(shared)} is given twice."]
        photo_ids.update(raw["photo_ids"])
        photos = _photos(raw["photo_ids"], user, property_id, f"results.{n}.photo_ids", errors)
        checked.append((raw, item, photos))
    missing = [i.text_zh for i in version.items if i.required and i.id not in seen]
    if missing:
        errors["results"] = ["Required items not answered: " + "、".join(missing)]
    if errors:
        raise Invalid(
            "检查结果有误，请检查标注的项目", "Some results are not valid.", errors=errors
        )
    return checked


def _answer_problems(item: ChecklistItem, raw: dict[str, Any]) -> dict[str, str]:
    """Return {field: problem} for one answer."""
    value, outcome = raw.get("value"), raw["outcome"]
    if item.answer_type == "pass_fail":
        return {"value": "This item takes no value."} if value is not None else {}
    if item.answer_type == "text":
        if value is not None and not isinstance(value, str):
            return {"value": "Text expected."}
        if isinstance(value, str) and len(value) > 1000:
            return {"value": "Longer than 1000 characters."}
        if isinstance(value, str) and has_control_characters(value):
            return {"value": "Control characters are not allowed."}
        return {}
    if outcome == "na" and value is None:
        return {}
    if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
        return {"value": "A number is required."}
    low, high = item.min_value, item.max_value
    out_of_range = (low is not None and value < low) or (high is not None and value > high)
    if out_of_range and outcome != "fail":
        return {"outcome": f"Reading {value:g} is outside {low}–{high}: mark it as fail."}
    return {}


def _finite(number: float) -> bool:
    """Tell whether a number from JSON fits a float column (10**400 parses as an int)."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def _repeated(ids: list[int]) -> set[int]:
    return {i for i in ids if ids.count(i) > 1}


def _photos(
    ids: list[int], user: User, property_id: int, field: str, errors: dict[str, list[str]]
) -> list[Photo]:
    if not ids:
        return []
    try:
        photos = get_owned_photos(ids, user, property_id, field)
    except Invalid as exc:
        errors.update(exc.errors or {field: [exc.message_en]})
        return []
    used = db.session.scalar(
        select(result_photo.c.photo_id).where(result_photo.c.photo_id.in_(ids)).limit(1)
    )
    if used is not None:
        errors[field] = [f"Photo {used} is already part of another inspection."]
    return photos


def _store_result(
    inspection: Inspection, raw: dict[str, Any], item: ChecklistItem, photos: list[Photo]
) -> ItemResult:
    value = raw.get("value")
    result = ItemResult(
        inspection=inspection,
        item=item,
        outcome=raw["outcome"],
        note=raw.get("note"),
        value_number=float(value) if item.answer_type == "number" and value is not None else None,
        value_text=value if item.answer_type == "text" else None,
    )
    result.photos = photos
    db.session.add(result)
    return result


def list_inspections(args: dict[str, Any]) -> Select:
    """Filter the caller's visible inspections, newest scan first."""
    query = scoped(Inspection)
    for name in ("property_id", "checkpoint_id"):
        if args.get(name) is not None:
            query = query.where(getattr(Inspection, name) == args[name])
    if args.get("user_id") is not None:
        me = args["user_id"] == "me"
        query = query.where(
            Inspection.user_id == (current_user().id if me else int(args["user_id"]))
        )
    if args.get("zone_id") is not None:
        query = query.join(Checkpoint).where(Checkpoint.zone_id == args["zone_id"])
    if args.get("failed") is not None:
        query = query.where((Inspection.failed_count > 0) == args["failed"])
    if args.get("from_") is not None:
        query = query.where(Inspection.scanned_at >= args["from_"])
    if args.get("to") is not None:
        query = query.where(Inspection.scanned_at < args["to"])
    return query.order_by(Inspection.scanned_at.desc(), Inspection.id.desc())
