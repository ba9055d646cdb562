"""QR labels: the URL a checkpoint's label encodes, the printable A4 sheet, re-issuing a code."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, NoReturn

from flask import current_app
from sqlalchemy import Select, select

from app.audit.service import changed, snapshot
from app.auth.service import current_user, get_scoped_ref, scoped
from app.common.models import utcnow
from app.common.public_url import localhost_warning, resolve_base_url
from app.errors import AppError, Conflict, Invalid, NotFound
from app.extensions import db
from app.labels import sheet
from app.places.models import Checkpoint, Property, RetiredCode, Zone
from app.places.schemas import CheckpointSchema
from app.places.service import new_checkpoint_code
from app.presence.signing import signed_url

PRINT_ROLES = frozenset({"admin", "supervisor"})
# One request renders at most this many labels (about 220 pages, a few seconds).
MAX_LABELS = 2000
# Tried in order when LABEL_FONT_PATH is not set: TrueType CJK fonts Debian and Ubuntu ship.
FONT_FALLBACKS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_URL_SCHEMA = CheckpointSchema(only=("url",))


class LabelFontMissing(AppError):
    """No embeddable Chinese font for the label sheet (a server set-up problem)."""

    status = 500
    code = "label_font_missing"


def label_address() -> dict[str, Any]:
    """Say which address labels printed now encode, where it came from, and any warning."""
    base_url, source = resolve_base_url()
    warning = localhost_warning(base_url)
    return {
        "base_url": base_url,
        "source": source,
        "localhost": warning is not None,
        "warning": warning,
    }


def label_url(checkpoint: Checkpoint) -> str:
    """Return the URL a checkpoint's QR label encodes: the API's `url` plus v and signature."""
    return signed_url(checkpoint.code, checkpoint.label_version)


def plain_url(checkpoint: Checkpoint) -> str:
    """Return the checkpoint's unsigned URL (the API's `url` field; typing it is allowed)."""
    return _URL_SCHEMA.dump(checkpoint)["url"]


# --- which checkpoints get a label ---


def checkpoints_to_label(args: dict[str, Any]) -> list[Checkpoint]:
    """Return the caller's active checkpoints matching zone, kind and/or chosen ids."""
    if not any(args.get(name) for name in ("zone_id", "kind", "checkpoint_id")):
        raise Invalid(
            "请指定区域 zone_id、点位类型 kind 或点位 checkpoint_id",
            "Give a zone_id, a kind or one or more checkpoint_id to print labels for.",
            field="zone_id",
        )
    query = scoped(Checkpoint).where(Checkpoint.active.is_(True))
    if args.get("zone_id") is not None:
        zone = get_scoped_ref(Zone, args["zone_id"], "zone_id")
        query = query.where(Checkpoint.zone_id == zone.id)
    if args.get("property_id") is not None:
        query = query.where(Checkpoint.property_id == args["property_id"])
    if args.get("kind"):
        query = query.where(Checkpoint.kind == args["kind"])
    if args.get("checkpoint_id"):
        query = query.where(Checkpoint.id.in_(_chosen_ids(args["checkpoint_id"])))
    return _active_list(query)


def _chosen_ids(ids: list[int]) -> set[int]:
    wanted = set(ids)
    found = set(
        db.session.scalars(
            scoped(Checkpoint).with_only_columns(Checkpoint.id).where(Checkpoint.id.in_(wanted))
        )
    )
    if found != wanted:
        raise NotFound(
            "找不到所选点位",
            "Some of the chosen checkpoints do not exist.",
            field="checkpoint_id",
            missing=sorted(wanted - found),
        )
    return wanted


def zone_checkpoints(zone: Zone) -> list[Checkpoint]:
    """Return a zone's active checkpoints in label order (the CLI's choice; no caller scope)."""
    query = select(Checkpoint).where(Checkpoint.zone_id == zone.id, Checkpoint.active.is_(True))
    return _active_list(query)


def _active_list(query: Select) -> list[Checkpoint]:
    checkpoints = list(db.session.scalars(query.order_by(Checkpoint.zone_id, Checkpoint.id)))
    if not checkpoints:
        raise NotFound("没有符合条件的在用点位", "No active checkpoints match.")
    if len(checkpoints) > MAX_LABELS:
        raise Invalid(
            f"一次最多打印 {MAX_LABELS} 个标签，请按区域分批打印",
            f"At most {MAX_LABELS} labels at a time; print zone by zone.",
            field="zone_id",
        )
    return checkpoints


