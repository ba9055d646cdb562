"""The outbox: written with the change, claimed once, retried with backoff, given up on."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.models import utcnow
from app.extensions import db
from app.notify import senders, worker
from app.notify.models import Notification
from app.notify.senders import IDEMPOTENCY_HEADER
from app.notify.service import enqueue
from app.notify.worker import claim_due, deliver_due
from app.places.models import Zone
from tests import factories
from tests.notify.conftest import channel


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)) or 0


def _reload(row: Notification) -> Notification:
    db.session.refresh(row)
    return row


def _sent_ids(receiver) -> list[str]:
    return sorted(r.headers[IDEMPOTENCY_HEADER] for r in receiver.requests)


def test_enqueue_picks_the_active_channels_of_the_audience(app, world):
    a, b = world.a, world.b
    other_dept = factories.department(a.prop, code="CLEAN", name_zh="环境部")
    dept = channel(a.prop, "wecom", "https://robot.example.com/a", "department", a.department.id)
    channel(a.prop, "webhook", "https://hooks.example.com/c", "department", other_dept.id)
    sup = channel(a.prop, "webhook", "https://hooks.example.com/sup")
    channel(a.prop, "webhook", "https://hooks.example.com/off", active=False)
    desk = channel(a.prop, "email", "desk@example.com", "frontdesk")
    channel(b.prop, "webhook", "https://hooks.example.com/b")
    channel(b.prop, "wecom", "https://robot.example.com/b", "department", b.department.id)

    rows = enqueue(a.prop.id, "department", "主题", "正文", {"n": 1}, department_id=a.department.id)
    assert [(r.channel_id, r.kind, r.address) for r in rows] == [(dept.id, dept.kind, dept.address)]
    assert rows[0].status == "pending" and rows[0].attempts == 0 and rows[0].id is not None
    assert rows[0].payload == {"n": 1} and rows[0].property_id == a.prop.id
    assert [r.channel_id for r in enqueue(a.prop.id, "supervisor", "s", "b", {})] == [sup.id]
    assert [r.channel_id for r in enqueue(a.prop.id, "frontdesk", "s", "b", {})] == [desk.id]
    assert enqueue(a.prop.id, "department", "s", "b", {}, department_id=None) == []
    with pytest.raises(ValueError):
        enqueue(a.prop.id, "everyone", "s", "b", {})
    long = enqueue(a.prop.id, "supervisor", "长" * 400, "b", {})[0]
    assert len(long.subject) == 300 and long.subject.endswith("…")


def test_rollback_of_the_change_leaves_no_notification(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    db.session.commit()

    zone = factories.zone(world.a.prop, name_zh="新区域")  # the change the message reports
    enqueue(world.a.prop.id, "supervisor", "s", "b", {})
    db.session.rollback()

    assert _count() == 0
    assert db.session.scalar(select(Zone).where(Zone.name_zh == zone.name_zh)) is None
    assert deliver_due()["claimed"] == 0
    assert receiver.requests == []


def test_receiver_down_backs_off_then_delivers_once_up(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    port = receiver.port
    receiver.stop()
    [row] = enqueue(world.a.prop.id, "supervisor", "s", "b", {})
    db.session.commit()
    now = utcnow()

    assert deliver_due(now) == {
        "claimed": 1,
        "sent": 0,
        "retrying": 1,
        "failed": 0,
        "lost": 0,
        "released": 0,
        "deferred": 0,
    }
    row = _reload(row)
    assert row.status == "pending" and row.attempts == 1 and row.lease_until is None
    assert "connection failed" in (row.last_error or "")
    assert "robot-key-123" not in (row.last_error or "")
    assert row.next_attempt_at == now + timedelta(seconds=30)

    receiver.start(port)
    assert deliver_due(now + timedelta(seconds=29))["claimed"] == 0
    assert deliver_due(now + timedelta(seconds=30))["sent"] == 1
    assert deliver_due(now + timedelta(hours=1))["claimed"] == 0
    assert _sent_ids(receiver) == [str(row.id)]
    row = _reload(row)
    assert row.status == "sent" and row.attempts == 1


def test_backoff_grows_then_gives_up_and_shows_in_the_outbox(app, world, receiver, login):
    channel(world.a.prop, "webhook", receiver.url)
    receiver.status = 503
    [row] = enqueue(world.a.prop.id, "supervisor", "s", "b", {})
    db.session.commit()
    now, waits = utcnow(), []

    for _ in range(app.config["NOTIFY_MAX_ATTEMPTS"] - 1):
        assert deliver_due(now)["retrying"] == 1
        row = _reload(row)
        waits.append(int((row.next_attempt_at - now).total_seconds()))
        assert deliver_due(row.next_attempt_at - timedelta(seconds=1))["claimed"] == 0
        now = row.next_attempt_at
    assert waits == [30, 120, 600, 3600, 10800, 10800, 10800]
    assert deliver_due(now)["failed"] == 1
    row = _reload(row)
    assert row.status == "failed" and row.attempts == 8
    assert deliver_due(now + timedelta(days=30))["claimed"] == 0
    assert len(receiver.requests) == 8

    body = login(world.a.users["admin"]).get("/api/v1/notifications?status=failed").get_json()
    assert [item["id"] for item in body["items"]] == [row.id]
    item = body["items"][0]
    assert item["attempts"] == 8 and "HTTP 503" in item["last_error"]
    assert item["status"] == "failed" and item["next_attempt_at"]


def test_repeated_and_concurrent_runs_send_each_row_once(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    rows = [enqueue(world.a.prop.id, "supervisor", f"s{i}", "b", {})[0] for i in range(24)]
    db.session.commit()
    now = utcnow()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                for _ in range(6):
                    deliver_due(now, limit=3)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for _ in range(3):
        deliver_due(now, limit=5)
    for t in threads:
        t.join()
    for _ in range(5):
        deliver_due(now)

    assert errors == []
    assert _sent_ids(receiver) == sorted(str(r.id) for r in rows)
    statuses = db.session.scalars(select(Notification.status)).all()
    assert set(statuses) == {"sent"}


def test_a_crashed_workers_rows_are_sent_after_its_lease(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    [row] = enqueue(world.a.prop.id, "supervisor", "s", "b", {})
    db.session.commit()
    now = utcnow()
    lease = timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"])

    claims, _ = claim_due(now, 10)  # ... and the worker dies before sending
    assert [c.message.id for c in claims] == [row.id]
    assert deliver_due(now + lease - timedelta(seconds=1))["claimed"] == 0

    assert deliver_due(now + lease + timedelta(seconds=1))["sent"] == 1
    row = _reload(row)
    assert row.status == "sent" and row.attempts == 1  # the lost attempt counts
    assert _sent_ids(receiver) == [str(row.id)]
    # The first worker wakes up: its lease is gone, so it records nothing.
    assert worker._record(claims[0], "late", now) == "lost"
    assert _reload(row).status == "sent"


def test_rows_of_a_worker_that_keeps_dying_are_given_up(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 2)
    channel(world.a.prop, "webhook", "https://hooks.example.com/x")
    [row] = enqueue(world.a.prop.id, "supervisor", "s", "b", {})
    db.session.commit()
    now = utcnow()
    lease = timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)

    claim_due(now, 10)
    claim_due(now + lease, 10)
    assert claim_due(now + 2 * lease, 10) == ([], 1)
    row = _reload(row)
    assert row.status == "failed" and row.attempts == 2 and "worker stopped" in row.last_error


def test_a_slow_batch_hands_back_the_rest(app, world, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_LEASE_SECONDS", 0)  # no time left after one send
    channel(world.a.prop, "webhook", receiver.url)
    for i in range(3):
        enqueue(world.a.prop.id, "supervisor", f"s{i}", "b", {})
    db.session.commit()
    now = utcnow()

    first = deliver_due(now)
    assert (first["claimed"], first["sent"], first["released"]) == (3, 1, 2)
    assert db.session.scalars(select(Notification.status)).all().count("pending") == 2
    assert deliver_due(now)["sent"] == 1
    assert deliver_due(now)["sent"] == 1
    assert len(receiver.requests) == 3


def test_a_crashing_sender_is_recorded_not_fatal(app, world, monkeypatch):
    def boom(message, config):
        raise RuntimeError(f"bug while sending to {message.address}")

    monkeypatch.setitem(senders.SENDERS, "webhook", boom)
    channel(world.a.prop, "webhook", "https://hooks.example.com/secret-token")
    [row] = enqueue(world.a.prop.id, "supervisor", "s", "b", {})
    db.session.commit()

    assert deliver_due()["retrying"] == 1
    row = _reload(row)
    assert row.status == "pending" and "RuntimeError" in (row.last_error or "")
    assert "secret-token" not in (row.last_error or "")
