"""Browser journeys: the real app (gunicorn) on 127.0.0.1, Debian's Chromium as a phone.

The server gets a fresh SQLite database (migrations, then the demo property). Chromium's fake
camera films a Y4M file that a test fills with a real label's QR code. These tests are skipped
only when web/dist was never built (or Chromium is missing) outside CI; in CI (CI=true) they
always run and a missing build or browser is an error.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from PIL import Image

from app.presence.signing import signed_url
from tests.e2e.phone import PASSWORD, PHONE, write_y4m

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _why_not_runnable() -> str | None:
    if not (WEB_DIST / "index.html").exists():
        return "web/dist is not built (make web)"
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed"
    if os.environ.get("TEST_DATABASE_URL"):
        # The journeys use their own SQLite server; the PostgreSQL pass would only repeat them.
        return "browser journeys run in the SQLite pass"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser journeys on a machine that cannot run them, never in CI."""
    why = _why_not_runnable()
    if why is None or (IN_CI and why != "browser journeys run in the SQLite pass"):
        return
    marker = pytest.mark.skip(reason=why)
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(marker)


# --- the server ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare_database(url: str, instance_dir: str) -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from seed.loader import load_demo

    app = create_app(SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=instance_dir, SECRET_KEY="e2e-setup")
    with app.app_context():
        upgrade()
        load_demo(PASSWORD)
        db.session.commit()
        db.engine.dispose()


LABEL_SECRET = "e2e-label-secret"


@dataclass
class Server:
    """The app under test."""

    base_url: str
    instance_dir: str

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return self.base_url + path

    def label_url(self, code: str, version: int = 1) -> str:
        """Return what the printed label of a checkpoint encodes: its signed URL."""
        signer = Flask(__name__)
        signer.config.update(LABEL_SECRET=LABEL_SECRET, PUBLIC_BASE_URL=self.base_url)
        with signer.app_context():
            return signed_url(code, version)


def _prepare_empty_database(url: str, instance_dir: str) -> None:
    """Migrate, then add one company and its admin (no property): the back office's day one."""
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import User
    from app.auth.service import hash_password
    from app.extensions import db
    from app.places.models import Company

    app = create_app(SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=instance_dir, SECRET_KEY="e2e-setup")
    with app.app_context():
        upgrade()
        company = Company(name="新华物业")
        db.session.add(company)
        db.session.flush()
        db.session.add(
            User(
                username="admin",
                display_name="系统管理员",
                role="admin",
                company_id=company.id,
                password_hash=hash_password(PASSWORD),
            )
        )
        db.session.commit()
        db.engine.dispose()


def _serve(
    prepare: Callable[[str, str], None],
    port: int | None = None,
    public_url: str | None = None,
    env_extra: dict[str, str] | None = None,
) -> Iterator[Server]:
    """Serve the app with gunicorn on a free port, on a fresh SQLite database set up by prepare.

    public_url is where phones reach it when a proxy (Caddy) stands in front.
    """
    why = _why_not_runnable()
    if why:
        pytest.fail(f"cannot run the browser journeys: {why}")
    tmp = tempfile.mkdtemp(prefix="patrol-e2e-")
    url = f"sqlite:///{tmp}/e2e.db"
    prepare(url, tmp)
    port = port or free_port()
    base = public_url or f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PATROL_INSTANCE_DIR": tmp,
        "PUBLIC_BASE_URL": base,
        "SECRET_KEY": "e2e-secret",
        "LABEL_SECRET": LABEL_SECRET,
        "PATROL_ENV": "development",
        **(env_extra or {}),
    }
    env.pop("TEST_DATABASE_URL", None)
    log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.serve",
            datetime.now(UTC).isoformat(),  # the session's (travelled) clock
            "--workers=1",
            "--threads=8",
            # The arbiter compares the travelled clock with the worker's heartbeat file's real
            # change time; without this it would kill a worker living in the future.
            "--timeout=0",
            f"--bind=127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/api/v1/vocab", proc, Path(tmp) / "server.log")
        yield Server(base, tmp)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """Serve the app with gunicorn on a free port, with a fresh demo database."""
    yield from _serve(_prepare_database)


@pytest.fixture(scope="session")
def empty_server() -> Iterator[Server]:
    """Serve the app on a database with no property yet, only an admin (password PASSWORD)."""
    yield from _serve(_prepare_empty_database)


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the server did not start within 30 s")


# --- the browser and its fake camera ---


@pytest.fixture(scope="session")
def camera_file() -> Iterator[Path]:
    """The Y4M file Chromium's fake camera films (a blank frame until a test shows a code)."""
    folder = Path(tempfile.mkdtemp(prefix="patrol-cam-"))
    path = folder / "camera.y4m"
    write_y4m(Image.new("RGB", (1280, 720), "white"), path)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def _launch(
    playwright,
    camera_file: Path,
    camera_allowed: bool,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
):
    args = [
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_file}",
        *extra_args,
    ]
    if camera_allowed:
        args.append("--use-fake-ui-for-media-stream")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args, env=env)


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright driver for the run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        p.selectors.set_test_id_attribute("data-test")  # what the app's markup uses
        yield p


