"""Sending a test message through a channel, against a real local HTTP receiver."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.notify.models import Notification
from tests.notify.conftest import channel


def _test(client, channel_id):
    return client.post(f"/api/v1/notification-channels/{channel_id}/test")


def test_a_webhook_test_arrives_and_reports_ok(world, login, receiver):
    hook = channel(world.a.prop, "webhook", receiver.url)
    db.session.commit()
    resp = _test(login(world.a.users["admin"]), hook.id)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["ok"] is True and body["error"] is None and body["elapsed_ms"] >= 0
    assert len(receiver.requests) == 1
    sent = receiver.requests[0].json()
    assert sent["payload"]["test"] is True and sent["payload"]["channel_id"] == hook.id
    assert "测试" in sent["subject"] and "test" in sent["subject"]
    assert db.session.query(Notification).count() == 0  # nothing goes into the outbox


def test_a_refusing_receiver_is_reported_with_its_status(world, login, receiver):
    receiver.status = 500
    hook = channel(world.a.prop, "webhook", receiver.url)
    db.session.commit()
    body = _test(login(world.a.users["admin"]), hook.id).get_json()
    assert body["ok"] is False and "HTTP 500" in body["error"]
    assert "robot-key-123" not in body["error"]


def test_a_wecom_error_code_is_reported(world, login, receiver):
    receiver.reply = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    robot = channel(world.a.prop, "wecom", receiver.url)
    db.session.commit()
    body = _test(login(world.a.users["admin"]), robot.id).get_json()
    assert body["ok"] is False and "93000" in body["error"]
    assert receiver.requests[0].json()["msgtype"] == "markdown"


def test_a_slow_receiver_times_out_quickly(world, login, receiver, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_TEST_TIMEOUT", 0.3)
    receiver.delay = 1.0
    hook = channel(world.a.prop, "webhook", receiver.url)
    db.session.commit()
    body = _test(login(world.a.users["admin"]), hook.id).get_json()
    assert body["ok"] is False and body["elapsed_ms"] < 1000


def test_nobody_listening_is_a_connection_error(world, login):
    hook = channel(world.a.prop, "webhook", "http://127.0.0.1:9/hook")
    db.session.commit()
    body = _test(login(world.a.users["admin"]), hook.id).get_json()
    assert body["ok"] is False and body["error"]


@pytest.mark.parametrize(
    "role,status",
    [("admin", 200), ("supervisor", 403), ("frontdesk", 403), ("assistant", 403)],
)
def test_only_admins_send_tests(world, login, receiver, role, status):
    hook = channel(world.a.prop, "webhook", receiver.url)
    db.session.commit()
    assert _test(login(world.a.users[role]), hook.id).status_code == status


def test_another_propertys_channel_is_not_found(world, login, receiver):
    hook = channel(world.b.prop, "webhook", receiver.url)
    db.session.commit()
    assert _test(login(world.a.users["admin"]), hook.id).status_code == 404
    assert receiver.requests == []
