"""Deliver one message: a generic JSON webhook, a WeCom group robot, or e-mail over SMTP.

Standard library only (urllib.request, smtplib). A sender returns on success and raises
SendError with a short message that holds no address or password on failure. Every send is
bounded: NOTIFY_CONNECT_TIMEOUT to connect, NOTIFY_READ_TIMEOUT for each wait on the receiver,
and NOTIFY_SEND_DEADLINE for the whole delivery, after which the socket is shut (a receiver
trickling its answer byte by byte cannot hold the worker). A receiver may still have got a
message whose answer came too late, so each message carries its outbox id, the same on every
attempt, for the receiver to drop the duplicate: the Idempotency-Key and X-Patrol-Notification-Id
headers on webhooks and WeCom (the robot ignores them), a stable Message-ID on e-mail.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import smtplib
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from functools import partial
from http.client import HTTPMessage
from types import TracebackType
from typing import IO, Any
from urllib.parse import urlsplit

IDEMPOTENCY_HEADER = "X-Patrol-Notification-Id"
IDEMPOTENCY_KEY = "Idempotency-Key"  # the IETF draft's name; same value as IDEMPOTENCY_HEADER
USER_AGENT = "Patrol-Notify/1"
WECOM_MAX_BYTES = 4096  # the robot refuses markdown content longer than this
MAX_REPLY_BYTES = 64 * 1024
MAX_ERROR_CHARS = 300
FAILED = "连接失败 / connection failed"
# Answers that say the receiver cannot take anything now, rather than refusing this message.
UNAVAILABLE_STATUSES = frozenset({429, 502, 503, 504})


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
    """A delivery that did not go through; the message is safe to show to admins.

    `unreachable` says the receiver itself is down (no connection, a timeout, 429 or 502-504),
    not that it refused this one message: its other messages had better wait too.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class Deadline:
    """Shut the socket of a delivery when its time is up, whatever it is waiting for."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._ends = time.monotonic() + seconds
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._sock = None

    def remaining(self) -> float:
        """Return the seconds left, never quite zero (a zero timeout would mean non-blocking)."""
        return max(self._ends - time.monotonic(), 0.001)

    def bound(self, timeout: float) -> float:
        """Return a socket timeout that ends no later than the deadline."""
        return min(timeout, self.remaining())

    def watch(self, sock: socket.socket) -> None:
        """Shut this socket at the deadline (now, if it has passed)."""
        with self._lock:
            self._sock = sock
            if self.expired:
                _shut(sock)

    def error(self) -> SendError:
        """Return the failure to report for a delivery cut at the deadline."""
        return SendError(
            f"超过发送时限 {self.seconds:g} 秒 / the delivery took longer than {self.seconds:g} s",
            unreachable=True,
        )

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shut(self._sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, under TLS too: it wakes a blocked read in the sending thread
    # without touching the TLS object that thread is using.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


@dataclass(frozen=True)
class Limits:
    """How long one delivery may take: to connect, per wait for the receiver, and in all."""

    connect: float
    read: float
    deadline: float

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Limits:
        """Read the limits from the app config."""
        return cls(
            float(config["NOTIFY_CONNECT_TIMEOUT"]),
            float(config["NOTIFY_READ_TIMEOUT"]),
            float(config["NOTIFY_SEND_DEADLINE"]),
        )


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


class _BoundedHTTPConnection(http.client.HTTPConnection):
    """A connection that connects within the connect timeout, then reads within the read one."""

    def __init__(self, *args: Any, limits: Limits, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits, self._deadline = limits, deadline

    def connect(self) -> None:
        self.timeout = self._deadline.bound(self._limits.connect)  # TLS handshake included
        super().connect()
        self.sock.settimeout(self._deadline.bound(self._limits.read))
        self._deadline.watch(self.sock)


class _BoundedHTTPSConnection(_BoundedHTTPConnection, http.client.HTTPSConnection):
    """The same over TLS."""


class _BoundedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, limits: Limits, deadline: Deadline) -> None:
        super().__init__()
        self._connection = partial(_BoundedHTTPConnection, limits=limits, deadline=deadline)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _BoundedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, limits: Limits, deadline: Deadline) -> None:
        super().__init__()
        self._connection = partial(_BoundedHTTPSConnection, limits=limits, deadline=deadline)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


def _opener(limits: Limits, deadline: Deadline) -> urllib.request.OpenerDirector:
    """Build an opener whose connections keep to the limits and the deadline of one delivery."""
    return urllib.request.build_opener(
        _NoRedirect,
        _BoundedHTTPHandler(limits, deadline),
        _BoundedHTTPSHandler(limits, deadline),
    )


def send(message: Outgoing, config: Mapping[str, Any]) -> None:
    """Deliver a message by its channel kind or raise SendError."""
    sender = SENDERS.get(message.kind)
    if sender is None:
        raise SendError(f"未知的渠道类型 / unknown channel kind {message.kind!r}")
    sender(message, config)


def send_webhook(message: Outgoing, config: Mapping[str, Any]) -> None:
    """POST {id, subject, body, payload} as JSON; any 2xx status is success, whatever follows."""
    data = {
        "id": message.id,
        "subject": message.subject,
        "body": message.body,
        "payload": message.payload,
    }
    _post_json(message, data, config, reply=False)


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
    limits = Limits.of(config)
    password = config.get("SMTP_PASSWORD") or ""
    port = int(config["SMTP_PORT"])
    tls = ssl.create_default_context()  # verifies the certificate, unlike smtplib's default
    with Deadline(limits.deadline) as deadline:
        try:
            connect = deadline.bound(limits.connect)
            smtp = (
                _WatchedSMTPSSL(timeout=connect, context=tls)
                if config.get("SMTP_SSL")
                else _WatchedSMTP(timeout=connect)
            )
            smtp.deadline = deadline
            with smtp:
                smtp.connect(host, port)  # the server's greeting is part of connecting
                _read_timeout(smtp, limits, deadline)
                if config.get("SMTP_STARTTLS") and not config.get("SMTP_SSL"):
                    smtp.starttls(context=tls)
                    _read_timeout(smtp, limits, deadline)  # the TLS socket replaced the plain one
                if config.get("SMTP_USER"):
                    smtp.login(config["SMTP_USER"], password)
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            if deadline.expired:
                raise deadline.error() from None
            unreachable = isinstance(exc, OSError | smtplib.SMTPServerDisconnected)
            error = short_error("SMTP", exc, secrets=(password,))
            raise SendError(error, unreachable=unreachable) from None


class _WatchedSMTP(smtplib.SMTP):
    """An SMTP client whose socket its delivery's deadline may shut, from the greeting on."""

    deadline: Deadline | None = None

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        if self.deadline is not None:
            self.deadline.watch(sock)
        return sock


