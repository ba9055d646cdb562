"""Patrol: the Flask application factory."""

from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask

from app.config import Config, load_config


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    """Create and configure the Flask application."""
    app = Flask(__name__, instance_path=os.path.abspath(load_config().INSTANCE_DIR))
    app.config.from_object(config or load_config())
    app.config.update(overrides)
    check_config(app)
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse to start in production without a secret; make one up for local use."""
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _local_secret(app)


def trust_proxies(app: Flask) -> None:
    """Believe the configured number of reverse proxies about the client's address and scheme."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _local_secret(app: Flask) -> str:
    """Keep a per-instance random secret so sessions survive restarts of a dev server."""
    import secrets

    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations and the API to the app."""
    from apispec.ext.marshmallow import MarshmallowPlugin

    from app.auth.cookie import SessionCookie

    importlib.import_module("app.models")  # every table in the metadata before anything maps
    from app.common import fields
    from app.common.db import configure_engine_events
    from app.common.http import URL_CONVERTERS
    from app.common.schemas import schema_name_resolver
    from app.extensions import api, db, migrate

    # Before any route is added: ids in paths fit PostgreSQL's INTEGER, text has no NUL.
    app.url_map.converters.update(URL_CONVERTERS)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    app.session_interface = SessionCookie()
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    api.init_app(
        app,
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name_resolver)
        },
    )
    api.register_field(fields.Integer, "integer", "int32")  # what app/common/fields.py refuses
    with app.app_context():
        configure_engine_events(db.engine)


def register_blueprints(app: Flask) -> None:
    """Mount every domain's API blueprint and the web pages."""
    from app.audit.routes import blp as audit_blp
    from app.auth.routes import blp as auth_blp
    from app.certificate import certificate
    from app.checklists.routes import blp as checklists_blp
    from app.coverage.routes import blp as coverage_blp
    from app.extensions import api
    from app.imports.routes import blp as imports_blp
    from app.inbox.routes import blp as inbox_blp
    from app.inspections.routes import blp as inspections_blp
    from app.labels.routes import blp as labels_blp
    from app.notify.routes import blp as notify_blp
    from app.photos.routes import blp as photos_blp
    from app.places.routes import blp as places_blp
    from app.places.routes import vocab_blp
    from app.plans.routes import blp as plans_blp
    from app.presence.routes import blp as presence_blp
    from app.renovation.routes import blp as renovation_blp
    from app.tickets.routes import blp as tickets_blp
    from app.web import docs_static, web

    for blp in (
        auth_blp,
        places_blp,
        checklists_blp,
        labels_blp,
        photos_blp,
        inspections_blp,
        tickets_blp,
        notify_blp,
        plans_blp,
        coverage_blp,
        renovation_blp,
        presence_blp,
        vocab_blp,
        audit_blp,
        imports_blp,
        inbox_blp,
    ):
        api.register_blueprint(blp, url_prefix="/api/v1")
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/tokens"}
    )
    app.register_blueprint(docs_static)
    app.register_blueprint(certificate)
    app.register_blueprint(web)


def register_request_hooks(app: Flask) -> None:
    """Load the caller before each request, guard JSON body size, let GETs be revalidated."""
    from app.common.http import answer_unchanged, limit_json_body

    app.before_request(limit_json_body)
    app.before_request(load_caller)
    app.after_request(answer_unchanged)


def load_caller() -> None:
    """Find the caller; keep a session's or token's last-seen time, the only write so far."""
    from app.auth.csrf import check_same_origin
    from app.auth.expected import check_expected_user
    from app.auth.service import load_current_user
    from app.extensions import db

    check_same_origin()
    load_current_user()
    if db.session.dirty:
        db.session.commit()
    check_expected_user()


def register_security_headers(app: Flask) -> None:
    """Send the CSP and the other security headers on every response."""
    from app.common import security

    security.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """Answer every error with problem+json."""
    from app.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    """Add the flask CLI commands (seed, users)."""
    from app.cli import register

    register(app)