# Shift only Date (and file times): Playwright's clock.install would also fake the timers and
# the performance timeline that the journeys measure with.
_SHIFT_DATE = """(() => {
  const RealDate = Date, offset = %d;
  function ShiftedDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + offset).toString();
    return args.length ? new RealDate(...args) : new RealDate(RealDate.now() + offset);
  }
  ShiftedDate.prototype = RealDate.prototype;
  ShiftedDate.now = () => RealDate.now() + offset;
  ShiftedDate.parse = RealDate.parse;
  ShiftedDate.UTC = RealDate.UTC;
  globalThis.Date = ShiftedDate;
  // Files the test hands the page get the real clock's time; a phone's own clock stamps them.
  const lastModified = Object.getOwnPropertyDescriptor(File.prototype, "lastModified").get;
  Object.defineProperty(File.prototype, "lastModified", {
    get() { return lastModified.call(this) + offset; },
  });
})();"""


class ClockedBrowser:
    """A Chromium whose every new context (phone) shows the session's clock, not the wall clock."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.opened: list = []

    def new_context(self, **options):
        """Open a context whose pages' Date runs at the test session's clock."""
        context = self._browser.new_context(**options)
        offset = datetime.now(UTC).timestamp() - time_machine.escape_hatch.time.time()
        context.add_init_script(_SHIFT_DATE % round(offset * 1000))
        self.opened.append(context)
        return context

    def close_left_open(self) -> None:
        """Close the contexts a test left open (it failed before its own close)."""
        for context in self.opened:
            with contextlib.suppress(Exception):  # already closed, or its browser is gone
                context.close()
        self.opened.clear()

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser(playwright_instance, camera_file: Path):
    """Chromium whose camera is allowed and films camera_file."""
    b = _launch(playwright_instance, camera_file, camera_allowed=True)
    yield ClockedBrowser(b)
    b.close()


@pytest.fixture(autouse=True)
def _each_test_starts_clean(request, camera_file: Path):
    """Start each test with a blank camera; after it, close what it left open.

    A failed test leaves its phone open: a scanner still filming keeps Chromium's fake camera
    on the old picture, and the next test would scan that label instead of its own.
    """
    write_y4m(Image.new("RGB", (1280, 720), "white"), camera_file)
    yield
    # The session's browser stays up between tests; a refusing browser is closed with its test.
    if "browser" in request.fixturenames:
        request.getfixturevalue("browser").close_left_open()


@pytest.fixture
def refusing_browser(playwright_instance, camera_file: Path):
    """Chromium where the user refuses the camera."""
    b = _launch(playwright_instance, camera_file, camera_allowed=False)
    yield ClockedBrowser(b)
    b.close()


@pytest.fixture
def phone(browser, server: Server):
    """A fresh phone (its own storage, service worker and cookies) at the app's address."""
    context = browser.new_context(base_url=server.base_url, **PHONE)
    context.set_default_timeout(15000)
    yield context
    context.close()


# --- a LAN trial: the app behind a real Caddy over HTTPS, as make lan runs it ---

LAN_HOST = "patrol.test"
CADDY = shutil.which("caddy") or "/usr/bin/caddy"


@dataclass
class Lan:
    """The app at https://patrol.test:<port> through Caddy, and Caddy's plain-HTTP side."""

    server: Server
    http_url: str
    root_cert: Path