def zone_by_ref(ref: str, property_code: str | None = None) -> Zone:
    """Find a zone by id or Chinese name, optionally within one property (for the CLI)."""
    query = select(Zone)
    if property_code:
        query = query.join(Property, Property.id == Zone.property_id).where(
            Property.code == property_code.strip().upper()
        )
    ref = ref.strip()
    by = (Zone.id == int(ref)) if ref.isdigit() else (Zone.name_zh == ref)
    zones = list(db.session.scalars(query.where(by)))
    if not zones:
        raise NotFound("找不到该区域", f"No zone {ref!r}.", field="zone")
    if len(zones) > 1:
        raise Invalid(
            "多个项目有同名区域，请用 --property 指定项目",
            f"Several properties have a zone {ref!r}; choose one with --property.",
            field="zone",
        )
    return zones[0]


# --- the sheet ---


def label_font() -> str:
    """Register the configured (or first installed) Chinese TrueType font; return its name."""
    configured = current_app.config.get("LABEL_FONT_PATH") or ""
    candidates = [configured] if configured else [p for p in FONT_FALLBACKS if os.path.isfile(p)]
    if not candidates:
        _font_missing("no CJK font found in " + ", ".join(FONT_FALLBACKS))
    try:
        return sheet.register_font(candidates[0])
    except sheet.FontError as exc:
        _font_missing(str(exc))


def _font_missing(why: str) -> NoReturn:
    # The path goes to the log only; the caller gets what to do about it.
    current_app.logger.error("label font: %s", why)
    raise LabelFontMissing(
        "服务器缺少可嵌入的中文字体，无法生成标签。请安装 fonts-wqy-microhei（make system-deps）"
        "或设置 LABEL_FONT_PATH 指向 TrueType 字体。",
        "No embeddable Chinese font for labels: install fonts-wqy-microhei (make system-deps) "
        "or set LABEL_FONT_PATH to a TrueType .ttf/.ttc file.",
    )


def render_labels(checkpoints: Sequence[Checkpoint], title: str | None = None) -> bytes:
    """Render the A4 PDF sheet of QR labels for these checkpoints."""
    labels = [
        sheet.Label(
            url=label_url(c),
            code=c.code,
            name_zh=c.name_zh,
            name_en=c.name_en or "",
            zone=" · ".join(n for n in (c.zone.name_zh, c.zone.name_en) if n),
            version=c.label_version,
        )
        for c in checkpoints
    ]
    return sheet.render(labels, label_font(), title or sheet_title(checkpoints))


def sheet_title(checkpoints: Sequence[Checkpoint]) -> str:
    """Name the sheet after its zone when all labels share one."""
    zones = {c.zone_id for c in checkpoints}
    if len(zones) == 1 and checkpoints:
        return f"巡查点位标签 Patrol labels · {checkpoints[0].zone.name_zh}"
    return "巡查点位标签 Patrol labels"


# --- re-issuing a code ---


def reissue_code(checkpoint: Checkpoint) -> Checkpoint:
    """Give a checkpoint a fresh code and retire the old one for good (label lost or copied)."""
    # Lock the row so two admins re-issuing at once cannot retire the same code twice.
    db.session.refresh(checkpoint, with_for_update=True)
    if not checkpoint.active:
        raise Conflict(
            "该点位已停用，无需更换标签", "This checkpoint is deactivated; it needs no new label."
        )
    db.session.add(
        RetiredCode(
            code=checkpoint.code,
            checkpoint_id=checkpoint.id,
            label_version=checkpoint.label_version,
            retired_by_id=current_user().id,
        )
    )
    db.session.flush()  # the old code counts as taken before a new one is drawn
    before = snapshot(checkpoint, ("code", "label_version"))
    checkpoint.code = new_checkpoint_code()
    checkpoint.label_version += 1
    db.session.flush()
    changed("checkpoint", checkpoint, before, action="reissue_code")
    # Not a mapped column: the response names what stopped working.
    checkpoint.replaced = {  # type: ignore[attr-defined]
        "code": before["code"],
        "label_version": before["label_version"],
        "message_zh": f"旧编码 {before['code']} 及其已打印的标签（第 {before['label_version']} 版）"
        "已作废：扫码将提示标签已更换。请打印并张贴新标签。",
        "message_en": f"The old code {before['code']} and its printed label "
        f"(version {before['label_version']}) no longer work: scanning them says the label "
        "was replaced. Print and put up the new label.",
    }
    return checkpoint


def reprint(checkpoint: Checkpoint) -> Checkpoint:
    """Bump a label's version, keeping its code: every older printed copy stops working."""
    db.session.refresh(checkpoint, with_for_update=True)
    if not checkpoint.active:
        raise Conflict(
            "该点位已停用，无需更换标签", "This checkpoint is deactivated; it needs no new label."
        )
    before = snapshot(checkpoint, ("label_version",))
    checkpoint.label_version += 1
    checkpoint.label_reprinted_at = utcnow()
    db.session.flush()
    changed("checkpoint", checkpoint, before, action="reprint")
    return checkpoint
