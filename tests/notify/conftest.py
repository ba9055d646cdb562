"""A real HTTP receiver and a real SMTP server on 127.0.0.1 for the notification tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope

from app.extensions import db
from app.notify.models import NotificationChannel
from app.places.models import Property

SMTP_USER = "patrol"
SMTP_PASSWORD = "smtp-secret-42"


@dataclass
class Received:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # time.monotonic() on arrival

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gave up (the timeout test)."""


class Receiver:
    """A local HTTP server that records every request and answers as the test says.

    `delay` answers late; `hang` never answers (until stopped); `trickle` sends the answer's
    status line, then one byte of a header every `trickle` seconds, never finishing it;
    `trickle_body` sends status and headers at once, then the body a byte at a time.
    """

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.status = 200
        self.reply = b'{"ok": true}'
        self.headers: dict[str, str] = {}
        self.delay = 0.0
        self.hang = False
        self.trickle = 0.0
        self.trickle_body = 0.0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook?key=robot-key-123"

    def start(self, port: int = 0) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = Received(
                    "POST", self.path, dict(self.headers.items()), body, time.monotonic()
                )
                with receiver._lock:
                    receiver.requests.append(arrived)
                if receiver.hang:
                    receiver.stopping.wait(30)
                    return
                if receiver.delay:
                    receiver.stopping.wait(receiver.delay)
                if receiver.trickle:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                    self._drip(b"x" * 600, receiver.trickle)
                    return
                self.send_response(receiver.status)
                for key, value in receiver.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                if receiver.trickle_body:
                    self._drip(receiver.reply, receiver.trickle_body)
                else:
                    self.wfile.write(receiver.reply)

            def _drip(self, data: bytes, pause: float) -> None:
                for byte in data:
                    if receiver.stopping.wait(pause):
                        return
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:  # the sender gave up
                        return

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.stopping.clear()
        self._server = _Server(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """Start an HTTP receiver on a free local port."""
    r = Receiver()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def receivers() -> Iterator[Callable[[], Receiver]]:
    """Start as many more HTTP receivers as the test asks for, each on its own port."""
    started: list[Receiver] = []

    def start() -> Receiver:
        r = Receiver()
        r.start()
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()


@pytest.fixture
def limits(app: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Make the send limits small, so that timeouts cost a fraction of a second."""
    values = {
        "NOTIFY_CONNECT_TIMEOUT": 0.5,
        "NOTIFY_READ_TIMEOUT": 0.3,
        "NOTIFY_SEND_DEADLINE": 1.0,
    }
    for key, value in values.items():
        monkeypatch.setitem(app.config, key, value)
    return values


class _Controller(Controller):
    """aiosmtpd's controller, able to listen on port 0 (it must learn the real port)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = data.login == SMTP_USER.encode() and data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def mailbox(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """Start an SMTP server (login required) and point the app's SMTP settings at it."""
    box = Mailbox()
    controller = _Controller(
        box,
        hostname="127.0.0.1",
        port=0,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    box.port = controller.port
    for key, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": controller.port,
        "SMTP_USER": SMTP_USER,
        "SMTP_PASSWORD": SMTP_PASSWORD,
        "SMTP_STARTTLS": False,
        "SMTP_SSL": False,
        "SMTP_FROM": "巡查系统 <patrol@example.com>",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield box
    controller.stop()


def channel(
    prop: Property,
    kind: str,
    address: str,
    audience: str = "supervisor",
    department_id: int | None = None,
    active: bool = True,
) -> NotificationChannel:
    """Add a channel (flushed, not committed)."""
    obj = NotificationChannel(
        property_id=prop.id,
        audience=audience,
        department_id=department_id,
        kind=kind,
        address=address,
        active=active,
    )
    db.session.add(obj)
    db.session.flush()
    return obj
