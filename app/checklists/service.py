"""Rules for checklists: publishing versions, never editing one in place."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g
from sqlalchemy import select

from app.audit import service as audit
from app.auth.service import get_property
from app.checklists.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
from app.common.models import assign
from app.errors import Gone, NotFound
from app.extensions import db
from app.places.models import Checkpoint
from app.places.service import ensure_unique, find_by_code, find_retired_code

ITEM_FIELDS = (
    "text_zh",
    "text_en",
    "answer_type",
    "required",
    "min_value",
    "max_value",
    "unit",
    "photo_required_on_fail",
    "label_in_photo",
    "severity",
    "category",
)


def _item_key(item: dict[str, Any] | ChecklistItem) -> tuple:
    if isinstance(item, dict):
        return tuple(item.get(f) for f in ITEM_FIELDS)
    return tuple(getattr(item, f) for f in ITEM_FIELDS)


def create_template(data: dict[str, Any]) -> ChecklistTemplate:
    """Create a template for a checkpoint kind in a granted property (version 1)."""
    get_property(data["property_id"])
    template = add_template(data)
    audit.added("checklist", template, ("kind", "name_zh", "name_en"))
    _audit_version(template, template.versions[-1], None)
    return template


def add_template(data: dict[str, Any]) -> ChecklistTemplate:
    """Create a template and publish its first version (no caller checks: seed and tests)."""
    ensure_unique(ChecklistTemplate, "kind", data["kind"], property_id=data["property_id"])
    data = dict(data)
    items = data.pop("items")
    template = ChecklistTemplate(**data)
    db.session.add(template)
    db.session.flush()
    publish(template, items)
    return template


def publish(template: ChecklistTemplate, items: list[dict[str, Any]]) -> ChecklistVersion:
    """Publish items as the template's next version, unless they equal the current one."""
    current = template.current_version
    if current and [_item_key(i) for i in current.items] == [_item_key(i) for i in items]:
        return current
    version = ChecklistVersion(
        template=template,
        number=(current.number + 1) if current else 1,
        created_by_id=_caller_id(),
    )
    db.session.add(version)
    keys = _item_keys(current.items if current else [], items)
    for position, (item, key) in enumerate(zip(items, keys, strict=True), start=1):
        fields = {f: item.get(f) for f in ITEM_FIELDS}
        db.session.add(ChecklistItem(version=version, position=position, key=key, **fields))
    db.session.flush()
    db.session.refresh(template, ["versions"])
    return version


def _item_keys(previous: list[ChecklistItem], items: list[dict[str, Any]]) -> list[str]:
    """Keep the key of an item the client names by key or leaves with the same Chinese text."""
    known = {i.key for i in previous}
    by_text = {i.text_zh: i.key for i in previous}
    keys: list[str] = []
    for item in items:
        key = item.get("key")
        if key not in known:
            key = by_text.get(item["text_zh"])
        if key is None or key in keys:
            key = uuid.uuid4().hex[:12]
        keys.append(key)
    return keys


def update_template(template: ChecklistTemplate, data: dict[str, Any]) -> ChecklistTemplate:
    """Rename a template and publish its edited items as a new version."""
    patch_template(template, {k: data[k] for k in ("name_zh", "name_en") if k in data})
    previous = template.current_version
    version = publish(template, data["items"])
    if version is not previous:
        _audit_version(template, version, previous)
    return template


def patch_template(template: ChecklistTemplate, data: dict[str, Any]) -> ChecklistTemplate:
    """Rename a template or retire it (active=false) without publishing a version."""
    before = audit.snapshot(template, data.keys())
    assign(template, data)
    audit.changed("checklist", template, before)
    return template


def _items_for_audit(version: ChecklistVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [{"key": i.key, **{f: getattr(i, f) for f in ITEM_FIELDS}} for i in version.items]


def _audit_version(
    template: ChecklistTemplate, version: ChecklistVersion, previous: ChecklistVersion | None
) -> None:
    audit.record(
        "checklist",
        template.id,
        "publish",
        {
            "version": [previous.number if previous else None, version.number],
            "items": [_items_for_audit(previous), _items_for_audit(version)],
        },
        property_id=template.property_id,
        summary=template.name_zh,
    )


def used_by(template: ChecklistTemplate) -> dict[str, Any]:
    """Return the active checkpoints whose kind uses this template at its property."""
    checkpoints = list(
        db.session.scalars(
            select(Checkpoint)
            .where(
                Checkpoint.property_id == template.property_id,
                Checkpoint.kind == template.kind,
                Checkpoint.active.is_(True),
            )
            .order_by(Checkpoint.zone_id, Checkpoint.id)
        )
    )
    return {"count": len(checkpoints), "checkpoints": checkpoints}


def template_for_kind(property_id: int, kind: str) -> ChecklistTemplate | None:
    """Return the active template a checkpoint kind uses at a property."""
    return db.session.scalar(
        select(ChecklistTemplate).where(
            ChecklistTemplate.property_id == property_id,
            ChecklistTemplate.kind == kind,
            ChecklistTemplate.active.is_(True),
        )
    )


def checklist_for(checkpoint: Checkpoint) -> dict[str, Any] | None:
    """Return the current checklist of a checkpoint, as the phone shows it."""
    template = template_for_kind(checkpoint.property_id, checkpoint.kind)
    version = template.current_version if template else None
    if template is None or version is None:
        return None
    return {
        "template_id": template.id,
        "version_id": version.id,
        "version": version.number,
        "name_zh": template.name_zh,
        "name_en": template.name_en,
        "items": version.items,
    }


def open_checkpoint(code: str) -> Checkpoint:
    """Return the scanned checkpoint with its current checklist attached for the phone."""
    checkpoint = resolve_code(code)
    # Not a mapped column: the scan response carries the checklist beside the checkpoint.
    checkpoint.checklist = checklist_for(checkpoint)  # type: ignore[attr-defined]
    return checkpoint


def resolve_code(code: str) -> Checkpoint:
    """Return the active checkpoint a label code names, or raise 404/410 naming `code`."""
    checkpoint = find_by_code(code)
    if checkpoint is None and find_retired_code(code) is not None:
        raise Gone(
            "此二维码标签已作废并已换发新标签，请勿用它巡查，并将此标签报告给主管或管理员。",
            "This QR label was replaced by a new one and no longer works. Do not use it for "
            "patrols; please report this label to your supervisor or admin.",
            field="code",
        )
    if checkpoint is None:
        raise NotFound("找不到该点位编码", "No checkpoint has this code.", field="code")
    if not checkpoint.active:
        raise NotFound("该点位已停用", "This checkpoint is no longer in use.", field="code")
    return checkpoint


def _caller_id() -> int | None:
    # The seed CLI publishes with no one logged in.
    user = g.get("user")
    return user.id if user else None
