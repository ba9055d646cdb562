"""The outbox answers what the OpenAPI document says: a row not yet sent has null fields."""

from __future__ import annotations

from app.extensions import db
from app.notify.models import Notification
from tests.notify.conftest import channel
from tests.openapi import assert_documented


def test_a_waiting_notification_with_no_ticket_matches_the_document(app, world, login):
    ch = channel(world.a.prop, "webhook", "https://hooks.example.com/patrol")
    db.session.add(
        Notification(
            property_id=world.a.prop.id,
            channel_id=ch.id,
            kind=ch.kind,
            address=ch.address,
            subject="主题",
            body="正文",
            payload=None,
        )
    )
    db.session.commit()
    resp = login(world.a.users["admin"]).get("/api/v1/notifications")
    [row] = assert_documented(app, "get", "/api/v1/notifications", resp)["items"]
    assert row["ticket_id"] is None and row["sent_at"] is None and row["last_error"] is None
