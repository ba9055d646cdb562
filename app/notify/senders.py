"""Deliver one message: a generic JSON webhook, a WeCom group robot, or e-mail over SMTP.

Standard library only (urllib.request, smtplib). A sender returns on success and raises
SendError with a short message that holds no address or password on failure. Each message
carries its outbox id so a receiver can drop a duplicate sent again after a worker crash:
the X-Patrol-Notification-Id header on webhooks, a stable Message-ID on e-mail.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

IDEMPOTENCY_HEADER = "X-Patrol-Notification-Id"
USER_AGENT = "Patrol-Notify/1"
WECOM_MAX_BYTES = 4096  # the robot refuses markdown content longer than this
MAX_REPLY_BYTES = 64 * 1024
MAX_ERROR_CHARS = 300
FAILED = "连接失败 / connection failed"


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs of one outbox row, detached from the database."""

    id: int
    kind: str
    address: str
    subject: str
    body: str
    payload: dict[str, Any] | None


class SendError(Exception):
    """A delivery that did not go through; the message is safe to show to admins."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as a failure: urllib would turn the POST into a body-less GET."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def send(message: Outgoing, config: Mapping[str, Any]) -> None:
    """Deliver a message by its channel kind or raise SendError."""
    sender = SENDERS.get(message.kind)
    if sender is None:
        raise SendError(f"未知的渠道类型 / unknown channel kind {message.kind!r}")
    sender(message, config)


def send_webhook(message: Outgoing, config: Mapping[str, Any]) -> None:
    """POST {id, subject, body, payload} as JSON; any 2xx answer is success."""
    data = {
        "id": message.id,
        "subject": message.subject,
        "body": message.body,
        "payload": message.payload,
    }
    _post_json(message, data, config)


def send_wecom(message: Outgoing, config: Mapping[str, Any]) -> None:
    """POST a markdown message to a WeCom group robot; success needs 2xx and errcode 0."""
    content = _clip_bytes(f"**{message.subject}**\n\n{message.body}", WECOM_MAX_BYTES)
    reply = _post_json(message, {"msgtype": "markdown", "markdown": {"content": content}}, config)
    try:
        answer = json.loads(reply)
    except ValueError:
        raise SendError("企业微信回复不是 JSON / WeCom reply is not JSON") from None
    errcode = answer.get("errcode") if isinstance(answer, dict) else None
    if errcode != 0:
        errmsg = str(answer.get("errmsg", "")) if isinstance(answer, dict) else ""
        raise SendError(f"企业微信返回错误 / WeCom error {errcode}: {errmsg[:120]}")


def send_email(message: Outgoing, config: Mapping[str, Any]) -> None:
    """Send a UTF-8 e-mail through the configured SMTP server."""
    host = config.get("SMTP_HOST")
    if not host:
        raise SendError("未配置 SMTP 服务器 / SMTP_HOST is not set")
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["SMTP_FROM"]
    mail["To"] = message.address
    mail["Date"] = formatdate()
    mail["Message-ID"] = message_id(message.id, config)
    mail[IDEMPOTENCY_HEADER] = str(message.id)
    mail.set_content(message.body, cte="base64")
    timeout = float(config["NOTIFY_HTTP_TIMEOUT"])
    password = config.get("SMTP_PASSWORD") or ""
    port = int(config["SMTP_PORT"])
    tls = ssl.create_default_context()  # verifies the certificate, unlike smtplib's default
    try:
        smtp = (
            smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls)
            if config.get("SMTP_SSL")
            else smtplib.SMTP(host, port, timeout=timeout)
        )
        with smtp:
            if config.get("SMTP_STARTTLS") and not config.get("SMTP_SSL"):
                smtp.starttls(context=tls)
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], password)
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(short_error("SMTP", exc, secrets=(password,))) from None


def message_id(notification_id: int, config: Mapping[str, Any]) -> str:
    """Return the Message-ID of a notification, the same on every attempt."""
    domain = urlsplit(str(config.get("PUBLIC_BASE_URL", ""))).hostname or "patrol.localhost"
    return f"<patrol-notification-{notification_id}@{domain}>"


def _post_json(message: Outgoing, data: dict[str, Any], config: Mapping[str, Any]) -> bytes:
    """POST JSON to the message's URL and return the reply body, or raise SendError."""
    if urlsplit(message.address).scheme not in ("http", "https"):
        raise SendError("地址不是 http(s) URL / the address is not an http(s) URL")
    request = urllib.request.Request(
        message.address,
        data=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            IDEMPOTENCY_HEADER: str(message.id),
        },
    )
    try:
        with _opener.open(request, timeout=float(config["NOTIFY_HTTP_TIMEOUT"])) as response:
            return response.read(MAX_REPLY_BYTES)
    except urllib.error.HTTPError as exc:
        exc.close()
        status = exc.code
        raise SendError(f"对方返回 HTTP {status} / the receiver answered HTTP {status}") from None
    except urllib.error.URLError as exc:
        raise SendError(short_error(FAILED, exc.reason, secrets=(message.address,))) from None
    except (OSError, ValueError) as exc:  # timeouts, resets, malformed URLs
        raise SendError(short_error(FAILED, exc, secrets=(message.address,))) from None


def short_error(prefix: str, exc: object, secrets: tuple[str, ...] = ()) -> str:
    """Describe an exception in one short line with any secret blanked out."""
    detail = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else str(exc)
    text = f"{prefix}: {detail}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())[:MAX_ERROR_CHARS]


def _clip_bytes(text: str, limit: int) -> str:
    """Cut a text to at most limit UTF-8 bytes without splitting a character."""
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[: limit - 3].decode("utf-8", "ignore") + "…"


SENDERS: dict[str, Callable[[Outgoing, Mapping[str, Any]], None]] = {
    "webhook": send_webhook,
    "wecom": send_wecom,
    "email": send_email,
}
