"""Every send is bounded (connect, read, whole delivery) and carries its idempotency key."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from app.common.models import utcnow
from app.extensions import db
from app.notify.models import Notification
from app.notify.senders import IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY
from app.notify.service import enqueue
from app.notify.worker import deliver_due
from tests.notify.conftest import channel

WECOM_OK = b'{"errcode": 0, "errmsg": "ok"}'


def _enqueue(world) -> Notification:
    [row] = enqueue(world.a.prop.id, "supervisor", "主题", "正文", {"n": 1})
    db.session.commit()
    return row


def _reload(row: Notification) -> Notification:
    db.session.refresh(row)
    return row


def _timed(now=None) -> tuple[dict[str, int], float]:
    started = time.monotonic()
    counts = deliver_due(now)
    return counts, time.monotonic() - started


@pytest.fixture
def unaccepting() -> Iterator[str]:
    """Return the URL of a port that listens but whose full queue never takes a connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    waiting = []
    for _ in range(8):  # fill the accept queue; later SYNs are dropped, so connect hangs
        client = socket.socket()
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
        waiting.append(client)
    time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/hook"
    for client in waiting:
        client.close()
    server.close()


@pytest.mark.parametrize("kind", ["webhook", "wecom"])
def test_every_post_carries_the_outbox_id_as_idempotency_key(app, world, receiver, kind):
    channel(world.a.prop, kind, receiver.url)
    receiver.reply = WECOM_OK
    row = _enqueue(world)

    assert deliver_due()["sent"] == 1

    [request] = receiver.requests
    assert request.headers[IDEMPOTENCY_KEY] == str(row.id)
    assert request.headers[IDEMPOTENCY_HEADER] == str(row.id)


def test_a_retry_carries_the_same_key(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    receiver.status = 503
    row = _enqueue(world)
    now = utcnow()

    assert deliver_due(now)["retrying"] == 1
    receiver.status = 200
    assert deliver_due(now + timedelta(seconds=30))["sent"] == 1

    keys = [r.headers[IDEMPOTENCY_KEY] for r in receiver.requests]
    assert keys == [str(row.id), str(row.id)]


def test_a_late_answer_is_retried_later_with_the_same_key(app, world, receiver, limits):
    channel(world.a.prop, "webhook", receiver.url)
    receiver.delay = 1.5  # well past the 0.3 s read timeout: the receiver got it, we cannot know
    row = _enqueue(world)
    now = utcnow()

    counts, took = _timed(now)

    assert counts["retrying"] == 1 and took < 1.5
    row = _reload(row)
    assert row.status == "pending" and row.attempts == 1 and "timed out" in row.last_error
    assert row.next_attempt_at == now + timedelta(seconds=30)
    receiver.delay = 0
    assert deliver_due(now + timedelta(seconds=29))["claimed"] == 0
    assert deliver_due(now + timedelta(seconds=30))["sent"] == 1
    keys = [r.headers[IDEMPOTENCY_KEY] for r in receiver.requests]
    assert keys == [str(row.id), str(row.id)]  # the receiver can drop the second


def test_a_receiver_that_never_answers_costs_the_read_timeout(app, world, receiver, limits):
    channel(world.a.prop, "webhook", receiver.url)
    receiver.hang = True
    row = _enqueue(world)

    counts, took = _timed()

    assert counts["retrying"] == 1
    assert limits["NOTIFY_READ_TIMEOUT"] <= took < limits["NOTIFY_SEND_DEADLINE"]
    assert "timed out" in _reload(row).last_error


def test_a_receiver_that_never_accepts_costs_the_connect_timeout(
    app, world, unaccepting, limits, monkeypatch
):
    monkeypatch.setitem(app.config, "NOTIFY_READ_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "NOTIFY_SEND_DEADLINE", 10)
    channel(world.a.prop, "webhook", unaccepting)
    row = _enqueue(world)

    counts, took = _timed()

    assert counts["retrying"] == 1
    assert took < 3  # the 0.5 s connect timeout, not the 5 s read timeout
    assert "timed out" in _reload(row).last_error


@pytest.mark.parametrize(("kind", "slow"), [("webhook", "trickle"), ("wecom", "trickle_body")])
def test_a_trickling_receiver_is_cut_off_at_the_deadline(app, world, receiver, limits, kind, slow):
    channel(world.a.prop, kind, receiver.url)
    receiver.reply = b'{"errcode": 0, "errmsg": "ok"' + b" " * 600 + b"}"
    setattr(receiver, slow, 0.05)  # a byte well inside every 0.3 s read timeout, for 30 s
    row = _enqueue(world)

    counts, took = _timed()

    assert counts["retrying"] == 1
    assert limits["NOTIFY_SEND_DEADLINE"] <= took < 3 * limits["NOTIFY_SEND_DEADLINE"]
    row = _reload(row)
    assert row.status == "pending" and "1 s" in row.last_error and "longer" in row.last_error
    assert "robot-key-123" not in row.last_error


def test_a_webhook_needs_only_the_status_line_in_time(app, world, receiver, limits):
    channel(world.a.prop, "webhook", receiver.url)
    receiver.trickle_body = 0.05  # 200 and headers at once, then a slow body nobody reads
    receiver.reply = b" " * 600
    row = _enqueue(world)

    counts, took = _timed()

    assert counts["sent"] == 1 and took < limits["NOTIFY_SEND_DEADLINE"]
    assert _reload(row).status == "sent"


@pytest.fixture
def trickling_smtp(app, monkeypatch) -> Iterator[None]:
    """Point SMTP at a local server that drips its greeting a byte every 50 ms, for 30 s."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            for byte in b"220-" + b"x" * 600:
                if stop.wait(0.05):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", server.getsockname()[1])
    monkeypatch.setitem(app.config, "SMTP_STARTTLS", False)
    yield
    stop.set()
    server.close()
    thread.join(5)


def test_a_trickling_smtp_server_is_cut_off_at_the_deadline(app, world, trickling_smtp, limits):
    channel(world.a.prop, "email", "engineering@example.com")
    row = _enqueue(world)

    counts, took = _timed()

    assert counts["retrying"] == 1
    assert limits["NOTIFY_SEND_DEADLINE"] <= took < 3 * limits["NOTIFY_SEND_DEADLINE"]
    assert "longer" in _reload(row).last_error
