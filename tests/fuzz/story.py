"""A day's work at the demo property, through the API, so that the fuzz run meets every kind of row.

The demo seed holds places, checklists, plans and past patrols; this adds what people make during
a day: photos, an inspection with a failed item and its ticket, a complaint walked through its
steps, a notification channel and its outbox, a renovation permit with its ledger, a violation
notice, a hand-over note, a reissued label, a second checklist version and the audit trail.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from app.auth.models import User
from app.auth.service import create_token
from app.extensions import db
from app.places.models import Checkpoint, Property, Unit


class Caller:
    """A demo user calling the API with a bearer token."""

    def __init__(self, app: Flask, username: str) -> None:
        user = db.session.scalars(select(User).where(User.username == username)).one()
        _, self.token = create_token(user, f"story-{username}")
        self.client: FlaskClient = app.test_client()

    def call(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        resp = self.client.open(f"/api/v1{path}", method=method, headers=headers, **kw)
        assert resp.status_code == expect, (method, path, resp.status_code, resp.get_data())
        return resp.get_json()

    def photo(self, property_id: int) -> int:
        buf = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
        data = {
            "file": (io.BytesIO(buf.getvalue()), "photo.jpg"),
            "client_uuid": str(uuid.uuid4()),
            "property_id": str(property_id),
        }
        return self.call("POST", "/photos", 201, data=data, content_type="multipart/form-data")[
            "id"
        ]


def play(app: Flask) -> None:
    """Play the day inside an app context (the caller commits nothing: every call did)."""
    prop = db.session.scalars(select(Property).where(Property.code == "CH")).one()
    who = {
        name: Caller(app, name)
        for name in ("admin", "supervisor", "frontdesk", "assistant", "inspector")
    }
    db.session.commit()
    admin, supervisor, frontdesk = who["admin"], who["supervisor"], who["frontdesk"]
    assistant, inspector = who["assistant"], who["inspector"]
    admin.call(
        "POST",
        "/notification-channels",
        201,
        json={
            "property_id": prop.id,
            "audience": "frontdesk",
            "kind": "webhook",
            "address": "https://hooks.example.com/patrol",
        },
    )
    _failed_inspection(assistant, prop)
    complaint = frontdesk.call(
        "POST",
        "/tickets",
        201,
        json={
            "property_id": prop.id,
            "category": "environment",
            "description": "楼道有垃圾",
            "location_text": "A幢3楼",
            "photo_ids": [frontdesk.photo(prop.id)],
        },
    )
    for _ in range(3):  # walk it as far as the front desk and the supervisor may
        ticket = supervisor.call("GET", f"/tickets/{complaint['id']}")
        actions = [a for a in ticket["allowed_actions"] if a not in ("delay", "reassign")]
        if not actions:
            break
        supervisor.call(
            "POST", f"/tickets/{complaint['id']}/events", json={"action": actions[0], "note": "好"}
        )
    _renovation(frontdesk, supervisor, inspector, prop)
    assistant.call("POST", "/handovers", 201, json={"property_id": prop.id, "note": "钥匙在前台"})
    checkpoint = db.session.scalars(
        select(Checkpoint).where(Checkpoint.property_id == prop.id).order_by(Checkpoint.id)
    ).first()
    assert checkpoint is not None
    admin.call("POST", f"/checkpoints/{checkpoint.id}/reissue-code")
    admin.call("PUT", f"/presence/settings?property_id={prop.id}", json={"threshold": 70})
    template = admin.call("GET", f"/checklists?property_id={prop.id}")["items"][0]
    detail = admin.call("GET", f"/checklists/{template['id']}")
    items = [
        {k: v for k, v in item.items() if k not in ("id", "position")}
        for item in detail["current_version"]["items"]
    ]
    items[0]["text_zh"] += "（新）"
    admin.call("PUT", f"/checklists/{template['id']}", json={"items": items})


def _failed_inspection(assistant: Caller, prop: Property) -> None:
    """Fail the first item at a stairwell, with a photo: a ticket and its notifications."""
    checkpoint = db.session.scalars(
        select(Checkpoint).where(Checkpoint.property_id == prop.id, Checkpoint.kind == "stairwell")
    ).first()
    assert checkpoint is not None
    scanned = assistant.call("GET", f"/checkpoints/by-code/{checkpoint.code}")
    items = scanned["checklist"]["items"]
    results = [{"item_id": item["id"], "outcome": "pass"} for item in items]
    results[0] = {
        "item_id": items[0]["id"],
        "outcome": "fail",
        "note": "灯不亮",
        "photo_ids": [assistant.photo(prop.id)],
    }
    assistant.call(
        "POST",
        "/inspections",
        201,
        json={
            "client_uuid": str(uuid.uuid4()),
            "checkpoint_code": checkpoint.code,
            "scanned_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
            "results": results,
        },
    )


def _renovation(frontdesk: Caller, supervisor: Caller, inspector: Caller, prop: Property) -> None:
    """A permit approved and charged, and a violation at another unit."""
    units = db.session.scalars(
        select(Unit).where(Unit.property_id == prop.id).order_by(Unit.id).limit(2)
    ).all()
    today = datetime.now(UTC).date()
    permit = frontdesk.call(
        "POST",
        "/permits",
        201,
        json={
            "unit_id": units[0].id,
            "owner_name": "陈先生",
            "contractor": "美家装饰",
            "planned_start": today.isoformat(),
            "planned_end": (today + timedelta(days=60)).isoformat(),
            "scope": "水电改造",
            "deposit_cents": 300000,
        },
    )
    supervisor.call("POST", f"/permits/{permit['id']}/steps", json={"action": "approve"})
    supervisor.call(
        "POST",
        f"/permits/{permit['id']}/ledger",
        201,
        json={"kind": "deduction", "amount_cents": 5000, "reason": "垃圾未清"},
    )
    inspector.call(
        "POST",
        f"/units/{units[1].id}/violations",
        201,
        json={"rule": "未办装修许可", "description": "正在拆墙"},
    )
