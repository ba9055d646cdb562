"""Shared fixtures: one migrated database per run, emptied after every test."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests import factories
from tests.clock import chosen_instant

PASSWORD = factories.PASSWORD


def _database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_dir}/test.db"


# Each run gets its own PostgreSQL schema, so parallel runs on one database do not collide.
PG_SCHEMA = f"patrol_test_{os.getpid()}"


def _pg_schema(url: str, action: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        if action == "create":
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _clock() -> Iterator[None]:
    """Run the whole session at the chosen instant (tests/clock.py), ticking from there."""
    with time_machine.travel(chosen_instant(), tick=True):
        yield


@pytest.fixture(scope="session")
def _app(_clock: None) -> Iterator[Flask]:
    tmp_dir = tempfile.mkdtemp(prefix="patrol-test-")
    url = _database_url(tmp_dir)
    engine_options: dict = {}
    postgres = url.startswith("postgresql")
    if postgres:
        _pg_schema(url, "create")
        engine_options = {"connect_args": {"options": f"-csearch_path={PG_SCHEMA}"}}
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options,
        INSTANCE_DIR=tmp_dir,
        PUBLIC_BASE_URL="https://patrol.example.com",
    )
    with app.app_context():
        upgrade()  # the schema comes from the migrations, never from create_all
    yield app
    with app.app_context():
        db.engine.dispose()
    if postgres:
        _pg_schema(url, "drop")


def _empty_tables() -> None:
    # DELETE beats TRUNCATE on PostgreSQL for a handful of rows per table.
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_app: Flask) -> Iterator[Flask]:
    """Give each test the app with an empty database and an app context."""
    with _app.app_context():
        yield _app
        db.session.rollback()
        _empty_tables()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return an anonymous test client."""
    return app.test_client()


@pytest.fixture
def login(app: Flask) -> Callable[..., FlaskClient]:
    """Return a function that logs a user in through the API and gives their client."""

    def _login(user, password: str = PASSWORD) -> FlaskClient:
        c = app.test_client()
        resp = c.post("/api/v1/auth/login", json={"username": user.username, "password": password})
        assert resp.status_code == 200, resp.get_json()
        return c

    return _login


@pytest.fixture
def world(app: Flask) -> factories.World:
    """Build two properties (A and B) with a user of every role in each."""
    w = factories.build_world()
    db.session.commit()
    return w


@pytest.fixture
def dual(world: factories.World):
    """Store a user granted both A and B (the shared user of the takeover report)."""
    user = factories.shared_user(world)
    db.session.commit()
    return user


@pytest.fixture
def b_admin(world: factories.World, login) -> FlaskClient:
    """Log in B's admin, who holds B only."""
    return login(world.b.users["admin"])


@pytest.fixture
def both_admin(world: factories.World, login) -> FlaskClient:
    """Log in an admin granted both A and B."""
    user = factories.user("admin", [world.a.prop, world.b.prop], username="admin_both")
    db.session.commit()
    return login(user)