class _WatchedSMTPSSL(_WatchedSMTP, smtplib.SMTP_SSL):
    """The same with TLS from the first byte."""


def _read_timeout(smtp: smtplib.SMTP, limits: Limits, deadline: Deadline) -> None:
    """Give the connected socket the read timeout and hand it to the deadline."""
    sock = smtp.sock
    if sock is not None:
        sock.settimeout(deadline.bound(limits.read))
        deadline.watch(sock)


def message_id(notification_id: int, config: Mapping[str, Any]) -> str:
    """Return the Message-ID of a notification, the same on every attempt."""
    domain = urlsplit(str(config.get("PUBLIC_BASE_URL", ""))).hostname or "patrol.localhost"
    return f"<patrol-notification-{notification_id}@{domain}>"


def _post_json(
    message: Outgoing, data: dict[str, Any], config: Mapping[str, Any], *, reply: bool = True
) -> bytes:
    """POST JSON to the message's URL within the limits; return the reply body if asked for."""
    if urlsplit(message.address).scheme not in ("http", "https"):
        raise SendError("地址不是 http(s) URL / the address is not an http(s) URL")
    key = str(message.id)
    request = urllib.request.Request(
        message.address,
        data=json.dumps(data, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            IDEMPOTENCY_KEY: key,
            IDEMPOTENCY_HEADER: key,
        },
    )
    limits = Limits.of(config)
    with Deadline(limits.deadline) as deadline:
        try:
            with _opener(limits, deadline).open(request, timeout=limits.connect) as response:
                body = response.read(MAX_REPLY_BYTES) if reply else b""
            if deadline.expired:  # the body was cut short
                raise deadline.error()
            return body
        except urllib.error.HTTPError as exc:
            exc.close()
            status = exc.code
            raise SendError(
                f"对方返回 HTTP {status} / the receiver answered HTTP {status}",
                unreachable=status in UNAVAILABLE_STATUSES,
            ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            # timeouts, refused or reset connections, a reply cut short at the deadline
            if deadline.expired:
                raise deadline.error() from None
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            error = short_error(FAILED, reason, secrets=(message.address,))
            raise SendError(error, unreachable=True) from None
        except ValueError as exc:  # a malformed URL
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
