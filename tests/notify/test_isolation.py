"""One receiver that hangs or is down delays nobody else, and no row is sent twice at once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.common.models import utcnow
from app.extensions import db
from app.notify.models import Notification
from app.notify.senders import IDEMPOTENCY_KEY
from app.notify.service import enqueue
from app.notify.worker import deliver_due
from tests.notify.conftest import channel


def _enqueue(world, count: int) -> None:
    for i in range(count):
        enqueue(world.a.prop.id, "supervisor", f"主题 {i}", "正文", {"n": i})
    db.session.commit()


def _rows(channel_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.channel_id == channel_id)
    return list(db.session.scalars(query.order_by(Notification.id)).all())


def _keys(receiver) -> list[int]:
    return [int(r.headers[IDEMPOTENCY_KEY]) for r in receiver.requests]


def test_a_hanging_receiver_delays_nobody_else(app, world, receivers, monkeypatch):
    timeout = 1.5  # generous: the healthy receiver must be done well inside it
    monkeypatch.setitem(app.config, "NOTIFY_READ_TIMEOUT", timeout)
    monkeypatch.setitem(app.config, "NOTIFY_SEND_DEADLINE", 2 * timeout)
    hanging, healthy = receivers(), receivers()
    hanging.hang = True
    a = channel(world.a.prop, "webhook", hanging.url)
    b = channel(world.a.prop, "webhook", healthy.url)
    _enqueue(world, 3)  # each message goes to both: A1 B1 A2 B2 A3 B3 by id
    now = utcnow()

    started = time.monotonic()
    counts = deliver_due(now)
    took = time.monotonic() - started

    assert (counts["sent"], counts["retrying"], counts["deferred"]) == (3, 1, 2)
    assert len(hanging.requests) == 1  # the rest of A's queue was not tried
    assert len(healthy.requests) == 3
    # B's messages all arrived before A's first one had even timed out.
    assert healthy.requests[-1].at < hanging.requests[0].at + timeout
    assert took < 2 * timeout  # not one timeout per message of A
    assert [r.status for r in _rows(b.id)] == ["sent"] * 3
    first, *rest = _rows(a.id)
    assert first.status == "pending" and first.attempts == 1 and "timed out" in first.last_error
    retry_at = now + timedelta(seconds=30)
    assert first.next_attempt_at == retry_at
    assert [(r.status, r.attempts, r.next_attempt_at) for r in rest] == [
        ("pending", 0, retry_at)
    ] * 2


def test_a_down_receivers_queue_waits_out_the_backoff_then_goes_in_order(
    app, world, receivers, limits
):
    down, up = receivers(), receivers()
    port = down.port
    down.stop()
    a = channel(world.a.prop, "webhook", down.url)
    channel(world.a.prop, "webhook", up.url)
    _enqueue(world, 3)
    ids = [r.id for r in _rows(a.id)]
    now = utcnow()

    assert deliver_due(now)["deferred"] == 2
    # Still down at the retry: the failed probe doubles the pause... (30 s, then 2 min)
    assert deliver_due(now + timedelta(seconds=29))["claimed"] == 0
    second = deliver_due(now + timedelta(seconds=30))
    assert (second["claimed"], second["retrying"], second["deferred"]) == (3, 1, 2)
    later = now + timedelta(seconds=30 + 120)
    assert {r.next_attempt_at for r in _rows(a.id)} == {later}
    assert deliver_due(later - timedelta(seconds=1))["claimed"] == 0

    down.start(port)  # ... and once it is back, its queue goes out in order
    assert deliver_due(later)["sent"] == 3
    assert _keys(down) == ids
    assert [r.status for r in _rows(a.id)] == ["sent"] * 3
    assert len(up.requests) == 3


def test_a_refused_message_does_not_hold_up_the_rest_of_its_queue(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    receiver.status = 400  # about this message, not the receiver: the others still go
    _enqueue(world, 3)

    counts = deliver_due()

    assert (counts["retrying"], counts["deferred"]) == (3, 0)
    assert len(receiver.requests) == 3


def test_a_long_queue_for_one_receiver_does_not_fill_the_batch(app, world, receivers, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_PER_RECEIVER", 2)
    busy, quiet = receivers(), receivers()
    a = channel(world.a.prop, "webhook", busy.url)
    _enqueue(world, 5)
    channel(world.a.prop, "webhook", quiet.url)
    enqueue(world.a.prop.id, "supervisor", "新", "正文", {})  # one more for each, newest
    db.session.commit()
    now = utcnow()

    assert deliver_due(now, limit=3)["sent"] == 3

    assert len(busy.requests) == 2 and len(quiet.requests) == 1
    assert _keys(busy) == [r.id for r in _rows(a.id)][:2]
    assert deliver_due(now, limit=50)["sent"] == 2  # two per receiver and pass
    assert deliver_due(now, limit=50)["sent"] == 2
    assert _keys(busy) == [r.id for r in _rows(a.id)]


def test_senders_run_side_by_side_up_to_the_pool_size(app, world, receivers, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_SENDERS", 2)
    hooks = [receivers() for _ in range(3)]
    for hook in hooks:
        hook.delay = 0.5
        channel(world.a.prop, "webhook", hook.url)
    _enqueue(world, 1)

    started = time.monotonic()
    assert deliver_due()["sent"] == 3
    took = time.monotonic() - started

    assert took >= 1.0  # two rounds of 0.5 s: never three at once
    arrivals = sorted(hook.requests[0].at for hook in hooks)
    assert arrivals[1] - arrivals[0] < 0.4  # two were sent side by side
    assert arrivals[2] - arrivals[0] >= 0.4  # the third waited for a free thread


def test_two_workers_at_once_send_each_message_exactly_once(app, world, receivers):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED claims: PostgreSQL only (SQLite writers take turns)")
    hooks = [receivers() for _ in range(3)]
    for hook in hooks:
        hook.delay = 0.01
        channel(world.a.prop, "webhook", hook.url)
    _enqueue(world, 30)  # 90 rows
    now = utcnow()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                start.wait()
                for _ in range(20):
                    deliver_due(now, limit=4)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    assert errors == []
    sent = Counter(key for hook in hooks for key in _keys(hook))
    ids = db.session.scalars(select(Notification.id)).all()
    assert sorted(sent) == sorted(ids) and set(sent.values()) == {1}
    assert set(db.session.scalars(select(Notification.status)).all()) == {"sent"}
