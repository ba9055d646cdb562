"""The channels API and the outbox API: validation, permissions, property scoping, retry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.common.models import utcnow
from app.extensions import db
from app.notify.models import Notification, NotificationChannel
from app.notify.worker import deliver_due
from app.tickets.models import Ticket
from tests.factories import Site
from tests.notify.conftest import channel

ROLES = ["assistant", "inspector", "frontdesk", "staff", "supervisor", "admin"]
CHANNELS = "/api/v1/notification-channels"
ROBOT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-secret"


def _failed(site: Site, ch: NotificationChannel, **kw) -> Notification:
    """Add a notification that gave up (flushed)."""
    row = Notification(
        property_id=site.prop.id,
        channel_id=ch.id,
        kind=ch.kind,
        address=ch.address,
        subject="主题",
        body="正文",
        payload={},
        status=kw.pop("status", "failed"),
        attempts=kw.pop("attempts", 8),
        last_error=kw.pop("last_error", "对方返回 HTTP 500 / the receiver answered HTTP 500"),
        **kw,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _new_channel(site: Site) -> dict:
    return {
        "property_id": site.prop.id,
        "audience": "department",
        "department_id": site.department.id,
        "kind": "wecom",
        "address": "https://robot.example.com/new",
    }


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_permission_and_scoping_matrix(app, world, login, role, where):
    site = world.a if where == "own" else world.b
    ch = channel(site.prop, "wecom", ROBOT)
    row = _failed(site, ch)
    db.session.commit()
    c = login(world.a.users[role])
    reader, admin = role in ("admin", "supervisor"), role == "admin"
    hidden = 404 if where == "other" else None

    def expect(ok: int, allowed: bool) -> int:
        return (hidden or ok) if allowed else 403

    listed = c.get(CHANNELS)
    assert listed.status_code == (200 if reader else 403)
    if reader:
        assert [i["id"] for i in listed.get_json()["items"]] == ([ch.id] if hidden is None else [])
    outbox = c.get("/api/v1/notifications")
    assert outbox.status_code == (200 if reader else 403)
    if reader:
        assert [i["id"] for i in outbox.get_json()["items"]] == ([row.id] if not hidden else [])
    assert c.get(f"{CHANNELS}/{ch.id}").status_code == expect(200, reader)
    assert c.post(CHANNELS, json=_new_channel(site)).status_code == expect(201, admin)
    patched = c.patch(f"{CHANNELS}/{ch.id}", json={"address": "https://robot.example.com/x"})
    assert patched.status_code == expect(200, admin)
    assert c.post(f"/api/v1/notifications/{row.id}/retry").status_code == expect(200, admin)
    assert c.delete(f"{CHANNELS}/{ch.id}").status_code == expect(204, admin)
    db.session.expire_all()
    assert db.session.get(NotificationChannel, ch.id).active is not (admin and not hidden)


def test_create_channel_and_only_admins_see_a_robot_key(app, world, login):
    admin = login(world.a.users["admin"])
    data = {**_new_channel(world.a), "address": ROBOT}

    resp = admin.post(CHANNELS, json=data)

    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert {k: body[k] for k in data} == data
    assert body["active"] is True and body["id"]
    shown = login(world.a.users["supervisor"]).get(f"{CHANNELS}/{body['id']}").get_json()
    assert shown["address"] == "https://qyapi.weixin.qq.com/…"
    mail = admin.post(
        CHANNELS,
        json={
            "property_id": world.a.prop.id,
            "audience": "frontdesk",
            "kind": "email",
            "address": " desk@example.com ",
        },
    )
    assert mail.status_code == 201 and mail.get_json()["address"] == "desk@example.com"
    assert mail.get_json()["department_id"] is None


BAD_CHANNELS = [
    ({"kind": "sms"}, "kind"),
    ({"audience": "everyone"}, "audience"),
    ({"address": "ftp://robot.example.com/x"}, "address"),
    ({"address": "robot.example.com/x"}, "address"),
    ({"address": "http:///no-host"}, "address"),
    ({"address": "https://robot.example.com/a b"}, "address"),
    ({"kind": "email"}, "address"),
    ({"kind": "email", "address": "not-an-address"}, "address"),
    ({"kind": "email", "address": "a@example.com\nBcc: b@example.com"}, "address"),
    ({"kind": "webhook", "address": "desk@example.com"}, "address"),
    ({"department_id": None}, "department_id"),
    ({"department_id": 999999}, "department_id"),
    ({"audience": "supervisor"}, "department_id"),
    ({"address": ""}, "address"),
    ({"colour": "red"}, "colour"),
]


def test_create_channel_refuses_bad_input(app, world, login):
    admin = login(world.a.users["admin"])
    for change, field in BAD_CHANNELS:
        resp = admin.post(CHANNELS, json={**_new_channel(world.a), **change})
        assert resp.status_code == 422, (change, resp.get_json())
        assert field in resp.get_json()["errors"], change
    assert admin.get(CHANNELS).get_json()["total"] == 0


def test_department_of_another_property_is_refused(app, world, login):
    data = {**_new_channel(world.a), "department_id": world.b.department.id}
    resp = login(world.a.users["admin"]).post(CHANNELS, json=data)
    assert resp.status_code == 422 and "department_id" in resp.get_json()["errors"]


def test_same_active_channel_twice_is_a_conflict(app, world, login):
    admin = login(world.a.users["admin"])
    first = admin.post(CHANNELS, json=_new_channel(world.a)).get_json()
    assert admin.post(CHANNELS, json=_new_channel(world.a)).status_code == 409
    assert admin.delete(f"{CHANNELS}/{first['id']}").status_code == 204
    assert admin.post(CHANNELS, json=_new_channel(world.a)).status_code == 201
    assert admin.patch(f"{CHANNELS}/{first['id']}", json={"active": True}).status_code == 409


def test_patch_is_checked_as_a_whole_and_pending_rows_follow(app, world, login):
    ch = channel(world.a.prop, "webhook", "https://hooks.example.com/old")
    waiting = _failed(world.a, ch, status="pending", attempts=1)
    done = _failed(world.a, ch, status="sent", attempts=0, last_error=None)
    db.session.commit()
    admin = login(world.a.users["admin"])

    assert admin.patch(f"{CHANNELS}/{ch.id}", json={"kind": "email"}).status_code == 422
    assert admin.patch(f"{CHANNELS}/{ch.id}", json={"property_id": 1}).status_code == 422
    resp = admin.patch(f"{CHANNELS}/{ch.id}", json={"kind": "email", "address": "eng@example.com"})
    assert resp.status_code == 200 and resp.get_json()["kind"] == "email"

    db.session.expire_all()
    assert (waiting.kind, waiting.address) == ("email", "eng@example.com")
    assert done.address == "https://hooks.example.com/old"


def test_delete_deactivates_and_gives_up_what_waits(app, world, login):
    ch = channel(world.a.prop, "webhook", "https://hooks.example.com/x")
    waiting = _failed(world.a, ch, status="pending", attempts=0, last_error=None)
    db.session.commit()
    admin = login(world.a.users["admin"])

    assert admin.delete(f"{CHANNELS}/{ch.id}").status_code == 204

    db.session.expire_all()
    assert ch.active is False
    assert waiting.status == "failed" and "deactivated" in waiting.last_error
    assert admin.get(f"{CHANNELS}?active=false").get_json()["total"] == 1
    resp = admin.post(f"/api/v1/notifications/{waiting.id}/retry")
    assert resp.status_code == 409


def test_retry_sends_a_failed_row_again_to_the_current_address(app, world, login, receiver):
    ch = channel(world.a.prop, "webhook", "https://hooks.example.com/broken")
    row = _failed(world.a, ch)
    sent = _failed(world.a, ch, status="sent", attempts=0)
    db.session.commit()
    admin = login(world.a.users["admin"])
    admin.patch(f"{CHANNELS}/{ch.id}", json={"address": receiver.url})  # the admin fixes it

    resp = admin.post(f"/api/v1/notifications/{row.id}/retry")

    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "pending" and body["attempts"] == 0
    assert body["address"] == receiver.url
    assert admin.post(f"/api/v1/notifications/{row.id}/retry").status_code == 409
    assert admin.post(f"/api/v1/notifications/{sent.id}/retry").status_code == 409
    assert deliver_due(utcnow() + timedelta(seconds=1))["sent"] == 1
    assert len(receiver.requests) == 1
    db.session.refresh(row)
    assert row.status == "sent"


def test_outbox_filters_and_pages_newest_first(app, world, login):
    ch = channel(world.a.prop, "webhook", "https://hooks.example.com/x")
    now = utcnow()
    ticket = Ticket(
        property_id=world.a.prop.id,
        number="A-1",
        category="equipment",
        title="灯坏了",
        accept_due_at=now,
        close_due_at=now,
    )
    db.session.add(ticket)
    db.session.flush()
    old = _failed(world.a, ch, created_at=now - timedelta(hours=1))
    new = _failed(world.a, ch, status="pending", attempts=2, ticket_id=ticket.id, created_at=now)
    db.session.commit()
    c = login(world.a.users["supervisor"])

    page = c.get("/api/v1/notifications?per_page=1").get_json()
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [new.id]
    by_ticket = c.get(f"/api/v1/notifications?ticket_id={ticket.id}").get_json()
    assert [i["id"] for i in by_ticket["items"]] == [new.id]
    failed = c.get("/api/v1/notifications?status=failed").get_json()
    assert [i["id"] for i in failed["items"]] == [old.id]
    assert failed["items"][0]["address"] == "https://hooks.example.com/…"
    assert c.get("/api/v1/notifications?status=lost").status_code == 422
