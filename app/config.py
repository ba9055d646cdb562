"""Configuration read from environment variables."""

from __future__ import annotations

import os
from pathlib import Path


def _instance_dir() -> Path:
    return Path(os.environ.get("PATROL_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosted PostgreSQL often hands out postgres:// URLs; psycopg 3 needs its own driver name.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    return f"sqlite:///{_instance_dir() / 'patrol.db'}"


class Config:
    """Settings for a running server; every value can come from the environment."""

    ENV_NAME = os.environ.get("PATROL_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    INSTANCE_DIR = str(_instance_dir())
    # The address QR labels and links encode; empty: the address a request came in on, and
    # on the command line http://HOST:PORT (app/common/public_url.py).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Asia/Shanghai")
    # Caddy's local root certificate, which /ca offers to phones during a LAN trial (make lan).
    CA_ROOT_CERT = os.environ.get("PATROL_CA_ROOT_CERT", "")

    # The JSON API takes small bodies; photo uploads get their own limit in the photos module.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    MAX_JSON_BYTES = int(os.environ.get("MAX_JSON_BYTES", 1024 * 1024))

    SESSION_COOKIE_NAME = "patrol_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    SECURITY_HSTS_SECONDS = 0  # Strict-Transport-Security: production only (ProductionConfig)
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_LIFETIME_SECONDS", 14 * 24 * 3600))
    # Default and longest lifetime of a bearer token.
    TOKEN_LIFETIME_DAYS = int(os.environ.get("TOKEN_LIFETIME_DAYS", 90))
    # How long after its last contact with the server a phone may let a person who logged in
    # on it before log in again offline (0: never); the phone then patrols unverified and the
    # server checks the person as soon as the network is back.
    OFFLINE_LOGIN_HOURS = int(os.environ.get("OFFLINE_LOGIN_HOURS", 72))

    # Login throttling (登录限制), kept in the database so every worker and node shares it.
    # A username is locked after LOGIN_USER_LIMIT failed logins within LOGIN_WINDOW_MINUTES, a
    # client address after LOGIN_ADDRESS_LIMIT (higher: a whole office may share one address).
    # A lock lasts LOGIN_LOCK_MINUTES, each further one twice as long up to LOGIN_LOCK_MAX_MINUTES;
    # a key with no failure for LOGIN_MEMORY_HOURS starts afresh.
    LOGIN_WINDOW_MINUTES = int(os.environ.get("LOGIN_WINDOW_MINUTES", 15))
    LOGIN_USER_LIMIT = int(os.environ.get("LOGIN_USER_LIMIT", 5))
    LOGIN_ADDRESS_LIMIT = int(os.environ.get("LOGIN_ADDRESS_LIMIT", 30))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", 15))
    LOGIN_LOCK_MAX_MINUTES = int(os.environ.get("LOGIN_LOCK_MAX_MINUTES", 24 * 60))
    LOGIN_MEMORY_HOURS = int(os.environ.get("LOGIN_MEMORY_HOURS", 24))
    # Reverse proxies (Caddy: make lan, deploy/Caddyfile) in front of the app whose
    # X-Forwarded-For/-Proto are believed; 0 means the client address and scheme are the
    # connection's. Set it to the number of proxy hops, no more.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))

    API_TITLE = "Patrol API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/api/docs/static/"
    # The docs never ask validator.swagger.io about our spec (the CSP would refuse it anyway).
    OPENAPI_SWAGGER_UI_CONFIG: dict = {"validatorUrl": None}

    # Photos: where the re-encoded copies are kept and how large an upload may be.
    PHOTO_STORAGE = os.environ.get("PHOTO_STORAGE", "local")
    PHOTO_STORAGE_DIR = os.environ.get("PHOTO_STORAGE_DIR", "")  # empty: <INSTANCE_DIR>/photos
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 15 * 1024 * 1024))
    PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 40_000_000))

    PAGE_SIZE_DEFAULT = 50
    PAGE_SIZE_MAX = 500

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "patrol-demo")
    # Minutes after a ticket's accept deadline at which escalation levels 1, 2, 3 ... fire.
    TICKET_ESCALATION_MINUTES = os.environ.get("TICKET_ESCALATION_MINUTES", "0,60,240")

    # A TrueType (.ttf/.ttc, not CFF-based) font with Chinese glyphs for QR label sheets;
    # empty means the first one found among the usual Debian/Ubuntu font paths.
    LABEL_FONT_PATH = os.environ.get("LABEL_FONT_PATH", "")
    # The key that signs label codes (empty: SECRET_KEY); changing it voids every printed label.
    LABEL_SECRET = os.environ.get("LABEL_SECRET", "")

    # Largest sheet accepted by the bulk imports (bytes).
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 2 * 1024 * 1024))

    # Notifications: the outbox worker (flask notify run) and its senders.
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 8))
    # Seconds to connect to a webhook, WeCom or SMTP server (TLS handshake included), then
    # for each wait on its answer; and for one whole delivery, cut off after it however
    # slowly bytes still trickle in. NOTIFY_HTTP_TIMEOUT is the read timeout's former name.
    NOTIFY_CONNECT_TIMEOUT = float(os.environ.get("NOTIFY_CONNECT_TIMEOUT", 3))
    NOTIFY_READ_TIMEOUT = float(
        os.environ.get("NOTIFY_READ_TIMEOUT", os.environ.get("NOTIFY_HTTP_TIMEOUT", 5))
    )
    NOTIFY_SEND_DEADLINE = float(os.environ.get("NOTIFY_SEND_DEADLINE", 10))
    # Receivers (channel addresses) sent to at once, each by its own thread, so that one
    # that hangs delays nobody else; and messages claimed per receiver in one pass.
    NOTIFY_SENDERS = int(os.environ.get("NOTIFY_SENDERS", 4))
    NOTIFY_PER_RECEIVER = int(os.environ.get("NOTIFY_PER_RECEIVER", 10))
    # A test send from the back office waits at most this long (seconds).
    NOTIFY_TEST_TIMEOUT = float(os.environ.get("NOTIFY_TEST_TIMEOUT", 5))
    NOTIFY_POLL_SECONDS = float(os.environ.get("NOTIFY_POLL_SECONDS", 5))
    # How long a worker owns the rows it claimed; a crashed worker's rows are retried after it.
    NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", 300))
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 587))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    # Implicit TLS from the first byte (usually port 465), as many Chinese mail hosts want.
    SMTP_SSL = os.environ.get("SMTP_SSL", "0") == "1"
    SMTP_FROM = os.environ.get("SMTP_FROM", "patrol@localhost")

    # Patrol plans (flask plans sweep): slots are materialized for today and the next
    # PLAN_HORIZON_DAYS - 1 days; assignees are reminded PLAN_REMIND_MINUTES before a window
    # closes, through the outbox audience PLAN_REMIND_AUDIENCE (the outbox has no per-person one).
    PLAN_HORIZON_DAYS = int(os.environ.get("PLAN_HORIZON_DAYS", 2))
    PLAN_REMIND_MINUTES = int(os.environ.get("PLAN_REMIND_MINUTES", 60))
    PLAN_REMIND_AUDIENCE = os.environ.get("PLAN_REMIND_AUDIENCE", "frontdesk")
    # Misses older than this when first seen (e.g. cron was down) are not announced any more.
    PLAN_MISSED_NOTICE_HOURS = int(os.environ.get("PLAN_MISSED_NOTICE_HOURS", 24))
    # The sweep matches inspections the submit hook did not see, scanned this many days back.
    PLAN_CATCH_UP_DAYS = int(os.environ.get("PLAN_CATCH_UP_DAYS", 7))


class ProductionConfig(Config):
    """Settings for production: cookies only over HTTPS, a real secret required."""

    SESSION_COOKIE_SECURE = True
    # Strict-Transport-Security, sent only when PUBLIC_BASE_URL is https:// (0 turns it off).
    SECURITY_HSTS_SECONDS = int(os.environ.get("SECURITY_HSTS_SECONDS", 365 * 24 * 3600))


class TestConfig(Config):
    """Settings for the test suite: a throwaway database chosen by the fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret"
    ENV_NAME = "test"
    # scrypt's cost is the point in production and only slows the suite down.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def load_config(name: str | None = None) -> type[Config]:
    """Pick the config class for the named environment."""
    name = name or os.environ.get("PATROL_ENV", "development")
    return {"production": ProductionConfig, "test": TestConfig}.get(name, Config)