@contextlib.contextmanager
def behind_caddy(prepare: Callable[[str, str], None] = _prepare_database) -> Iterator[Lan]:
    """Serve a fresh demo through Caddy (deploy/Caddyfile.lan, tls internal) at patrol.test."""
    caddy_home = Path(tempfile.mkdtemp(prefix="patrol-caddy-"))
    root_cert = caddy_home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    public = f"https://{LAN_HOST}:{https_port}"
    extra = {
        "TRUSTED_PROXY_HOPS": "1",
        "SESSION_COOKIE_SECURE": "1",
        "PATROL_CA_ROOT_CERT": str(root_cert),
    }
    with contextlib.contextmanager(_serve)(prepare, app_port, public, extra) as server:
        env = {
            **os.environ,
            "XDG_DATA_HOME": str(caddy_home / "data"),
            "XDG_CONFIG_HOME": str(caddy_home / "config"),
            "PATROL_LAN_HOST": LAN_HOST,
            "PATROL_LAN_HTTPS_PORT": str(https_port),
            "PATROL_LAN_HTTP_PORT": str(http_port),
            "PATROL_UPSTREAM": f"127.0.0.1:{app_port}",
        }
        log = open(caddy_home / "caddy.log", "wb")  # noqa: SIM115 (closed below)
        config = ROOT / "deploy" / "Caddyfile.lan"
        proc = subprocess.Popen(
            [CADDY, "run", "--adapter", "caddyfile", "--config", str(config)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_caddy(https_port, root_cert, proc, caddy_home / "caddy.log")
            yield Lan(server, f"http://{LAN_HOST}:{http_port}", root_cert)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            log.close()
            shutil.rmtree(caddy_home, ignore_errors=True)


@pytest.fixture(scope="session")
def lan() -> Iterator[Lan]:
    """The demo through a real Caddy over HTTPS at https://patrol.test (as make lan runs it)."""
    with behind_caddy() as lan:
        yield lan


def _wait_for_caddy(port: int, root_cert: Path, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"caddy exited: {log.read_text(errors='replace')[-2000:]}")
        if root_cert.exists():
            context = ssl.create_default_context(cafile=str(root_cert))
            try:
                with (
                    socket.create_connection(("127.0.0.1", port), timeout=2) as raw,
                    context.wrap_socket(raw, server_hostname=LAN_HOST),
                ):
                    return
            except (OSError, ssl.SSLError):
                pass
        time.sleep(0.2)
    pytest.fail("caddy did not serve HTTPS within 30 s")


@contextlib.contextmanager
def trusting_chromium(playwright, camera_file: Path, root_cert: Path):
    """Launch Chromium whose profile trusts root_cert and that finds patrol.test on this machine."""
    home = Path(tempfile.mkdtemp(prefix="patrol-home-"))
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    # Chromium on Linux trusts what the user's NSS database trusts: a phone with the root installed.
    certutil = ["certutil", "-d", f"sql:{nssdb}"]
    subprocess.run([*certutil, "-N", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        [*certutil, "-A", "-t", "C,,", "-n", "Caddy Local Authority", "-i", str(root_cert)],
        check=True,
        capture_output=True,
    )
    b = _launch(
        playwright,
        camera_file,
        camera_allowed=True,
        extra_args=(f"--host-resolver-rules=MAP {LAN_HOST} 127.0.0.1",),
        env={**os.environ, "HOME": str(home)},
    )
    try:
        yield b
    finally:
        b.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def lan_browser(playwright_instance, camera_file: Path, lan: Lan):
    """Chromium as a phone that installed the LAN trial's root certificate."""
    with trusting_chromium(playwright_instance, camera_file, lan.root_cert) as b:
        yield ClockedBrowser(b)


# --- the API, for setting up and checking what the phone did ---


@pytest.fixture
def api_as(playwright_instance, server: Server):
    """Return a function giving an API client logged in as a demo user."""
    made = []

    def _as(username: str):
        ctx = playwright_instance.request.new_context(base_url=server.base_url)
        resp = ctx.post("/api/v1/auth/login", data={"username": username, "password": PASSWORD})
        assert resp.ok, resp.text()
        made.append(ctx)
        return ctx

    yield _as
    for ctx in made:
        ctx.dispose()


@pytest.fixture
def all_day_plan(server: Server):
    """Return a function giving a person a plan open today (valid from midnight): all day, or
    from start_minute to end_minute of the property's day."""
    from zoneinfo import ZoneInfo

    from flask import g
    from sqlalchemy import select

    from app import create_app
    from app.auth.models import User
    from app.common.models import utcnow
    from app.extensions import db
    from app.places.models import Property, Zone
    from app.plans import service
    from app.plans.expand import at_local, local_date
    from app.plans.sweep import materialize

    url = f"sqlite:///{server.instance_dir}/e2e.db"
    app = create_app(
        SQLALCHEMY_DATABASE_URI=url, INSTANCE_DIR=server.instance_dir, SECRET_KEY="e2e-setup"
    )

    def _plan(
        username: str, zone_name: str, name_zh: str, start_minute: int = 0, end_minute: int = 1440
    ) -> None:
        with app.test_request_context():
            prop = db.session.scalar(select(Property).where(Property.code == "CH"))
            zone = db.session.scalar(select(Zone).where(Zone.name_zh == zone_name))
            users = {u.username: u for u in db.session.scalars(select(User))}
            assert prop is not None and zone is not None
            g.user = users["supervisor"]
            tz = ZoneInfo(prop.timezone)
            now = utcnow()
            data = {
                "property_id": prop.id,
                "name_zh": name_zh,
                "zone_id": zone.id,
                "frequency": "daily",
                "start_minute": start_minute,
                "end_minute": end_minute,
                "assignee_ids": [users[username].id],
            }
            service.create_plan(data, now=at_local(local_date(now, tz), 0, tz))
            materialize(now)
            db.session.commit()
            db.session.remove()

    yield _plan
    with app.app_context():
        db.engine.dispose()
