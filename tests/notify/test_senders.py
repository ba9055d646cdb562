"""Each sender against a real local receiver: the webhook, the WeCom robot and SMTP."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest

from app.common.models import utcnow
from app.extensions import db
from app.notify.models import Notification
from app.notify.senders import IDEMPOTENCY_HEADER
from app.notify.service import enqueue
from app.notify.worker import deliver_due
from tests.notify.conftest import SMTP_PASSWORD, channel

SUBJECT = "【整改工单】3幢 楼道照明损坏"
BODY = "3幢2单元 楼道灯不亮\n请工程部今日处理。"
PAYLOAD = {"ticket_id": None, "number": "A-20260101-001", "action": "create"}


def _enqueue(world, **kw) -> Notification:
    rows = enqueue(world.a.prop.id, "supervisor", SUBJECT, BODY, PAYLOAD, **kw)
    assert len(rows) == 1
    db.session.commit()
    return rows[0]


def _reload(row: Notification) -> Notification:
    db.session.refresh(row)
    return row


def test_webhook_gets_one_json_post_with_idempotency_header(app, world, receiver):
    channel(world.a.prop, "webhook", receiver.url)
    row = _enqueue(world)

    counts = deliver_due()

    assert counts["sent"] == 1
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hook?key=robot-key-123"
    assert request.headers[IDEMPOTENCY_HEADER] == str(row.id)
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json() == {"id": row.id, "subject": SUBJECT, "body": BODY, "payload": PAYLOAD}
    row = _reload(row)
    assert row.status == "sent" and row.sent_at is not None and row.lease_until is None
    assert row.attempts == 0 and row.last_error is None
    assert deliver_due()["claimed"] == 0
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (500, {}, "HTTP 500"),
        (404, {}, "HTTP 404"),
        # urllib would follow it as a body-less GET and call that success.
        (302, {"Location": "/elsewhere"}, "HTTP 302"),
    ],
)
def test_webhook_non_2xx_is_a_failure(app, world, receiver, status, headers, expected):
    channel(world.a.prop, "webhook", receiver.url)
    row = _enqueue(world)
    receiver.status, receiver.headers = status, headers
    now = utcnow()

    assert deliver_due(now)["retrying"] == 1

    row = _reload(row)
    assert row.status == "pending" and row.attempts == 1
    assert expected in (row.last_error or "")
    assert row.next_attempt_at == now + timedelta(seconds=30)
    assert len(receiver.requests) == 1


def test_webhook_timeout_is_a_failure(app, world, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_READ_TIMEOUT", 0.2)
    receiver.delay = 0.6
    channel(world.a.prop, "webhook", receiver.url)
    row = _enqueue(world)

    assert deliver_due()["retrying"] == 1

    row = _reload(row)
    assert row.status == "pending" and "timed out" in (row.last_error or "")
    assert "robot-key-123" not in (row.last_error or "")


def test_wecom_markdown_and_errcode_zero_is_success(app, world, receiver):
    channel(world.a.prop, "wecom", receiver.url)
    receiver.reply = b'{"errcode": 0, "errmsg": "ok"}'
    row = _enqueue(world)

    assert deliver_due()["sent"] == 1

    sent = receiver.requests[0].json()
    assert sent["msgtype"] == "markdown"
    assert set(sent) == {"msgtype", "markdown"}
    content = sent["markdown"]["content"]
    assert content.startswith(f"**{SUBJECT}**") and BODY in content
    assert _reload(row).status == "sent"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (b'{"errcode": 93000, "errmsg": "invalid webhook url"}', "93000"),
        (b"<html>gateway</html>", "not JSON"),
        (b"[]", "WeCom error"),
    ],
)
def test_wecom_error_reply_is_a_failure_despite_http_200(app, world, receiver, reply, expected):
    channel(world.a.prop, "wecom", receiver.url)
    receiver.reply = reply
    row = _enqueue(world)

    assert deliver_due()["retrying"] == 1

    row = _reload(row)
    assert row.status == "pending" and row.attempts == 1
    assert expected in (row.last_error or "")


def test_wecom_long_body_is_cut_to_the_robot_limit(app, world, receiver):
    channel(world.a.prop, "wecom", receiver.url)
    receiver.reply = b'{"errcode": 0, "errmsg": "ok"}'
    enqueue(world.a.prop.id, "supervisor", SUBJECT, "漏水" * 3000, {})
    db.session.commit()

    assert deliver_due()["sent"] == 1
    content = receiver.requests[0].json()["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096 and content.endswith("…")


def test_email_arrives_with_utf8_chinese_subject(app, world, mailbox):
    channel(world.a.prop, "email", "engineering@example.com")
    row = _enqueue(world)

    assert deliver_due()["sent"] == 1

    assert len(mailbox.envelopes) == 1
    envelope = mailbox.envelopes[0]
    assert envelope.mail_from == "patrol@example.com"
    assert envelope.rcpt_tos == ["engineering@example.com"]
    raw = envelope.original_content or b""
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0].lower()  # the header itself stays ASCII
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == SUBJECT
    assert message["To"] == "engineering@example.com"
    assert message["Message-ID"] == f"<patrol-notification-{row.id}@patrol.example.com>"
    assert message[IDEMPOTENCY_HEADER] == str(row.id)
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().strip() == BODY
    assert _reload(row).status == "sent"


def test_email_refused_login_is_a_failure_without_the_password(app, world, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "wrong-" + SMTP_PASSWORD)
    channel(world.a.prop, "email", "engineering@example.com")
    row = _enqueue(world)

    assert deliver_due()["retrying"] == 1

    row = _reload(row)
    assert row.status == "pending" and "SMTP" in (row.last_error or "")
    assert SMTP_PASSWORD not in (row.last_error or "")
    assert mailbox.envelopes == []


def test_email_without_smtp_host_is_a_failure(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "")
    channel(world.a.prop, "email", "engineering@example.com")
    row = _enqueue(world)

    assert deliver_due()["retrying"] == 1
    assert "SMTP_HOST" in (_reload(row).last_error or "")
